"""Deployment commands: render the nginx file, check or adopt the secret key.

``deploy nginx`` renders the one template (contest_app/deploy/nginx.conf.template) that
docs/deployment.md shows; ``secret-key`` compares this shell's CONTEST_SECRET_KEY with the
fingerprint the service recorded.
"""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from contest_app.cli_errors import CommandError
from contest_app.deploy import DEFAULT_BACKENDS, render_nginx
from contest_app.extensions import db
from contest_app.paths import STATIC_DIR
from contest_app.services.errors import ServiceError
from contest_app.services.trust.audit import record_event
from contest_app.services.trust.deployment import (
    MISSING_KEY,
    key_is_only_local,
    record_fingerprint,
    require_service_secret,
)

deploy_cli = AppGroup("deploy", help="Tệp cấu hình triển khai (nginx).")
secret_cli = AppGroup("secret-key", help="Kiểm tra khóa bí mật CONTEST_SECRET_KEY của dịch vụ.")


@deploy_cli.command("nginx")
@click.option("--server-name", default="_", show_default=True, help="Tên miền của trang (server_name).")
@click.option("--port", default=None,
              help="Cổng HTTP (có thể kèm địa chỉ, ví dụ 127.0.0.1:8080); mặc định 80.")
@click.option("--tls", is_flag=True, help="HTTPS trên --https-port, cổng HTTP chỉ chuyển hướng sang HTTPS.")
@click.option("--https-port", default="443", show_default=True, help="Cổng HTTPS (với --tls).")
@click.option("--certificate", default="/etc/ssl/certs/contest_app.pem", show_default=True,
              help="Chứng chỉ TLS (với --tls).")
@click.option("--certificate-key", default="/etc/ssl/private/contest_app.key", show_default=True,
              help="Khóa riêng của chứng chỉ (với --tls).")
@click.option("--backend", "backends", multiple=True,
              help="Địa chỉ một tiến trình máy chủ, lặp lại cho mỗi tiến trình; mặc định 127.0.0.1:5001 và :5002.")
@click.option("--static-dir", default=None, help="Thư mục static/ (mặc định: thư mục của gói đã cài).")
@click.option("--max-body-mb", type=click.IntRange(min=1), default=None,
              help="client_max_body_size (MB); mặc định giới hạn của ứng dụng cộng 5.")
@with_appcontext
def nginx_command(server_name, port, tls, https_port, certificate, certificate_key, backends, static_dir,
                  max_body_mb) -> None:
    """In tệp cấu hình nginx (đặt bên trong khối http { }, ví dụ /etc/nginx/conf.d/contest_app.conf)."""
    app_limit_mb = int(current_app.config["MAX_CONTENT_LENGTH"]) // (1024 * 1024)
    if max_body_mb is not None and max_body_mb <= app_limit_mb:
        raise CommandError(
            f"--max-body-mb phải lớn hơn giới hạn của ứng dụng ({app_limit_mb} MB, CONTEST_MAX_UPLOAD_MB)."
        )
    click.echo(render_nginx(
        backends=backends or DEFAULT_BACKENDS, server_name=server_name, port=port or "80", tls=tls,
        https_port=https_port, certificate=certificate, certificate_key=certificate_key,
        static_dir=static_dir or STATIC_DIR, app_limit_mb=app_limit_mb, max_body_mb=max_body_mb,
    ), nl=False)


@secret_cli.command("check")
@with_appcontext
def secret_check_command() -> None:
    """Kiểm tra CONTEST_SECRET_KEY ở đây có đúng là khóa của dịch vụ không."""
    try:
        require_service_secret()
    except ServiceError as exc:
        db.session.rollback()
        raise CommandError(exc.message) from None
    db.session.commit()
    click.echo("CONTEST_SECRET_KEY khớp với khóa của dịch vụ.")


@secret_cli.command("adopt")
@click.option("--yes", is_flag=True, help="Không hỏi lại.")
@with_appcontext
def secret_adopt_command(yes: bool) -> None:
    """Nhận CONTEST_SECRET_KEY hiện tại làm khóa của dịch vụ (khi cố ý đổi khóa)."""
    if key_is_only_local():
        raise CommandError(MISSING_KEY)
    if not yes:
        click.confirm(
            "Đổi khóa làm mọi đường dẫn, mã PIN của giám khảo và phiên đăng nhập cũ mất hiệu lực. Tiếp tục?",
            abort=True,
        )
    record_fingerprint()
    record_event(actor="dòng lệnh secret-key adopt", action="secret_key_adopted", object_type="deployment",
                 object_id="secret_key_fingerprint", reason="Đổi khóa bí mật của dịch vụ")
    db.session.commit()
    click.echo("Đã nhận khóa mới. Hãy khởi động lại mọi tiến trình với khóa này và in lại phiếu mã QR của giám khảo.")


def register(app: Flask) -> None:
    """Add the deployment commands to the app's command line."""
    app.cli.add_command(deploy_cli)
    app.cli.add_command(secret_cli)
