"""One source for the nginx file: docs/deployment.md shows exactly what its documented commands render
from contest_app/deploy/nginx.conf.template, and Debian's nginx accepts both forms inside http { }."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from contest_app.paths import STATIC_DIR
from tests.deploy.nginx_harness import check_config, self_signed_certificate

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "deployment.md"
DOC_STATIC = "/opt/contest_app/venv/lib/python3.11/site-packages/contest_app/static"


def documented_blocks() -> list[tuple[list[str], str]]:
    """Each ``contest-flask deploy nginx …`` command of the doc with the nginx block that follows it."""
    text = DOC.read_text(encoding="utf-8")
    pairs = re.findall(r"^contest-flask deploy nginx (.*?) \| sudo tee .*?\n```\n.*?```nginx\n(.*?)```\n",
                       text, re.M | re.S)
    return [(shlex.split(args), block) for args, block in pairs]


def test_doc_shows_the_tls_and_the_lan_forms():
    blocks = documented_blocks()
    assert [args[0] for args in (a for a, _ in blocks)] == ["--tls", "--port"]


@pytest.mark.parametrize("index", [0, 1], ids=["tls", "lan"])
def test_doc_block_is_what_the_documented_command_renders(app, index):
    args, block = documented_blocks()[index]
    result = app.test_cli_runner().invoke(args=["deploy", "nginx", *args])
    assert result.exit_code == 0, result.output
    # The doc was rendered on a server where the package sits in /opt/contest_app/venv (Python 3.11).
    assert result.output.replace(f"alias {STATIC_DIR}/;", f"alias {DOC_STATIC}/;") == block
    assert "proxy_set_header Host $http_host;" in block and "proxy_set_header Host $host;" not in block
    assert block.count("max_fails=0;") == 4 and "client_max_body_size 25m;" in block
    listens = re.findall(r"^\s*(listen .*;)$", block, re.M)
    assert listens == [["listen 80;", "listen 443 ssl;"], ["listen 8080;"]][index]  # never http2


def test_nginx_accepts_both_forms_inside_http(app, tmp_path):
    cert, key = self_signed_certificate(tmp_path / "tls")
    runner = app.test_cli_runner()
    tls = runner.invoke(args=["deploy", "nginx", "--tls", "--server-name", "hoithi.example", "--port", "127.0.0.1:8080",
                              "--https-port", "127.0.0.1:8443", "--certificate", str(cert),
                              "--certificate-key", str(key)])
    assert "return 301 https://$host:8443$request_uri;" in tls.output
    lan = runner.invoke(args=["deploy", "nginx", "--port", "127.0.0.1:8080"])
    for name, rendered in (("tls", tls.output), ("lan", lan.output)):
        checked = check_config(tmp_path / name, rendered)
        assert checked.returncode == 0, checked.stderr
        assert "test is successful" in checked.stderr


def test_max_body_not_above_the_app_limit_is_refused(app):
    result = app.test_cli_runner().invoke(args=["deploy", "nginx", "--max-body-mb", "20"])
    assert (result.exit_code, result.output) == (
        1, "Lỗi: --max-body-mb phải lớn hơn giới hạn của ứng dụng (20 MB, CONTEST_MAX_UPLOAD_MB).\n")
