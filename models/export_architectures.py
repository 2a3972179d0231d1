#!/usr/bin/python3
"""Exports SpineLens's architectures, untrained (random initialisation from a fixed seed), as
model packages: OUTDIR/<name>/model.pt (TorchScript) + model.json. The training issue turns
these into trained packages with the C++ trainer; researchers bring their own the same way.

usage: export_architectures.py OUTDIR [--only NAME]
"""
import argparse
import json
import os

import torch

from architectures.spine_models import LumbarMriCnn, ResNetClassifier

XRAY_CLASSES = ["foraminal stenosis", "osteophyte", "surgical implant", "normal"]
IMAGENET = {"mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]}

UNTRAINED_USE = ("UNTRAINED architecture export with random weights: for software testing "
                 "only. Its outputs mean nothing. Not for clinical use.")


def card(name, task, modality, classes, activation, channels, preprocessing, architecture, dataset):
    return {
        "name": name,
        "version": "0.0.0-untrained",
        "task": task,
        "modality": modality,
        "classes": classes,
        "activation": activation,
        "input": {"height": 224, "width": 224, "channels": channels},
        "preprocessing": preprocessing,
        "provenance": {
            "architecture": architecture,
            "weights": "random initialisation, torch.manual_seed(0); not trained",
            "dataset": dataset,
            "synthetic": True,
        },
        "intendedUse": UNTRAINED_USE,
        "clinicallyValidated": False,
    }


def export(module, meta, out):
    module.eval()
    os.makedirs(out, exist_ok=True)
    scripted = torch.jit.script(module)
    scripted.save(os.path.join(out, "model.pt"))
    with open(os.path.join(out, "model.json"), "w") as f:
        json.dump(meta, f, indent=2)
    print("wrote", out)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--only")
    args = parser.parse_args()
    torch.manual_seed(0)
    packages = {
        "mri-cnn-untrained": lambda: (LumbarMriCnn(), card(
            "mri-cnn-untrained", "lumbar MRI slice: degenerative vs healthy", "MR",
            ["healthy", "degenerative"], "sigmoid", 1,
            {"intensity": "minmax", "resize": "stretch", "interpolation": "bilinear"},
            "LumbarMriCnn (3 conv 32/64/128, dense 128, dropout 0.5, sigmoid)",
            "none (untrained)")),
        "resnet18-xray-untrained": lambda: (ResNetClassifier(18, 4), card(
            "resnet18-xray-untrained", "spine X-ray: 4 classes", "DX", XRAY_CLASSES, "softmax", 3,
            dict({"intensity": "divide255", "resize": "stretch", "interpolation": "bilinear"}, **IMAGENET),
            "torchvision ResNet-18", "none (untrained)")),
        "resnet50-xray-untrained": lambda: (ResNetClassifier(50, 4), card(
            "resnet50-xray-untrained", "spine X-ray: 4 classes", "DX", XRAY_CLASSES, "softmax", 3,
            dict({"intensity": "divide255", "resize": "stretch", "interpolation": "bilinear"}, **IMAGENET),
            "torchvision ResNet-50", "none (untrained)")),
    }
    for name, make in packages.items():
        if args.only and name != args.only:
            continue
        module, meta = make()
        export(module, meta, os.path.join(args.out, name))


if __name__ == "__main__":
    main()
