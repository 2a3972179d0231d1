#!/usr/bin/python3
"""`spinelens-cli worklist assign` and `worklist resume` from outside:

- assign: each modality's model is listed (the shipped default, or none for CT); a package
  is assigned to MR and the studies triaged after it carry its card's version; a package for
  another kind of image, or a folder that is no package, is refused naming the folder; the
  assignment is audited, and an assignment edited in the table with the sqlite3 tool breaks
  `verify`; --default returns the modality to the shipped model;
- verify: a study row inserted with sqlite3 (no arrival in the log) is noticed;
- resume: `worklist add` is killed with SIGKILL while a study is in triage; the study waits in
  the list, the audit chain is intact, and `resume` triages it; a study whose images were
  moved away meanwhile lands in "could not assess", saying so.

usage: check_worklist_models.py SPINELENS_CLI SOURCE_DIR WORKDIR
"""
import glob
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import pydicom

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_checks import Checks  # noqa: E402

CLI, SOURCE, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
MODEL = os.path.join(SOURCE, "models", "lumbar-mri-binary")
XRAY = os.path.join(SOURCE, "models", "spine-xray-4class")
CHECKS = Checks(CLI)
check, cli = CHECKS.check, CHECKS.cli
SQLITE = shutil.which("sqlite3")


def worklist(db, *args):
    return cli("worklist", "--db", db, *args)


def sql(db, statement):
    return subprocess.run([SQLITE, db, statement], capture_output=True, text=True,
                          check=True).stdout.strip()


def study_uid(folder):
    return pydicom.dcmread(sorted(glob.glob(os.path.join(folder, "**", "*.dcm"),
                                         recursive=True))[0],
                           stop_before_pixels=True).StudyInstanceUID


def check_assign(studies):
    db = os.path.join(WORK, "assign.sqlite")
    rc, out, err = worklist(db, "assign")
    rows = {r["modality"]: r for r in json.loads(out)} if rc == 0 else {}
    check(rc == 0 and not rows["MR"]["assigned"] and
          rows["MR"]["folder"].endswith("lumbar-mri-binary") and
          rows["DX"]["folder"].endswith("spine-xray-4class") and
          rows["CT"]["folder"] == "" and "no default model for CT" in rows["CT"]["problem"],
          "assign lists the shipped default per modality, and none for CT " + err[-200:])

    # A site's copy of the lumbar package, its card saying version 1.0.0-site.
    site = os.path.join(WORK, "site-lumbar")
    shutil.copytree(MODEL, site)
    card = json.load(open(os.path.join(site, "model.json")))
    card["version"] = "1.0.0-site"
    json.dump(card, open(os.path.join(site, "model.json"), "w"), indent=1)

    rc, _, err = worklist(db, "assign", "DX", site)
    check(rc == 1 and site in err and "is for MR" in err,
          "an MR package is not assigned to radiographs, naming it: " + err.strip())
    rc, _, err = worklist(db, "assign", "MR", os.path.join(WORK, "no-such-package"))
    check(rc == 1 and "no-such-package" in err and err.count("\n") == 1,
          "a folder that is no package is named in one line: " + err.strip())
    rc, _, err = worklist(db, "assign", "MR")
    check(rc == 1 and "--default" in err, "a modality without a package or --default is refused")

    rc, out, err = worklist(db, "assign", "mr", site, "--user", "dr-models")
    rows = {r["modality"]: r for r in json.loads(out)} if rc == 0 else {}
    check(rc == 0 and rows["MR"]["assigned"] and rows["MR"]["folder"] == site and
          rows["MR"]["model"] == "lumbar-mri-binary 1.0.0-site" and
          rows["MR"]["modelHash"].startswith("sha256:") and rows["MR"]["setBy"] == "dr-models",
          "the site's package is assigned to MR (modality upper-cased) " + err[-200:])
    rc, out, err = worklist(db, "add", studies[0])
    added = [json.loads(line) for line in out.splitlines()]
    rc, out, _ = worklist(db, "list")
    entry = json.loads(out)["entries"][0]
    check(len(added) == 1 and entry.get("model") == "lumbar-mri-binary 1.0.0-site",
          f"a study added after it is triaged with the assigned package ({entry.get('model')})")

    audit = sql(db, "SELECT body FROM audit WHERE event = 'model-assigned'")
    check('"folder":"' + site + '"' in audit and "1.0.0-site" in audit,
          "the assignment is in the audit log with its folder and version")
    rc, out, _ = worklist(db, "verify")
    check(rc == 0 and json.loads(out)["intact"], "the chain is intact after an assignment")
    sql(db, f"UPDATE assignments SET folder = '{XRAY}' WHERE modality = 'MR'")
    rc, out, _ = worklist(db, "verify")
    problem = json.loads(out)["problem"]
    check(rc == 1 and "assigns" in problem and site in problem and XRAY in problem,
          "a package swapped in the assignments table is noticed: " + problem)
    sql(db, f"UPDATE assignments SET folder = '{site}' WHERE modality = 'MR'")

    sql(db, "INSERT INTO studies(study_uid, lane) VALUES('9.9.9', 'pending')")
    rc, out, _ = worklist(db, "verify")
    problem = json.loads(out)["problem"]
    check(rc == 1 and "9.9.9" in problem and "no arrival" in problem,
          "a study inserted into the table without an arrival is noticed: " + problem)
    sql(db, "DELETE FROM studies WHERE study_uid = '9.9.9'")

    rc, out, _ = worklist(db, "assign", "MR", "--default")
    rows = {r["modality"]: r for r in json.loads(out)} if rc == 0 else {}
    check(rc == 0 and not rows["MR"]["assigned"] and rows["MR"]["folder"].endswith(
        "lumbar-mri-binary"), "--default returns MR to the shipped package")
    rc, out, _ = worklist(db, "verify")
    check(rc == 0 and json.loads(out)["intact"], "the chain is intact after both changes")


def check_threshold_belongs_to_its_weights(studies):
    """An operating point chosen for other weights of the same model is not applied: the
    default 0.5 is, and the triage record says why. One chosen for these weights is."""
    db = os.path.join(WORK, "weights.sqlite")
    rc, out, err = worklist(db, "add", studies[0])
    first = json.loads(out.splitlines()[0]) if rc == 0 else {}
    check(rc == 0 and first.get("lane") in ("flagged", "not-flagged"),
          "a study triaged " + err[-200:])
    # The package's identity as a run records it: an evaluation run of the shipped package.
    run_file = os.path.join(WORK, "weights-run.sqlite")
    rc, _, err = cli("evaluate", "--model", MODEL, "--data", os.path.join(WORK, "mri"),
                     "--split", "all", "--out", run_file)
    weights = sql(run_file, "SELECT value FROM meta WHERE key = 'model_hash'") if rc == 0 else ""
    check(rc == 0 and weights, "the shipped package's hash from an evaluation run " + err[-200:])
    insert = ("INSERT INTO thresholds(model, value, provenance, set_at, set_by) VALUES("
              "'lumbar-mri-binary', 0.001, '{\"source\":\"evaluation run\",\"modelHash\":\"%s\"}', "
              "'2026-12-06T00:00:00.000Z', 'test')")
    sql(db, insert % ("0" * 16))
    rc, out, err = worklist(db, "add", studies[1])
    other = json.loads(out.splitlines()[0]) if rc == 0 else {}
    rc, out, _ = worklist(db, "history", other.get("study", ""))
    triage = [r for r in json.loads(out) if r["event"] == "triage"] if rc == 0 else []
    source = triage[-1]["body"]["thresholdProvenance"]["source"] if triage else ""
    check(other.get("threshold") == 0.5 and other.get("thresholdId") == 0 and
          "other weights" in source,
          f"a threshold chosen for other weights is not applied ({other.get('threshold')}, "
          f"#{other.get('thresholdId')}): {source}")
    sql(db, insert % weights)
    rc, out, err = worklist(db, "add", studies[2])
    mine = json.loads(out.splitlines()[0]) if rc == 0 else {}
    check(mine.get("threshold") == 0.001 and mine.get("thresholdId") == 2 and
          mine.get("flagged") == (mine.get("score", -1) >= 0.001),
          f"one chosen for this package is ({mine.get('threshold')}, #{mine.get('thresholdId')}, "
          f"score {mine.get('score')}, flagged {mine.get('flagged')})")


def kill_during_triage(db, folders):
    """Starts `worklist add`, SIGKILLs it while a study waits for its triage result."""
    add = subprocess.Popen([CLI, "worklist", "--db", db, "add", *folders],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 120
        while time.time() < deadline and add.poll() is None:
            if os.path.exists(db):
                try:
                    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
                    waiting = con.execute("SELECT study_uid FROM studies WHERE lane = "
                                          "'pending'").fetchall()
                    con.close()
                    if waiting:
                        add.send_signal(signal.SIGKILL)
                        add.wait()
                        return [w[0] for w in waiting]
                except sqlite3.Error:
                    pass
            time.sleep(0.02)
        return []
    finally:
        if add.poll() is None:
            add.kill()
            add.wait()


def check_resume(studies):
    db = os.path.join(WORK, "resume.sqlite")
    waiting = kill_during_triage(db, studies[1:4])
    check(len(waiting) == 1, f"SIGKILL during triage leaves one study waiting ({len(waiting)})")
    rc, out, _ = worklist(db, "verify")
    check(rc == 0 and json.loads(out)["intact"], "the chain is intact after the kill")
    rc, out, err = worklist(db, "resume")
    resumed = json.loads(out) if rc == 0 else []
    check(rc == 0 and [r["study"] for r in resumed] == waiting and
          resumed[0]["lane"] in ("flagged", "not-flagged"),
          f"resume triages it from where it came from: {resumed} " + err[-200:])
    rc, out, _ = worklist(db, "list")
    check(all(e["lane"] != "pending" for e in json.loads(out)["entries"]),
          "nothing is left waiting")

    # Killed again, and the waiting study's images moved away before resume.
    db = os.path.join(WORK, "resume-gone.sqlite")
    waiting = kill_during_triage(db, studies[4:7])
    gone = [f for f in studies[4:7] if waiting and study_uid(f) == waiting[0]]
    check(len(waiting) == 1 and len(gone) == 1, "a second kill leaves one study waiting")
    if gone:
        os.rename(gone[0], gone[0] + ".moved")
    rc, out, err = worklist(db, "resume")
    resumed = json.loads(out) if rc == 0 else []
    check(rc == 0 and len(resumed) == 1 and resumed[0]["lane"] == "not-assessed" and
          "no longer in" in resumed[0]["problem"],
          f"a study whose images are gone is not assessed, saying so: {resumed}")
    if gone:
        os.rename(gone[0] + ".moved", gone[0])
    rc, out, _ = worklist(db, "resume")
    check(rc == 0 and json.loads(out) == [], "a second resume finds nothing waiting")


def main():
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    check(SQLITE is not None, "the sqlite3 tool is installed")
    rc, _, err = cli("phantom", "--kind", "mri", "--count", "8", "--seed", "17", "--out",
                     f"{WORK}/mri")
    check(rc == 0, "8 synthetic MR studies " + err[-200:])
    studies = sorted(glob.glob(f"{WORK}/mri/train_images/*"))
    check(len(studies) >= 7, f"{len(studies)} study folders")
    check_assign(studies)
    check_threshold_belongs_to_its_weights(studies)
    check_resume(studies)
    return CHECKS.exit_code()


if __name__ == "__main__":
    sys.exit(main())
