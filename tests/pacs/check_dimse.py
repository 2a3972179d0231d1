"""DIMSE networking of spinelens-cli against a real Orthanc (started here, stopped by pid).

Every answer is checked against an independent source: pydicom's reading of the files that
were sent, Orthanc's REST API for what it holds, and DCMTK's storescu as the sending peer of
our storage SCP. Files are pydicom's own test and character-set files plus the synthetic
sample study.

usage: check_dimse.py SPINELENS_CLI WORKDIR
"""
import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pydicom

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from orthanc_server import Orthanc, free_port  # noqa: E402
from synthetic_series import write_series  # noqa: E402

CLI, WORK = sys.argv[1], sys.argv[2]
PYDICOM = os.path.dirname(pydicom.__file__) + "/data"
# One file per SOP instance UID (several of pydicom's files share one), covering explicit and
# implicit little endian, big endian, deflated, RLE, JPEG baseline and extended, JPEG 2000.
REAL_FILES = [f"{PYDICOM}/test_files/{n}" for n in (
    "CT_small.dcm", "MR_small_RLE.dcm", "ExplVR_BigEnd.dcm", "image_dfl.dcm", "JPEG2000.dcm",
    "JPEG-lossy.dcm", "SC_rgb_jpeg_dcmtk.dcm", "693_J2KI.dcm")] + [f"{PYDICOM}/charset_files/{n}" for n in (
    "chrGerm.dcm", "chrFren.dcm", "chrGreek.dcm", "chrX1.dcm")]
failures = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what, flush=True)
    if not condition:
        failures.append(what)


def cli(*args, timeout=180):
    p = subprocess.run([CLI, *args], capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def cli_json(*args):
    rc, out, err = cli(*args)
    if rc != 0:
        print(err)
    return rc, (json.loads(out) if out.strip() else None), err


def tree(folder):
    """Every file under folder, hidden ones (.incoming/*.part) included."""
    return sorted(os.path.join(d, f) for d, _, files in os.walk(folder) for f in files)


def visible(files):
    return [f for f in files if not os.path.basename(f).startswith(".")]


def same_object(a, b):
    """Same instance with the same pixel bytes (pydicom reads both independently)."""
    da, db = pydicom.dcmread(a), pydicom.dcmread(b)
    return (da.SOPInstanceUID == db.SOPInstanceUID and
            da.get("PixelData") == db.get("PixelData"))


def main():
    os.makedirs(WORK, exist_ok=True)
    sample = os.path.join(WORK, "sample")
    shutil.rmtree(sample, ignore_errors=True)
    rc, _, err = cli("sample", sample)
    check(rc == 0, "sample study written " + err.strip())
    mr_files = sorted(glob.glob(sample + "/mr-sagittal-t2/*.dcm"))
    truth = {pydicom.dcmread(f).SOPInstanceUID: f for f in REAL_FILES + mr_files}
    move_port = free_port()
    modalities = {"SPINELENS": ["SPINELENS", "127.0.0.1", move_port]}
    with Orthanc(modalities=modalities, extra={"DefaultEncoding": "Utf8"}) as pacs:
        connection_errors(pacs)
        sending(pacs, mr_files)
        held = {i["MainDicomTags"]["SOPInstanceUID"] for i in pacs.rest("GET", "/instances?expand")}
        check(held == set(truth), f"Orthanc holds exactly the {len(truth)} instances sent")
        querying(pacs, mr_files)
        retrieving(pacs, mr_files, truth, move_port)
        receiving(pacs, truth, pydicom.dcmread(mr_files[0]).SOPInstanceUID)
        timeouts(pacs)
    with Orthanc(extra={"DefaultEncoding": "Cyrillic"}) as pacs:
        russ = f"{PYDICOM}/charset_files/chrRuss.dcm"
        pacs.upload(russ)
        rc, matches, _ = cli_json("query", pacs.dimse, "--patient-id", "SCSRUSS")
        expected = str(pydicom.dcmread(russ).PatientName)
        check(rc == 0 and [m["patientName"] for m in matches] == [expected],
              f"an ISO_IR 144 answer decodes to pydicom's name {expected}")
    interrupted_transfer()
    if failures:
        print(f"{len(failures)} checks failed:\n  " + "\n  ".join(failures))
        sys.exit(1)
    print("all DIMSE checks passed")


def connection_errors(pacs):
    rc, out, _ = cli_json("echo", pacs.dimse)
    check(rc == 0 and out["echo"] == "ok", "C-ECHO answered")
    wrong = pacs.dimse.replace("@", "X@")
    rc, _, err = cli("echo", wrong)
    check(rc == 1 and "called AE title not recognized" in err and wrong in err and
          err.count("\n") == 1, "a wrong server AE title is one line naming it: " + err.strip())
    dead = f"dicom://ORTHANC@127.0.0.1:{free_port()}"
    rc, _, err = cli("echo", dead)
    check(rc == 1 and "connection refused" in err and dead in err,
          "nothing on the port: " + err.strip())
    # TEST-NET-1 (RFC 5737) is never routed: no answer or no route, within the timeout.
    start = time.time()
    rc, _, err = cli("echo", "dicom://PACS@192.0.2.1:104", "--connect-timeout", "2")
    check(rc == 1 and "192.0.2.1" in err and time.time() - start < 15,
          f"a host that cannot be reached ({time.time() - start:.1f} s): " + err.strip())
    rc, _, err = cli("echo", "dicom://127.0.0.1:104")
    check(rc == 1 and "AE title is missing" in err, "address without an AE title: " + err.strip())
    rc, _, err = cli("echo", pacs.dimse, "--calling-aet", "FAR TOO LONG AE TITLE")
    check(rc == 1 and "1 to 16 characters" in err, "a bad calling AE title: " + err.strip())


def sending(pacs, mr_files):
    junk = os.path.join(WORK, "not-dicom.txt")
    with open(junk, "w") as f:
        f.write("plain text\n")
    rc, out, err = cli("send", pacs.dimse, *REAL_FILES, os.path.dirname(mr_files[0]), junk)
    out = json.loads(out)
    check(rc == 1 and out["sent"] == len(REAL_FILES) + len(mr_files),
          f"C-STORE sent {out['sent']} of {len(REAL_FILES) + len(mr_files)} objects "
          "(the text file refused, the rest sent)")
    check([f["path"] for f in out["failed"]] == [junk] and junk in err,
          "the one failure names the text file")
    # Sending to a server that is not there, or under a wrong AE title: the real reason.
    wrong = pacs.dimse.replace("@", "X@")
    rc, _, err = cli("send", wrong, mr_files[0])
    check(rc == 1 and "called AE title not recognized" in err and wrong in err,
          "C-STORE to a wrong AE title says so: " + err.strip().splitlines()[-1])
    dead = f"dicom://ORTHANC@127.0.0.1:{free_port()}"
    rc, _, err = cli("send", dead, mr_files[0])
    check(rc == 1 and "connection refused" in err and dead in err,
          "C-STORE to a port nothing listens on says so: " + err.strip().splitlines()[-1])


def querying(pacs, mr_files):
    studies = pacs.rest("GET", "/studies?expand")
    rc, matches, _ = cli_json("query", pacs.dimse)
    check(rc == 0 and sorted(m["studyInstanceUid"] for m in matches) ==
          sorted(s["MainDicomTags"]["StudyInstanceUID"] for s in studies),
          f"study query lists Orthanc's {len(studies)} studies")
    by_uid = {m["studyInstanceUid"]: m for m in matches}
    mr = pydicom.dcmread(mr_files[0])
    m = by_uid.get(mr.StudyInstanceUID, {})
    check(m.get("numberOfInstances") == len(mr_files) and m.get("patientId") == mr.PatientID and
          m.get("studyDate") == mr.StudyDate and "MR" in m.get("modalitiesInStudy", ""),
          f"the sample study's match: {len(mr_files)} instances, ID, date, modality")
    for name in ("chrGerm", "chrFren", "chrGreek", "chrX1"):
        d = pydicom.dcmread(f"{PYDICOM}/charset_files/{name}.dcm")
        got = by_uid.get(d.StudyInstanceUID, {}).get("patientName")
        check(got == str(d.PatientName), f"{name}: name decoded as pydicom does ({got})")

    def uids(*keys):
        rc, found, _ = cli_json("query", pacs.dimse, *keys)
        return rc, sorted(x["studyInstanceUid"] for x in found or [])

    compressed = sorted({pydicom.dcmread(f).StudyInstanceUID for f in REAL_FILES
                         if str(pydicom.dcmread(f).PatientName).startswith("CompressedSamples")})
    check(uids("--patient-name", "CompressedSamples*") == (0, compressed),
          f"patient name wildcard finds the {len(compressed)} CompressedSamples studies")
    check(uids("--patient-id", mr.PatientID) == (0, [mr.StudyInstanceUID]), "patient ID")
    check(uids("--date", f"{mr.StudyDate}-{mr.StudyDate}", "--modality", "MR",
               "--patient-id", mr.PatientID) == (0, [mr.StudyInstanceUID]),
          "date range and modality")
    check(uids("--date", "19000101-19000102") == (0, []), "a date range with no study")
    # The sample study carries both (a test that skipped them when absent could not fail).
    check(bool(mr.get("AccessionNumber")) and
          uids("--accession", mr.AccessionNumber) == (0, [mr.StudyInstanceUID]),
          "accession number")
    check(uids("--accession", "NO-SUCH-ACC") == (0, []), "an accession number no study has")
    check(bool(mr.get("StudyDescription")) and
          uids("--description", mr.StudyDescription) == (0, [mr.StudyInstanceUID]),
          "study description")
    rc, _, err = cli("query", pacs.dimse, "--date", "2024-01-01")
    check(rc == 1 and "--date" in err, "a malformed date is named: " + err.strip())
    rc, series, _ = cli_json("query", pacs.dimse, "--level", "series", "--study",
                             mr.StudyInstanceUID)
    check(rc == 0 and [s["seriesInstanceUid"] for s in series] == [mr.SeriesInstanceUID] and
          series[0]["numberOfInstances"] == len(mr_files), "series level")
    rc, patients, _ = cli_json("query", pacs.dimse, "--level", "patient")
    expected = len(pacs.rest("GET", "/patients"))
    check(rc == 0 and len(patients) == expected, f"patient level lists {expected} patients")


def retrieving(pacs, mr_files, truth, move_port):
    mr = pydicom.dcmread(mr_files[0])
    for method, extra in (("C-GET", []), ("C-MOVE", ["--move-to-port", str(move_port)])):
        out_dir = os.path.join(WORK, "retrieved-" + method)
        shutil.rmtree(out_dir, ignore_errors=True)
        rc, result, _ = cli_json("retrieve", pacs.dimse, "--study", mr.StudyInstanceUID,
                                 "--series", mr.SeriesInstanceUID, "--out", out_dir, *extra)
        files = tree(out_dir)
        check(rc == 0 and result["complete"] and result["method"] == method and
              len(visible(files)) == len(mr_files) == len(files),
              f"{method}: {len(mr_files)} objects, no temporary file left")
        check(all(same_object(f, truth[pydicom.dcmread(f).SOPInstanceUID]) for f in files),
              f"{method}: every object has the sent UID and pixel bytes")
    # All real files, one study at a time, over C-GET (compressed transfer syntaxes included).
    out_dir = os.path.join(WORK, "retrieved-real")
    for f in REAL_FILES:
        d = pydicom.dcmread(f)
        rc, result, err = cli_json("retrieve", pacs.dimse, "--study", d.StudyInstanceUID,
                                   "--out", out_dir)
        check(rc == 0, f"C-GET of {os.path.basename(f)}'s study " + ("" if rc == 0 else err))
    got = {pydicom.dcmread(f).SOPInstanceUID: f for f in tree(out_dir)}
    check(set(got) >= {pydicom.dcmread(f).SOPInstanceUID for f in REAL_FILES} and
          all(same_object(got[u], truth[u]) for u in got),
          f"C-GET of the {len(REAL_FILES)} real files: same UIDs and pixel bytes")
    rc, result, err = cli_json("retrieve", pacs.dimse, "--study", mr.StudyInstanceUID,
                               "--out", os.path.join(WORK, "unknown-dest"), "--calling-aet",
                               "STRANGER", "--move-to-port", str(free_port()))
    check(rc == 1 and "STRANGER" in err and "C-GET" in err and pacs.dimse in err,
          "C-MOVE to a destination the PACS does not know says what to do: " + err.strip())
    rc, result, err = cli_json("retrieve", pacs.dimse, "--study", "1.2.3.4.5.6.7.8.9",
                               "--out", os.path.join(WORK, "nothing"))
    check(rc == 1 and result["received"] == 0 and "has no study 1.2.3.4.5.6.7.8.9" in err,
          "a study the PACS does not have: " + err.strip())


def receiving(pacs, truth, mr_uid):
    port = free_port()
    out_dir = os.path.join(WORK, "received")
    shutil.rmtree(out_dir, ignore_errors=True)
    receiver = subprocess.Popen([CLI, "receive", "--aet", "SPINELENS", "--port", str(port),
                                 "--out", out_dir], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
    try:
        # Ready when it answers a C-ECHO (its start-up is far slower under the sanitizers
        # than a fixed pause allowed for).
        deadline = time.time() + 120
        while time.time() < deadline and receiver.poll() is None:
            if subprocess.run(["echoscu", "-aec", "SPINELENS", "127.0.0.1", str(port)],
                              capture_output=True).returncode == 0:
                break
            time.sleep(0.2)
        # Classes and syntaxes storescu proposes without options (uncompressed ones).
        sent = [f"{PYDICOM}/test_files/CT_small.dcm"] + [
            f"{PYDICOM}/charset_files/{n}" for n in ("chrFren.dcm", "chrGerm.dcm")]
        p = subprocess.run(["storescu", "-aec", "SPINELENS", "127.0.0.1", str(port), *sent],
                           capture_output=True, text=True)
        check(p.returncode == 0, "DCMTK's storescu stored 3 files in our receiver " + p.stderr)
        rc, _, err = cli("send", f"dicom://SPINELENS@127.0.0.1:{port}",
                         f"{PYDICOM}/test_files/JPEG2000.dcm")
        check(rc == 0, "our send stored a JPEG 2000 file in our receiver " + err)
        p = subprocess.run(["storescu", "-aec", "WRONGAET", "127.0.0.1", str(port), sent[0]],
                           capture_output=True, text=True)
        check(p.returncode != 0 and "Called AE Title Not Recognized" in p.stderr,
              "an association to another AE title is rejected as such")
        # Orthanc pushes a study to us (its REST API starts a C-STORE to a modality).
        pacs.rest("PUT", "/modalities/SPINELENS-RX", {"AET": "SPINELENS", "Host": "127.0.0.1",
                                                      "Port": port})
        mr_id = [i["ID"] for i in pacs.rest("GET", "/instances?expand")
                 if i["MainDicomTags"]["SOPInstanceUID"] == mr_uid][0]
        pacs.rest("POST", "/modalities/SPINELENS-RX/store", {"Resources": [mr_id],
                                                            "Synchronous": True})
    finally:
        receiver.send_signal(signal.SIGTERM)
        out, err = receiver.communicate(timeout=30)
    lines = [json.loads(x) for x in out.splitlines() if x.strip()]
    files = tree(out_dir)
    check(receiver.returncode == 0 and "received 5 objects" in err,
          "receive stops on SIGTERM and says what it got: " + err.strip().splitlines()[-1])
    check(len(lines) == 5 and len(visible(files)) == 5 == len(files) and
          all(os.path.exists(x["path"]) for x in lines),
          "one JSON line and one complete file per object, no temporary file")
    check(all(same_object(x["path"], truth[x["sopInstanceUid"]]) for x in lines),
          "received objects have the sent UIDs and pixel bytes")
    rc, _, err = cli("receive", "--port", str(pacs.dicom_port), "--out", out_dir)
    check(rc == 1 and f"port {pacs.dicom_port}" in err, "a port in use is named: " + err.strip())


def timeouts(pacs):
    # A PACS that stops answering (the real one, frozen with SIGSTOP): a clear timeout, not a hang.
    os.kill(pacs.process.pid, signal.SIGSTOP)
    try:
        start = time.time()
        rc, _, err = cli("echo", pacs.dimse, "--connect-timeout", "2", "--timeout", "2")
        check(rc == 1 and "no answer" in err and time.time() - start < 15,
              f"a frozen PACS times out in {time.time() - start:.1f} s: " + err.strip())
    finally:
        os.kill(pacs.process.pid, signal.SIGCONT)
    rc, _, _ = cli("echo", pacs.dimse)
    check(rc == 0, "the PACS answers again after it thaws")


def interrupted_transfer():
    """The PACS dies half way through a C-GET: the retrieve says so, keeps what arrived
    (complete files only) and marks itself partial."""
    study, series, paths = write_series(os.path.join(WORK, "big-series"), 150, 256)
    with Orthanc() as pacs:
        for p in paths:
            pacs.upload(p)
        # First it freezes (SIGSTOP) half way: the C-GET times out, keeps what arrived.
        frozen_dir = os.path.join(WORK, "frozen")
        shutil.rmtree(frozen_dir, ignore_errors=True)
        retrieve = subprocess.Popen([CLI, "retrieve", pacs.dimse, "--study", study, "--out",
                                     frozen_dir, "--timeout", "3"], stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
        frozen_at = None
        try:
            for line in retrieve.stderr:
                if line.startswith("received 5"):
                    os.kill(pacs.process.pid, signal.SIGSTOP)
                    frozen_at = time.time()
                    break
            out, err = retrieve.communicate(timeout=60)
        finally:
            os.kill(pacs.process.pid, signal.SIGCONT)
        waited = time.time() - (frozen_at or time.time())
        result = json.loads(out)
        check(retrieve.returncode == 1 and result["partial"] and 5 <= result["received"] < 150
              and "no answer" in err and pacs.dimse in err and waited < 12,
              f"a PACS frozen mid-C-GET: timed out after {waited:.1f} s, {result['received']} "
              "kept, partial: " + err.strip().splitlines()[-1])
        check(len(visible(tree(frozen_dir))) == result["received"],
              "the objects it reported are the ones on disk")

        out_dir = os.path.join(WORK, "interrupted")
        shutil.rmtree(out_dir, ignore_errors=True)
        retrieve = subprocess.Popen([CLI, "retrieve", pacs.dimse, "--study", study, "--out",
                                     out_dir, "--timeout", "5"], stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
        for line in retrieve.stderr:  # progress lines; stop the PACS after a few objects
            if line.startswith("received 5"):
                pacs.process.kill()
                pacs.process.wait()
                break
        out, err = retrieve.communicate(timeout=60)
    result = json.loads(out)
    files = tree(out_dir)
    check(retrieve.returncode == 1 and result["partial"] and not result["complete"] and
          "partial retrieve" in err and pacs.dimse in err,
          "a PACS killed mid-transfer: partial, named: " + err.strip().splitlines()[-1])
    check(5 <= len(visible(files)) < 150 and len(visible(files)) == result["received"],
          f"{result['received']} of 150 objects kept")
    check(all(pydicom.dcmread(f).pixel_array.shape == (256, 256) for f in visible(files)),
          "every kept object is complete (pydicom decodes its pixels)")
    hidden = [f for f in files if os.path.basename(f).startswith(".")]
    check(all("/.incoming/" in f for f in hidden), "half-received data only under .incoming")


if __name__ == "__main__":
    main()
