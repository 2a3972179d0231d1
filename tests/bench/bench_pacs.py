"""Retrieve speed against DCMTK's getscu (C-GET) and curl (WADO-RS), in one run on the same
local Orthanc.

A synthetic 300-slice 512 x 512 16-bit MR series is stored in a real Orthanc (started here on
free ports, stopped by pid). Each round retrieves it with `spinelens-cli retrieve` (C-GET) and
with `getscu` as Debian ships it and with `getscu` given TCP_NODELAY=1 (Debian's DCMTK
leaves Nagle's algorithm on unless the environment asks; spinelens turns it off) into empty
folders, rotating which goes first; the medians and their ratio are
printed (below 1: ours is faster), with our time to the first object on disk.

Ours is timed twice: in process through core/net as the viewer runs it (bench_pacs_retrieve),
and as `spinelens-cli retrieve`, whose figure includes the program's start-up.

With --viewer BENCH_PACS_VIEWER (built with the GUI; needs a display, Xvfb in the test
command) the viewer retrieves the series too, through File > Query/Retrieve in a real window,
and its time to the first slice on screen is printed.

usage: bench_pacs.py SPINELENS_CLI BENCH_PACS_RETRIEVE WORKDIR [SLICES] [ROUNDS]
                     [--viewer BENCH_PACS_VIEWER]
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pacs"))
from orthanc_server import Orthanc  # noqa: E402
from synthetic_series import write_series  # noqa: E402

CLI, INPROCESS, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
SLICES = int(sys.argv[4]) if len(sys.argv) > 4 else 300
ROUNDS = int(sys.argv[5]) if len(sys.argv) > 5 else 3
VIEWER = sys.argv[sys.argv.index("--viewer") + 1] if "--viewer" in sys.argv else None


def count_files(folder):
    return sum(len(files) for _, _, files in os.walk(folder))


def ours(pacs, study, series, out_dir, server=None):
    start = time.perf_counter()
    first = None
    p = subprocess.Popen([CLI, "retrieve", server or pacs.dimse, "--study", study, "--series", series,
                          "--out", out_dir], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         text=True)
    for line in p.stderr:
        if first is None and line.startswith("received"):
            first = time.perf_counter() - start
    p.wait()
    elapsed = time.perf_counter() - start
    if p.returncode != 0:
        sys.exit("spinelens-cli retrieve failed")
    return elapsed, first


def inprocess(pacs, study, series, out_dir, server=None):
    p = subprocess.run([INPROCESS, server or pacs.dimse, study, series, out_dir],
                       capture_output=True, text=True, check=True)
    r = json.loads(p.stdout)
    return r["seconds"], r["firstObjectSeconds"]


def getscu(pacs, study, series, out_dir, env=None):
    os.makedirs(out_dir)
    start = time.perf_counter()
    subprocess.run(["getscu", "-S", "-aec", pacs.aet, "-od", out_dir,
                    "-k", "QueryRetrieveLevel=SERIES", "-k", f"StudyInstanceUID={study}",
                    "-k", f"SeriesInstanceUID={series}", "127.0.0.1", str(pacs.dicom_port)],
                   check=True, capture_output=True, env=dict(os.environ, **(env or {})))
    return time.perf_counter() - start


def curl(pacs, study, series, out_dir):
    os.makedirs(out_dir)
    start = time.perf_counter()
    subprocess.run(["curl", "-sf", "-o", os.path.join(out_dir, "series.multipart"), "-H",
                    'Accept: multipart/related; type="application/dicom"; transfer-syntax=*',
                    f"{pacs.dicomweb}/studies/{study}/series/{series}"], check=True)
    return time.perf_counter() - start


def wado_round(pacs, study, series, rounds):
    """WADO-RS: ours (multipart parsed, each object filed) against curl (one raw file)."""
    ours_t, curl_t, first = [], [], []
    for r in range(rounds):
        for who in (["ours", "curl"] if r % 2 == 0 else ["curl", "ours"]):
            out_dir = os.path.join(WORK, f"wado-{who}-{r}")
            if who == "ours":
                t, f = inprocess(pacs, study, series, out_dir, pacs.dicomweb)
                if count_files(out_dir) < SLICES:
                    sys.exit("WADO-RS retrieved too few objects")
                ours_t.append(t)
                first.append(f)
            else:
                t = curl(pacs, study, series, out_dir)
                if os.path.getsize(os.path.join(out_dir, "series.multipart")) < SLICES * 512 * 512:
                    sys.exit("curl got too little")
                curl_t.append(t)
            shutil.rmtree(out_dir)
    return statistics.median(ours_t), statistics.median(curl_t), statistics.median(first)


def viewer_rounds(pacs, server, rounds):
    """Medians of what bench_pacs_viewer prints, each round into an empty cache."""
    runs = []
    for r in range(rounds):
        cache = os.path.join(WORK, f"viewer-cache-{r}")
        p = subprocess.run([VIEWER, server, "SYNTH-ACC-1", cache], capture_output=True, text=True,
                           env=dict(os.environ, QT_QPA_PLATFORM="xcb", LIBGL_ALWAYS_SOFTWARE="1"))
        if p.returncode != 0:
            sys.exit(f"bench_pacs_viewer failed ({p.returncode}): {p.stderr[-1500:]}")
        runs.append(json.loads(p.stdout.strip().splitlines()[-1]))
        if count_files(cache) < SLICES:
            sys.exit(f"the viewer cached {count_files(cache)} of {SLICES} objects")
        shutil.rmtree(cache)
    return {k: statistics.median(run[k] for run in runs) for k in runs[0]}


def main():
    shutil.rmtree(WORK, ignore_errors=True)
    study, series, paths = write_series(os.path.join(WORK, "series"), SLICES, 512)
    size_mb = sum(os.path.getsize(p) for p in paths) / 1e6
    with Orthanc() as pacs:
        for p in paths:
            pacs.upload(p)
        times = {"ours": [], "cli": [], "getscu": [], "getscu-nodelay": [], "first": [],
                 "cli-first": []}
        for r in range(ROUNDS):
            order = ["ours", "cli", "getscu", "getscu-nodelay"]
            order = order[r % 4:] + order[:r % 4]
            for who in order:
                out_dir = os.path.join(WORK, f"{who}-{r}")
                if who == "ours":
                    t, first = inprocess(pacs, study, series, out_dir)
                    times["first"].append(first)
                elif who == "cli":
                    t, first = ours(pacs, study, series, out_dir)
                    times["cli-first"].append(first)
                elif who == "getscu":
                    t = getscu(pacs, study, series, out_dir)
                else:
                    t = getscu(pacs, study, series, out_dir, {"TCP_NODELAY": "1"})
                n = count_files(out_dir)
                if n < SLICES:
                    sys.exit(f"{who} retrieved {n} of {SLICES} objects")
                times[who].append(t)
                shutil.rmtree(out_dir)
        # WADO-RS rounds are short and vary more: more of them for a steady median.
        wado, curl_time, wado_first = wado_round(pacs, study, series, max(ROUNDS, 11))
        # The same as whole programs (ours with its start-up, which loads LibTorch too).
        cli_wado = []
        for r in range(ROUNDS):
            out_dir = os.path.join(WORK, f"cli-wado-{r}")
            cli_wado.append(ours(pacs, study, series, out_dir, pacs.dicomweb)[0])
            if count_files(out_dir) < SLICES:
                sys.exit("spinelens-cli retrieve over WADO-RS retrieved too few objects")
            shutil.rmtree(out_dir)
        cli_wado = statistics.median(cli_wado)
        viewer = {}
        if VIEWER and not os.environ.get("DISPLAY"):
            print("viewer: not measured (no DISPLAY; the test command runs this under Xvfb)")
        elif VIEWER:
            viewer = {"C-GET": viewer_rounds(pacs, pacs.dimse, ROUNDS),
                      "WADO-RS": viewer_rounds(pacs, pacs.dicomweb, ROUNDS)}
    o, g = statistics.median(times["ours"]), statistics.median(times["getscu"])
    n = statistics.median(times["getscu-nodelay"])
    c = statistics.median(times["cli"])
    print(f"C-GET of {SLICES} slices 512x512 ({size_mb:.0f} MB) from a local Orthanc, "
          f"median of {ROUNDS}:")
    print(f"  ours, in process        {o:6.2f} s  ({SLICES / o:6.1f} objects/s)")
    print(f"  spinelens-cli retrieve  {c:6.2f} s  (with program start-up)")
    print(f"  DCMTK getscu            {g:6.2f} s  ({SLICES / g:6.1f} objects/s)")
    print(f"  getscu, TCP_NODELAY=1   {n:6.2f} s  ({SLICES / n:6.1f} objects/s)")
    print(f"  ratio ours/getscu       {o / g:6.2f}  (below 1: ours is faster)")
    print(f"  ratio ours/getscu with TCP_NODELAY=1  {o / n:6.2f}")
    print(f"  ratio spinelens-cli/getscu with TCP_NODELAY=1  {c / n:6.2f}")
    print(f"  our first object on disk after {statistics.median(times['first']):.3f} s "
          f"in process, {statistics.median(times['cli-first']):.3f} s from the command line")
    print(f"WADO-RS of the same series, median of {max(ROUNDS, 11)}:")
    print(f"  ours, in process (each object filed)  {wado:6.2f} s  ({SLICES / wado:6.1f} "
          "objects/s)")
    print(f"  curl (one multipart file)             {curl_time:6.2f} s")
    print(f"  ratio ours/curl                       {wado / curl_time:6.2f}")
    print(f"  spinelens-cli retrieve (with program start-up, median of {ROUNDS})  {cli_wado:6.2f} s; "
          f"ratio to curl {cli_wado / curl_time:.2f}")
    print(f"  our first object on disk after {wado_first:.3f} s")
    for how, v in viewer.items():
        print(f"The viewer, File > Query/Retrieve by accession number over {how} (real window, "
              f"median of {ROUNDS}):")
        print(f"  first image opened after     {v['seriesOpenedMs'] / 1000:6.2f} s (the preview; the"
              " series follows once complete)")
        print(f"  first slice on screen after {v['firstSliceOnScreenMs'] / 1000:6.2f} s "
              f"(loaded at {v['firstSliceLoadedMs'] / 1000:.2f} s)")
        print(f"  whole series retrieved in   {v['retrieveFinishedMs'] / 1000:6.2f} s")
        print(f"  ratio first slice / whole series  {v['firstSliceOnScreenMs'] / v['retrieveFinishedMs']:6.2f}")


if __name__ == "__main__":
    main()
