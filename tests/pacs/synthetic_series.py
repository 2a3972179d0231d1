"""A synthetic MR series of N slices (16-bit, explicit VR little endian) written with pydicom,
for the PACS tests and benchmark: large enough to be interrupted and to time, no patient data."""
import os

import numpy as np
import pydicom
from pydicom.dataset import FileDataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, MRImageStorage, generate_uid


def write_series(folder, slices, size, seed=1):
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(seed)
    study, series, frame = generate_uid(), generate_uid(), generate_uid()
    y, x = np.mgrid[0:size, 0:size]
    base = (1000 + 800 * np.sin(x / 17.0) * np.cos(y / 23.0)).astype(np.int32)
    paths = []
    for i in range(slices):
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = MRImageStorage
        meta.MediaStorageSOPInstanceUID = generate_uid()
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        path = os.path.join(folder, f"slice{i:04d}.dcm")
        ds = FileDataset(path, {}, file_meta=meta, preamble=b"\0" * 128)
        ds.SOPClassUID, ds.SOPInstanceUID = MRImageStorage, meta.MediaStorageSOPInstanceUID
        ds.PatientName, ds.PatientID = "SYNTHETIC^BENCH", "SYNTH-BENCH"
        ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = study, series, frame
        ds.StudyDate, ds.StudyTime, ds.Modality = "20260101", "120000", "MR"
        ds.SeriesNumber, ds.InstanceNumber = 1, i + 1
        ds.StudyDescription, ds.SeriesDescription = "Synthetic bench", "Synthetic T2"
        ds.AccessionNumber = "SYNTH-ACC-1"
        ds.ImagePositionPatient = [0.0, 0.0, float(i)]
        ds.ImageOrientationPatient = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]
        ds.PixelSpacing, ds.SliceThickness = [0.5, 0.5], 1.0
        ds.Rows = ds.Columns = size
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
        noise = rng.integers(0, 200, size=(size, size))
        ds.PixelData = np.clip(base + noise + 3 * i, 0, 4095).astype("<u2").tobytes()
        ds.is_little_endian, ds.is_implicit_VR = True, False
        ds.save_as(path, write_like_original=False)
        paths.append(path)
    return study, series, paths
