#!/usr/bin/python3
"""Builds every input the AI tests need and the Python reference results for them.

usage: ai_reference_all.py SPINELENS_CLI SOURCE_DIR OUTDIR
Writes OUTDIR/models (exported architectures + hand-made test models), OUTDIR/inputs (the
synthetic sample study) and OUTDIR/reference-<model>.json.
"""
import glob
import os
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import torch_reference  # noqa: E402


def main():
    cli, source, out = sys.argv[1], sys.argv[2], sys.argv[3]
    models, inputs = os.path.join(out, "models"), os.path.join(out, "inputs")
    for name in ("mri-cnn-untrained", "resnet18-xray-untrained"):
        subprocess.run([sys.executable, os.path.join(source, "models", "export_architectures.py"), models,
                        "--only", name], check=True, cwd=os.path.join(source, "models"))
    subprocess.run([sys.executable, os.path.join(here, "make_blob_model.py"), models], check=True)
    subprocess.run([cli, "sample", inputs], check=True)
    mr = sorted(glob.glob(os.path.join(inputs, "mr-sagittal-t2", "*.dcm")))[:3]
    xray = os.path.join(inputs, "xray-lateral-phantom.png")
    jobs = {"mri-cnn-untrained": mr, "resnet18-xray-untrained": [xray],
            "blob": [os.path.join(models, "blob.png")]}
    for model, images in jobs.items():
        sys.argv = ["torch_reference.py", os.path.join(models, model),
                    os.path.join(out, f"reference-{model}.json")] + images
        torch_reference.main()


if __name__ == "__main__":
    main()
