"""The judges' tablets: the login link (/j/<token>), the PIN fallback, and the tablet page (/judge).

Marks are never posted here: the tablet page speaks only the documented Socket.IO
protocol (namespace /judge).
"""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, session, url_for
from sqlalchemy import select

from contest_app.extensions import db
from contest_app.live.judge import SESSION_KEY
from contest_app.models import Edition
from contest_app.services.errors import ServiceError
from contest_app.services.final import judge_access
from contest_app.services.final.judge_access import final_judges
from contest_app.services.rounds.editions import get_edition
from contest_app.services.trust.ratelimit import begin_attempt
from contest_app.views.validators import form_id

bp = Blueprint("judge", __name__)


def _sign_in(judge) -> None:
    session.clear()
    session[SESSION_KEY] = {"id": judge.id, "version": judge_access.session_version(judge)}
    session.permanent = True


def _pin_edition() -> Edition | None:
    ref = request.values.get("edition")
    if ref:
        return get_edition(ref)
    return db.session.scalar(
        select(Edition).where(Edition.figures_only.is_(False)).order_by(Edition.year.desc()).limit(1)
    )


@bp.get("/j/<token>")
def token_login(token: str):
    """Sign a judge in from the personal link printed as a QR code."""
    attempt = begin_attempt(kind="token")  # its own counter: PIN failures never slow a QR link down
    try:
        judge = judge_access.judge_for_token(token)
    except ServiceError as exc:
        attempt.failed()
        return render_template("judge/login.html", error=exc.message, edition=_pin_edition(), judges=[]), 403
    attempt.succeeded()
    _sign_in(judge)
    db.session.commit()
    return redirect(url_for("judge.tablet"))


@bp.get("/judge")
def tablet():
    """The tablet page, or the PIN sign-in when this tablet is not signed in."""
    info = session.get(SESSION_KEY) or {}
    try:
        judge = judge_access.judge_for_session(info.get("id"), info.get("version"))
    except ServiceError:
        edition = _pin_edition()
        judges = final_judges(edition) if edition else []
        db.session.commit()
        return render_template("judge/login.html", edition=edition, judges=judges, error=None)
    edition = db.session.get(Edition, judge.edition_id)
    db.session.commit()
    return render_template("judge/tablet.html", judge=judge, edition=edition)


@bp.get("/judge-sw.js")
def service_worker():
    """The tablet's service worker: the page and its scripts survive a reload while offline.

    Served from the root so that its scope may cover ``/judge``.
    """
    path = Path(current_app.static_folder) / "js" / "judge-sw.js"
    return Response(path.read_bytes(), mimetype="text/javascript",
                    headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"})


@bp.post("/judge/pin")
def pin_login():
    """Sign a judge in with their name and PIN (the fallback when the QR code cannot be scanned)."""
    edition = _pin_edition()
    judges = final_judges(edition) if edition else []
    try:
        judge_id = form_id(request.form.get("judge_id"))
    except ServiceError:
        return render_template("judge/login.html", edition=edition, judges=judges,
                               error="Vui lòng chọn tên của mình."), 400
    # Counted before the PIN is checked, per address AND judge: a wrong PIN elsewhere never
    # locks this judge out, and a burst cannot get more guesses than the limit.
    attempt = begin_attempt(kind="pin", target=judge_id)
    try:
        judge = judge_access.judge_for_pin(judge_id=judge_id, pin=request.form.get("pin", ""))
    except ServiceError as exc:
        attempt.failed()
        db.session.rollback()
        message = exc.message
        if exc.code == "bad_pin" and attempt.remaining is not None:
            message = f"Mã PIN không đúng. Còn {attempt.remaining} lần thử."
        return render_template("judge/login.html", edition=edition, judges=judges, error=message), 403
    attempt.succeeded()
    _sign_in(judge)
    db.session.commit()
    return redirect(url_for("judge.tablet"))


@bp.post("/judge/logout")
def logout():
    """Sign the tablet out."""
    session.pop(SESSION_KEY, None)
    flash("Đã đăng xuất khỏi máy tính bảng.", "info")
    return redirect(url_for("judge.tablet"))
