#!/usr/bin/python3
"""Test inputs and reference greys for the file's VOI (issue 10, section 3).

Writes, with pydicom, 12-bit DX files whose VOI the product must honour, and for each the 8-bit
grey pydicom's own LUT code gives (modality LUT, then windowing / VOI LUT, MONOCHROME1
inverted), saved as float64 .npy. Also one X-ray phantom (made by the product's CLI) as an
8-bit PNG, as a 16-bit PNG (value * 257) and as a 12-bit MONOCHROME1 DX with rescale and a
window that gives back the PNG's greys exactly: the model must see the same image in all three.

usage: voi_reference.py SPINELENS_CLI OUT_DIR
"""
import glob
import json
import os
import subprocess
import sys

import numpy as np
import pydicom
from PIL import Image
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.pixel_data_handlers.util import apply_modality_lut, apply_voi, apply_windowing
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

DX_FOR_PRESENTATION = "1.2.840.10008.5.1.4.1.1.1.1"


def dx(stored, monochrome1=False, slope=None, intercept=None, window=None, function=None,
       lut=None):
    """A 12-bit unsigned DX dataset holding `stored` (uint16 array)."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = DX_FOR_PRESENTATION
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.SOPClassUID = DX_FOR_PRESENTATION
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID, ds.SeriesInstanceUID = generate_uid(), generate_uid()
    ds.PatientName, ds.PatientID = "VOI^TEST", "VOI-1"
    ds.Modality, ds.BodyPartExamined = "DX", "LSPINE"
    ds.SeriesDescription = "SYNTHETIC VOI test"
    ds.PresentationIntentType = "FOR PRESENTATION"
    ds.Rows, ds.Columns = stored.shape
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME1" if monochrome1 else "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    ds.ImagerPixelSpacing = [0.2, 0.2]
    if slope is not None:
        ds.RescaleSlope, ds.RescaleIntercept, ds.RescaleType = slope, intercept, "US"
    if window is not None:
        ds.WindowCenter, ds.WindowWidth = window
    if function is not None:
        ds.VOILUTFunction = function
    if lut is not None:
        first, bits, data = lut
        item = Dataset()
        item.add(DataElement(0x00283002, "US", [len(data), first, bits]))
        item.add(DataElement(0x00283006, "OW", np.asarray(data, "<u2").tobytes()))
        ds.VOILUTSequence = [item]
    ds.PixelData = stored.astype("<u2").tobytes()
    return ds


def reference_grey(path):
    """pydicom's presentation of the file as 0..255 floats (the product rounds to integers)."""
    ds = pydicom.dcmread(path)
    stored = ds.pixel_array
    values = apply_modality_lut(stored, ds)
    if "WindowCenter" in ds:
        # apply_windowing returns values over the stored range (y_min..y_max, rescaled).
        y = apply_windowing(values.astype(np.float64), ds)
        y_min, y_max = 0.0, float(2 ** ds.BitsStored - 1)
        if "RescaleSlope" in ds:
            y_min = y_min * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
            y_max = y_max * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
        grey = (y - y_min) / (y_max - y_min) * 255.0
    elif "VOILUTSequence" in ds:
        bits = int(ds.VOILUTSequence[0].LUTDescriptor[2])
        grey = apply_voi(values.astype(np.int64), ds).astype(np.float64) * 255.0 / (2 ** bits - 1)
    else:  # no VOI: the product's documented rule, the slice's minimum to maximum
        lo, hi = float(values.min()), float(values.max())
        grey = (values - lo) / (hi - lo) * 255.0
    if ds.PhotometricInterpretation == "MONOCHROME1":
        grey = 255.0 - grey
    return grey


def main():
    cli, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    files = []

    # 4 x 4 blocks of 64 x 64 pixels, stored values 40 .. 3940: flat regions to sample on screen.
    blocks = np.zeros((256, 256), np.uint16)
    for k in range(16):
        r, c = divmod(k, 4)
        blocks[r * 64:(r + 1) * 64, c * 64:(c + 1) * 64] = 40 + 260 * k
    gamma = np.round(4095 * (np.arange(3000) / 2999.0) ** 0.5).astype(np.uint16)
    cases = {
        "voi_lut": dict(lut=(500, 12, gamma)),
        "sigmoid": dict(window=(2000, 1500), function="SIGMOID"),
        "linear_exact": dict(window=(2000, 2000), function="LINEAR_EXACT"),
        "linear_mono1": dict(window=(1500, 2500), monochrome1=True),
        "no_voi": dict(),
    }
    for name, options in cases.items():
        path = os.path.join(out, name + ".dcm")
        dx(blocks, **options).save_as(path, write_like_original=False)
        np.save(os.path.join(out, name + ".npy"), reference_grey(path))
        files.append({"name": name, "dicom": path, "reference": os.path.join(out, name + ".npy"),
                      "blocks": True})

    # One X-ray phantom three ways.
    phantoms = os.path.join(out, "phantoms")
    subprocess.run([cli, "phantom", "--kind", "xray", "--count", "8", "--seed", "77", "--out",
                    phantoms], check=True, stdout=subprocess.DEVNULL)
    png = sorted(glob.glob(os.path.join(phantoms, "**", "*.png"), recursive=True))[0]
    grey = np.asarray(Image.open(png).convert("L"), dtype=np.uint16)
    png8 = os.path.join(out, "phantom8.png")
    Image.fromarray(grey.astype(np.uint8)).save(png8)
    png16 = os.path.join(out, "phantom16.png")
    Image.fromarray((grey * 257).astype(np.uint16)).save(png16)
    # Stored values sv, modality values 2 sv - 100 = 8 + 16 (255 - g); the window
    # (centre 2048.5, width 4081) maps those to 255 - g exactly, MONOCHROME1 inverts back to g.
    stored = (54 + 8 * (255 - grey)).astype(np.uint16)
    phantom_dcm = os.path.join(out, "phantom_mono1.dcm")
    dx(stored, monochrome1=True, slope=2, intercept=-100, window=(2048.5, 4081)).save_as(
        phantom_dcm, write_like_original=False)
    np.save(os.path.join(out, "phantom_mono1.npy"), reference_grey(phantom_dcm))
    files.append({"name": "phantom_mono1", "dicom": phantom_dcm,
                  "reference": os.path.join(out, "phantom_mono1.npy"), "blocks": False})
    if np.abs(reference_grey(phantom_dcm) - grey).max() > 0.5:
        sys.exit("the MONOCHROME1 phantom does not present as its PNG in pydicom")

    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump({"files": files, "png8": png8, "png16": png16, "phantom_dicom": phantom_dcm}, f,
                  indent=1)
    print(f"wrote {len(files)} DX files and their pydicom greys to {out}")


if __name__ == "__main__":
    main()
