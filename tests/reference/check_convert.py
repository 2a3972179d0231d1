#!/usr/bin/python3
"""`spinelens-cli info` and `convert` checked against pydicom on the sample study: the .mha
written by convert must hold pydicom's modality values in pydicom-sorted slice order (sorted
here independently, along the slice normal) with the same spacing, origin and directions.

usage: check_convert.py SPINELENS_CLI WORKDIR
"""
import glob
import json
import os
import subprocess
import sys
import zlib

import numpy as np
import pydicom
from pydicom.pixel_data_handlers.util import apply_modality_lut


def read_mha(path):
    with open(path, "rb") as f:
        raw = f.read()
    header, _, data = raw.partition(b"ElementDataFile = LOCAL\n")
    fields = dict(line.split(" = ", 1) for line in header.decode().splitlines() if " = " in line)
    if fields.get("CompressedData") == "True":
        data = zlib.decompress(data)
    dtype = {"MET_SHORT": np.int16, "MET_FLOAT": np.float32}[fields["ElementType"]]
    dims = [int(v) for v in fields["DimSize"].split()]
    array = np.frombuffer(data, dtype=dtype).reshape(dims[::-1])
    floats = lambda key: [float(v) for v in fields[key].split()]
    return array, floats("ElementSpacing"), floats("Offset"), floats("TransformMatrix")


def main():
    cli, work = sys.argv[1], sys.argv[2]
    sample = os.path.join(work, "sample")
    subprocess.run([cli, "sample", sample], check=True)
    series_dir = os.path.join(sample, "mr-sagittal-t2")
    out = os.path.join(work, "mr.mha")
    subprocess.run([cli, "convert", series_dir, out], check=True)

    datasets = [pydicom.dcmread(p) for p in glob.glob(os.path.join(series_dir, "*.dcm"))]
    row = np.array(datasets[0].ImageOrientationPatient[:3], float)
    col = np.array(datasets[0].ImageOrientationPatient[3:], float)
    normal = np.cross(row, col)
    datasets.sort(key=lambda d: float(np.dot(normal, np.array(d.ImagePositionPatient, float))))
    expected = np.stack([apply_modality_lut(d.pixel_array, d) for d in datasets])

    array, spacing, offset, matrix = read_mha(out)
    failures = []
    if array.shape != expected.shape:
        failures.append(f"shape {array.shape} != {expected.shape}")
    elif not np.array_equal(array.astype(np.float64), expected.astype(np.float64)):
        failures.append(f"values differ: max {np.abs(array - expected).max()}")
    gap = float(np.dot(normal, np.array(datasets[1].ImagePositionPatient, float) -
                       np.array(datasets[0].ImagePositionPatient, float)))
    want_spacing = [float(datasets[0].PixelSpacing[1]), float(datasets[0].PixelSpacing[0]), gap]
    if not np.allclose(spacing, want_spacing):
        failures.append(f"spacing {spacing} != {want_spacing}")
    if not np.allclose(offset, [float(v) for v in datasets[0].ImagePositionPatient]):
        failures.append(f"origin {offset} != {datasets[0].ImagePositionPatient}")
    # ITK's MetaImageIO writes TransformMatrix one image axis per row (axis i's direction
    # cosines in LPS), so rows must be: column direction, row direction, slice normal.
    m = np.array(matrix).reshape(3, 3)
    if not (np.allclose(m[0], row) and np.allclose(m[1], col) and np.allclose(m[2], normal)):
        failures.append(f"directions {matrix} != {row}, {col}, {normal}")

    info = json.loads(subprocess.run([cli, "info", series_dir], check=True, capture_output=True).stdout)
    s = info["series"][0]
    if (s["rows"], s["columns"], s["slices"]) != (datasets[0].Rows, datasets[0].Columns, len(datasets)):
        failures.append("info: wrong size")
    want_positions = [[float(v) for v in d.ImagePositionPatient] for d in datasets]
    if not np.allclose(np.array(s["slicePositions"]), np.array(want_positions)):
        failures.append("info: slice positions not in pydicom's sorted order")

    png = os.path.join(work, "slice.png")
    subprocess.run([cli, "convert", series_dir, png, "--slice", "7"], check=True)
    if not os.path.getsize(png):
        failures.append("png not written")
    nii = os.path.join(work, "mr.nii.gz")
    subprocess.run([cli, "convert", series_dir, nii], check=True)
    if os.path.getsize(nii) < 1000:
        failures.append("nii.gz too small")

    for f in failures:
        print("FAIL:", f)
    checks = 8  # shape+values, spacing, origin, directions, info size, info positions, png, nii
    print(f"{checks - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
