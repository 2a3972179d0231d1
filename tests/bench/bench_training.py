#!/usr/bin/python3
"""Benchmark (not a timed test): training throughput of `spinelens-cli train` against an
equivalent PyTorch loop in Python (Debian python3-torch) on the same phantom images and the same
TorchScript architecture (the MRI study's CNN, 224 x 224), both without augmentation, batch 16,
Adam lr 1e-3, one epoch. Prints images per second for both and the ratio (target >= 1.0), and
the 10-epoch wall time this throughput implies for 2,000 slices next to the study's 33.45 min.

usage: bench_training.py SPINELENS_CLI ARCHITECTURE_DIR WORKDIR
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import time

import numpy as np
import pydicom
import torch
import torch.nn.functional as F
from pydicom.pixel_data_handlers.util import apply_modality_lut


def main():
    cli, arch, work = sys.argv[1], sys.argv[2], sys.argv[3]
    shutil.rmtree(work, ignore_errors=True)
    data = os.path.join(work, "mri")
    subprocess.run([cli, "phantom", "--kind", "mri", "--count", "10", "--seed", "5", "--out", data], check=True,
                   capture_output=True)
    run = subprocess.run([cli, "train", "--architecture", arch, "--data", data, "--out", os.path.join(work, "out"),
                          "--epochs", "1", "--batch", "16", "--no-augment"], capture_output=True, text=True)
    if run.returncode != 0:
        print(run.stderr)
        return 1
    ours = float(re.search(r"([0-9.]+) training images/s", run.stdout).group(1))

    # The same images, preprocessed as the card says (min-max, bilinear 224), same module.
    x = []
    for path in sorted(glob.glob(os.path.join(data, "train_images", "*", "*", "*.dcm"))):
        ds = pydicom.dcmread(path)
        a = apply_modality_lut(ds.pixel_array, ds).astype(np.float32)
        a = (a - a.min()) / (a.max() - a.min())
        x.append(F.interpolate(torch.tensor(a)[None, None], size=(224, 224), mode="bilinear", align_corners=False)[0])
    x = torch.stack(x)
    y = (torch.arange(len(x)) // 15 % 2).float()
    torch.set_num_threads(os.cpu_count())
    module = torch.jit.load(os.path.join(arch, "model.pt"))
    module.train()
    optimizer = torch.optim.Adam(module.parameters(), lr=1e-3)
    kernels = [p for p in module.parameters() if p.dim() == 4]
    n = int(len(x) * 0.8)
    weights = torch.ones(2)
    correct = 0
    start = time.perf_counter()
    for b in range(0, n, 16):
        xb, yb = x[b:b + 16], y[b:b + 16]
        optimizer.zero_grad()
        logits = module(xb)
        # The same objective as the C++ trainer: weighted BCE plus L2 0.001 on conv kernels.
        loss = F.binary_cross_entropy_with_logits(logits.squeeze(1), yb, weights[yb.long()])
        total = loss + 1e-3 * sum((k ** 2).sum() for k in kernels)
        total.backward()
        optimizer.step()
        correct += int(((logits.detach().squeeze(1) > 0).float() == yb).sum())
    python = n / (time.perf_counter() - start)

    print(f"training images/s, MRI CNN 224 x 224, batch 16, {os.cpu_count()} threads:")
    print(f"  spinelens-cli train: {ours:.1f}   Python PyTorch loop: {python:.1f}   ratio {ours / python:.2f} "
          f"(target >= 1.0)")
    epoch = 2000 * 0.8 / ours
    print(f"  implied 10 epochs on 2,000 slices: {10 * epoch / 60:.1f} min of training steps "
          f"(the MRI study reports 33.45 min)")
    print("1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
