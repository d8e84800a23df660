"""Limits on guessing: password sign-ins and judges' PINs.

One Flask-Limiter per app, in memory by default and in Redis when
``CONTEST_RATELIMIT_STORAGE`` (or a Redis ``CONTEST_MESSAGE_QUEUE``) is set, so that
several server processes share the counters. Only failed attempts are counted, so a
desk full of people signing in from one address is never slowed down. If Redis goes
away the limiter falls back to memory rather than refusing every sign-in.

Views are limited by wrapping their registered view function (``limit_view``);
code that checks a PIN outside a view (a Socket.IO handler) calls
``ensure_attempt_allowed`` before and ``record_failed_attempt`` after a wrong PIN.
"""
from __future__ import annotations

import os

from flask import Flask, current_app, has_request_context, jsonify, render_template, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import parse_many

from contest_app.services.errors import ServiceError

TOO_MANY = "Bạn đã thử quá nhiều lần. Vui lòng thử lại sau ít phút."
DEFAULT_LOGIN_LIMIT = "10 per minute;50 per hour"
DEFAULT_PIN_LIMIT = "5 per minute;20 per hour"
#: Endpoints where a judge's PIN (POST) or personal link (GET) is checked, with the method that checks it.
PIN_ENDPOINTS = (("judge.pin_login", "POST"), ("judge.token_login", "GET"))
EXTENSION_KEY = "contest_limiter"


class TooManyAttempts(ServiceError):
    """Too many failed attempts from one place; try again later."""

    code = "too_many_attempts"
    status = 429


def storage_uri(app: Flask) -> str:
    """Where the counters live: an explicit setting, else the Redis message queue, else memory."""
    explicit = app.config.get("CONTEST_RATELIMIT_STORAGE") or os.environ.get("CONTEST_RATELIMIT_STORAGE")
    if explicit:
        return explicit
    queue = app.config.get("CONTEST_MESSAGE_QUEUE") or ""
    if queue.startswith(("redis://", "rediss://")):
        return queue
    return "memory://"


def _failed(response) -> bool:
    """Count an attempt only when it was refused (wrong password or PIN)."""
    return response.status_code in (401, 403)


def get_limiter(app: Flask | None = None) -> Limiter:
    """The limiter bound to ``app`` (the current app by default)."""
    return (app or current_app).extensions[EXTENSION_KEY]


def limit_view(app: Flask, endpoint: str, limits: str, method: str = "POST") -> bool:
    """Wrap the view of ``endpoint`` so that refused ``method`` requests count against ``limits``; False if absent."""
    view = app.view_functions.get(endpoint)
    if view is None or getattr(view, "_contest_rate_limited", False):
        return False
    limiter = get_limiter(app)
    wrapped = limiter.limit(limits, methods=[method], deduct_when=_failed, key_func=get_remote_address)(view)
    wrapped._contest_rate_limited = True
    app.view_functions[endpoint] = wrapped
    return True


def init_rate_limits(app: Flask) -> Limiter:
    """Create the app's limiter, limit sign-in and PIN endpoints, and render 429 in Vietnamese."""
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter = Limiter(
        key_func=get_remote_address,
        storage_uri=storage_uri(app),
        default_limits=[],
        swallow_errors=True,
        in_memory_fallback_enabled=True,
        headers_enabled=True,
        strategy="moving-window",
    )
    limiter.init_app(app)
    app.extensions[EXTENSION_KEY] = limiter
    login_limit = app.config.get("CONTEST_LOGIN_LIMIT", DEFAULT_LOGIN_LIMIT)
    pin_limit = app.config.get("CONTEST_PIN_LIMIT", DEFAULT_PIN_LIMIT)
    limit_view(app, "auth.login", login_limit)
    for endpoint, method in PIN_ENDPOINTS:
        limit_view(app, endpoint, pin_limit, method)
    pending = {"done": False}

    @app.before_request
    def limit_late_endpoints():
        # Blueprints registered after this one get their PIN endpoints limited on the first request.
        if not pending["done"]:
            pending["done"] = True
            for endpoint, method in PIN_ENDPOINTS:
                limit_view(app, endpoint, pin_limit, method)

    @app.errorhandler(429)
    def too_many_requests(_exc):
        if request.is_json or request.accept_mimetypes.best == "application/json":
            return jsonify({"ok": False, "code": "too_many_attempts", "message": TOO_MANY}), 429
        return render_template("errors/error.html", message=TOO_MANY, status=429), 429

    @app.errorhandler(TooManyAttempts)
    def too_many_attempts(exc: TooManyAttempts):
        if request.is_json or request.accept_mimetypes.best == "application/json":
            return jsonify(exc.to_dict()), 429
        return render_template("errors/error.html", message=exc.message, status=429), 429

    return limiter


def _items(kind: str):
    setting = {"pin": ("CONTEST_PIN_LIMIT", DEFAULT_PIN_LIMIT), "login": ("CONTEST_LOGIN_LIMIT", DEFAULT_LOGIN_LIMIT)}
    name, default = setting.get(kind, setting["pin"])
    return parse_many(current_app.config.get(name, default))


def ensure_attempt_allowed(*, kind: str, key: str) -> None:
    """Refuse (TooManyAttempts, in Vietnamese) when ``key`` has used up its failed attempts."""
    strategy = get_limiter().limiter
    for item in _items(kind):
        if not strategy.test(item, kind, key):
            raise TooManyAttempts(TOO_MANY)


def record_failed_attempt(*, kind: str, key: str) -> None:
    """Count one failed attempt (a wrong PIN or token) against ``key``."""
    strategy = get_limiter().limiter
    for item in _items(kind):
        strategy.hit(item, kind, key)


def attempt_key(*parts: object) -> str:
    """A key for ``ensure_attempt_allowed``: the client address plus what is being guessed."""
    address = request.remote_addr if has_request_context() else None
    return ":".join([address or "local", *(str(p) for p in parts)])


__all__: list[str] = [
    "TOO_MANY",
    "TooManyAttempts",
    "attempt_key",
    "ensure_attempt_allowed",
    "get_limiter",
    "init_rate_limits",
    "limit_view",
    "record_failed_attempt",
    "storage_uri",
]
