"""DICOMweb (QIDO-RS, WADO-RS, STOW-RS) of spinelens-cli against a real Orthanc with its
DICOMweb plugin, started here on free ports (plain HTTP with basic authentication, then HTTPS
with a certificate made here and a bearer token, through nginx: Debian's Orthanc crashes on
HTTPS of its own) and stopped by pid. What Orthanc holds is read back through its
REST API and through DIMSE; pixel bytes are compared with pydicom. Then bad answers from a
real server (nginx configured to misbehave): malformed QIDO-RS and STOW-RS JSON, a WADO-RS part
that is no DICOM object, a transfer that stalls and one whose server dies half way, and a host
that cannot be reached.

usage: check_dicomweb.py SPINELENS_CLI WORKDIR
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
from orthanc_server import Orthanc  # noqa: E402
from synthetic_series import write_series  # noqa: E402
from tls_proxy import TlsProxy, make_certificate  # noqa: E402

CLI, WORK = sys.argv[1], sys.argv[2]
PYDICOM = os.path.dirname(pydicom.__file__) + "/data"
REAL = [f"{PYDICOM}/test_files/{n}" for n in (
    "CT_small.dcm", "MR_small_RLE.dcm", "JPEG2000.dcm", "JPEG-lossy.dcm", "image_dfl.dcm")] + [
    f"{PYDICOM}/charset_files/{n}" for n in ("chrGerm.dcm", "chrX1.dcm")]
USER = ["--user", "radiologist:s3cret"]
failures = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what, flush=True)
    if not condition:
        failures.append(what)


def cli(*args):
    p = subprocess.run([CLI, *args], capture_output=True, text=True, timeout=300)
    return p.returncode, p.stdout, p.stderr


def cli_json(*args):
    rc, out, err = cli(*args)
    return rc, (json.loads(out) if out.strip() else None), err


def files_in(folder):
    return sorted(f for f in glob.glob(folder + "/**/*", recursive=True) if os.path.isfile(f))


def main():
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    study, series, slices = write_series(os.path.join(WORK, "series"), 40, 256)
    truth = {pydicom.dcmread(f).SOPInstanceUID: f for f in REAL + slices}
    with Orthanc(users={"radiologist": "s3cret"}, extra={"DefaultEncoding": "Utf8"}) as pacs:
        web = pacs.dicomweb
        rc, _, err = cli("echo", web)
        check(rc == 1 and "HTTP 401" in err and "--user" in err,
              "no credentials: one line that says so: " + err.strip())
        rc, _, err = cli("echo", web, "--user", "radiologist:wrong")
        check(rc == 1 and "HTTP 401" in err, "wrong password refused")
        rc, out, _ = cli_json("echo", web, *USER)
        check(rc == 0 and out["echo"] == "ok", "QIDO-RS echo with basic authentication")

        junk = os.path.join(WORK, "notes.txt")
        with open(junk, "w") as f:
            f.write("not an image\n")
        rc, out, err = cli_json("send", web, *USER, *REAL, os.path.dirname(slices[0]), junk)
        held = {i["MainDicomTags"]["SOPInstanceUID"] for i in pacs.rest("GET", "/instances?expand")}
        check(rc == 1 and out["sent"] == len(truth) and held == set(truth) and
              [x["path"] for x in out["failed"]] == [junk],
              f"STOW-RS stored all {len(truth)} objects, named the text file it refused")

        rc, qido, _ = cli_json("query", web, *USER)
        rc2, cfind, _ = cli_json("query", pacs.dimse)
        key = lambda m: m["studyInstanceUid"]  # noqa: E731
        fields = ("patientName", "patientId", "studyDate", "numberOfInstances")
        check(rc == 0 and rc2 == 0 and len(qido) == len(cfind) and
              all(all(a.get(f) == b.get(f) for f in fields)
                  for a, b in zip(sorted(qido, key=key), sorted(cfind, key=key))),
              f"QIDO-RS and C-FIND agree on {len(qido)} studies (names, IDs, dates, counts)")
        x1 = pydicom.dcmread(f"{PYDICOM}/charset_files/chrX1.dcm")
        got = [m["patientName"] for m in qido if m["studyInstanceUid"] == x1.StudyInstanceUID]
        check(got == [str(x1.PatientName)], f"UTF-8 name as pydicom reads it: {got}")
        rc, found, _ = cli_json("query", web, *USER, "--patient-name", "SYNTH*", "--modality",
                                "MR", "--date", "20260101-20260101")
        check(rc == 0 and [m["studyInstanceUid"] for m in found] == [study],
              "QIDO-RS keys: name wildcard, modality, date range")
        first = pydicom.dcmread(slices[0])
        for option, value in (("--patient-id", first.PatientID),
                              ("--accession", first.AccessionNumber),
                              # Debian's Orthanc DICOMweb plugin matches no description that
                              # holds a space, even with a wildcard (its /tools/find does): no space.
                              ("--description", first.StudyDescription.split()[0] + "*")):
            rc, found, _ = cli_json("query", web, *USER, option, value)
            check(rc == 0 and [m["studyInstanceUid"] for m in found] == [study],
                  f"QIDO-RS key {option} {value}")
        rc, found, _ = cli_json("query", web, *USER, "--accession", "NO-SUCH-ACC")
        check(rc == 0 and found == [], "QIDO-RS: an accession number no study has")
        rc, series_matches, _ = cli_json("query", web, *USER, "--level", "series", "--study",
                                         study)
        check(rc == 0 and [(m["seriesInstanceUid"], m["numberOfInstances"])
                           for m in series_matches] == [(series, len(slices))],
              "QIDO-RS series level")
        rc, patients, _ = cli_json("query", web, *USER, "--level", "patient")
        check(rc == 0 and len(patients) == len(pacs.rest("GET", "/patients")),
              f"patient level from grouped studies: {len(patients)} patients")

        out_dir = os.path.join(WORK, "wado")
        rc, result, _ = cli_json("retrieve", web, *USER, "--study", study, "--out", out_dir)
        got = files_in(out_dir)
        check(rc == 0 and result["complete"] and result["method"] == "WADO-RS" and
              len(got) == len(slices), f"WADO-RS retrieved the {len(slices)}-slice series")
        check(all(pydicom.dcmread(f).PixelData ==
                  pydicom.dcmread(truth[pydicom.dcmread(f).SOPInstanceUID]).PixelData
                  for f in got), "every object's pixel bytes equal the sent file's")
        out_dir = os.path.join(WORK, "wado-real")
        for f in REAL:
            d = pydicom.dcmread(f)
            rc, result, err = cli_json("retrieve", web, *USER, "--study", d.StudyInstanceUID,
                                       "--out", out_dir)
            check(rc == 0, f"WADO-RS of {os.path.basename(f)}'s study " +
                  ("" if rc == 0 else err))
        back = {pydicom.dcmread(f).SOPInstanceUID: f for f in files_in(out_dir)}
        check(all(pydicom.dcmread(back[u]).PixelData == pydicom.dcmread(truth[u]).PixelData
                  for u in back) and len(back) >= len(REAL),
              "compressed objects come back with their own pixel bytes")
        rc, result, err = cli_json("retrieve", web, *USER, "--study", "1.2.3.4.5",
                                   "--out", os.path.join(WORK, "none"))
        check(rc == 1 and "has no study 1.2.3.4.5" in err, "unknown study: " + err.strip())

    crt, key = make_certificate(WORK)
    with Orthanc() as pacs, TlsProxy(pacs.http_port, crt, key, token="t0ken-42") as proxy:
        web = proxy.dicomweb
        rc, _, err = cli("echo", web, "--token", "t0ken-42")
        check(rc == 1 and "not trusted" in err and "--ca-file" in err,
              "an unknown certificate is refused in words: " + err.strip())
        rc, _, err = cli("echo", web, "--ca-file", crt, "--token", "wrong")
        check(rc == 1 and "HTTP 401" in err, "a wrong bearer token is refused")
        rc, out, err = cli_json("echo", web, "--ca-file", crt, "--token", "t0ken-42")
        check(rc == 0, "HTTPS with its CA given and the bearer token " + err)
        rc, out, _ = cli_json("send", web, "--ca-file", crt, "--token", "t0ken-42", *slices)
        check(rc == 0 and out["sent"] == len(slices), "STOW-RS over TLS")
        rc, result, _ = cli_json("retrieve", web, "--ca-file", crt, "--token", "t0ken-42",
                                 "--study", study, "--out", os.path.join(WORK, "tls"))
        check(rc == 0 and result["received"] == len(slices), "WADO-RS over TLS")
    rc, _, err = cli("echo", web, "--ca-file", crt, "--connect-timeout", "2")
    check(rc == 1 and "could not connect" in err, "a stopped server: " + err.strip())
    misbehaving_servers(study, slices)
    if failures:
        print(f"{len(failures)} checks failed:\n  " + "\n  ".join(failures))
        sys.exit(1)
    print("all DICOMweb checks passed")


# nginx answers these paths itself, badly: a QIDO-RS/STOW-RS answer cut off mid-JSON, a
# WADO-RS multipart whose one part is not DICOM, and STOW-RS answers that refuse the first two
# slices (UID0, UID1) with reasons: both (HTTP 409), only the first (HTTP 202), or only the
# first without listing what was stored (HTTP 202). /slow/ is the real Orthanc, throttled.
BAD_LOCATIONS = r"""
    location = /broken/dicom-web/studies {
      default_type application/dicom+json;
      return 200 '[{"0020000D": {"vr": "UI", "Value": ["1.2';
    }
    location /broken/dicom-web/studies/ {
      default_type 'multipart/related; type="application/dicom"; boundary=xyz';
      return 200 '--xyz\r\nContent-Type: application/dicom\r\n\r\nthis is not a DICOM object\r\n--xyz--\r\n';
    }
    location = /refusing/dicom-web/studies {
      default_type application/dicom+json;
      return 409 '{"00081198": {"vr": "SQ", "Value": [
        {"00081155": {"vr": "UI", "Value": ["UID0"]}, "00081197": {"vr": "US", "Value": [42752]}},
        {"00081155": {"vr": "UI", "Value": ["UID1"]}, "00081197": {"vr": "US", "Value": [290]}}]}}';
    }
    location = /partly/dicom-web/studies {
      default_type application/dicom+json;
      return 202 '{"00081199": {"vr": "SQ", "Value": [{"00081155": {"vr": "UI", "Value": ["UID1"]}}]},
                   "00081198": {"vr": "SQ", "Value": [
        {"00081155": {"vr": "UI", "Value": ["UID0"]}, "00081197": {"vr": "US", "Value": [49442]}}]}}';
    }
    location = /unlisted/dicom-web/studies {
      default_type application/dicom+json;
      return 202 '{"00081198": {"vr": "SQ", "Value": [
        {"00081155": {"vr": "UI", "Value": ["UID0"]}, "00081197": {"vr": "US", "Value": [272]}}]}}';
    }
    location /slow/ {
      proxy_pass http://127.0.0.1:UPSTREAM/;
      limit_rate 1m;
    }
"""


def retrieve_until(args, objects, then):
    """Starts a retrieve, calls then() once `objects` objects are in, returns (rc, json, err)."""
    p = subprocess.Popen([CLI, "retrieve", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    lines = []
    for line in p.stderr:
        lines.append(line)
        if line.startswith(f"received {objects}"):
            then()
            break
    out, err = p.communicate(timeout=120)
    return p.returncode, (json.loads(out) if out.strip() else None), "".join(lines) + err


def misbehaving_servers(study, slices):
    with Orthanc() as pacs:
        rc, _, _ = cli_json("send", pacs.dicomweb, *slices)
        check(rc == 0, "the series is in the PACS behind the misbehaving proxy")
        uids = [pydicom.dcmread(f, stop_before_pixels=True).SOPInstanceUID for f in slices[:2]]
        locations = BAD_LOCATIONS.replace("UPSTREAM", str(pacs.http_port))
        locations = locations.replace("UID0", uids[0]).replace("UID1", uids[1])
        with TlsProxy(pacs.http_port, locations=locations) as proxy:
            broken = proxy.url("/broken/dicom-web")
            rc, out, err = cli("query", broken)
            check(rc == 1 and not out.strip() and err.count("\n") == 1 and
                  "not valid DICOM JSON" in err and broken in err,
                  "a QIDO-RS answer cut off mid-JSON: one line naming the node: " + err.strip())
            rc, out, err = cli_json("send", broken, slices[0])
            check(rc == 1 and out is not None and out["sent"] == 0 and
                  "not confirmed" in err and "not valid JSON" in err and broken in err,
                  "a STOW-RS answer that is not JSON: the object is not counted as stored: " +
                  err.strip().splitlines()[-1])
            refusing = proxy.url("/refusing/dicom-web")
            rc, out, err = cli_json("send", refusing, *slices[:2])
            lines = err.strip().splitlines()
            check(rc == 1 and out is not None and out["sent"] == 0 and len(out["failed"]) == 2
                  and any(slices[0] in l and "out of resources (status A700H)" in l
                          for l in lines)
                  and any(slices[1] in l and "does not store this kind of object" in l and
                          "(status 0122H)" in l for l in lines),
                  "STOW-RS HTTP 409: each object's failure reason, in words: " + " | ".join(lines))
            partly = proxy.url("/partly/dicom-web")
            rc, out, err = cli_json("send", partly, *slices[:2])
            check(rc == 1 and out is not None and out["sent"] == 1 and
                  len(out["failed"]) == 1 and slices[0] in err and
                  "transfer syntax (status C122H)" in err and slices[1] not in err,
                  "STOW-RS HTTP 202: one stored, one refused and named: " + err.strip())
            unlisted = proxy.url("/unlisted/dicom-web")
            rc, out, err = cli_json("send", unlisted, *slices[:2])
            check(rc == 1 and out is not None and out["sent"] == 0 and
                  any(slices[1] in l and "not confirmed" in l for l in err.splitlines()),
                  "STOW-RS HTTP 202 that lists a failure but nothing stored: the other object "
                  "is not counted as stored: " + err.strip().splitlines()[-1])
            rc, result, err = cli_json("retrieve", broken, "--study", study, "--out",
                                       os.path.join(WORK, "broken"))
            check(rc == 1 and result is not None and result["received"] == 0 and
                  not result["complete"] and "not readable DICOM" in err and broken in err,
                  "a WADO-RS part that is not DICOM: refused and named: " + err.strip())

            slow = proxy.url("/slow/dicom-web")
            stall_dir = os.path.join(WORK, "stalled")
            start = [0.0]

            def freeze():
                start[0] = time.time()
                os.kill(proxy.process.pid, signal.SIGSTOP)
            try:
                rc, result, err = retrieve_until(["--study", study, "--out", stall_dir, slow,
                                                  "--timeout", "2"], 3, freeze)
            finally:
                os.kill(proxy.process.pid, signal.SIGCONT)
            waited = time.time() - start[0]
            check(rc == 1 and result is not None and result["partial"] and
                  3 <= result["received"] < len(slices) and "without data" in err and
                  slow in err and waited < 20,
                  f"a server that stalls mid-transfer: timed out after {waited:.1f} s, "
                  f"{result and result['received']} of {len(slices)} kept, marked partial: " +
                  err.strip().splitlines()[-1])
            kept = files_in(stall_dir)
            check(all(pydicom.dcmread(f).pixel_array.shape == (256, 256)
                      for f in kept if "/." not in f),
                  "every object kept from the stalled transfer is whole")

            def kill():
                proxy.process.kill()
                proxy.process.wait()
            rc, result, err = retrieve_until(["--study", study, "--out",
                                              os.path.join(WORK, "killed"), slow], 3, kill)
            check(rc == 1 and result is not None and result["partial"] and
                  3 <= result["received"] < len(slices) and slow in err and
                  ("mid-transfer" in err or "before its closing boundary" in err),
                  "a server killed mid-transfer: partial, named: " + err.strip().splitlines()[-1])

    # TEST-NET-1 (RFC 5737) is never routed: no answer, or no route, but never a hang.
    start = time.time()
    rc, _, err = cli("echo", "http://192.0.2.1:8042/dicom-web", "--connect-timeout", "2")
    check(rc == 1 and "192.0.2.1" in err and time.time() - start < 15 and
          ("could not connect" in err or "no answer" in err),
          f"a host that cannot be reached ({time.time() - start:.1f} s): " + err.strip())


if __name__ == "__main__":
    main()
