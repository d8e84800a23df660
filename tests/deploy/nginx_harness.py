"""nginx for the tests, root-less friendly: our own prefix, pid, error log and temp folders in a temp
directory, the site rendered from the one template (contest_app/deploy/nginx.conf.template) and
included inside http { } exactly as docs/deployment.md says."""
from __future__ import annotations

import getpass
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from contest_app.deploy import render_nginx
from tests.e2e.conftest import free_port, wait_for_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
MIME_TYPES = Path("/etc/nginx/mime.types")


def require_nginx() -> None:
    """Fail (not skip) with a clear message when Debian's nginx is not installed."""
    if not (Path(NGINX).is_file() and MIME_TYPES.is_file()):
        pytest.fail(f"nginx is required at {NGINX} with {MIME_TYPES} (apt-get install nginx)", pytrace=False)


def nginx_main_conf(prefix: Path, site: Path) -> str:
    """A whole nginx.conf that includes ``site`` inside http { } (like Debian's conf.d/*.conf)."""
    user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""
    temps = "\n".join(f"    {name}_temp_path {prefix / (name + '_temp')};"
                      for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return (
        f"{user}worker_processes 1;\n"
        f"pid {prefix / 'nginx.pid'};\n"
        f"error_log {prefix / 'error.log'} warn;\n"
        "events { worker_connections 1024; }\n"
        "http {\n"
        f"    include {MIME_TYPES};\n"
        "    default_type application/octet-stream;\n"
        "    access_log off;\n"
        f"{temps}\n"
        f"    include {site};\n"
        "}\n"
    )


def check_config(prefix: Path, site_text: str) -> subprocess.CompletedProcess:
    """``nginx -t`` of ``site_text`` included inside http { }."""
    require_nginx()
    prefix.mkdir(parents=True, exist_ok=True)
    site = prefix / "contest_app.conf"
    site.write_text(site_text, encoding="utf-8")
    conf = prefix / "nginx.conf"
    conf.write_text(nginx_main_conf(prefix, site), encoding="utf-8")
    return subprocess.run([NGINX, "-t", "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")],
                          capture_output=True, text=True, timeout=30)


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A throw-away certificate for 127.0.0.1 (openssl), and its key."""
    folder.mkdir(parents=True, exist_ok=True)
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True, timeout=60)
    return cert, key


class Nginx:
    """nginx in the foreground on free ports in front of ``backends``; stop() always.

    Plain HTTP (the LAN form) by default; with ``tls`` the TLS form: HTTPS on ``https_url`` and the
    redirect on ``url``.
    """

    def __init__(self, prefix: Path, backends: list[str], *, tls: bool = False) -> None:
        self.prefix = prefix
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        options = {}
        if tls:
            cert, key = self_signed_certificate(prefix / "tls")
            self.https_port = free_port()
            self.https_url = f"https://127.0.0.1:{self.https_port}"
            options = {"tls": True, "https_port": f"127.0.0.1:{self.https_port}", "certificate": str(cert),
                       "certificate_key": str(key)}
        self.site_text = render_nginx(backends=backends, port=f"127.0.0.1:{self.port}", **options)
        checked = check_config(prefix, self.site_text)
        assert checked.returncode == 0, checked.stderr
        self.log = open(prefix / "nginx.out", "wb")
        self.proc = subprocess.Popen(
            [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e", str(prefix / "error.log"),
             "-g", "daemon off;"],
            stdout=self.log, stderr=subprocess.STDOUT,
        )
        wait_for_port(self.port, self.proc, timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.log.close()
