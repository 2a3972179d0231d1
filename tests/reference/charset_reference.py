#!/usr/bin/python3
"""pydicom's decoding of every file in its data/charset_files: each Person Name value (top level
and inside sequence items, in file order) and the patient's name, for test_charset to compare
with SpineLens's decoder.

usage: charset_reference.py OUT.json
"""
import glob
import json
import os
import sys

import pydicom

CHARSETS = os.path.join(os.path.dirname(pydicom.__file__), "data", "charset_files")


def main():
    out = []
    for path in sorted(glob.glob(os.path.join(CHARSETS, "*.dcm"))):
        ds = pydicom.dcmread(path)
        names = []
        for e in ds.iterall():
            if e.VR != "PN" or e.value is None:
                continue
            value = "\\".join(str(v) for v in e.value) if e.VM > 1 else str(e.value)
            if value:
                names.append(value)
        out.append({"path": path, "patientName": str(ds.get("PatientName", "")),
                    "charset": ds.get("SpecificCharacterSet", ""), "personNames": names})
    with open(sys.argv[1], "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1, default=str)


if __name__ == "__main__":
    main()
