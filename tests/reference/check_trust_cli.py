#!/usr/bin/python3
"""The domain check and calibrated probabilities of `spinelens-cli classify` / `explain`, checked
from outside with the shipped packages: Python (Debian's python3-torch and numpy) reads the
package (models/spinelens_package.py: weights, domain.json and its .npy arrays, temperature),
computes each image's pooled features() activations, its Mahalanobis domain score and its
calibrated probabilities, and the CLI's JSON must agree. Foreign images (pydicom's head MR and
CT, colour images, a blank and a noise image, the other modality's phantoms) must be refused:
no "predicted", no "probabilities", a note; explain writes no heatmap for them unless asked.

usage: check_trust_cli.py SPINELENS_CLI SOURCE_DIR WORKDIR
"""
import glob
import json
import os
import subprocess
import sys

import numpy as np
import pydicom
import torch
from PIL import Image

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import torch_reference  # noqa: E402

PYDICOM_FILES = os.path.join(os.path.dirname(pydicom.__file__), "data", "test_files")


def classify(cli, model, *paths, each_file=False):
    # --any-modality: foreign images of other modalities must reach the domain check.
    flags = ["--any-modality"] + (["--each-file"] if each_file else [])
    run = subprocess.run([cli, "classify", "--model", model] + flags + list(paths), capture_output=True,
                         text=True)
    lines = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    return run, lines


def read_grey(path):
    """torch_reference's reader, plus colour DICOM as BT.601 luminance (SpineLens's rule)."""
    if path.lower().endswith(".dcm"):
        ds = pydicom.dcmread(path)
        if int(ds.get("SamplesPerPixel", 1)) == 3:
            rgb = ds.pixel_array.astype(np.float64)
            if ds.PhotometricInterpretation != "RGB":
                rgb = pydicom.pixel_data_handlers.util.convert_color_space(
                    ds.pixel_array, ds.PhotometricInterpretation, "RGB").astype(np.float64)
            return 0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]
    return torch_reference.read_grey(path)


def python_answer(module, card, domain, path):
    grey = read_grey(path)
    if card.get("preprocessing", {}).get("intensity") == "divide255":
        is_colour = path.lower().endswith(".dcm") and int(
            pydicom.dcmread(path, stop_before_pixels=True).get("SamplesPerPixel", 1)) == 3
        grey = np.floor(np.clip(grey, 0, 255) + 0.5) if is_colour else torch_reference.model_grey(path, card)
    height, width = grey.shape[:2]
    x = torch_reference.preprocess(grey, card)
    with torch.no_grad():
        features = module.features(x)
        logits = module.classify(features)
    pooled = features.mean((2, 3))[0].double().numpy()
    score = spinelens_package.domain_score(domain, pooled)
    t = spinelens_package.temperature(card)
    probs = torch_reference.probabilities(card, logits.double() / t).numpy()
    return score, probs, spinelens_package.in_domain(domain, score, width, height)


def main():
    cli, source, work = sys.argv[1], sys.argv[2], sys.argv[3]
    global spinelens_package
    sys.path.insert(0, os.path.join(source, "models"))
    import spinelens_package
    os.makedirs(work, exist_ok=True)
    checks, failures = 0, []

    def check(ok, what):
        nonlocal checks
        checks += 1
        if not ok:
            failures.append(what)

    xray_dir, mri_dir = os.path.join(work, "xray"), os.path.join(work, "mri")
    if not os.path.isdir(xray_dir):
        subprocess.run([cli, "phantom", "--kind", "xray", "--count", "8", "--seed", "4242", "--out", xray_dir],
                       check=True, capture_output=True)
    if not os.path.isdir(mri_dir):
        subprocess.run([cli, "phantom", "--kind", "mri", "--count", "2", "--seed", "4343", "--out", mri_dir],
                       check=True, capture_output=True)
    xrays = sorted(glob.glob(os.path.join(xray_dir, "*", "*.png")))
    mri_slices = sorted(glob.glob(os.path.join(mri_dir, "train_images", "*", "*", "*.dcm")))
    blank, noise = os.path.join(work, "blank.png"), os.path.join(work, "noise.png")
    Image.fromarray(np.zeros((300, 300), np.uint8)).save(blank)
    Image.fromarray(np.random.default_rng(5).integers(0, 256, (300, 300), dtype=np.uint8)).save(noise)
    foreign_common = [os.path.join(PYDICOM_FILES, f) for f in
                      ("MR_small.dcm", "CT_small.dcm", "SC_rgb_small_odd.dcm", "JPEG2000.dcm")] + [blank, noise]

    packages = {
        "spine-xray-4class": (xrays, foreign_common + mri_slices[6:9]),
        "lumbar-mri-binary": (mri_slices[4:10], foreign_common + xrays[:3]),
    }
    for name, (own, foreign) in packages.items():
        folder = os.path.join(source, "models", name)
        card = spinelens_package.load_card(folder)
        module = spinelens_package.load_module(os.path.join(folder, "model.pt"))
        domain = spinelens_package.load_domain(folder)
        check(domain is not None, f"{name}: Python finds no domain model")
        check(card["calibration"]["testEce"]["before"] >= 0, f"{name}: card lacks the test ECE")
        threshold = domain["threshold"]
        passed = 0
        # One process for all of them (each file on its own, as if classified one at a time).
        run, lines = classify(cli, folder, *own, *foreign, each_file=True)
        by_path = {}
        for line in lines:
            if "path" in line:
                by_path.setdefault(line["path"], []).append(line)
        for path, expect_foreign in [(p, False) for p in own] + [(p, True) for p in foreign]:
            images = by_path.get(path, [])
            if len(images) != 1:
                check(False, f"{name} {path}: {len(images)} image lines, exit {run.returncode}: {run.stderr[-300:]}")
                continue
            line = images[0]
            score, probs, verdict = python_answer(module, card, domain, path)
            d = line.get("domain") or {}
            check(abs(d.get("score", -1) - score) <= 1e-3 * max(1.0, score),
                  f"{name} {os.path.basename(path)}: CLI domain score {d.get('score')} != Python {score}")
            check(abs(d.get("threshold", -1) - threshold) < 1e-9 * max(1, threshold), f"{name}: threshold differs")
            near = abs(score - threshold) < 1e-3 * threshold
            if not near:
                check(d.get("inDomain") == verdict,
                      f"{name} {os.path.basename(path)}: inDomain {d.get('inDomain')} but score {score} vs {threshold}")
            key = "probabilities" if d.get("inDomain") else "rawProbabilities"
            cli_probs = np.array([line.get(key, {}).get(c, np.nan) for c in card["classes"]])
            check(np.allclose(cli_probs, probs, atol=1e-4),
                  f"{name} {os.path.basename(path)}: calibrated probabilities {cli_probs} != Python {probs}")
            if expect_foreign:
                check(d.get("inDomain") is False, f"{name}: foreign {os.path.basename(path)} was not refused "
                      f"(score {score:.1f}, threshold {threshold:.1f})")
            if d.get("inDomain") is False:
                check(line.get("predicted") is None and "probabilities" not in line and "note" in line,
                      f"{name} {os.path.basename(path)}: an out-of-domain line still carries a finding: {line}")
            else:
                passed += 1
                check(line.get("predicted") in card["classes"], f"{name}: in-domain line without a prediction")
        check(passed >= len(own) - 1,
              f"{name}: only {passed} of {len(own)} of its own modality's phantoms were in domain")
        print(f"{name}: {passed}/{len(own)} own phantoms in domain, {len(foreign)} foreign images refused; "
              f"threshold {threshold:.2f}")

    # A whole MRI phantom series: the series line aggregates over its in-domain slices only.
    mri = os.path.join(source, "models", "lumbar-mri-binary")
    series_dir = os.path.dirname(mri_slices[0])
    run, lines = classify(cli, mri, series_dir)
    slices = [line for line in lines if "path" in line]
    series = [line for line in lines if "seriesInstanceUid" in line]
    check(len(series) == 1 and len(slices) == series[0]["slices"], "MRI series: no single series line")
    if series:
        inside = [line for line in slices if line["domain"]["inDomain"]]
        check(series[0]["outOfDomainSlices"] == len(slices) - len(inside), "MRI series: out-of-domain count wrong")
        if inside:
            top = max(line["probabilities"]["degenerative"] for line in inside)
            check(abs(series[0]["maxProbabilities"]["degenerative"] - top) < 1e-6,
                  "MRI series: max is not over the in-domain slices")

    # The same series with three slices replaced by noise: they are counted out of domain and
    # left out of the series' answer.
    mixed_dir = os.path.join(work, "mixed-series")
    os.makedirs(mixed_dir, exist_ok=True)
    rng = np.random.default_rng(9)
    slice_files = sorted(glob.glob(os.path.join(series_dir, "*.dcm")))
    for k, path in enumerate(slice_files):
        ds = pydicom.dcmread(path)
        if k in (0, 1, 2):
            a = ds.pixel_array
            ds.PixelData = rng.integers(0, int(a.max()) + 1, a.shape).astype(a.dtype).tobytes()
        ds.save_as(os.path.join(mixed_dir, os.path.basename(path)))
    run, lines = classify(cli, mri, mixed_dir)
    slices = [line for line in lines if "path" in line]
    series = [line for line in lines if "seriesInstanceUid" in line]
    noisy = {os.path.basename(p) for p in slice_files[:3]}
    check(all(not line["domain"]["inDomain"] for line in slices if os.path.basename(line["path"]) in noisy),
          "mixed MRI series: a noise slice was in domain")
    if series and slices:
        inside = [line for line in slices if line["domain"]["inDomain"]]
        check(series[0]["outOfDomainSlices"] == len(slices) - len(inside) >= 3,
              f"mixed MRI series: {series[0]['outOfDomainSlices']} out-of-domain slices counted")
        if inside:
            for c in ("healthy", "degenerative"):
                mean = np.mean([line["probabilities"][c] for line in inside])
                check(abs(series[0]["meanProbabilities"][c] - mean) < 1e-5,
                      f"mixed MRI series: mean {c} is not over the in-domain slices only")
    else:
        check(False, "mixed MRI series: no answer")

    # A model whose card names a modality does not run on another unless asked; the message
    # names both.
    xray_model = os.path.join(source, "models", "spine-xray-4class")
    png = os.path.join(work, "refused.png")
    run = subprocess.run([cli, "classify", "--model", xray_model, os.path.join(PYDICOM_FILES, "MR_small.dcm")],
                         capture_output=True, text=True)
    check(run.returncode == 1 and not run.stdout.strip() and "spine-xray-4class is for DX radiographs" in run.stderr
          and "MR image" in run.stderr and "--any-modality" in run.stderr,
          f"classify of a head MR with the X-ray model: exit {run.returncode}, {run.stdout} {run.stderr}")
    run = subprocess.run([cli, "explain", "--model", mri, xrays[0], "--out", png], capture_output=True, text=True)
    # Exit 1: an input the model cannot take (2 is kept for a wrong command line).
    check(run.returncode == 1 and "lumbar-mri-binary is for MR images" in run.stderr
          and "PNG/JPEG image" in run.stderr, f"explain of an X-ray with the MRI model: {run.stderr}")

    # explain: no heatmap for an image the model cannot assess, unless asked on purpose.
    xray_model = os.path.join(source, "models", "spine-xray-4class")
    head = os.path.join(PYDICOM_FILES, "MR_small.dcm")
    png = os.path.join(work, "refused.png")
    if os.path.exists(png):
        os.remove(png)
    run = subprocess.run([cli, "explain", "--model", xray_model, "--any-modality", head, "--out", png],
                         capture_output=True, text=True)
    out = json.loads(run.stdout.strip().splitlines()[-1]) if run.stdout.strip() else {}
    check(run.returncode == 1 and not os.path.exists(png) and out.get("out") is None
          and out.get("domain", {}).get("inDomain") is False and "training data" in run.stderr,
          f"explain on a head MR: exit {run.returncode}, png written {os.path.exists(png)}, {run.stdout} {run.stderr}")
    run = subprocess.run([cli, "explain", "--model", xray_model, "--any-modality", "--allow-out-of-domain", head,
                          "--out", png],
                         capture_output=True, text=True)
    out = json.loads(run.stdout.strip().splitlines()[-1]) if run.stdout.strip() else {}
    check(run.returncode == 0 and os.path.exists(png) and "not a finding" in out.get("note", ""),
          f"explain --allow-out-of-domain: exit {run.returncode}, {run.stdout} {run.stderr}")
    run = subprocess.run([cli, "explain", "--model", xray_model, xrays[0], "--out", png], capture_output=True, text=True)
    out = json.loads(run.stdout.strip().splitlines()[-1]) if run.stdout.strip() else {}
    check(run.returncode == 0 and out.get("domain", {}).get("inDomain") is True and "note" not in out,
          f"explain on an in-domain phantom: {run.stdout} {run.stderr}")

    print(f"{checks - len(failures)} passed, {len(failures)} failed")
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
