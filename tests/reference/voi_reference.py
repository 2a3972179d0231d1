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
from pydicom.pixel_data_handlers.util import apply_modality_lut
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_reference  # noqa: E402  (the one Python copy of the rule: presented_grey)

DX_FOR_PRESENTATION = "1.2.840.10008.5.1.4.1.1.1.1"


def dx(stored, monochrome1=False, slope=None, intercept=None, window=None, function=None,
       lut=None, bits=12, signed=False, packed_lut=False):
    """A DX dataset holding `stored` (BitsStored `bits`, signed or not)."""
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
    allocated = 8 if bits <= 8 else 16
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = allocated, bits, bits - 1
    ds.PixelRepresentation = 1 if signed else 0
    ds.ImagerPixelSpacing = [0.2, 0.2]
    if slope is not None:
        ds.RescaleSlope, ds.RescaleIntercept, ds.RescaleType = slope, intercept, "US"
    if window is not None:
        ds.WindowCenter, ds.WindowWidth = window
    if function is not None:
        ds.VOILUTFunction = function
    if lut is not None:
        first, lut_bits, data = lut
        item = Dataset()
        entries = len(data) % 65536  # 0 means 65536 (PS3.3 C.11.2.1.1)
        item.add(DataElement(0x00283002, "SS" if signed else "US", [entries, first, lut_bits]))
        values = np.asarray(data, "<u2")
        if packed_lut:  # 8-bit entries two to a word, low byte first
            values = values.astype(np.uint8)
            values = np.pad(values, (0, len(values) % 2)).view("<u2")
        item.add(DataElement(0x00283006, "OW", values.tobytes()))
        ds.VOILUTSequence = [item]
    dtype = ("<i2" if signed else "<u2") if allocated == 16 else np.uint8
    ds.PixelData = stored.astype(dtype).tobytes()
    return ds


def reference_grey(path):
    """pydicom's presentation of the file as 0..255 floats (the product rounds to integers)."""
    ds = pydicom.dcmread(path)
    return torch_reference.presented_grey(ds, apply_modality_lut(ds.pixel_array, ds))


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
        # A LUT and a window: the LUT is used (as pydicom's apply_voi_lut prefers it).
        "lut_and_window": dict(lut=(500, 12, gamma), window=(2000, 400)),
        # Modality values x.3 / x.8: the LUT entry is the nearest one.
        "lut_fractional": dict(lut=(200, 12, gamma), slope=0.5, intercept=0.3),
        # Descriptor 0 = 65536 entries.
        "lut_65536": dict(lut=(0, 16, np.round(65535 * (np.arange(65536) / 65535.0) ** 0.7))),
    }
    # name -> (stored values, options, reference from pydicom?)
    inputs = {name: (blocks, options, True) for name, options in cases.items()}
    # Signed pixels, a negative first mapped value in an SS descriptor.
    inputs["lut_signed"] = (blocks.astype(np.int32) - 2000,
                            dict(lut=(-1500, 12, gamma), signed=True), True)
    # 8-bit entries packed two to a word (older files): DCMTK is the reference.
    inputs["lut_packed8"] = (blocks, dict(lut=(0, 8, np.round(255 * (np.arange(4096) / 4095.0) ** 0.5)),
                                          packed_lut=True), False)
    # At most 8 bits and no VOI: the stored range scaled to 255 (DCMTK without windowing).
    inputs["eight_bit_mono1"] = ((blocks // 16).astype(np.uint16),
                                 dict(bits=8, monochrome1=True), True)
    inputs["six_bit"] = ((blocks // 64).astype(np.uint16), dict(bits=6), True)
    # DCMTK renders fewer than 8 bits by shifting (v x 4 for 6 bits, so 63 is 252, not white);
    # SpineLens scales the stored range to 0..255 as PNG readers do with sBIT. Only pydicom's
    # figures (that rule) are the reference there.
    no_dcmtk = {"six_bit"}
    for name, (stored, options, with_reference) in inputs.items():
        path = os.path.join(out, name + ".dcm")
        dx(stored, **options).save_as(path, write_like_original=False)
        reference = None
        if with_reference:
            reference = os.path.join(out, name + ".npy")
            np.save(reference, reference_grey(path))
        files.append({"name": name, "dicom": path, "reference": reference, "blocks": True,
                      "dcmtk": name not in no_dcmtk})

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
                  "reference": os.path.join(out, "phantom_mono1.npy"), "blocks": False,
                  "dcmtk": True})
    if np.abs(reference_grey(phantom_dcm) - grey).max() > 0.5:
        sys.exit("the MONOCHROME1 phantom does not present as its PNG in pydicom")

    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump({"files": files, "png8": png8, "png16": png16, "phantom_dicom": phantom_dcm}, f,
                  indent=1)
    print(f"wrote {len(files)} DX files and their pydicom greys to {out}")


if __name__ == "__main__":
    main()
