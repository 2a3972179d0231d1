"""Runs a command with a real Orthanc holding the synthetic sample study, for the viewer's
PACS tests (C++ Qt tests cannot start Orthanc as simply): Orthanc starts on free ports, the
sample's DICOM files are uploaded, the command runs with SPINELENS_TEST_PACS_DIMSE and
SPINELENS_TEST_PACS_WEB set (and SPINELENS_TEST_MOVE_PORT, where Orthanc sends our AE title's
C-MOVEs, and SPINELENS_TEST_PACS_PID for tests that freeze it), and Orthanc is stopped by pid
afterwards whatever happened.

usage: with_orthanc.py SPINELENS_CLI WORKDIR -- COMMAND [ARGS...]
"""
import glob
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from orthanc_server import Orthanc, free_port  # noqa: E402


def main():
    split = sys.argv.index("--")
    cli, work = sys.argv[1], sys.argv[2]
    command = sys.argv[split + 1:]
    shutil.rmtree(work, ignore_errors=True)
    subprocess.run([cli, "sample", os.path.join(work, "sample")], check=True,
                   capture_output=True)
    # Orthanc knows our default AE title as a C-MOVE destination on this port.
    move_port = free_port()
    with Orthanc(modalities={"SPINELENS": ["SPINELENS", "127.0.0.1", move_port]}) as pacs:
        for f in glob.glob(os.path.join(work, "sample", "**", "*.dcm"), recursive=True):
            pacs.upload(f)
        env = dict(os.environ, SPINELENS_TEST_PACS_DIMSE=pacs.dimse,
                   SPINELENS_TEST_PACS_WEB=pacs.dicomweb, SPINELENS_TEST_WORK=work,
                   SPINELENS_TEST_MOVE_PORT=str(move_port),
                   SPINELENS_TEST_PACS_PID=str(pacs.process.pid))
        return subprocess.run(command, env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
