"""Final judges' personal login links and PINs: issue, check, revoke, regenerate.

A judge's token and PIN are derived (HMAC) from the judges' own key, the judge and a
version number, so the secretariat can print the QR sheet again without changing them;
the database keeps only their hashes. That key is NOT the session secret: whoever could
forge a session cookie still cannot compute a judge's link or PIN. It comes from
``CONTEST_JUDGE_KEY`` or is generated once in ``instance/judge_key`` (never in the
database). Regenerating raises the version: every older link, PIN and signed-in tablet
stops working. Flushes, never commits.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, select
from werkzeug.security import check_password_hash, generate_password_hash

from contest_app.enums import Panel
from contest_app.extensions import db
from contest_app.models import Edition, Judge, JudgeAccess
from contest_app.services.trust.audit import record_event
from contest_app.services.errors import NotFound, PermissionDenied

PIN_DIGITS = 6
#: Kept for callers that show it; wrong PINs are limited per address and judge in
#: services/trust/ratelimit.py, so no attacker can lock a judge's PIN from elsewhere.
MAX_PIN_FAILURES = 5


@functools.cache
def _dummy_pin_hash() -> str:
    return generate_password_hash("000000-not-a-pin")

UNAUTHENTICATED = "Bạn chưa đăng nhập hoặc mã đăng nhập đã bị thu hồi. Vui lòng quét lại mã QR của mình."


@dataclass(frozen=True)
class Credentials:
    """What is printed for one judge: the secret token (for the link) and the PIN."""

    judge: Judge
    token: str
    pin: str
    version: int


def _secret() -> bytes:
    return str(current_app.config["CONTEST_JUDGE_KEY"]).encode("utf-8")


def _derive(judge_id: int, version: int, purpose: str) -> bytes:
    message = f"contest-judge:{purpose}:{judge_id}:{version}".encode()
    return hmac.new(_secret(), message, hashlib.sha256).digest()


def _token_for(judge_id: int, version: int) -> str:
    import base64

    raw = _derive(judge_id, version, "token")[:24]
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _pin_for(judge_id: int, version: int) -> str:
    number = int.from_bytes(_derive(judge_id, version, "pin")[:8], "big") % (10**PIN_DIGITS)
    return f"{number:0{PIN_DIGITS}d}"


def hash_token(token: str) -> str:
    """The stored form of a token (SHA-256; tokens are long and random, so no salt is needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def access_of(judge: Judge) -> JudgeAccess:
    """The judge's access record, created on first use."""
    access = db.session.scalar(select(JudgeAccess).where(JudgeAccess.judge_id == judge.id))
    if access is None:
        access = JudgeAccess(judge_id=judge.id, version=1, pin_failures=0, unsent=0, connected=False)
        db.session.add(access)
        db.session.flush()
    return access


def credentials_for(judge: Judge) -> Credentials:
    """Return the judge's current token and PIN, issuing them if the judge has none."""
    access = access_of(judge)
    token = _token_for(judge.id, access.version)
    pin = _pin_for(judge.id, access.version)
    if judge.token_hash != hash_token(token) or not judge.pin_hash:
        judge.token_hash = hash_token(token)
        judge.pin_hash = generate_password_hash(pin)
        db.session.flush()
    return Credentials(judge=judge, token=token, pin=pin, version=access.version)


def final_judges(edition: Edition) -> list[Judge]:
    """The final panel's judges of ``edition``, by seat."""
    return list(
        db.session.scalars(
            select(Judge)
            .where(Judge.edition_id == edition.id, Judge.panel == Panel.FINAL.value)
            .order_by(Judge.seat, Judge.id)
        )
    )


def edition_credentials(edition: Edition) -> list[Credentials]:
    """Credentials of every final judge of ``edition`` (issued where missing)."""
    return [credentials_for(j) for j in final_judges(edition)]


def judge_for_token(token: str) -> Judge:
    """The judge a login link belongs to; refuse an unknown or revoked token."""
    if not token or len(token) > 200:
        raise PermissionDenied(UNAUTHENTICATED, code="unauthenticated")
    judge = db.session.scalar(select(Judge).where(Judge.token_hash == hash_token(token)))
    if judge is None or judge.revoked_at is not None:
        raise PermissionDenied(UNAUTHENTICATED, code="unauthenticated")
    return judge


def judge_for_pin(*, judge_id: int, pin: str) -> Judge:
    """Check a judge's PIN (the caller limits attempts per address and judge, before calling).

    An unknown judge costs the same hash as a known one, so the answer time tells nothing.
    """
    judge = db.session.get(Judge, judge_id) if is_judge_id(judge_id) else None
    text = (pin or "").strip()[:PIN_DIGITS * 2]
    if judge is None or judge.revoked_at is not None or not judge.pin_hash:
        check_password_hash(_dummy_pin_hash(), text)
        raise PermissionDenied(UNAUTHENTICATED, code="unauthenticated")
    if not check_password_hash(judge.pin_hash, text):
        raise PermissionDenied("Mã PIN không đúng.", code="bad_pin")
    return judge


def session_version(judge: Judge) -> int:
    """The version a signed-in session must carry to stay valid."""
    return access_of(judge).version


_JUDGES = Judge.__table__
_ACCESS = JudgeAccess.__table__
#: What a signed-in session is checked against, as columns of a statement that selects from the
#: judges: the judge's revocation, whether it has a login at all, and its access version.
#: ``SESSION_FROM``: the judges with their access records, to select them from.
SESSION_COLUMNS = (_JUDGES.c.revoked_at, _JUDGES.c.token_hash.is_not(None).label("has_token"),
                   _ACCESS.c.version.label("access_version"))
SESSION_FROM = _JUDGES.outerjoin(_ACCESS, _ACCESS.c.judge_id == _JUDGES.c.id)
# Is this session still valid? The judge's state and access version, no object loaded (every tablet event asks).
_SESSION_CHECK = select(*SESSION_COLUMNS).select_from(SESSION_FROM).where(_JUDGES.c.id == bindparam("judge_id"))


def is_judge_id(judge_id: object) -> bool:
    """Could ``judge_id`` (from a session or a request) name a judge at all?"""
    return isinstance(judge_id, int) and not isinstance(judge_id, bool) and 0 < judge_id < 2**63


def check_session(row: Any, judge_id: int, version: int | None) -> None:
    """Refuse a session whose judge, as ``row`` (``SESSION_COLUMNS``, or None) shows it, no longer admits it:
    unknown, revoked, without a login, or signed in before the access was re-issued."""
    if row is None or row.revoked_at is not None or not row.has_token:
        raise PermissionDenied(UNAUTHENTICATED, code="unauthenticated")
    current = row.access_version
    if current is None:  # no access record yet: created on first use
        current = access_of(db.session.get(Judge, judge_id)).version
    if current != version:
        raise PermissionDenied(UNAUTHENTICATED, code="unauthenticated")


def judge_id_for_session(judge_id: int | None, version: int | None) -> int:
    """The judge id of a signed-in tablet session (one core statement); refuse revoked or outdated sessions."""
    if not is_judge_id(judge_id):
        raise PermissionDenied(UNAUTHENTICATED, code="unauthenticated")
    check_session(db.session.connection().execute(_SESSION_CHECK, {"judge_id": judge_id}).first(), judge_id, version)
    return judge_id


def judge_for_session(judge_id: int | None, version: int | None) -> Judge:
    """The judge of a signed-in tablet session; refuse revoked or outdated sessions."""
    return db.session.get(Judge, judge_id_for_session(judge_id, version))


def get_judge(edition: Edition, judge_id: int) -> Judge:
    judge = db.session.get(Judge, judge_id)
    if judge is None or judge.edition_id != edition.id:
        raise NotFound("Không tìm thấy giám khảo.", code="judge_not_found")
    return judge


def revoke(*, judge: Judge, actor: str) -> None:
    """Revoke the judge's link, PIN and sessions (audited)."""
    judge.revoked_at = datetime.now(UTC)
    db.session.flush()
    record_event(
        actor=actor,
        action="judge_access_revoked",
        edition_id=judge.edition_id,
        object_type="judge",
        object_id=judge.id,
        before=None,
        after={"judge": judge.name},
    )


def regenerate(*, judge: Judge, actor: str) -> Credentials:
    """Issue a new link and PIN (the old ones stop working) and lift a revocation (audited)."""
    access = access_of(judge)
    access.version += 1
    access.pin_failures = 0
    access.issued_at = datetime.now(UTC)
    judge.revoked_at = None
    judge.token_hash = None
    db.session.flush()
    creds = credentials_for(judge)
    record_event(
        actor=actor,
        action="judge_access_regenerated",
        edition_id=judge.edition_id,
        object_type="judge",
        object_id=judge.id,
        after={"judge": judge.name, "version": access.version},
    )
    return creds
