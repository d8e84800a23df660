"""Accounts: creating users and checking credentials."""
from __future__ import annotations

import functools
import re

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from contest_app.enums import Role
from contest_app.extensions import db
from contest_app.models import Unit, User
from contest_app.services.errors import Conflict, NotFound, ValidationError

_USERNAME = re.compile(r"^[A-Za-z0-9_.-]{3,80}$")
MIN_PASSWORD = 8


def create_user(
    *, username: str, role: str, password: str, display_name: str = "", unit_id: int | None = None
) -> User:
    """Create an account; refuse a bad username, a short password, an unknown role or unit."""
    if not _USERNAME.match(username or ""):
        raise ValidationError(
            "Tên đăng nhập phải dài 3–80 ký tự, chỉ gồm chữ không dấu, chữ số và các dấu . _ -",
            code="bad_username",
        )
    try:
        role_value = Role(role).value
    except ValueError:
        roles = ", ".join(r.value for r in Role)
        raise ValidationError(f"Vai trò “{role}” không tồn tại. Các vai trò: {roles}.", code="bad_role") from None
    if len(password or "") < MIN_PASSWORD:
        raise ValidationError(f"Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự.", code="weak_password")
    if db.session.scalar(select(User).where(User.username == username)) is not None:
        raise Conflict(f"Tên đăng nhập “{username}” đã được sử dụng.", code="username_taken")
    if role_value == Role.FOCAL_POINT.value and unit_id is None:
        raise ValidationError("Cán bộ đầu mối phải thuộc một đơn vị.", code="unit_required")
    if unit_id is not None and db.session.get(Unit, unit_id) is None:
        raise NotFound(f"Không tìm thấy đơn vị có mã {unit_id}.", code="unit_not_found")
    user = User(username=username, role=role_value, display_name=display_name or username, unit_id=unit_id)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


@functools.cache
def _dummy_hash() -> str:
    return generate_password_hash("not-a-password-of-anyone")


def authenticate(username: str, password: str) -> User | None:
    """Return the active user with these credentials, or None.

    An unknown username costs the same password hash as a known one, so the answer time
    does not tell whether an account exists.
    """
    user = db.session.scalar(select(User).where(User.username == (username or "")[:80]))
    if user is None:
        check_password_hash(_dummy_hash(), password or "")
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user
