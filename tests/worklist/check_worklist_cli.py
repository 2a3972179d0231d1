#!/usr/bin/python3
"""`spinelens-cli worklist` from outside, with the shipped lumbar MRI package:

- threshold: the operating point chosen from an evaluation run (sensitivity >= X, specificity
  >= Y) against scikit-learn's roc_curve on the run file's own cases, read here with sqlite3;
- add: synthetic MRI studies are triaged into the flagged / not-flagged lanes with scores, in
  priority order; a real MR (pydicom's MR_small: outside what a phantom-trained model knows), a
  CT study (no model for CT) and a broken file land in the not-assessed lane with the reason;
- decide / history / export: decisions stored, changed, audited; the CSV read back;
- kos: a decision as a Key Object Selection document (dciodvfy finds no error, dsrdump reads
  it, a new series of the study referencing the image reviewed, the reviewer as observer and
  the decision in words), sent to a real Orthanc and found there;
- verify: the audit chain is intact, then a record edited with the sqlite3 tool is named, and
  a removed newest record is noticed.

usage: check_worklist_cli.py SPINELENS_CLI SOURCE_DIR WORKDIR
"""
import csv
import datetime
import glob
import json
import os
import shutil
import sqlite3
import subprocess
import sys

import numpy as np
import pydicom
import pydicom.uid
from sklearn.metrics import roc_curve

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pacs"))
from orthanc_server import Orthanc  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_checks import Checks  # noqa: E402

CLI, SOURCE, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
MODEL = os.path.join(SOURCE, "models", "lumbar-mri-binary")
PYDICOM_FILES = os.path.join(os.path.dirname(pydicom.__file__), "data", "test_files")
CHECKS = Checks(CLI)
check, cli = CHECKS.check, CHECKS.cli


def worklist(*args, **kw):
    return cli("worklist", "--db", DB, *args, **kw)


def check_paths_as_typed(studies):
    """A study added by a relative path is opened and exported from anywhere; a mistyped path
    or worklist file is refused, naming it, and nothing is made."""
    db = f"{WORK}/relative.sqlite"
    rc, out, err = cli("worklist", "--db", db, "add", os.path.relpath(studies[0], WORK), cwd=WORK)
    entry = json.loads(out.splitlines()[0]) if rc == 0 else {}
    check(rc == 0 and os.path.isabs(entry.get("bestImage", "")) and
          os.path.isfile(entry.get("bestImage", "")),
          f"a study added by a relative path keeps its absolute place: {entry.get('bestImage')}")
    rc, out, err = cli("worklist", "--db", db, "decide", entry.get("study", ""), "disagree")
    manifest = f"{WORK}/elsewhere/manifest.csv"
    os.makedirs(os.path.dirname(manifest))
    rc, out, err = cli("worklist", "--db", db, "export", "--manifest", manifest, cwd="/")
    rows = list(csv.DictReader(open(manifest))) if rc == 0 else []
    check(rc == 0 and rows and all(os.path.isfile(os.path.join(os.path.dirname(manifest),
                                                               r["path"])) for r in rows),
          f"exported from another folder, its {len(rows)} images are found " + err[-200:])
    rc, out, err = cli("worklist", "--db", db, "add", f"{WORK}/no-such-study")
    rc2, out2, _ = cli("worklist", "--db", db, "list")
    check(rc != 0 and "no-such-study" in err and "no such file" in err and
          len(json.loads(out2)["entries"]) == 1,
          "a mistyped study path is refused and nothing is entered: " + err.strip())
    typo = f"{WORK}/typo.sqlite"
    for command in (["verify"], ["list"], ["history", "1.2.3"]):
        rc, out, err = cli("worklist", "--db", typo, *command)
        check(rc != 0 and "typo.sqlite" in err and "no worklist file" in err and
              not os.path.exists(typo),
              f"'{command[0]}' on a worklist file that is not there says so and makes none")


def run_cases(run_file):
    """The run's cases as the run file stores them: truth, probabilities, domain."""
    db = sqlite3.connect(run_file)
    classes = json.loads(dict(db.execute("SELECT key, value FROM meta"))["classes"])
    rows = db.execute("SELECT true_label, probabilities, in_domain, domain_score FROM cases")
    out = []
    for label, blob, in_domain, domain_score in rows:
        p = np.frombuffer(blob, dtype=np.float32)
        out.append((label, p, bool(in_domain) or domain_score is None))
    return classes, out


def dciodvfy_errors(path):
    p = subprocess.run(["dciodvfy", path], capture_output=True, text=True)
    return [line for line in (p.stdout + p.stderr).splitlines() if line.startswith("Error")]


def check_decision_document(study, entry, undecided):
    """The decision on `study` (disagree, by dr-b, noted) as a KOS; then sent to Orthanc."""
    rc, out, err = worklist("kos", study, "--out", f"{WORK}/kos")
    check(rc == 0, "kos writes the decision as a Key Object Selection document " + err[-300:])
    if rc != 0:
        return
    k = json.loads(out)
    ds = pydicom.dcmread(k["path"])
    src = pydicom.dcmread(entry["bestImage"])
    errors = dciodvfy_errors(k["path"])
    check(not errors, f"dciodvfy finds no error in the KOS {errors[:3]}")
    dump = subprocess.run(["dsrdump", k["path"]], capture_output=True, text=True)
    check(dump.returncode == 0 and "Of Interest" in dump.stdout and
          "Key Object Description" in dump.stdout, "DCMTK's dsrdump reads it")
    check(ds.SOPClassUID == "1.2.840.10008.5.1.4.1.1.88.59" and ds.Modality == "KO" and
          ds.StudyInstanceUID == src.StudyInstanceUID == study and
          ds.SeriesInstanceUID != src.SeriesInstanceUID and ds.PatientID == src.PatientID,
          "a KOS in a new series of the reviewed study, same patient")
    refs = [i.ReferencedSOPInstanceUID for s in ds.CurrentRequestedProcedureEvidenceSequence
            for se in s.ReferencedSeriesSequence for i in se.ReferencedSOPSequence]
    images = [c.ReferencedSOPSequence[0].ReferencedSOPInstanceUID for c in ds.ContentSequence
              if c.ValueType == "IMAGE"]
    check(refs == images == [src.SOPInstanceUID], "its key object is the image reviewed")
    texts = [c.TextValue for c in ds.ContentSequence if c.ValueType == "TEXT"]
    names = [str(c.PersonName) for c in ds.ContentSequence if c.ValueType == "PNAME"]
    check(len(texts) == 1 and "DISAGREES" in texts[0] and "on second look" in texts[0] and
          f"{entry['score']:.3f}" in texts[0] and entry["modelHash"] in texts[0] and
          "synthetic" in texts[0] and names == ["dr-b"],
          "the reviewer is the observer; the text has the verdict, note, score, weights hash "
          "and the synthetic-data note: " + (texts[0][:160] if texts else ""))
    rc, _, err = worklist("kos", undecided, "--out", f"{WORK}/kos")
    check(rc == 1 and "no decision" in err and undecided in err,
          "a study without a decision has no review document: " + err.strip())
    with Orthanc() as pacs:
        rc, _, err = cli("send", pacs.dimse, k["path"])
        held = [i for i in pacs.rest("GET", "/instances?expand")
                if i["MainDicomTags"]["SOPInstanceUID"] == k["sopInstanceUid"]]
        check(rc == 0 and len(held) == 1, "sent to a real Orthanc with C-STORE, which holds it "
              + err.strip())


def main():
    global DB
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    DB = os.path.join(WORK, "worklist.sqlite")

    # --- operating point from an evaluation run, against sklearn ---
    cli("phantom", "--kind", "mri", "--count", "12", "--seed", "5", "--out", f"{WORK}/mri")
    run_file = f"{WORK}/run.sqlite"
    rc, _, err = cli("evaluate", "--model", MODEL, "--data", f"{WORK}/mri", "--split", "all",
                     "--out", run_file)
    check(rc == 0, "evaluation run of the lumbar model on 12 synthetic studies " + err[-300:])
    classes, cases = run_cases(run_file)
    normal = [c.lower() for c in classes].index("healthy")
    kept = [(label, p) for label, p, ok in cases if ok]
    y = np.array([int(label != normal) for label, _ in kept])
    score = np.array([1.0 - float(p[normal]) for _, p in kept])
    check(y.sum() > 0 and (1 - y).sum() > 0, f"the run has both classes ({len(kept)} in domain)")
    fpr, tpr, thresholds = roc_curve(y, score, drop_intermediate=False)
    for target in (0.8, 0.95):
        rc, out, err = worklist("threshold", "--run", run_file, "--sensitivity", str(target),
                                "--user", "tester")
        check(rc == 0, f"threshold --sensitivity {target} " + err[-200:])
        j = json.loads(out)
        # sklearn: the highest threshold whose TPR reaches the target.
        i = int(np.argmax(tpr >= target - 1e-12))
        check(abs(j["threshold"] - thresholds[i]) < 1e-6,
              f"sensitivity {target}: threshold {j['threshold']:.6f} = sklearn {thresholds[i]:.6f}")
        check(abs(j["expectedSensitivity"] - tpr[i]) < 1e-9 and
              abs(j["expectedSpecificity"] - (1 - fpr[i])) < 1e-9,
              f"sensitivity {target}: sens/spec {j['expectedSensitivity']:.3f}/"
              f"{j['expectedSpecificity']:.3f} = sklearn {tpr[i]:.3f}/{1 - fpr[i]:.3f}")
        lo, hi = j["sensitivity95"]
        check(lo <= j["expectedSensitivity"] <= hi and j["bootstrapResamples"] == 1000,
              "the sensitivity's bootstrap interval holds the estimate")
        check(len(j["runSha256"]) == 64 and j["model"] == "lumbar-mri-binary" and
              j["syntheticData"] is True and j["modelHash"],
              "provenance: run hash, model, model hash, synthetic data")
    rc, out, err = worklist("threshold", "--run", run_file, "--specificity", "0.9")
    j = json.loads(out)
    spec_at = ((score[y == 0] < j["threshold"]).mean())
    check(rc == 0 and spec_at >= 0.9 - 1e-12 and
          abs(j["expectedSpecificity"] - spec_at) < 1e-9,
          f"specificity >= 0.9: {spec_at:.3f} at threshold {j['threshold']:.6f}")
    # The lowest such threshold: at the highest negative score below it, too few negatives
    # would stay unflagged.
    below = [v for v in score[y == 0] if v < j["threshold"]]
    check(bool(below) and (score[y == 0] < max(below)).mean() < 0.9,
          "the specificity threshold is the lowest that meets the target")
    rc, _, err = worklist("threshold", "--run", run_file, "--sensitivity", "0.9",
                          "--specificity", "0.9")
    check(rc == 1 and "exactly one" in err, "two targets at once are refused in words")
    rc, _, err = worklist("threshold", "--run", f"{WORK}/nope.sqlite", "--value", "0.5")
    check(rc == 1 and "nope.sqlite" in err, "a missing run file is named")
    rc, out, _ = worklist("threshold", "--run", run_file, "--value", "0.4")
    check(rc == 0 and json.loads(out)["threshold"] == 0.4, "a fixed threshold is stored too")

    # --- arrivals and triage ---
    studies = sorted(glob.glob(f"{WORK}/mri/train_images/*"))[:4]
    foreign = os.path.join(WORK, "foreign")
    os.makedirs(foreign)
    shutil.copy(os.path.join(PYDICOM_FILES, "MR_small.dcm"), foreign)
    ct = os.path.join(WORK, "ct")
    os.makedirs(ct)
    shutil.copy(os.path.join(PYDICOM_FILES, "CT_small.dcm"), ct)
    broken = os.path.join(WORK, "broken")
    os.makedirs(broken)
    with open(os.path.join(broken, "half.dcm"), "wb") as f:
        f.write(open(os.path.join(PYDICOM_FILES, "MR_small.dcm"), "rb").read()[:700])
    rc, out, err = worklist("add", *studies, foreign, ct, broken, "--user", "tester")
    check(rc == 0, "add: 4 synthetic studies, a real MR, a CT and a broken file " + err[-300:])
    added = [json.loads(line) for line in out.splitlines()]
    check(len(added) == 7, f"7 arrivals, each its own line ({len(added)})")
    check(all(a["triageSeconds"] > 0 for a in added), "arrival to score measured per study")
    slowest = max(a["triageSeconds"] for a in added if a["lane"] != "not-assessed")
    print(f"     arrival to score: at most {slowest:.2f} s per synthetic MRI study")
    rc, out, _ = worklist("list")
    listing = json.loads(out)
    entries = listing["entries"]
    lanes = [e["lane"] for e in entries]
    order = {"flagged": 0, "not-flagged": 1, "not-assessed": 2, "pending": 3}
    check(lanes == sorted(lanes, key=order.get), f"lanes in priority order {lanes}")
    for lane in ("flagged", "not-flagged"):
        scores = [e["score"] for e in entries if e["lane"] == lane]
        check(scores == sorted(scores, reverse=True), f"{lane}: highest score first {scores}")
    scored = [e for e in entries if e["lane"] in ("flagged", "not-flagged")]
    check(len(scored) == 4, f"the 4 synthetic studies are assessed ({len(scored)})")
    check(all(e["model"].startswith("lumbar-mri-binary") and e["threshold"] == 0.4 and
              e["thresholdId"] == 4 and ("synthetic" in e["modelNote"]) for e in scored),
          "each scored entry names its model, the newest threshold stored (0.4, #4), synthetic")
    check(all((e["score"] >= 0.4) == (e["lane"] == "flagged") for e in scored),
          "flagged exactly when the score reaches the threshold")
    check({e["lane"] for e in scored} == {"flagged", "not-flagged"}, "both lanes are used")
    check(all(e["flagged"] is None for e in entries if e["lane"] == "not-assessed"),
          "no flag, either way, for what the AI could not assess")
    check(all(os.path.exists(e["bestImage"]) and set(e["probabilities"]) == {"healthy",
              "degenerative"} for e in scored), "most suspicious image and its probabilities")
    assessed_not = {e["study"]: e for e in entries if e["lane"] == "not-assessed"}
    real = pydicom.dcmread(os.path.join(PYDICOM_FILES, "MR_small.dcm"))
    ctds = pydicom.dcmread(os.path.join(PYDICOM_FILES, "CT_small.dcm"))
    check(real.StudyInstanceUID in assessed_not and
          "training data" in assessed_not[real.StudyInstanceUID]["problem"],
          "the real MR is not assessed: outside the training data")
    check(ctds.StudyInstanceUID in assessed_not and
          "CT" in assessed_not[ctds.StudyInstanceUID]["problem"],
          "the CT study is not assessed: no model for CT")
    broken_key = [k for k in assessed_not if k.startswith("file:") and "half.dcm" in k]
    check(len(broken_key) == 1 and "unreadable" in assessed_not[broken_key[0]]["problem"],
          "the broken file is listed as unreadable")
    check(listing["counts"].get("not-assessed") == 3, "counts per lane")
    check(all(e.get("score") is None for e in assessed_not.values()),
          "no score is shown for what the AI could not assess")

    # --- decisions ---
    first = scored[0]["study"]
    rc, out, _ = worklist("decide", first, "agree", "--reason", "typical", "--user", "dr-a")
    check(rc == 0 and json.loads(out)["decision"]["verdict"] == "agree", "a decision is stored")
    rc, out, _ = worklist("decide", first, "disagree", "--note", "on second look",
                          "--user", "dr-b")
    d = json.loads(out)["decision"]
    check(d["verdict"] == "disagree" and d["user"] == "dr-b", "a decision can be changed")
    rc, _, err = worklist("decide", first, "maybe")
    check(rc == 2, "an unknown verdict is a command-line error")
    rc, _, err = worklist("decide", "1.2.3.4.5", "agree")
    check(rc == 1 and "1.2.3.4.5" in err, "an unknown study is named")
    rc, out, _ = worklist("history", first)
    events = [r["event"] for r in json.loads(out)]
    check(events == ["arrival", "triage", "decision", "decision-changed"],
          f"history of a study: {events}")
    check_decision_document(first, [e for e in scored if e["study"] == first][0],
                            [e for e in scored if e["study"] != first][0]["study"])
    rc, out, _ = worklist("export", "--csv", f"{WORK}/decisions.csv")
    rows = list(csv.DictReader(open(f"{WORK}/decisions.csv")))
    check(rc == 0 and len(rows) == 7 and
          [r for r in rows if r["study"] == first][0]["verdict"] == "disagree",
          "the CSV holds every entry and the decision")
    unassessed = [r for r in rows if r["lane"] == "not-assessed"]
    check(unassessed and all(r["flagged"] == "" and r["score"] == "" for r in unassessed),
          "a study the AI could not assess has neither score nor flag in the CSV")

    # --- the loop back to training: disagreements as a manifest data set ---
    manifest = f"{WORK}/reviewed.csv"
    rc, out, err = worklist("export", "--manifest", manifest)
    m = json.loads(out.splitlines()[0])
    rows = list(csv.DictReader(open(manifest)))
    entry = [e for e in scored if e["study"] == first][0]
    expected = "healthy" if entry["flagged"] else "degenerative"
    check(rc == 0 and m["studies"] == 1 and rows and
          all(r["label"] == expected and r["group"] == first for r in rows),
          f"the disagreement is exported with the reviewed class {expected} ({len(rows)} images)")
    rc, _, err = cli("evaluate", "--model", MODEL, "--data", manifest, "--split", "all",
                     "--out", f"{WORK}/reviewed-run.sqlite")
    classes2, cases2 = run_cases(f"{WORK}/reviewed-run.sqlite")
    check(rc == 0 and len(cases2) == len(rows), "evaluate reads the manifest: "
          f"{len(cases2)} cases " + err[-200:])

    check_paths_as_typed(studies)

    # --- the audit chain ---
    rc, out, _ = worklist("verify")
    v = json.loads(out)
    check(rc == 0 and v["intact"] and v["records"] == 20, f"chain intact ({v['records']} records)")
    # The chain's hash is SHA-256 over the previous hash and the record's fields (hashlib).
    db = sqlite3.connect(DB)
    rows = db.execute("SELECT seq, at, user, event, study_uid, body, previous_hash, hash FROM "
                      "audit ORDER BY seq LIMIT 3").fetchall()
    db.close()
    import hashlib
    sep = "\x1f"
    ok = all(hashlib.sha256(sep.join([prev, str(seq), at, user, event, study, body]).encode())
             .hexdigest() == digest for seq, at, user, event, study, body, prev, digest in rows)
    check(ok and rows[0][6] == "0" * 64 and rows[1][6] == rows[0][7],
          "each record's hash is SHA-256 of the one before and its fields (hashlib agrees)")
    sqlite = shutil.which("sqlite3")
    check(sqlite is not None, "the sqlite3 tool is installed")
    # The first decision, "agree", is rewritten as "disagree": records after it are untouched.
    subprocess.run([sqlite, DB, "UPDATE audit SET body = replace(body, '\"agree\"', "
                    "'\"disagree\"') WHERE event = 'decision'"], check=True)
    target = subprocess.run([sqlite, DB, "SELECT seq FROM audit WHERE event = 'decision'"],
                            capture_output=True, text=True).stdout.strip()
    rc, out, err = worklist("verify")
    v = json.loads(out)
    check(rc == 1 and not v["intact"] and str(v["firstBad"]) == target and "altered" in err,
          f"an edited record is named: {v['firstBad']} (edited {target})")
    # Put it back, then remove the newest record instead.
    subprocess.run([sqlite, DB, "UPDATE audit SET body = replace(body, '\"disagree\"', "
                    "'\"agree\"') WHERE event = 'decision'"], check=True)
    rc, _, _ = worklist("verify")
    check(rc == 0, "restored, the chain is intact again")
    # The entry itself edited: the log, replayed, says otherwise.
    subprocess.run([sqlite, DB, f"UPDATE studies SET verdict = 'agree' WHERE study_uid = '{first}'"],
                   check=True)
    rc, out, err = worklist("verify")
    check(rc == 1 and "edited outside SpineLens" in json.loads(out)["problem"],
          "a decision edited in the worklist's table is noticed: " + json.loads(out)["problem"])
    subprocess.run([sqlite, DB, f"UPDATE studies SET verdict = 'disagree' WHERE study_uid = "
                    f"'{first}'"], check=True)
    subprocess.run([sqlite, DB, "DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit)"],
                   check=True)
    rc, out, err = worklist("verify")
    check(rc == 1 and "removed" in json.loads(out)["problem"], "a removed newest record is noticed")

    # --- a file that is not a worklist ---
    rc, _, err = cli("worklist", "--db", run_file, "list")
    check(rc == 1 and "not a SpineLens worklist" in err, "a run file is not taken for a worklist")

    check_saved_query()
    return CHECKS.exit_code()


def check_saved_query():
    """`worklist pull`: a saved PACS query as a source. Orthanc holds two lumbar MR studies,
    one from an hour ago and one from January; "MR of the last 24 hours" retrieves and
    triages only the recent one, a second poll retrieves nothing, and the query without the
    time window adds the old one."""
    pull_db = os.path.join(WORK, "pull.sqlite")
    store = os.path.join(WORK, "pulled")
    sample = os.path.join(WORK, "pull-sample")
    rc, _, err = cli("sample", sample)
    check(rc == 0, "the synthetic sample for the PACS " + err[-200:])
    mr = sorted(glob.glob(os.path.join(sample, "mr-sagittal-t2", "*.dcm")))
    hour_ago = datetime.datetime.now() - datetime.timedelta(hours=1)
    day_old = datetime.datetime.now() - datetime.timedelta(hours=25)
    recent_uid, old_uid, day_old_uid = pydicom.uid.generate_uid(), None, pydicom.uid.generate_uid()
    # The PACS is asked from the date 24 hours ago: the 25-hour-old study is within those dates
    # (and must be dropped by its time) unless it is from the day before.
    by_time = day_old.date() == (datetime.datetime.now() - datetime.timedelta(hours=24)).date()
    with Orthanc() as pacs:
        for f in mr:
            ds = pydicom.dcmread(f)
            old_uid = ds.StudyInstanceUID
            pacs.upload(f)
            # The same images as a second, recent study (new UIDs, today's date and time), and
            # a third from 25 hours ago: its date may be within the PACS's date range
            # (yesterday), but its time is not within the last 24 hours.
            for uid, when in ((recent_uid, hour_ago), (day_old_uid, day_old)):
                ds.StudyInstanceUID = uid
                ds.SeriesInstanceUID = uid + ".1"
                ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = \
                    pydicom.uid.generate_uid()
                ds.StudyDate = when.strftime("%Y%m%d")
                ds.StudyTime = when.strftime("%H%M%S")
                copy = os.path.join(WORK, "copy.dcm")
                ds.save_as(copy)
                pacs.upload(copy)

        def pull(*extra):
            rc, out, err = cli("worklist", "--db", pull_db, "pull", pacs.dimse, "--modality",
                               "MR", "--store", store, *extra)
            return rc, [json.loads(line) for line in out.splitlines() if line.strip()], err

        rc, entries, err = pull("--last-hours", "24")
        check(rc == 0 and [e["study"] for e in entries] == [recent_uid] and
              entries[0]["lane"] in ("flagged", "not-flagged") and entries[0]["new"] and
              "1 studies match the query; 0 already listed, 1 retrieved" in err and
              (("1 older than the last 24 h" in err) == by_time),
              "MR of the last 24 hours: the recent study is retrieved, entered and triaged "
              f"({entries[0]['lane'] if entries else None}); the January one is not: "
              + err.strip())
        held = glob.glob(os.path.join(store, "**", "*.dcm"), recursive=True)
        check(len(held) == len(mr), f"its {len(mr)} images are in the store ({len(held)})")
        rc, entries, err = pull("--last-hours", "24")
        check(rc == 0 and entries == [] and "1 already listed, 0 retrieved" in err,
              "a second poll retrieves nothing: " + err.strip())
        rc, entries, err = pull()
        check(rc == 0 and sorted(e["study"] for e in entries) == sorted([old_uid, day_old_uid])
              and "3 studies match the query; 1 already listed, 2 retrieved" in err,
              "without the time window the January and the 25-hour-old studies come too: " + err.strip())
        dimse = pacs.dimse
    rc, entries, err = cli("worklist", "--db", pull_db, "pull", dimse, "--store", store,
                           "--connect-timeout", "2")
    check(rc == 1 and dimse in err and err.count("\n") == 1,
          "a PACS that has gone: one line naming it: " + err.strip())
    rc, out, _ = cli("worklist", "--db", pull_db, "list")
    check(rc == 0 and len(json.loads(out)["entries"]) == 3,
          "the worklist holds the three pulled studies")


if __name__ == "__main__":
    sys.exit(main())
