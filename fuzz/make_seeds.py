#!/usr/bin/python3
"""Seed inputs for the fuzz targets that pydicom's files do not cover: small PNG/JPEG images
(8/16-bit grey, RGB, palette), raw Person Name bytes of pydicom's charset files with a leading
byte choosing the character set, the shipped model cards, .npy arrays.

usage: make_seeds.py SOURCE_DIR SEEDS_DIR
"""
import glob
import os
import shutil
import sys

import numpy as np
import pydicom
from PIL import Image


def main():
    source, seeds = sys.argv[1], sys.argv[2]
    raster = os.path.join(seeds, "raster")
    rng = np.random.default_rng(1)
    grey = rng.integers(0, 256, (24, 20), dtype=np.uint8)
    Image.fromarray(grey).save(os.path.join(raster, "grey8.png"))
    Image.fromarray((grey.astype(np.uint16) * 257)).save(os.path.join(raster, "grey16.png"))
    Image.fromarray(np.stack([grey] * 3, axis=2)).save(os.path.join(raster, "rgb.png"))
    Image.fromarray(grey).convert("P").save(os.path.join(raster, "palette.png"))
    Image.fromarray(grey).save(os.path.join(raster, "grey.jpg"), quality=80)
    Image.fromarray(np.stack([grey] * 3, axis=2)).save(os.path.join(raster, "rgb.jpg"), quality=80)
    Image.fromarray(grey).save(os.path.join(raster, "progressive.jpg"), progressive=True)

    charset = os.path.join(seeds, "charset")
    data = os.path.join(os.path.dirname(pydicom.__file__), "data", "charset_files")
    for k, path in enumerate(sorted(glob.glob(os.path.join(data, "*.dcm")))):
        ds = pydicom.dcmread(path)
        raw = ds.get_item((0x0010, 0x0010))  # undecoded bytes
        declared = ds.get_item((0x0008, 0x0005))
        if raw is not None and isinstance(raw.value, bytes) and declared is not None:
            value = declared.value
            if not isinstance(value, bytes):
                value = ("\\".join(value) if isinstance(value, (list, tuple)) or
                         type(value).__name__ == "MultiValue" else str(value)).encode()
            charset_text = value[:31]  # the file's own (0008,0005), as bytes
            with open(os.path.join(charset, f"{k}"), "wb") as f:
                f.write(bytes([224 + len(charset_text)]) + charset_text + raw.value)

    for name in ("spine-xray-4class", "lumbar-mri-binary"):
        shutil.copy(os.path.join(source, "models", name, "model.json"),
                    os.path.join(seeds, "model_card", name + ".json"))
        shutil.copy(os.path.join(source, "models", name, "domain-means.npy"),
                    os.path.join(seeds, "domain_arrays", name + "-means.npy"))
    arrays = os.path.join(seeds, "domain_arrays")
    np.save(os.path.join(arrays, "f4.npy"), rng.normal(size=(3, 4)).astype(np.float32))
    np.save(os.path.join(arrays, "vector.npy"), rng.normal(size=5))


if __name__ == "__main__":
    main()
