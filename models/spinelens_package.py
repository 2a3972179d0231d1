"""Loads SpineLens model packages in Python (Debian's python3-torch), including model.pt files
written with compact int8 weights (`spinelens-cli train --int8-weights`; the shipped packages).

    import sys; sys.path.insert(0, "models")
    from spinelens_package import load_module, load_card
    module = load_module("models/spine-xray-4class/model.pt")

The format (core/ai/ModuleFile.h): an extra file "spinelens/int8-weights.pkl" inside model.pt
holds a torch.save dict {name: int8 tensor, name + "#scale": float tensor [C]}; the module's own
copy of each such parameter is empty and is replaced by q * scale (per output channel).
"""
import io
import json
import os

import torch

INT8_ENTRY = "spinelens/int8-weights.pkl"


def _owner(module, dotted):
    parts = dotted.split(".")
    for p in parts[:-1]:
        module = getattr(module, p)
    return module, parts[-1]


def load_module(path):
    extra = {INT8_ENTRY: ""}
    module = torch.jit.load(path, map_location="cpu", _extra_files=extra)
    if extra[INT8_ENTRY]:
        store = torch.load(io.BytesIO(extra[INT8_ENTRY]), map_location="cpu")
        for name, q in store.items():
            if name.endswith("#scale"):
                continue
            scale = store[name + "#scale"].float()
            shape = [q.shape[0]] + [1] * (q.dim() - 1)
            owner, attr = _owner(module, name)
            setattr(owner, attr, (q.float() * scale.view(shape)).contiguous())
    module.eval()
    return module


def load_card(folder):
    with open(os.path.join(folder, "model.json")) as f:
        return json.load(f)
