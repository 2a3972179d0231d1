"""`spinelens-cli anonymise` against the PS3.15 basic profile, attribute by attribute.

The profile's table is resources/dicom/basic-profile-table-e1-1.csv (the anonymiser compiles
the same file in). Every element of every input, inside sequences too, is looked up and its
fate in the output checked with pydicom: X removed, Z present and empty, D/Z/D/X/D/X/Z/D a
non-empty new value, U a new UID that is the same wherever the old one appears (across files,
and in the references of an SR to its images), private attributes gone, everything else and
the pixel data unchanged; with --shift-days, dates moved by exactly that many days.
dciodvfy must find no more errors in an output than in its input; GDCM's gdcmanon --dumb,
told the same Z and X attributes, must empty and remove what we do; and GDCM's own basic profile
(gdcmanon -e, its own copy of the table) must not remove, empty or replace anything we keep.

usage: check_anonymise.py SPINELENS_CLI SOURCE_DIR WORKDIR
"""
import csv
import datetime
import glob
import json
import os
import shutil
import subprocess
import sys

import pydicom

CLI, SOURCE, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
PYDICOM = os.path.dirname(pydicom.__file__) + "/data"
failures = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what, flush=True)
    if not condition:
        failures.append(what)


def load_table():
    rows = []
    with open(os.path.join(SOURCE, "resources/dicom/basic-profile-table-e1-1.csv")) as f:
        for r in csv.DictReader(f):
            g, e = r["group"], r["element"]
            gm = int("".join("0" if c in "xX" else "F" for c in g), 16)
            em = int("".join("0" if c in "xX" else "F" for c in e), 16)
            rows.append((int(g.replace("x", "0"), 16), gm, int(e.replace("x", "0"), 16), em,
                         r["basic_action"]))
    return rows


TABLE = load_table()
SET_BY_US = {0x00120062, 0x00120063, 0x00120064, 0x00280303}


def action(tag):
    for g, gm, e, em, a in TABLE:
        if (tag.group & gm) == g and (tag.element & em) == e:
            return a
    return "K"


class Checker:
    def __init__(self, shift_days):
        self.shift = shift_days
        self.uid_map = {}
        self.problems = []

    def problem(self, where, text):
        if len(self.problems) < 20:
            self.problems.append(f"{where}: {text}")

    def uid(self, where, old, new):
        if not new.startswith("2.25.") or new == old:
            self.problem(where, f"UID {old} not replaced ({new})")
        elif self.uid_map.setdefault(old, new) != new:
            self.problem(where, f"UID {old} became {new} here, {self.uid_map[old]} elsewhere")

    def shifted(self, old):
        d = datetime.datetime.strptime(old[:8], "%Y%m%d") + datetime.timedelta(days=self.shift)
        return d.strftime("%Y%m%d") + old[8:]

    def compare(self, orig, anon, where):
        for element in orig:
            tag = element.tag
            name = f"{where}({tag.group:04X},{tag.element:04X})"
            if tag.is_private:
                if tag in anon:
                    self.problem(name, "private attribute kept")
                continue
            if tag == 0x7FE00010:
                if anon.get(tag) is None or anon[tag].value != element.value:
                    self.problem(name, "pixel data changed")
                continue
            a = action(tag)
            present = tag in anon
            value = anon[tag].value if present else None
            is_date = element.VR in ("DA", "DT")
            if tag.element == 0x0000:
                continue  # group lengths are recomputed from what the group now holds
            if self.shift and is_date and a != "K" and tag != 0x00100030:
                old = list(element.value) if element.VM > 1 else [element.value]
                new = (list(value) if anon[tag].VM > 1 else [value]) if present else None
                if element.value and new != [self.shifted(str(v)) for v in old]:
                    self.problem(name, f"date {element.value} not shifted: {value}")
                continue
            if self.shift and element.VR == "TM" and a != "K" and tag != 0x00100032:
                continue  # times stay with their shifted dates
            if a == "X":
                if present:
                    self.problem(name, "should be removed")
            elif a in ("Z", "X/Z"):
                if not present or (value not in (None, "", b"") and not
                                   (element.VR == "SQ" and len(value) == 0)):
                    if tag in (0x00100010, 0x00100020) and SUBJECT and value == SUBJECT:
                        continue
                    self.problem(name, f"should be empty: {value!r}")
            elif a in ("D", "Z/D", "X/D", "X/Z/D") and element.VR not in ("SQ", "UI"):
                if not present or value in (None, "", b"") or (
                        value == element.value and element.value not in ("ANONYMOUS", "0")):
                    self.problem(name, f"should hold a dummy value: {value!r}")
            elif element.VR == "UI" and a in ("U", "D", "Z/D", "X/D", "X/Z/D", "X/Z/U*"):
                if not present:
                    self.problem(name, "UID removed")
                else:
                    for old, new in zip(element.value if element.VM > 1 else [element.value],
                                        value if anon[tag].VM > 1 else [value]):
                        self.uid(name, str(old), str(new))
            elif element.VR == "SQ":
                if not present or len(value) != len(element.value):
                    self.problem(name, "sequence lost items")
                    continue
                for i, (o, n) in enumerate(zip(element.value, value)):
                    self.compare(o, n, f"{name}[{i}]")
            elif a == "K" and tag not in SET_BY_US:
                if not present or value != element.value:
                    self.problem(name, f"changed though the profile keeps it: {value!r}")


SUBJECT = None


def dciodvfy_errors(path):
    p = subprocess.run(["dciodvfy", path], capture_output=True, text=True)
    return sum(1 for line in (p.stdout + p.stderr).splitlines() if line.startswith("Error"))


def run_case(label, inputs, shift=0, subject=None):
    global SUBJECT
    SUBJECT = subject
    src = os.path.join(WORK, label, "in")
    out = os.path.join(WORK, label, "out")
    os.makedirs(src)
    for f in inputs:
        shutil.copy(f, src)
    args = ["anonymise", src, out] + (["--shift-days", str(shift)] if shift else []) + (
        ["--subject", subject] if subject else [])
    p = subprocess.run([CLI, *args], capture_output=True, text=True, timeout=300)
    result = json.loads(p.stdout)
    check(p.returncode == 0 and result["written"] == len(inputs) and
          "burned into the pixels is NOT removed" in p.stderr,
          f"{label}: {len(inputs)} files written; says burned-in text is not removed")
    checker = Checker(shift)
    worse = []
    for f in inputs:
        name = os.path.basename(f)
        orig, anon = pydicom.dcmread(f, force=True), pydicom.dcmread(os.path.join(out, name))
        checker.compare(orig, anon, name + ":")
        if anon.get("PatientIdentityRemoved") != "YES" or \
                "113100" not in [c.CodeValue for c in anon.DeidentificationMethodCodeSequence]:
            checker.problem(name, "identity-removed marks missing")
        if shift and "113107" not in [c.CodeValue for c in anon.DeidentificationMethodCodeSequence]:
            checker.problem(name, "modified-dates option code missing")
        if subject and (anon.PatientName != subject or anon.PatientID != subject):
            checker.problem(name, "subject code not written")
        if "SOPInstanceUID" in anon and \
                anon.file_meta.MediaStorageSOPInstanceUID != anon.SOPInstanceUID:
            checker.problem(name, "meta header keeps the old SOP Instance UID")
        before, after = dciodvfy_errors(f), dciodvfy_errors(os.path.join(out, name))
        if after > before:
            worse.append(f"{name}: {before} -> {after}")
    check(not checker.problems, f"{label}: every attribute as table E.1-1 says "
          f"({len(checker.uid_map)} UIDs replaced) {checker.problems[:5]}")
    check(not worse, f"{label}: dciodvfy finds no new error {worse}")
    return out, checker


def gdcm_agrees(inputs, ours):
    """gdcmanon --dumb, given each file's top-level Z and X attributes, empties and removes
    exactly those; our output must agree on them. Files GDCM cannot write (no meta header)
    are counted as not applicable."""
    disagreements, compared = [], 0
    for f in inputs:
        ds = pydicom.dcmread(f, force=True)
        args = []
        for e in ds:
            if e.tag.is_private or e.tag.group == 0x0002:
                continue
            a = action(e.tag)
            if a in ("Z", "X/Z") and e.VR != "SQ":
                args += ["--empty", f"{e.tag.group:x},{e.tag.element:x}"]
            elif a == "X":
                args += ["--remove", f"{e.tag.group:x},{e.tag.element:x}"]
        if not args:
            continue
        target = os.path.join(WORK, "gdcm-" + os.path.basename(f))
        p = subprocess.run(["gdcmanon", "--dumb", *args, "-i", f, "-o", target],
                           capture_output=True, text=True)
        if p.returncode != 0:
            if "Could not Write" not in p.stderr:
                disagreements.append(f"{os.path.basename(f)}: gdcmanon failed {p.stderr[-200:]}")
            continue
        compared += 1
        theirs, mine = pydicom.dcmread(target), pydicom.dcmread(os.path.join(ours, os.path.basename(f)))
        for i in range(0, len(args), 2):
            g, e = (int(x, 16) for x in args[i + 1].split(","))
            tag = (g << 16) | e
            t_present, m_present = tag in theirs, tag in mine
            t_empty = t_present and theirs[tag].value in (None, "", b"")
            m_empty = m_present and mine[tag].value in (None, "", b"")
            if (t_present, t_empty) != (m_present, m_empty):
                disagreements.append(f"{os.path.basename(f)} ({g:04X},{e:04X}): gdcm "
                                     f"{t_present}/{t_empty}, ours {m_present}/{m_empty}")
    return disagreements, compared


def altered(before, after, tag):
    """Whether the element's identifying value is gone: removed, emptied or replaced."""
    return tag not in after or after[tag].value != before[tag].value


def gdcm_profile_agrees(inputs, ours):
    """GDCM's own basic profile (gdcmanon -e, its built-in copy of the PS3.15 table, written
    apart from ours) against ours: every top-level attribute GDCM removes, empties or replaces,
    we must too. GDCM's table is an older edition of the standard, so attributes only ours
    treats (added to the profile since) are counted, not failed. Returns (misses, extra,
    compared)."""
    cert = os.path.join(WORK, "gdcm-cert.pem")
    key = os.path.join(WORK, "gdcm-key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=spinelens-anonymise-test", "-keyout", key, "-out", cert],
                   check=True, capture_output=True)
    # What GDCM adds or sets for itself: the profile's markers and its encrypted originals.
    own = {0x00120062, 0x00120063, 0x00120064, 0x04000500, 0x00280303}
    misses, extra, compared = [], set(), 0
    for f in inputs:
        target = os.path.join(WORK, "gdcm-basic-" + os.path.basename(f))
        p = subprocess.run(["gdcmanon", "-e", "--certificate", cert, "-i", f, "-o", target],
                           capture_output=True, text=True)
        if p.returncode != 0:
            if "Could not Write" not in p.stderr:
                misses.append(f"{os.path.basename(f)}: gdcmanon -e failed {p.stderr[-200:]}")
            continue
        compared += 1
        before = pydicom.dcmread(f, force=True)
        theirs = pydicom.dcmread(target)
        mine = pydicom.dcmread(os.path.join(ours, os.path.basename(f)))
        nested[0] += compare_levels(before, theirs, mine, own, os.path.basename(f), misses,
                                    extra)
    return misses, extra, compared


nested = [0]  # sequence items compared inside, over all files


def compare_levels(before, theirs, mine, own, where, misses, extra):
    """compares one data set level, then the items of every sequence both kept with the
    same number of items (inside sequences too). Returns the number of items compared."""
    items = 0
    for e in before:
        if (e.tag.is_private or e.tag.group == 0x0002 or e.tag.element == 0 or
                int(e.tag) in own):  # group lengths are encoding, not identity
            continue
        gdcm_did, we_did = altered(before, theirs, e.tag), altered(before, mine, e.tag)
        if e.VR == "SQ" and e.tag in theirs and e.tag in mine:
            a, b, c = e.value, theirs[e.tag].value, mine[e.tag].value
            if len(a) == len(b) == len(c):
                for i in range(len(a)):
                    items += 1 + compare_levels(a[i], b[i], c[i], own,
                                                f"{where} {e.keyword}[{i}]", misses, extra)
                continue
        if gdcm_did and not we_did:
            misses.append(f"{where} {e.tag} {e.keyword}")
        elif we_did and not gdcm_did:
            extra.add(e.keyword or str(e.tag))
    return items


def main():
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    sample = os.path.join(WORK, "sample")
    subprocess.run([CLI, "sample", sample], check=True, capture_output=True)
    mr = sorted(glob.glob(sample + "/mr-sagittal-t2/*.dcm"))
    real = [f"{PYDICOM}/test_files/{n}" for n in (
        "CT_small.dcm", "MR_small.dcm", "JPEG2000.dcm", "rtplan.dcm", "rtstruct.dcm",
        "rtdose.dcm", "ExplVR_BigEnd.dcm", "image_dfl.dcm", "reportsi.dcm")] + [
        f"{PYDICOM}/charset_files/{n}" for n in ("chrGerm.dcm", "chrX1.dcm", "chrSQEncoding.dcm")]
    out, _ = run_case("real", real)
    disagreements, compared = gdcm_agrees(real, out)
    check(not disagreements and compared >= len(real) - 1,
          f"gdcmanon --dumb empties and removes what we do, on {compared} of {len(real)} files "
          f"{disagreements[:4]}")

    misses, extra, compared = gdcm_profile_agrees(real, out)
    check(not misses and compared >= len(real) - 1,
          f"GDCM's own basic profile (gdcmanon -e) removes, empties or replaces nothing we keep, "
          f"on {compared} of {len(real)} files and {nested[0]} sequence items inside them "
          f"{misses[:6]}; only we treat "
          f"{len(extra)} attributes its older table lacks: {sorted(extra)[:12]}")

    # A study with an SR that references its images: the references follow the new UIDs.
    models = os.path.join(SOURCE, "models/lumbar-mri-binary")
    rep = os.path.join(WORK, "report")
    subprocess.run([CLI, "report", "--model", models, os.path.dirname(mr[0]), "--out", rep],
                   check=True, capture_output=True)
    study = mr + [os.path.join(rep, "ai-report.dcm"), os.path.join(rep, "ai-heatmap.dcm")]
    out, checker = run_case("study", study, shift=-400, subject="SUBJ-001")
    anon = {os.path.basename(f): pydicom.dcmread(os.path.join(out, os.path.basename(f)))
            for f in study}
    sops = {d.SOPInstanceUID for n, d in anon.items() if n.endswith(".dcm") and n.startswith("IM")}
    studies = {d.StudyInstanceUID for d in anon.values()}
    sr = anon["ai-report.dcm"]
    evidence = {r.ReferencedSOPInstanceUID for s in sr.CurrentRequestedProcedureEvidenceSequence
                for se in s.ReferencedSeriesSequence for r in se.ReferencedSOPSequence}
    check(len(studies) == 1 and evidence and evidence <= sops,
          f"one new study UID for the whole study; the SR's {len(evidence)} references point "
          "at the new image UIDs")
    heat = anon["ai-heatmap.dcm"]
    check(heat.SourceImageSequence[0].ReferencedSOPInstanceUID in sops,
          "the heatmap's source reference follows too")

    junk = os.path.join(WORK, "junk")
    os.makedirs(junk)
    shutil.copy(real[0], junk)
    with open(os.path.join(junk, "notes.txt"), "w") as f:
        f.write("not DICOM")
    p = subprocess.run([CLI, "anonymise", junk, os.path.join(WORK, "junk-out")],
                       capture_output=True, text=True)
    result = json.loads(p.stdout)
    check(p.returncode == 1 and result["written"] == 1 and "notes.txt" in p.stderr,
          "a non-DICOM file is named and skipped; the rest is written")
    if failures:
        print(f"{len(failures)} checks failed:\n  " + "\n  ".join(failures))
        sys.exit(1)
    print("all anonymisation checks passed")


if __name__ == "__main__":
    main()
