"""Finding editions by id or year."""
from __future__ import annotations

from sqlalchemy import select

from contest_app.extensions import db
from contest_app.models import Edition
from contest_app.services.errors import NotFound


def get_edition(ref: int | str) -> Edition:
    """Return the edition named by its id or its year (a number of four digits is a year)."""
    text = str(ref).strip()
    if not text.isdigit():
        raise NotFound(f"Không tìm thấy kỳ thi “{text}”: hãy nhập mã số hoặc năm tổ chức.")
    value = int(text)
    edition = None
    if value >= 1000:
        edition = db.session.scalar(select(Edition).where(Edition.year == value))
    if edition is None:
        edition = db.session.get(Edition, value)
    if edition is None:
        raise NotFound(f"Không tìm thấy kỳ thi “{text}”.")
    return edition


def list_editions() -> list[Edition]:
    """Every edition, the newest first."""
    return list(db.session.scalars(select(Edition).order_by(Edition.year.desc())))
