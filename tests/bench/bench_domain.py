#!/usr/bin/python3
"""The domain check's figures for both shipped packages, on data neither package saw:
- in domain: phantoms of the package's own modality from fresh seeds (not the training seeds);
- foreign: every image in pydicom's test files (head MR, CT, colour secondary captures,
  RT dose, JPEG and JPEG 2000 samples...), the other modality's phantoms, blank, constant,
  gradient and noise images.
Prints the in-domain pass rate, the foreign refusal rate and the AUROC of the domain score
(in domain vs foreign, scikit-learn's roc_auc_score); exits 1 when a target of issue 10 is
missed (>= 95 % of fresh phantoms pass, 100 % of foreign images are refused).

usage: bench_domain.py SPINELENS_CLI SOURCE_DIR WORKDIR
"""
import glob
import json
import os
import subprocess
import sys
import time

import numpy as np
import pydicom
from PIL import Image
from sklearn.metrics import roc_auc_score

PYDICOM_FILES = os.path.join(os.path.dirname(pydicom.__file__), "data", "test_files")


def scores(cli, model, paths):
    """(path, score, inDomain) for every image line classify prints for these paths. pydicom's
    files go in one call with --each-file (some share UIDs and would otherwise be merged into one
    series); the rest in another."""
    out = []
    single = [p for p in paths if p.startswith(PYDICOM_FILES)]
    rest = [p for p in paths if p not in single]
    for batch, flags in ((single, ["--each-file"]), (rest, [])):
        if not batch:
            continue
        run = subprocess.run([cli, "classify", "--model", model, "--any-modality"] + flags + batch,
                             capture_output=True, text=True)
        for line in run.stdout.splitlines():
            j = json.loads(line)
            if "path" in j:
                out.append((j["path"], j["domain"]["score"], j["domain"]["inDomain"]))
    return out


def main():
    cli, source, work = sys.argv[1], sys.argv[2], sys.argv[3]
    os.makedirs(work, exist_ok=True)
    xray_dir, mri_dir = os.path.join(work, "xray-fresh"), os.path.join(work, "mri-fresh")
    if not os.path.isdir(xray_dir):  # training used seed 11 (X-ray) and 21 (MRI)
        subprocess.run([cli, "phantom", "--kind", "xray", "--count", "400", "--seed", "1234", "--out", xray_dir],
                       check=True, capture_output=True)
    if not os.path.isdir(mri_dir):
        subprocess.run([cli, "phantom", "--kind", "mri", "--count", "30", "--seed", "777", "--out", mri_dir],
                       check=True, capture_output=True)
    synthetic = os.path.join(work, "synthetic-foreign")
    os.makedirs(synthetic, exist_ok=True)
    rng = np.random.default_rng(3)
    made = {"blank.png": np.zeros((512, 512), np.uint8), "grey.png": np.full((512, 512), 128, np.uint8),
            "white.png": np.full((512, 512), 255, np.uint8),
            "noise.png": rng.integers(0, 256, (512, 512), dtype=np.uint8),
            "noise-smooth.png": np.clip(rng.normal(128, 20, (512, 512)), 0, 255).astype(np.uint8),
            "gradient.png": np.tile(np.linspace(0, 255, 512), (512, 1)).astype(np.uint8)}
    for name, a in made.items():
        Image.fromarray(a).save(os.path.join(synthetic, name))
    common = sorted(glob.glob(os.path.join(PYDICOM_FILES, "*.dcm"))) + sorted(
        glob.glob(os.path.join(synthetic, "*.png")))
    xrays = sorted(glob.glob(os.path.join(xray_dir, "*", "*.png")))
    mri_series = sorted(glob.glob(os.path.join(mri_dir, "train_images", "*", "*")))

    failed = False
    print(f"{'package':20s} {'in domain (fresh)':>20s} {'foreign refused':>18s} {'AUROC':>8s}  threshold")
    for name, own, foreign in (("spine-xray-4class", [xray_dir], common + mri_series[:6]),
                               ("lumbar-mri-binary", mri_series, common + xrays[:60])):
        model = os.path.join(source, "models", name)
        start = time.time()
        inside = scores(cli, model, own)
        outside = scores(cli, model, foreign)
        threshold = json.load(open(os.path.join(model, "domain.json")))["threshold"]
        passed = sum(1 for _, _, ok in inside if ok)
        refused = sum(1 for _, _, ok in outside if not ok)
        y = [0] * len(inside) + [1] * len(outside)
        s = [v for _, v, _ in inside] + [v for _, v, _ in outside]
        auroc = roc_auc_score(y, s)
        print(f"{name:20s} {passed:5d}/{len(inside):<5d} {100 * passed / len(inside):6.1f} %"
              f" {refused:5d}/{len(outside):<5d} {100 * refused / len(outside):5.1f} % {auroc:8.4f}  {threshold:.1f}"
              f"   ({time.time() - start:.0f} s)")
        lowest_foreign = min(v for _, v, _ in outside)
        highest_own = sorted(v for _, v, _ in inside)[int(0.99 * len(inside))]
        print(f"{'':20s} lowest foreign score {lowest_foreign:.1f}; 99th percentile of fresh phantoms "
              f"{highest_own:.1f}; foreign files {len(foreign)}, images {len(outside)}")
        for path, v, ok in outside:
            if ok:
                print(f"  NOT REFUSED: {path} (score {v:.1f})")
            elif v <= threshold:  # the score let it through; its shape did not
                print(f"  refused by its shape, not its score: {os.path.basename(path)} (score {v:.1f})")
        if passed < 0.95 * len(inside) or refused < len(outside):
            failed = True
    print("domain targets:", "MISSED" if failed else "met")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
