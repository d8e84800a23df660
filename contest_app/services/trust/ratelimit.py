"""Limits on guessing: password sign-ins, judges' PINs and judges' personal links.

Every attempt takes its place in the counters BEFORE the credential is checked: an
atomic increment (Redis ``INCR`` + ``EXPIRE`` in one transaction when Redis is
configured, a lock-protected dictionary otherwise), so a burst of simultaneous attempts
is limited exactly: with a limit of 10, exactly 10 are checked and the rest get 429. A
successful attempt gives its place back, so only failures count.

Counters are keyed on the source (the client address, read through
``CONTEST_TRUSTED_PROXIES`` proxies with werkzeug's ProxyFix) AND the target (the
username, the judge): an attacker's failures use up the attacker's own allowance for
that target, never the judge's or the user's from another address. A looser limit per
source across every target stops spraying, and a loose limit per judge across every
source bounds a distributed PIN guess; neither touches the QR link, which has its own
counter and is never slowed down by PIN failures.
"""
from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field

from flask import Flask, current_app, has_request_context, jsonify, render_template, request
from limits import RateLimitItem, parse_many

from contest_app.services.errors import ServiceError

TOO_MANY = "Bạn đã thử quá nhiều lần. Vui lòng thử lại sau ít phút."
EXTENSION_KEY = "contest_attempts"

#: kind -> scope -> (setting, default). "pair" is (source, target); "source" every target
#: from one address; "target" every address against one target.
LIMITS: dict[str, dict[str, tuple[str, str]]] = {
    "login": {
        "pair": ("CONTEST_LOGIN_LIMIT", "10 per minute;50 per hour"),
        "source": ("CONTEST_LOGIN_SOURCE_LIMIT", "30 per minute;200 per hour"),
    },
    "pin": {
        "pair": ("CONTEST_PIN_LIMIT", "5 per minute;20 per hour"),
        "source": ("CONTEST_PIN_SOURCE_LIMIT", "10 per minute;40 per hour"),
        "target": ("CONTEST_PIN_TARGET_LIMIT", "100 per hour"),
    },
    "token": {
        "source": ("CONTEST_TOKEN_LIMIT", "10 per minute;50 per hour"),
    },
}


class TooManyAttempts(ServiceError):
    """Too many failed attempts from one place; try again later."""

    code = "too_many_attempts"
    status = 429

    def __init__(self, message: str = TOO_MANY, retry_after: int = 60, **details) -> None:
        super().__init__(message, **details)
        self.retry_after = retry_after


# ----------------------------------------------------------------------------- stores


class MemoryStore:
    """Counters of one process, every change under one lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, float]] = {}

    def incr(self, key: str, expiry: int) -> tuple[int, float]:
        """Add one to ``key`` (a new or expired key starts a window of ``expiry`` s); the new count and its end."""
        now = time.time()
        with self._lock:
            count, until = self._counts.get(key, (0, 0.0))
            if until <= now:
                count, until = 0, now + expiry
            count += 1
            self._counts[key] = (count, until)
            if len(self._counts) > 100_000:  # forget expired windows now and then
                self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
            return count, until

    def decr(self, key: str) -> None:
        with self._lock:
            count, until = self._counts.get(key, (0, 0.0))
            if count > 0:
                self._counts[key] = (count - 1, until)

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()


class RedisStore:
    """Counters shared by every server process: INCR and EXPIRE NX in one MULTI/EXEC."""

    def __init__(self, url: str, prefix: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._errors = redis.RedisError
        self._prefix = prefix
        # Redis gone: count in this process rather than refuse every sign-in.
        self._fallback = MemoryStore()

    def incr(self, key: str, expiry: int) -> tuple[int, float]:
        name = f"{self._prefix}:{key}"
        try:
            pipe = self._redis.pipeline(transaction=True)
            pipe.incr(name)
            pipe.expire(name, expiry, nx=True)
            pipe.ttl(name)
            count, _set, ttl = pipe.execute()
        except self._errors:
            current_app.logger.warning("rate limit: Redis unreachable, counting in memory")
            return self._fallback.incr(key, expiry)
        return int(count), time.time() + max(int(ttl), 1)

    def decr(self, key: str) -> None:
        try:
            self._redis.decr(f"{self._prefix}:{key}")
        except self._errors:
            self._fallback.decr(key)

    def clear(self) -> None:
        for name in self._redis.scan_iter(f"{self._prefix}:*"):
            self._redis.delete(name)


def storage_uri(app: Flask) -> str:
    """Where the counters live: an explicit setting, else the Redis message queue, else memory."""
    explicit = app.config.get("CONTEST_RATELIMIT_STORAGE") or os.environ.get("CONTEST_RATELIMIT_STORAGE")
    if explicit:
        return explicit
    queue = app.config.get("CONTEST_MESSAGE_QUEUE") or ""
    if queue.startswith(("redis://", "rediss://")):
        return queue
    return "memory://"


def get_store(app: Flask | None = None):
    """The counters of ``app`` (the current app by default)."""
    return (app or current_app).extensions[EXTENSION_KEY]


# ----------------------------------------------------------------------------- attempts


def client_address() -> str:
    """The client's address (ProxyFix has already put the forwarded one in ``remote_addr``)."""
    return (request.remote_addr if has_request_context() else None) or "local"


def _items(kind: str, scope: str) -> list[RateLimitItem]:
    name, default = LIMITS[kind][scope]
    return parse_many(current_app.config.get(name) or default)


@dataclass
class Attempt:
    """A place taken in the counters; ``succeeded`` gives it back (only failures count)."""

    store: object
    keys: list[str] = field(default_factory=list)
    #: Failures this source may still make against this target in the tightest window, this one included.
    remaining: int | None = None

    def succeeded(self) -> None:
        for key in self.keys:
            self.store.decr(key)
        self.keys = []

    def failed(self) -> None:
        self.keys = []


def begin_attempt(*, kind: str, target: object | None = None, source: str | None = None) -> Attempt:
    """Take one place in every counter of ``kind`` for (source, target); refuse when one is full.

    Raises TooManyAttempts (Vietnamese, 429) — having taken nothing — when any limit is
    already used up. Otherwise the caller checks the credential and calls ``succeeded()``
    or ``failed()`` on the returned attempt.
    """
    store = get_store()
    source = source or client_address()
    scopes = {"pair": f"{source}|{target}", "source": source, "target": str(target)}
    attempt = Attempt(store)
    for scope, ident in scopes.items():
        if scope not in LIMITS[kind] or (scope != "source" and target is None):
            continue
        for item in _items(kind, scope):
            key = f"{kind}:{scope}:{item.amount}/{item.get_expiry()}:{ident}"
            count, until = store.incr(key, item.get_expiry())
            attempt.keys.append(key)
            if scope == "pair":
                left = item.amount - count
                attempt.remaining = left if attempt.remaining is None else min(attempt.remaining, left)
            if count > item.amount:
                attempt.succeeded()  # give back every place taken: a refused try is not an attempt
                raise TooManyAttempts(TOO_MANY, retry_after=max(1, int(until - time.time()) + 1))
    return attempt


# --- the names earlier code and tests use --------------------------------------------------


def attempt_key(*parts: object) -> str:
    """``source:part:part`` (for logs and tests)."""
    return ":".join([client_address(), *(str(p) for p in parts)])


def too_many_response(exc: TooManyAttempts | None = None):
    """The 429 answer, as JSON or as the Vietnamese page, with Retry-After."""
    retry = getattr(exc, "retry_after", 60)
    if request.is_json or request.accept_mimetypes.best == "application/json":
        response = jsonify({"ok": False, "code": "too_many_attempts", "message": TOO_MANY})
    else:
        response = current_app.make_response(render_template("errors/error.html", message=TOO_MANY, status=429))
    response.status_code = 429
    response.headers["Retry-After"] = str(retry)
    return response


def init_rate_limits(app: Flask):
    """Create the app's counters (Redis or memory) and answer 429 in Vietnamese."""
    uri = storage_uri(app)
    if uri.startswith(("redis://", "rediss://")):
        prefix = app.config.get("RATELIMIT_KEY_PREFIX") or app.config.get("CONTEST_SOCKETIO_CHANNEL") or "contest"
        store = RedisStore(uri, f"{prefix}:attempts")
    else:
        store = MemoryStore()
    app.extensions[EXTENSION_KEY] = store

    @app.errorhandler(TooManyAttempts)
    def too_many_attempts(exc: TooManyAttempts):
        return too_many_response(exc)

    return store


__all__: list[str] = [
    "Attempt", "LIMITS", "MemoryStore", "RedisStore", "TOO_MANY", "TooManyAttempts", "attempt_key",
    "begin_attempt", "client_address", "get_store", "init_rate_limits", "storage_uri", "too_many_response",
]
