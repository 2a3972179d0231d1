#!/usr/bin/python3
"""`spinelens-cli classify` and `explain` checked from outside: classify's JSON lines must carry
the Python reference's probabilities (torch_reference.py output) by class name; explain must
write a blended PNG of the image's size and a raw map in [0, 1]; bad models and unknown classes
must fail with exit 1 (inputs that cannot be used) and a message naming them.

usage: check_ai_cli.py SPINELENS_CLI AI_TEST_DATA WORKDIR
"""
import json
import os
import subprocess
import sys
import zlib

import numpy as np
from PIL import Image


def read_mha(path):
    raw = open(path, "rb").read()
    header, _, data = raw.partition(b"ElementDataFile = LOCAL\n")
    fields = dict(line.split(" = ", 1) for line in header.decode().splitlines() if " = " in line)
    if fields.get("CompressedData") == "True":
        data = zlib.decompress(data)
    dims = [int(v) for v in fields["DimSize"].split()]
    dtype = {"MET_SHORT": np.int16, "MET_FLOAT": np.float32}[fields["ElementType"]]
    return np.frombuffer(data, dtype=dtype).reshape(dims[::-1])


def main():
    cli, data, work = sys.argv[1], sys.argv[2], sys.argv[3]
    os.makedirs(work, exist_ok=True)
    checks, failures = 0, []

    def check(ok, what):
        nonlocal checks
        checks += 1
        if not ok:
            failures.append(what)

    model = os.path.join(data, "models", "resnet18-xray-untrained")
    card = json.load(open(os.path.join(model, "model.json")))
    ref = json.load(open(os.path.join(data, "reference-resnet18-xray-untrained.json")))[0]
    run = subprocess.run([cli, "classify", "--model", model, ref["path"]], capture_output=True, text=True)
    check(run.returncode == 0, f"classify exit {run.returncode}: {run.stderr}")
    lines = [json.loads(l) for l in run.stdout.splitlines() if l.strip()]
    check(len(lines) == 1, f"classify printed {len(lines)} lines")
    if lines:
        probs = lines[0]["probabilities"]
        for name, expected in zip(card["classes"], ref["probabilities"]):
            check(abs(probs[name] - expected) < 1e-5, f"{name}: {probs[name]} vs {expected}")
        check(lines[0]["predicted"] == card["classes"][ref["predicted"]], "predicted class")
        check(lines[0]["path"] == ref["path"], "path")
    check("UNTRAINED" in run.stderr, "classify does not say the model is untrained")

    png, raw = os.path.join(work, "explain.png"), os.path.join(work, "explain.mha")
    run = subprocess.run([cli, "explain", "--model", model, "--method", "gradcam++", "--class", "osteophyte",
                          ref["path"], "--out", png, "--raw", raw], capture_output=True, text=True)
    check(run.returncode == 0, f"explain exit {run.returncode}: {run.stderr}")
    if run.returncode == 0:
        source = Image.open(ref["path"])
        blended = Image.open(png)
        check(blended.size == source.size and blended.mode == "RGB", f"png {blended.size} {blended.mode}")
        heat = read_mha(raw)
        check(heat.shape[-2:] == (source.height, source.width), f"raw map shape {heat.shape}")
        check(float(heat.min()) >= 0.0 and abs(float(heat.max()) - 1.0) < 1e-6, "raw map not in [0, 1]")
        check(json.loads(run.stdout)["class"] == "osteophyte", "explained class")

    run = subprocess.run([cli, "explain", "--model", model, "--class", "fracture", ref["path"], "--out", png],
                         capture_output=True, text=True)
    # Exit 1 for inputs that cannot be used (2 is for a wrong command line).
    check(run.returncode == 1 and "fracture" in run.stderr, f"unknown class: {run.returncode} {run.stderr}")
    bad = os.path.join(data, "models", "blob-corrupt")
    run = subprocess.run([cli, "classify", "--model", bad, ref["path"]], capture_output=True, text=True)
    check(run.returncode == 1 and "blob-corrupt/model.pt" in run.stderr, f"corrupt model: {run.stderr}")

    for f in failures:
        print("FAIL:", f)
    print(f"{checks - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
