"""Entry dossiers (đề cương / thuyết minh): PDF or DOCX, checked by content, stored under
instance/uploads/dossiers with a random name (never the user's file name), served only
to people allowed to see the entry. Flushes; the caller commits.
"""
from __future__ import annotations

import secrets
import zipfile
from io import BytesIO
from pathlib import Path

from flask import current_app
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from contest_app.extensions import db
from contest_app.models import Entry, User
from contest_app.services.errors import NotFound, ValidationError
from contest_app.services.rounds.registration import ensure_unit_access
from contest_app.services.trust.audit import actor_name, record_event

#: Default per-file limit for a dossier (the request limit MAX_CONTENT_LENGTH is global).
DEFAULT_DOSSIER_MAX_BYTES = 10 * 1024 * 1024


def sniff_dossier(data: bytes) -> str | None:
    """``"pdf"`` or ``"docx"`` judged by the content (never by the name), else None."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError):
            return None
        if "word/document.xml" in names:
            return "docx"
    return None


def upload_root() -> Path:
    configured = current_app.config.get("UPLOAD_FOLDER")
    root = Path(configured) if configured else Path(current_app.instance_path) / "uploads"
    return root


def _display_filename(filename: str, kind: str) -> str:
    base = Path((filename or "").replace("\\", "/")).name
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>|:*?/')[:200].strip()
    return base or f"ho-so.{kind}"


def store_dossier(*, entry: Entry, filename: str, data: bytes, actor: User) -> Entry:
    """Store an entry's dossier (PDF or DOCX, checked by content) under a random name."""
    ensure_unit_access(user=actor, unit_id=entry.unit_id)
    limit = int(current_app.config.get("DOSSIER_MAX_BYTES", DEFAULT_DOSSIER_MAX_BYTES))
    if not data:
        raise ValidationError("Tệp hồ sơ trống.", code="empty_file")
    if len(data) > limit:
        shown = f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"
        raise ValidationError(f"Tệp hồ sơ vượt quá dung lượng cho phép ({shown}).", code="file_too_large")
    kind = sniff_dossier(data)
    if kind is None:
        raise ValidationError("Tệp hồ sơ phải là PDF hoặc Word (DOCX); nội dung tệp không đúng định dạng.",
                              code="bad_file_type")
    folder = upload_root() / "dossiers"
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"{secrets.token_hex(16)}.{kind}"
    (folder / stored).write_bytes(data)
    # The replaced file goes when the change is committed; the new one if it is rolled back.
    info = db.session.info
    info.setdefault(_WRITTEN, []).append(folder / stored)
    if entry.dossier_path:
        info.setdefault(_REPLACED, []).append(upload_root() / entry.dossier_path)
    before = {"dossier_path": entry.dossier_path, "dossier_name": entry.dossier_name}
    entry.dossier_path = f"dossiers/{stored}"
    entry.dossier_name = _display_filename(filename, kind)
    if not entry.dossier_name.lower().endswith(f".{kind}"):
        entry.dossier_name += f".{kind}"
    db.session.flush()
    record_event(actor=actor_name(actor), action="entry.dossier", edition_id=entry.edition_id, object_type="entry",
                 object_id=entry.id, before=before,
                 after={"dossier_path": entry.dossier_path, "dossier_name": entry.dossier_name, "bytes": len(data)})
    return entry


_WRITTEN, _REPLACED = "contest_dossiers_written", "contest_dossiers_replaced"


def _remove(paths: list[Path]) -> None:
    root = upload_root().resolve()
    for path in paths:
        resolved = path.resolve()
        if root in resolved.parents:
            resolved.unlink(missing_ok=True)


@sa_event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    session.info.pop(_WRITTEN, None)
    replaced = session.info.pop(_REPLACED, None)
    if replaced:
        _remove(replaced)


@sa_event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_REPLACED, None)
    written = session.info.pop(_WRITTEN, None)
    if written:
        _remove(written)


def dossier_file(entry: Entry) -> Path:
    """The stored file of an entry's dossier; refuse when there is none."""
    if not entry.dossier_path:
        raise NotFound("Mô hình, sáng kiến này chưa có hồ sơ.", code="no_dossier")
    root = upload_root().resolve()
    path = (root / entry.dossier_path).resolve()
    if root not in path.parents or not path.is_file():
        raise NotFound("Không tìm thấy tệp hồ sơ.", code="dossier_missing")
    return path
