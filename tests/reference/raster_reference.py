#!/usr/bin/python3
"""Independent reference for SpineLens's PNG/JPEG reader: Pillow (Debian python3-pil) writes
X-ray-like test images in every layout we claim to read and decodes them itself.

Writes OUTDIR/<name> images, OUTDIR/<name>.f32 expected grey values (float32, rows x cols;
colour -> 0.299 R + 0.587 G + 0.114 B on Pillow's RGB) and OUTDIR/manifest.json.
usage: raster_reference.py OUTDIR
"""
import json
import os
import sys

import numpy as np
from PIL import Image


def xray(width, height, seed):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    img = 40 + 60 * np.exp(-((x - width / 2) / (width / 3)) ** 2)
    bodies = ((y // (height / 8)) % 1.0 < 0.8) & (np.abs(x - width / 2) < width / 8)
    img = img + 120 * bodies + rng.normal(0, 6, img.shape)
    return np.clip(img, 0, 255)


def luma(rgb):
    rgb = rgb.astype(np.float64)
    return 0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    grey = xray(300, 300, 1).astype(np.uint8)
    cases = {}
    Image.fromarray(grey, "L").save(os.path.join(out, "grey8.png"))
    g16 = (xray(300, 300, 2) * 200).astype(np.uint16)
    Image.fromarray(g16).save(os.path.join(out, "grey16.png"))
    rgb = np.stack([grey, np.roll(grey, 7, axis=1), 255 - grey], axis=-1).astype(np.uint8)
    Image.fromarray(rgb, "RGB").save(os.path.join(out, "rgb.png"))
    rgba = np.concatenate([rgb, np.full(grey.shape + (1,), 200, np.uint8)], axis=-1)
    Image.fromarray(rgba, "RGBA").save(os.path.join(out, "rgba.png"))
    Image.fromarray(rgb, "RGB").quantize(64).save(os.path.join(out, "palette.png"))
    Image.fromarray(grey, "L").save(os.path.join(out, "grey.jpg"), quality=90)
    Image.fromarray(rgb, "RGB").save(os.path.join(out, "rgb.jpg"), quality=90)
    big = xray(2000, 3000, 3).astype(np.uint8)
    Image.fromarray(big, "L").save(os.path.join(out, "scanner-2000x3000.jpg"), quality=92)

    manifest = []
    for name in ["grey8.png", "grey16.png", "rgb.png", "rgba.png", "palette.png", "grey.jpg",
                 "rgb.jpg", "scanner-2000x3000.jpg"]:
        img = Image.open(os.path.join(out, name))
        if img.mode in ("L", "I;16", "I"):
            expected = np.asarray(img).astype(np.float64)
        else:
            expected = luma(np.asarray(img.convert("RGB")))
        expected.astype(np.float32).tofile(os.path.join(out, name + ".f32"))
        manifest.append({"name": name, "mode": img.mode, "width": img.width, "height": img.height})
    # A PNG cut short: must be refused with a message, not crash.
    data = open(os.path.join(out, "grey8.png"), "rb").read()
    open(os.path.join(out, "truncated.png"), "wb").write(data[: len(data) // 2])
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print("raster reference:", len(manifest), "images")


if __name__ == "__main__":
    main()
