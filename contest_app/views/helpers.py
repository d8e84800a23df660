"""What every view shares: access checks, template filters, error pages, security headers."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import Flask, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import InternalServerError

from contest_app.extensions import db
from contest_app.formatting import vn, vn_money
from contest_app.services.errors import SERVER_ERROR, ServiceError, server_error_id

DENIED = "Bạn không có quyền thực hiện thao tác này."
#: The longest value any form field may carry (the longest column is shorter; texts are Text).
MAX_FIELD = 20_000




def roles_required(*roles: str) -> Callable:
    """Allow the view only to signed-in users holding one of ``roles``; refuse others in Vietnamese."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            if not current_user.is_authenticated:
                if request.accept_mimetypes.best == "application/json" or request.is_json:
                    return jsonify({"ok": False, "code": "login_required", "message": "Vui lòng đăng nhập để tiếp tục."}), 401
                flash("Vui lòng đăng nhập để tiếp tục.", "warning")
                return redirect(url_for("auth.login", next=request.full_path))
            if roles and not current_user.has_role(*roles):
                if request.accept_mimetypes.best == "application/json" or request.is_json:
                    return jsonify({"ok": False, "code": "forbidden", "message": DENIED}), 403
                return render_template("errors/403.html", message=DENIED), 403
            return view(*args, **kwargs)

        return wrapped

    return decorator


@dataclass
class Action:
    """What a view's change came to: ``ok`` once committed, or the refusal in ``error``."""

    message: str | None = None
    ok: bool = False
    error: ServiceError | None = None

    def succeed(self, message: str) -> None:
        """The Vietnamese message to flash once the change is committed."""
        self.message = message


@contextmanager
def view_action(success: str | None = None) -> Iterator[Action]:
    """Run a view's change in the ``with`` block: the one try / flash / commit of every view.

    A ``ServiceError`` raised in the block rolls back, flashes its Vietnamese message and stops
    the block (kept in ``action.error``; nothing changed); otherwise the view commits once and
    flashes the success message (``success`` or the one given to ``action.succeed``).
    """
    action = Action(message=success)
    try:
        yield action
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        action.error = exc
        return
    db.session.commit()
    action.ok = True
    if action.message:
        flash(action.message, "success")


def flash_form_errors(form) -> None:
    """Flash every message of a form that did not validate, in one line (Vietnamese)."""
    flash("; ".join(e for errors in form.errors.values() for e in errors) or "Dữ liệu không hợp lệ.", "danger")


def register_helpers(app: Flask) -> None:
    """Install filters, error handlers and response headers."""
    app.jinja_env.filters["vn"] = vn
    app.jinja_env.filters["money"] = vn_money

    @app.errorhandler(ServiceError)
    def service_error(exc: ServiceError):
        if request.is_json or request.accept_mimetypes.best == "application/json":
            return jsonify(exc.to_dict()), exc.status
        return render_template("errors/error.html", message=exc.message, status=exc.status), exc.status

    @app.errorhandler(404)
    def not_found(_exc):
        return render_template("errors/error.html", message="Không tìm thấy trang yêu cầu.", status=404), 404

    @app.errorhandler(413)
    def too_large(_exc):
        return render_template("errors/error.html", message="Tệp tải lên vượt quá dung lượng cho phép.", status=413), 413

    @app.errorhandler(400)
    def bad_request(exc):
        message = "Yêu cầu không hợp lệ."
        description = getattr(exc, "description", "") or ""
        if "CSRF" in description:
            message = "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ (CSRF). Vui lòng tải lại trang và thử lại."
        return render_template("errors/error.html", message=message, status=400), 400

    @app.errorhandler(InternalServerError)
    def server_error(exc):
        from contest_app.extensions import db

        db.session.rollback()
        error_id = server_error_id(getattr(exc, "original_exception", None) or exc)
        if request.is_json or request.accept_mimetypes.best == "application/json":
            return jsonify({"ok": False, "code": "server_error", "message": f"{SERVER_ERROR} Mã lỗi: {error_id}.",
                            "error_id": error_id}), 500
        return render_template("errors/500.html", message=SERVER_ERROR, error_id=error_id, status=500), 500

    @app.before_request
    def refuse_control_characters():
        # Every form field, every edge: no NUL or control character, no megabyte of text.
        from contest_app.services.trust.inputs import CONTROL, has_control

        if request.method not in ("POST", "PUT", "PATCH"):
            return None
        for key, value in request.form.items(multi=True):
            if has_control(key) or has_control(value):
                message = CONTROL
            elif len(value) > MAX_FIELD:
                message = f"Nội dung nhập vào quá dài (tối đa {MAX_FIELD} ký tự)."
            else:
                continue
            if request.is_json or request.accept_mimetypes.best == "application/json":
                return jsonify({"ok": False, "code": "bad_input", "message": message}), 400
            return render_template("errors/error.html", message=message, status=400), 400
        return None

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
            "connect-src 'self' ws: wss:; font-src 'self'; object-src 'none'; base-uri 'self'; "
            "frame-ancestors 'self'",
        )
        return response


__all__ = ["DENIED", "abort", "roles_required"]
