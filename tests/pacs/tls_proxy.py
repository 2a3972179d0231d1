"""nginx (Debian's nginx-light) in front of a test Orthanc: HTTPS with a certificate made
here, and optionally a bearer token it checks. Orthanc 1.10.1 from Debian crashes on HTTPS
requests of its own (SslEnabled), and has no bearer-token check, so TLS and OAuth-style tokens
are tested through this real proxy instead. Started on a free port, stopped by pid.

Without a certificate it serves plain HTTP; `locations` adds nginx location blocks (a server
that answers badly on purpose, a throttled path), so bad answers come from a real server too.
"""
import os
import signal
import socket
import subprocess
import tempfile
import time

from orthanc_server import _die_with_parent, free_port


def make_certificate(folder):
    """A self-signed certificate for 127.0.0.1; returns (certificate, key) paths."""
    crt, key = os.path.join(folder, "server.crt"), os.path.join(folder, "server.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", key, "-out", crt], check=True, capture_output=True)
    return crt, key


class TlsProxy:
    def __init__(self, upstream_port, certificate=None, key=None, token=None, locations=""):
        self.port = free_port()
        self.tls = certificate is not None
        tls = (f"ssl;\n    ssl_certificate {certificate};\n    ssl_certificate_key {key};"
               if self.tls else ";")
        self.folder = tempfile.mkdtemp(prefix="spinelens-nginx-")
        check = (f'if ($http_authorization != "Bearer {token}") {{ return 401; }}'
                 if token else "")
        config = f"""
daemon off;
master_process off;
worker_processes 1;
pid {self.folder}/nginx.pid;
error_log {self.folder}/error.log;
events {{ worker_connections 64; }}
http {{
  access_log off;
  client_body_temp_path {self.folder}/body;
  proxy_temp_path {self.folder}/proxy;
  fastcgi_temp_path {self.folder}/fastcgi;
  uwsgi_temp_path {self.folder}/uwsgi;
  scgi_temp_path {self.folder}/scgi;
  server {{
    listen 127.0.0.1:{self.port} {tls}
    client_max_body_size 0;
    {locations}
    location / {{
      {check}
      proxy_pass http://127.0.0.1:{upstream_port};
      proxy_buffering off;
      proxy_request_buffering off;
    }}
  }}
}}
"""
        self.config = os.path.join(self.folder, "nginx.conf")
        with open(self.config, "w") as f:
            f.write(config)
        self.process = None

    @property
    def dicomweb(self):
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}/dicom-web"

    def url(self, path):
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}{path}"

    def __enter__(self):
        self.process = subprocess.Popen(["nginx", "-p", self.folder, "-c", self.config],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        preexec_fn=_die_with_parent)
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.1)
        self.__exit__()
        raise RuntimeError("nginx did not start; see " + self.folder + "/error.log")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()
        subprocess.run(["rm", "-rf", self.folder])
