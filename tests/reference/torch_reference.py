#!/usr/bin/python3
"""Independent reference for SpineLens's inference and explanations, in Python with Debian's
python3-torch: reads the same images with Pillow / pydicom, preprocesses them from model.json
with torch's own F.interpolate, runs the same TorchScript module, and computes Grad-CAM and
Grad-CAM++ with the published formulas (Selvaraju et al. 2017; Chattopadhay et al. 2018, the
closed form with the exponential score used by common implementations).

usage: torch_reference.py MODEL_DIR OUT.json IMAGE [IMAGE...]
"""
import json
import sys

import numpy as np
import pydicom
import torch
import torch.nn.functional as F
from PIL import Image
from pydicom.pixel_data_handlers.util import apply_modality_lut, apply_voi, apply_windowing


def read_grey(path):
    if path.lower().endswith((".png", ".jpg", ".jpeg")):
        img = Image.open(path)
        if img.mode in ("L", "I;16", "I"):
            return np.asarray(img).astype(np.float64)
        rgb = np.asarray(img.convert("RGB")).astype(np.float64)
        return 0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]
    ds = pydicom.dcmread(path)
    return apply_modality_lut(ds.pixel_array, ds).astype(np.float64)


def presented_grey(ds, values):
    """The file's own VOI to 0..255 floats with pydicom's LUT code (modelGrey8's DICOM rule):
    the VOI LUT (pydicom's apply_voi_lut prefers it too), else the window with its VOI LUT
    Function, else the stored range scaled to 255 for <= 8 bits and the minimum-to-maximum
    window otherwise; MONOCHROME1 inverted. LUT inputs are rounded to the nearest entry."""
    bits_stored = int(ds.get("BitsStored", 16))
    if "VOILUTSequence" in ds:
        bits = int(ds.VOILUTSequence[0].LUTDescriptor[2])
        index = np.floor(values.astype(np.float64) + 0.5).astype(np.int64)
        grey = apply_voi(index, ds).astype(np.float64) * 255.0 / (2 ** bits - 1)
    elif "WindowCenter" in ds and "WindowWidth" in ds:
        y = apply_windowing(values.astype(np.float64), ds)
        y_min, y_max = 0.0, float(2 ** bits_stored - 1)
        if int(ds.get("PixelRepresentation", 0)) == 1:
            y_min, y_max = -float(2 ** (bits_stored - 1)), float(2 ** (bits_stored - 1) - 1)
        if "RescaleSlope" in ds:
            slope, intercept = float(ds.RescaleSlope), float(ds.RescaleIntercept)
            y_min, y_max = y_min * slope + intercept, y_max * slope + intercept
        grey = (y - y_min) / (y_max - y_min) * 255.0
    elif bits_stored <= 8:
        grey = values.astype(np.float64) * 255.0 / (2 ** bits_stored - 1)
    else:
        lo, hi = float(values.min()), float(values.max())
        grey = (values - lo) / max(hi - lo, 1e-12) * 255.0
    if ds.get("PhotometricInterpretation") == "MONOCHROME1":
        grey = 255.0 - grey
    return grey


def model_grey(path, card):
    """What SpineLens gives the model before its intensity step: modality values, or for
    divide255 models 8-bit grey by models/README.md's rule (rounded half up, like lround)."""
    grey = read_grey(path)
    if card.get("preprocessing", {}).get("intensity") != "divide255":
        return grey
    if path.lower().endswith((".png", ".jpg", ".jpeg")):
        if Image.open(path).mode in ("I;16", "I"):
            grey = grey * 255.0 / 65535.0
    else:
        ds = pydicom.dcmread(path)
        if int(ds.get("SamplesPerPixel", 1)) == 1:
            grey = presented_grey(ds, apply_modality_lut(ds.pixel_array, ds))
    return np.floor(np.clip(grey, 0, 255) + 0.5)


def preprocess(grey, card):
    pre = card.get("preprocessing", {})
    mode = pre.get("intensity", "minmax")
    if mode == "minmax":
        lo, hi = grey.min(), grey.max()
        grey = (grey - lo) / (hi - lo) if hi > lo else np.zeros_like(grey)
    elif mode == "divide255":
        grey = grey / 255.0
    elif mode == "zscore":
        sd = grey.std()
        grey = (grey - grey.mean()) / sd if sd > 0 else np.zeros_like(grey)
    t = torch.tensor(grey, dtype=torch.float32)[None, None]
    t = F.interpolate(t, size=(card["input"]["height"], card["input"]["width"]), mode="bilinear",
                      align_corners=False)
    t = t.repeat(1, card["input"]["channels"], 1, 1)
    if pre.get("mean"):
        mean = torch.tensor(pre["mean"], dtype=torch.float32)[None, :, None, None]
        std = torch.tensor(pre["std"], dtype=torch.float32)[None, :, None, None]
        t = (t - mean) / std
    return t


def probabilities(card, logits):
    if card["activation"] == "softmax":
        return torch.softmax(logits, dim=1)[0]
    p = torch.sigmoid(logits)[0]
    if p.numel() == 1 and len(card["classes"]) == 2:
        return torch.stack([1 - p[0], p[0]])
    return p


def class_score(card, logits, index):
    if card["activation"] == "sigmoid" and len(card["classes"]) == 2 and logits.shape[1] == 1:
        return logits[0, 0] if index == 1 else -logits[0, 0]
    return logits[0, index]


def cams(module, card, x, index):
    features = module.features(x).detach().requires_grad_(True)
    score = class_score(card, module.classify(features), index)
    grads, = torch.autograd.grad(score, features)
    a, g = features[0].double(), grads[0].double()
    # Grad-CAM: weights = spatial mean of the gradients.
    w = g.mean(dim=(1, 2))
    gradcam = torch.relu((w[:, None, None] * a).sum(0))
    # Grad-CAM++: alpha = g^2 / (2 g^2 + sum(A) g^3), weights = sum(alpha * relu(g)).
    g2, g3 = g ** 2, g ** 3
    denom = 2 * g2 + a.sum(dim=(1, 2))[:, None, None] * g3
    denom = torch.where(denom != 0, denom, torch.full_like(denom, 1e-7))
    alpha = torch.where(g != 0, g2 / denom, torch.zeros_like(g))
    wpp = (alpha * torch.relu(g)).sum(dim=(1, 2))
    gradcampp = torch.relu((wpp[:, None, None] * a).sum(0))
    return gradcam, gradcampp


def main():
    model_dir, out_path, images = sys.argv[1], sys.argv[2], sys.argv[3:]
    card = json.load(open(f"{model_dir}/model.json"))
    module = torch.jit.load(f"{model_dir}/model.pt")
    module.eval()
    results = []
    for path in images:
        x = preprocess(model_grey(path, card), card)
        with torch.no_grad():
            logits = module(x)
        p = probabilities(card, logits)
        entry = {"path": path, "probabilities": [float(v) for v in p], "predicted": int(p.argmax())}
        if hasattr(module, "features"):
            entry["cams"] = []
            for index in range(len(card["classes"])):
                gc, gpp = cams(module, card, x, index)
                entry["cams"].append({"class": index, "height": gc.shape[0], "width": gc.shape[1],
                                      "gradcam": gc.flatten().tolist(), "gradcam++": gpp.flatten().tolist()})
        results.append(entry)
    json.dump(results, open(out_path, "w"))
    print("torch reference:", len(results), "images,", model_dir)


if __name__ == "__main__":
    main()
