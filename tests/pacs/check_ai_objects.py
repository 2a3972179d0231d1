"""The AI result as standard DICOM: `spinelens-cli report` writes a TID 1500 Comprehensive SR
and a Grad-CAM Secondary Capture; dicom3tools' dciodvfy must find no error in either and
DCMTK's dsrdump must read the SR. The probabilities in the SR are compared with `classify`
for the same input, the references and UIDs with pydicom's reading of the sources. Then both
go to a real Orthanc (C-STORE and STOW-RS) and come back, and `info` shows the stored result
with its model and time. Synthetic phantoms for the in-domain cases; pydicom's MR_small, a
real scan, must be refused (no finding, no heatmap).

usage: check_ai_objects.py SPINELENS_CLI MODELS_DIR WORKDIR
"""
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pydicom
from PIL import Image
from pydicom.dataset import FileDataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from orthanc_server import Orthanc  # noqa: E402

CLI, MODELS, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
PYDICOM = os.path.dirname(pydicom.__file__) + "/data"
COMPREHENSIVE_SR = "1.2.840.10008.5.1.4.1.1.88.33"
SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7"
failures = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what, flush=True)
    if not condition:
        failures.append(what)


def cli(*args):
    p = subprocess.run([CLI, *args], capture_output=True, text=True, timeout=600)
    return p.returncode, p.stdout, p.stderr


def dciodvfy_errors(path):
    p = subprocess.run(["dciodvfy", path], capture_output=True, text=True)
    return [line for line in (p.stdout + p.stderr).splitlines() if line.startswith("Error")]


def sr_content(ds):
    """(finding meaning, probability) per measurement group, and the coded evaluations."""
    groups, codes = [], {}

    def walk(items, parent_finding=None):
        finding = parent_finding
        for item in items:
            concept = item.ConceptNameCodeSequence[0].CodeValue \
                if "ConceptNameCodeSequence" in item else None
            if concept == "121071":
                finding = item.ConceptCodeSequence[0].CodeMeaning
            if concept == "122157":
                value = float(item.MeasuredValueSequence[0].NumericValue)
                groups.append((finding, value))
            if item.ValueType == "CODE" and concept:
                codes[item.ConceptNameCodeSequence[0].CodeMeaning] = \
                    item.ConceptCodeSequence[0].CodeMeaning
            if item.ValueType == "TEXT" and concept:
                codes[item.ConceptNameCodeSequence[0].CodeMeaning] = item.TextValue
            if "ContentSequence" in item:
                walk(item.ContentSequence, finding)
    walk(ds.ContentSequence)
    return groups, codes


def codes_of(ds):
    return sr_content(ds)[1]


def xray_dicom(png, path):
    """A DX object around a synthetic X-ray phantom (the X-ray model's data is PNG)."""
    pixels = np.asarray(Image.open(png).convert("L"))
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.1.1"
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = FileDataset(path, {}, file_meta=meta, preamble=b"\0" * 128)
    ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID, ds.SeriesInstanceUID = generate_uid(), generate_uid()
    ds.PatientName, ds.PatientID, ds.Modality = "SYNTHETIC^XRAY", "SYNTH-XR", "DX"
    ds.StudyDate, ds.StudyTime, ds.BodyPartExamined = "20260102", "090000", "LSPINE"
    ds.SeriesNumber, ds.InstanceNumber = 1, 1
    ds.Rows, ds.Columns = pixels.shape
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
    ds.PixelData = pixels.astype(np.uint8).tobytes()
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.save_as(path, write_like_original=False)
    return path


def check_objects(label, out_dir, sources, expected, synthetic=True):
    """Both objects valid, of the sources' study, and saying what `classify` says."""
    sr_path, sc_path = os.path.join(out_dir, "ai-report.dcm"), os.path.join(out_dir, "ai-heatmap.dcm")
    errors = dciodvfy_errors(sr_path)
    check(not errors, f"{label}: dciodvfy finds no error in the SR {errors[:3]}")
    dump = subprocess.run(["dsrdump", sr_path], capture_output=True, text=True)
    check(dump.returncode == 0 and "Imaging Measurement Report" in dump.stdout,
          f"{label}: dsrdump reads the SR")
    sr = pydicom.dcmread(sr_path)
    first = pydicom.dcmread(sources[0])
    check(sr.SOPClassUID == COMPREHENSIVE_SR and sr.StudyInstanceUID == first.StudyInstanceUID
          and sr.SeriesInstanceUID != first.SeriesInstanceUID and sr.PatientID == first.PatientID,
          f"{label}: SR is a new series of the source study")
    check("NOT FOR DIAGNOSIS" in sr.SeriesDescription and
          codes_of(sr).get("Clinically validated") == "No" and
          (codes_of(sr).get("Trained on synthetic data") == "Yes") == synthetic,
          f"{label}: series says research / not for diagnosis; coded not validated, synthetic")
    referenced = {r.ReferencedSOPInstanceUID
                  for s in sr.CurrentRequestedProcedureEvidenceSequence
                  for se in s.ReferencedSeriesSequence for r in se.ReferencedSOPSequence}
    check(referenced == {pydicom.dcmread(f).SOPInstanceUID for f in sources},
          f"{label}: SR references the {len(sources)} source images")
    groups, codes = sr_content(sr)
    if expected is None:
        check(groups == [] and codes.get("Input within training domain") == "No" and
              "no finding" in codes.get("Comment", "") and not os.path.exists(sc_path),
              f"{label}: outside the training data: no probabilities, no heatmap, says so")
        return sr
    check(sorted(groups) == sorted((k, v) for k, v in expected["probabilities"].items()) or
          all(abs(dict(groups)[k] - v) <= 1e-5 * max(1, abs(v))
              for k, v in expected["probabilities"].items()),
          f"{label}: SR probabilities equal classify's {expected['probabilities']}")
    check(codes.get("Predicted class") == expected["predicted"] and
          codes.get("Input within training domain") == "Yes",
          f"{label}: predicted class {expected['predicted']}, in domain")
    weights = os.path.join(MODELS, expected["model"], "model.pt")
    digest = hashlib.sha256(open(weights, "rb").read()).hexdigest()
    check(f"sha256:{digest}" in codes.get("Algorithm Parameters", ""),
          f"{label}: the weights are named by their SHA-256 (hashlib agrees): "
          f"{codes.get('Algorithm Parameters', '')[:90]}")
    card = json.load(open(os.path.join(MODELS, expected["model"], "model.json")))
    check(codes.get("Intended use") == card["intendedUse"] and
          codes.get("Training data", "-") != "-" and
          ("synthetic" in codes.get("Training data", "").lower()) == synthetic,
          f"{label}: the SR carries the model card's intended use and says what it was trained "
          f"on: {codes.get('Training data', '')[:70]}")
    check(("Trained on synthetic data" in codes.get("Comment", "")) == synthetic and
          "Not clinically validated" in codes.get("Comment", ""),
          f"{label}: says synthetic / not clinically validated")
    errors = dciodvfy_errors(sc_path)
    check(not errors, f"{label}: dciodvfy finds no error in the heatmap {errors[:3]}")
    sc = pydicom.dcmread(sc_path)
    src_uids = {pydicom.dcmread(f).SOPInstanceUID for f in sources}
    check(sc.SOPClassUID == SECONDARY_CAPTURE and sc.StudyInstanceUID == first.StudyInstanceUID
          and sc.SeriesInstanceUID not in (sr.SeriesInstanceUID, first.SeriesInstanceUID) and
          sc.SourceImageSequence[0].ReferencedSOPInstanceUID in src_uids and
          sc.BurnedInAnnotation == "YES" and "NOT FOR DIAGNOSIS" in sc.SeriesDescription,
          f"{label}: heatmap is a labelled Secondary Capture of the same study")
    check(sc.Rows > first.Rows and sc.Columns >= first.Columns and sc.SamplesPerPixel == 3,
          f"{label}: heatmap keeps the image and adds the banner above it")
    check(heatmap_placement(sr, sc.SOPInstanceUID) == [expected["predicted"]],
          f"{label}: the heatmap is the 'Best illustration of finding' (DCM 121080) of the "
          f"predicted class's measurement group only, and the evaluations hold only CODE/TEXT")
    uid = observer_uid(sr)
    n = int(uid[5:]) if uid.startswith("2.25.") and uid[5:].isdigit() else -1
    check(0 <= n < 2 ** 128 and (n >> 76) & 0xF == 8 and (n >> 62) & 0x3 == 2,
          f"{label}: Device Observer UID is 2.25 of a version-8 UUID: {uid}")
    return sr


def concept(item):
    return item.ConceptNameCodeSequence[0].CodeValue if "ConceptNameCodeSequence" in item else None


def heatmap_placement(sr, heatmap_uid):
    """The findings of the measurement groups that directly contain an IMAGE item 121080
    referencing the heatmap; None if it also sits elsewhere or the evaluations container
    (TID 1500: CODE and TEXT only) holds anything else."""
    found = []

    def walk(items, in_group):
        for item in items:
            c = concept(item)
            children = item.ContentSequence if "ContentSequence" in item else []
            if c == "C0034375" and any(i.ValueType not in ("CODE", "TEXT") for i in children):
                return False
            if c == "125007":
                finding = [i.ConceptCodeSequence[0].CodeMeaning for i in children
                           if concept(i) == "121071"]
                for i in children:
                    if (concept(i) == "121080" and i.ValueType == "IMAGE" and
                            i.RelationshipType == "CONTAINS" and
                            i.ReferencedSOPSequence[0].ReferencedSOPInstanceUID == heatmap_uid):
                        found.extend(finding)
            elif c == "121080" and not in_group:
                return False
            if not walk(children, c == "125007"):
                return False
        return True
    return found if walk(sr.ContentSequence, False) else None


def observer_uid(sr):
    return next((i.UID for i in sr.ContentSequence if concept(i) == "121012"), "")


def main():
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    mri_model, xray_model = f"{MODELS}/lumbar-mri-binary", f"{MODELS}/spine-xray-4class"
    cli("phantom", "--kind", "mri", "--count", "1", "--seed", "11", "--out", f"{WORK}/mri")
    series_dir = sorted(glob.glob(f"{WORK}/mri/train_images/*/*"))[0]
    mri_files = sorted(glob.glob(series_dir + "/*.dcm"))
    rc, out, err = cli("classify", "--model", mri_model, series_dir)
    series_line = [json.loads(x) for x in out.splitlines() if "seriesInstanceUid" in x][0]
    rc, out, err = cli("report", "--model", mri_model, series_dir, "--out", f"{WORK}/mri-out")
    check(rc == 0, "report on a synthetic lumbar MRI series " + err[-300:])
    report = json.loads(out)
    check_objects("MRI series", f"{WORK}/mri-out", mri_files,
                  {"probabilities": series_line["maxProbabilities"],
                   "predicted": series_line["predictedByMax"], "model": "lumbar-mri-binary"})

    cli("phantom", "--kind", "xray", "--count", "8", "--seed", "3", "--out", f"{WORK}/xray")
    png = sorted(glob.glob(f"{WORK}/xray/osteophyte/*.png"))[0]
    dx = xray_dicom(png, f"{WORK}/xray-dx.dcm")
    rc, out, _ = cli("classify", "--model", xray_model, dx)
    line = json.loads(out.splitlines()[0])
    rc, out, err = cli("report", "--model", xray_model, dx, "--out", f"{WORK}/xray-out")
    check(rc == 0 and line.get("probabilities"), "report on a synthetic X-ray as DX " + err[-300:])
    check_objects("X-ray", f"{WORK}/xray-out", [dx],
                  {"probabilities": line["probabilities"], "predicted": line["predicted"],
                   "model": "spine-xray-4class"})

    real = f"{PYDICOM}/test_files/MR_small.dcm"
    # Into a folder that holds an earlier in-domain report and heatmap: neither may survive
    # next to the new "no finding" report.
    shutil.copytree(f"{WORK}/xray-out", f"{WORK}/real-out")
    rc, out, err = cli("report", "--model", mri_model, real, "--out", f"{WORK}/real-out")
    check(rc == 0 and json.loads(out)["assessed"] is False, "a real MR slice is not assessed")
    check_objects("real MR", f"{WORK}/real-out", [real], None)

    # Names in other character sets are converted, not relabelled: pydicom's Latin-1
    # (chrGerm), ISO 2022 Japanese (chrH31) and Cyrillic (chrRuss) files give SRs and heatmaps
    # whose names pydicom decodes to the source's.
    for name in ("chrGerm.dcm", "chrH31.dcm", "chrRuss.dcm"):
        source = f"{PYDICOM}/charset_files/{name}"
        out_dir = f"{WORK}/charset-{name}"
        rc, out, err = cli("report", "--model", mri_model, "--any-modality", source, "--out",
                           out_dir)
        written = sorted(glob.glob(out_dir + "/*.dcm"))
        want = str(pydicom.dcmread(source).PatientName)
        got = [str(pydicom.dcmread(f).PatientName) for f in written]
        errors = [e for f in written for e in dciodvfy_errors(f)]
        check(rc == 0 and written and got == [want] * len(written) and not errors,
              f"{name}: the report's patient name reads {got} (source {want!r}), "
              f"dciodvfy errors {errors[:2]} " + err[-200:])

    rc, _, err = cli("report", "--model", xray_model, png, "--out", f"{WORK}/png-out")
    check(rc == 1 and "needs a DICOM image" in err and png in err,
          "a PNG gets one clear line: " + err.strip().splitlines()[-1])

    with Orthanc() as pacs:
        rc, out, _ = cli("send", pacs.dimse, *mri_files, f"{WORK}/mri-out")
        check(rc == 0 and json.loads(out)["sent"] == len(mri_files) + 2,
              "series, SR and heatmap stored by C-STORE")
        rc, out, _ = cli("send", pacs.dicomweb, dx, f"{WORK}/xray-out")
        check(rc == 0 and json.loads(out)["sent"] == 3, "X-ray, SR and heatmap stored by STOW-RS")
        study = pydicom.dcmread(mri_files[0]).StudyInstanceUID
        rc, out, _ = cli("query", pacs.dimse, "--level", "series", "--study", study)
        modalities = sorted(s["modality"] for s in json.loads(out))
        check(modalities == ["MR", "OT", "SR"], f"the study now has MR, OT and SR series: {modalities}")
        rc, out, err = cli("retrieve", pacs.dimse, "--study", study, "--out", f"{WORK}/back")
        rc, out, _ = cli("info", f"{WORK}/back")
        stored = json.loads(out)["aiReports"]
        check(len(stored) == 1 and stored[0]["model"] == "lumbar-mri-binary" and
              stored[0]["version"] and stored[0]["madeAt"] and stored[0]["syntheticTraining"] and
              stored[0]["predicted"] == report["predicted"] and
              all(abs(stored[0]["probabilities"][k] - v) < 1e-5
                  for k, v in report["probabilities"].items()),
              "the study from the PACS shows our stored result: model, version, time, answer")
    if failures:
        print(f"{len(failures)} checks failed:\n  " + "\n  ".join(failures))
        sys.exit(1)
    print("all AI object checks passed")


if __name__ == "__main__":
    main()
