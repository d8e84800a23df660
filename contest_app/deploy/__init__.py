"""Deployment files rendered from templates shipped in the package: today the nginx configuration.

``nginx.conf.template`` is the one source of the nginx file: ``flask --app contest_app deploy nginx``
renders it, docs/deployment.md shows its output verbatim (a test keeps them equal), and the
deployment test runs nginx with it. Imports nothing of ours but ``paths``.
"""
from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, StrictUndefined

from contest_app.paths import STATIC_DIR

TEMPLATE = Path(__file__).resolve().parent / "nginx.conf.template"
DEFAULT_BACKENDS = ("127.0.0.1:5001", "127.0.0.1:5002")


def render_nginx(
    *,
    backends: tuple[str, ...] | list[str] = DEFAULT_BACKENDS,
    server_name: str = "_",
    port: str = "80",
    tls: bool = False,
    https_port: str = "443",
    certificate: str = "/etc/ssl/certs/contest_app.pem",
    certificate_key: str = "/etc/ssl/private/contest_app.key",
    static_dir: str | Path = STATIC_DIR,
    app_limit_mb: int = 20,
    max_body_mb: int | None = None,
) -> str:
    """The nginx file (to include inside ``http { }``): plain HTTP on ``port``, or with ``tls`` HTTPS on
    ``https_port`` and a redirect from ``port``. ``port`` may be ``ADDRESS:PORT``."""
    https_number = str(https_port).rsplit(":", 1)[-1]
    env = Environment(undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False)
    template = env.from_string(TEMPLATE.read_text(encoding="utf-8"))
    return template.render(
        backends=list(backends),
        server_name=server_name,
        http_listen=str(port),
        https_listen=str(https_port),
        https_suffix="" if https_number == "443" else f":{https_number}",
        tls=tls,
        certificate=certificate,
        certificate_key=certificate_key,
        static_dir=str(static_dir).rstrip("/"),
        app_limit_mb=app_limit_mb,
        max_body_mb=max_body_mb if max_body_mb is not None else app_limit_mb + 5,
    )
