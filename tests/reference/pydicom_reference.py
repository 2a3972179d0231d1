#!/usr/bin/python3
"""Independent reference for SpineLens's DICOM decoder: pydicom (Debian python3-pydicom,
pixel handlers numpy / RLE / Pillow) decodes every test file pydicom itself ships.

Writes OUTDIR/manifest.json and, for each decoded file, OUTDIR/<name>.f32: float32 modality
values (pydicom's apply_modality_lut), frames x rows x columns; colour becomes BT.601 luma
(0.299 R + 0.587 G + 0.114 B), as SpineLens shows colour images.

usage: pydicom_reference.py OUTDIR
"""
import json
import os
import sys
import warnings

import numpy as np
import pydicom
from pydicom.data import get_testdata_file
from pydicom.pixel_data_handlers.util import apply_modality_lut, convert_color_space

warnings.simplefilter("ignore")

# Lossless siblings: pydicom's README says these hold the same pixels as the file named.
# Used where Debian's pydicom has no handler (JPEG-LS needs pylibjpeg or GDCM's Python).
LOSSLESS_SIBLINGS = {
    "MR_small_jpeg_ls_lossless.dcm": "MR_small.dcm",
}
LOSSY = {"1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51", "1.2.840.10008.1.2.4.91"}


def grey_modality_values(ds):
    arr = ds.pixel_array
    spp = int(ds.get("SamplesPerPixel", 1))
    frames = int(ds.get("NumberOfFrames", 1) or 1)
    if spp == 3:
        pi = str(ds.PhotometricInterpretation)
        # pydicom hands back YCbCr as stored (its Pillow handler decodes JPEG in draft
        # YCbCr mode); SpineLens shows RGB, so convert before taking luma.
        if pi.startswith("YBR_FULL"):
            arr = convert_color_space(arr, pi, "RGB")
        arr = arr.astype(np.float64)
        grey = 0.299 * arr[..., 0] + 0.587 * arr[..., 1] + 0.114 * arr[..., 2]
    else:
        grey = apply_modality_lut(arr, ds).astype(np.float64)
    return grey.reshape(frames, int(ds.Rows), int(ds.Columns)).astype(np.float32)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    folder = os.path.dirname(get_testdata_file("CT_small.dcm"))
    names = sorted(n for n in os.listdir(folder) if n.endswith(".dcm"))
    manifest = {"folder": folder, "pydicom": pydicom.__version__, "files": []}
    for name in names:
        path = os.path.join(folder, name)
        entry = {"name": name, "path": path}
        try:
            ds = pydicom.dcmread(path, force=True)
            if "PixelData" in ds and "TransferSyntaxUID" not in ds.file_meta:
                # No meta header: take the syntax pydicom detected while parsing.
                ds.file_meta.TransferSyntaxUID = (
                    pydicom.uid.ImplicitVRLittleEndian if ds.is_implicit_VR
                    else pydicom.uid.ExplicitVRLittleEndian if ds.is_little_endian
                    else pydicom.uid.ExplicitVRBigEndian)
        except Exception as e:  # a broken file: SpineLens must refuse it cleanly too
            entry.update(status="unreadable", reason=str(e)[:200])
            manifest["files"].append(entry)
            continue
        entry["transferSyntax"] = str(ds.file_meta.get("TransferSyntaxUID", ""))
        entry["lossy"] = entry["transferSyntax"] in LOSSY
        entry["ybr"] = str(ds.get("PhotometricInterpretation", "")).startswith("YBR_FULL")
        if "PixelData" not in ds:
            entry.update(status="nopixels")
            manifest["files"].append(entry)
            continue
        source = ds
        if name in LOSSLESS_SIBLINGS:
            source = pydicom.dcmread(os.path.join(folder, LOSSLESS_SIBLINGS[name]), force=True)
            entry["referenceFrom"] = LOSSLESS_SIBLINGS[name]
        try:
            grey = grey_modality_values(source)
        except Exception as e:
            entry.update(status="undecodable", reason=str(e)[:200])
            manifest["files"].append(entry)
            continue
        grey.tofile(os.path.join(out, name + ".f32"))
        entry.update(status="ok", frames=grey.shape[0], rows=grey.shape[1], columns=grey.shape[2])
        manifest["files"].append(entry)
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    counts = {}
    for e in manifest["files"]:
        counts[e["status"]] = counts.get(e["status"], 0) + 1
    print("pydicom reference:", counts)


if __name__ == "__main__":
    main()
