#!/usr/bin/python3
"""Benchmark (not a timed test): `spinelens-cli evaluate` with Grad-CAM for the predicted class
(and the true class when wrong) over N 300 x 300 X-ray phantoms, against an equivalent Python
loop (Debian python3-torch, same package read with models/spinelens_package.py, Pillow decode,
the card's preprocessing, forward, softmax, Grad-CAM through features()/classify(), rows and
8-bit maps written to SQLite). Prints cases per second for both and the ratio (target >= 1.0),
then opens a synthetic 10,000-case run file and times reading it back and its metrics.

usage: bench_evaluation.py SPINELENS_CLI MODEL_DIR WORKDIR [N]
"""
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "models"))
from spinelens_package import load_card, load_module  # noqa: E402


def python_peer(model_dir, images, out_path):
    card = load_card(model_dir)
    classes = card["classes"]
    pre = card["preprocessing"]
    h, w, c = card["input"]["height"], card["input"]["width"], card["input"]["channels"]
    mean = torch.tensor(pre.get("mean", [0.0] * c)).view(1, c, 1, 1)
    std = torch.tensor(pre.get("std", [1.0] * c)).view(1, c, 1, 1)
    module = load_module(os.path.join(model_dir, "model.pt"))
    torch.set_num_threads(os.cpu_count())
    db = sqlite3.connect(out_path)
    db.execute("CREATE TABLE cases(path TEXT, label INT, probabilities BLOB, predicted INT)")
    db.execute("CREATE TABLE heatmaps(case_id INT, class INT, data BLOB)")
    start = time.perf_counter()
    for i, (path, label) in enumerate(images):
        grey = np.asarray(Image.open(path).convert("L"), dtype=np.float32) / 255.0
        x = F.interpolate(torch.from_numpy(grey)[None, None], size=(h, w), mode="bilinear",
                          align_corners=False).repeat(1, c, 1, 1)
        x = (x - mean) / std
        with torch.no_grad():
            feats = module.features(x)
        feats.requires_grad_(True)
        logits = module.classify(feats)
        p = torch.softmax(logits, 1)[0]
        predicted = int(p.argmax())
        db.execute("INSERT INTO cases VALUES(?,?,?,?)",
                   (path, label, p.detach().numpy().astype(np.float32).tobytes(), predicted))
        for k in {predicted, label}:
            g, = torch.autograd.grad(logits[0, k], feats, retain_graph=True)
            cam = torch.relu((g.mean((2, 3), keepdim=True) * feats).sum(1, keepdim=True))
            cam = F.interpolate(cam, size=grey.shape, mode="bilinear", align_corners=False)[0, 0]
            cam = cam / cam.max().clamp_min(1e-12)
            small = F.adaptive_avg_pool2d(cam[None, None], (128, 128))[0, 0]
            db.execute("INSERT INTO heatmaps VALUES(?,?,?)",
                       (i, k, (small * 255).round().byte().numpy().tobytes()))
        if i % 25 == 24:
            db.commit()
    db.commit()
    return len(images) / (time.perf_counter() - start)


def big_run_file(cli, path):
    """A 10,000-case run file in SpineLens's schema (made by evaluating once, then copying
    its rows), to time opening it."""
    db = sqlite3.connect(path)
    rows = db.execute("SELECT path, study_uid, series_uid, sop_uid, grp, true_label, "
                      "probabilities, predicted, loss, correct, confidence FROM cases").fetchall()
    maps = db.execute("SELECT class, width, height, maximum, data FROM heatmaps").fetchall()
    n = 0
    while db.execute("SELECT COUNT(*) FROM cases").fetchone()[0] < 10000:
        for r in rows:
            n += 1
            cur = db.execute("INSERT INTO cases(path, study_uid, series_uid, sop_uid, grp, "
                             "true_label, probabilities, predicted, loss, correct, confidence) "
                             "VALUES(?,?,?,?,?,?,?,?,?,?,?)", (r[0] + "#copy%d" % n,) + r[1:])
            m = maps[n % len(maps)]
            db.execute("INSERT INTO heatmaps VALUES(?,?,?,?,?,?)", (cur.lastrowid,) + m)
    db.commit()
    db.close()
    start = time.perf_counter()
    out = subprocess.run([cli, "metrics", path, "--no-curves"], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    cases = json.loads(out.stdout)["metrics"]["cases"] if out.returncode == 0 else -1
    return cases, seconds


def main():
    cli, model, work = sys.argv[1], sys.argv[2], sys.argv[3]
    count = int(sys.argv[4]) if len(sys.argv) > 4 else 1000
    shutil.rmtree(work, ignore_errors=True)
    data = os.path.join(work, "xray")
    subprocess.run([cli, "phantom", "--kind", "xray", "--count", str(count), "--seed", "8",
                    "--out", data], check=True, capture_output=True)
    run_path = os.path.join(work, "run.sqlite")
    start = time.perf_counter()
    run = subprocess.run([cli, "evaluate", "--model", model, "--data", data, "--split", "all",
                          "--out", run_path], capture_output=True, text=True)
    ours_seconds = time.perf_counter() - start
    if run.returncode != 0:
        print(run.stdout, run.stderr)
        return 1
    ours = count / ours_seconds
    classes = load_card(model)["classes"]
    folders = {c: c.replace(" ", "_") for c in classes}
    images = []
    for k, c in enumerate(classes):
        d = os.path.join(data, folders[c])
        images += [(os.path.join(d, f), k) for f in sorted(os.listdir(d))]
    python = python_peer(model, images, os.path.join(work, "python.sqlite"))
    print(f"evaluation of {count} X-ray phantoms with Grad-CAM ({os.path.basename(model)}):")
    print(f"  spinelens-cli evaluate: {ours_seconds:.1f} s, {ours:.1f} cases/s "
          f"(whole command: start-up, data set scan, metrics with 1000 bootstrap resamples)")
    print(f"  Python PyTorch loop:    {count / python:.1f} s, {python:.1f} cases/s")
    print(f"  ratio ours/python: {ours / python:.2f} (target >= 1.0)")
    cases, seconds = big_run_file(cli, run_path)
    print(f"run file of {cases} cases: spinelens-cli metrics (open, read every case, "
          f"all metrics, 1000 bootstrap resamples) {seconds:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
