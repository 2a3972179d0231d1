#!/usr/bin/python3
"""A tiny hand-made TorchScript model for the faithfulness sanity test: its evidence for class
"blob" is, by construction, the bright pixels (features = ReLU(x - 0.5), classify = global mean
times a positive weight). Any correct Grad-CAM / occlusion must peak where the bright blob is.

usage: make_blob_model.py OUTDIR
"""
import json
import os
import sys

import torch
import torch.nn as nn


class Blob(nn.Module):
    @torch.jit.export
    def features(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(x - 0.5).repeat(1, 4, 1, 1)

    @torch.jit.export
    def classify(self, f: torch.Tensor) -> torch.Tensor:
        score = f.mean(dim=(1, 2, 3)) * 40.0
        return torch.stack([score, torch.zeros_like(score)], dim=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classify(self.features(x))


class TinyCnn(nn.Module):
    """A small trainable CNN for the trainer's tests (64 x 64 grey in, 4 X-ray classes out)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.fc = nn.Linear(16, 4)

    @torch.jit.export
    def features(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.max_pool2d(torch.relu(self.conv1(x)), 2)
        return torch.relu(self.conv2(x))

    @torch.jit.export
    def classify(self, f: torch.Tensor) -> torch.Tensor:
        return self.fc(torch.flatten(torch.mean(f, dim=(2, 3), keepdim=True), 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classify(self.features(x))


class NoContract(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s = torch.relu(x - 0.5).mean(dim=(1, 2, 3)) * 40.0
        return torch.stack([s, torch.zeros_like(s)], dim=1)


def write(module, name, out, extra=None):
    folder = os.path.join(out, name)
    os.makedirs(folder, exist_ok=True)
    torch.jit.script(module).save(os.path.join(folder, "model.pt"))
    card = {"name": name, "version": "test", "task": "faithfulness sanity check", "modality": "OT",
            "classes": ["blob", "none"], "activation": "softmax",
            "input": {"height": 64, "width": 64, "channels": 1},
            "preprocessing": {"intensity": "minmax", "resize": "stretch"},
            "provenance": {"architecture": "hand-made", "weights": "fixed by construction",
                           "dataset": "none", "synthetic": True},
            "intendedUse": "Tests only."}
    card.update(extra or {})
    json.dump(card, open(os.path.join(folder, "model.json"), "w"), indent=1)


def main():
    out = sys.argv[1]
    write(Blob(), "blob", out)
    torch.manual_seed(0)
    write(TinyCnn(), "tiny-cnn-xray", out,
          {"classes": ["foraminal stenosis", "osteophyte", "surgical implant", "normal"],
           "preprocessing": {"intensity": "divide255", "resize": "stretch"}})
    write(NoContract(), "blob-no-contract", out)
    # A card that does not match its module: 3 classes for 2 outputs.
    write(Blob(), "blob-wrong-card", out, {"classes": ["a", "b", "c"]})
    # A corrupt module next to a good card.
    write(Blob(), "blob-corrupt", out)
    with open(os.path.join(out, "blob-corrupt", "model.pt"), "wb") as f:
        f.write(b"PK\x03\x04 this is not a TorchScript archive")
    # No model.pt at all.
    write(Blob(), "blob-missing", out)
    os.remove(os.path.join(out, "blob-missing", "model.pt"))
    # The input: dark noise with one bright square at columns 200-229, rows 40-69 of 300 x 300.
    import numpy as np
    from PIL import Image
    rng = np.random.default_rng(3)
    img = rng.uniform(10, 60, (300, 300))
    img[40:70, 200:230] = 240
    Image.fromarray(img.astype(np.uint8), "L").save(os.path.join(out, "blob.png"))
    print("wrote test models to", out)


if __name__ == "__main__":
    main()
