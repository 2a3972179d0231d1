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


def load_domain(folder):
    """The package's domain check (domain.json with its two .npy arrays; format in
    models/README.md), or None for a package without one."""
    path = os.path.join(folder, "domain.json")
    if not os.path.exists(path):
        return None
    import numpy as np
    with open(path) as f:
        domain = json.load(f)
    domain["means_array"] = np.load(os.path.join(folder, domain["means"]))
    domain["precision_array"] = np.load(os.path.join(folder, domain["precision"]))
    return domain


def domain_score(domain, pooled_features):
    """Smallest squared Mahalanobis distance of one image's pooled features() activations
    (features(x).mean((2, 3))[0]) to a class mean; in domain when <= domain["threshold"]."""
    import numpy as np
    f = np.asarray(pooled_features, dtype=np.float64)
    d = domain["means_array"] - f[None, :]
    return float(np.min(np.einsum("ki,ij,kj->k", d, domain["precision_array"], d)))


def in_domain(domain, score, width, height):
    """The package's verdict: score <= threshold and, when domain.json records the training
    images' shapes ("inputAspect"), width / height within [min / margin, max * margin]."""
    if score > domain["threshold"]:
        return False
    shape = domain.get("inputAspect")
    if shape:
        aspect = width / height
        return shape["min"] / shape["margin"] <= aspect <= shape["max"] * shape["margin"]
    return True


def temperature(card):
    """The temperature the package's probabilities are made with (1 when not calibrated)."""
    cal = card.get("calibration") or {}
    return float(cal.get("temperature", 1.0)) if cal.get("fitted", True) else 1.0
