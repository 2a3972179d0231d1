"""A real Orthanc (Debian's `orthanc` + `orthanc-dicomweb`) for the PACS tests and benchmark.

Started on free localhost ports with its own configuration and storage folder, and stopped by
its pid when the `with` block ends, also when a test fails. The child also gets SIGTERM if
this Python process dies (PR_SET_PDEATHSIG), so a killed test leaves no server behind.
"""
import ctypes
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

ORTHANC = "/usr/sbin/Orthanc"
PLUGINS = "/usr/share/orthanc/plugins"


def free_port():
    """A localhost port nobody listens on now (the OS picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent():
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Orthanc:
    def __init__(self, aet="ORTHANC", modalities=None, check_called_aet=True,
                 users=None, extra=None, tls_certificate=None):
        self.aet = aet
        self.dicom_port = free_port()
        self.http_port = free_port()
        self.folder = tempfile.mkdtemp(prefix="spinelens-orthanc-")
        self.users = users or {}
        config = {
            "Name": "SpineLens test PACS",
            "DicomAet": aet,
            "DicomPort": self.dicom_port,
            "HttpPort": self.http_port,
            "StorageDirectory": os.path.join(self.folder, "storage"),
            "IndexDirectory": os.path.join(self.folder, "index"),
            "Plugins": [PLUGINS],
            "RemoteAccessAllowed": False,
            "AuthenticationEnabled": bool(self.users),
            "RegisteredUsers": self.users,
            "DicomCheckCalledAet": check_called_aet,
            "DicomAlwaysAllowEcho": True,
            "DicomAlwaysAllowStore": True,
            "DicomAlwaysAllowFind": True,
            "DicomAlwaysAllowGet": True,
            "DicomAlwaysAllowMove": True,
            "DicomModalities": modalities or {},
            "DicomScuTimeout": 10,
            "DicomScpTimeout": 30,
            "StableAge": 1,
            "HttpTimeout": 30,
            "DicomWeb": {"Enable": True, "Root": "/dicom-web/"},
        }
        if tls_certificate:  # a PEM file holding the certificate and its private key
            config["SslEnabled"] = True
            config["SslCertificate"] = tls_certificate
        self.tls = bool(tls_certificate)
        config.update(extra or {})
        self.config_path = os.path.join(self.folder, "orthanc.json")
        with open(self.config_path, "w") as f:
            json.dump(config, f, indent=1)
        self.process = None

    @property
    def url(self):
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.http_port}"

    @property
    def dimse(self):
        return f"dicom://{self.aet}@127.0.0.1:{self.dicom_port}"

    @property
    def dicomweb(self):
        return f"{self.url}/dicom-web"

    def start(self):
        log = open(os.path.join(self.folder, "orthanc.log"), "w")
        self.process = subprocess.Popen([ORTHANC, self.config_path], stdout=log, stderr=log, env=dict(os.environ, **getattr(self, "env", {})),
                                        preexec_fn=_die_with_parent)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("Orthanc exited at start; see " + log.name)
            try:
                self.rest("GET", "/system")
                with socket.create_connection(("127.0.0.1", self.dicom_port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("Orthanc did not answer within 60 s; see " + log.name)

    def stop(self):
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        subprocess.run(["rm", "-rf", self.folder])

    def rest(self, method, path, body=None, content_type="application/json"):
        data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", content_type)
        if self.users:
            import base64
            user, password = next(iter(self.users.items()))
            token = base64.b64encode(f"{user}:{password}".encode()).decode()
            request.add_header("Authorization", "Basic " + token)
        import ssl
        context = ssl._create_unverified_context() if self.tls else None
        with urllib.request.urlopen(request, timeout=30, context=context) as response:
            text = response.read()
            return json.loads(text) if text else None

    def upload(self, path):
        with open(path, "rb") as f:
            return self.rest("POST", "/instances", f.read(), "application/dicom")
