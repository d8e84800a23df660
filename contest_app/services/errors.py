"""Typed errors: a Vietnamese message for the person and a code for the machine."""
from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """Base of every refusal a service can make."""

    code = "error"
    status = 400

    def __init__(self, message: str, code: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        return {"ok": False, "code": self.code, "message": self.message, **self.details}


class ValidationError(ServiceError):
    """Input that breaks a rule (a mark above the maximum, a word where a number goes)."""

    code = "invalid"
    status = 400


class NotFound(ServiceError):
    """Something named does not exist."""

    code = "not_found"
    status = 404


class PermissionDenied(ServiceError):
    """The person may not do this."""

    code = "forbidden"
    status = 403


class Conflict(ServiceError):
    """The state does not allow it (a closed segment, a locked result)."""

    code = "conflict"
    status = 409


SERVER_ERROR = "Máy chủ gặp lỗi khi xử lý yêu cầu này."


def server_error_id(exc: BaseException | None) -> str:
    """Log ``exc`` (with its traceback) under a short id the person can quote; return the id."""
    import uuid

    from flask import current_app

    error_id = uuid.uuid4().hex[:10]
    current_app.logger.error("server error %s", error_id, exc_info=exc)
    return error_id
