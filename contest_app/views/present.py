"""The projector page, the presenter desk, the draw pages and the answers sheet.

URL map of this blueprint:

- ``GET /present/<ref>``: the projector screen (no login; driven over Socket.IO /present).
- ``GET /present/<ref>/desk``: a desk page holding only the presenter panel (control desk roles).
- ``GET /draw/<ref>``, ``POST /draw/<ref>/prepare``, ``POST /draw/<ref>/confirm``: the draw (organisers).
- ``GET /draw/<ref>/public`` and ``/draw/<ref>/result.json``: the draw as anyone may check it.
- ``GET|POST /control/<ref>/answers``: the desk records a team's quiz answers.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from contest_app.enums import Role
from contest_app.extensions import db
from contest_app.live import broadcast
from contest_app.models import Edition, Entry
from contest_app.services.final.answers import answer_scores, answer_segment, answer_sheet, record_answer
from contest_app.services.final.draw import (
    confirm_draw,
    confirmed_assignments,
    draw_entries,
    get_draw,
    prepare_draw,
    require_entry,
    team_name,
)
from contest_app.services.final import publication
from contest_app.services.rounds.editions import get_edition
from contest_app.views.helpers import roles_required, view_action

bp = Blueprint("present", __name__)

DESK_ROLES = (Role.CONTROL, Role.SECRETARIAT, Role.ORGANISER)
#: The answers form's value for "the team gave no answer" (recorded, no points).
NO_ANSWER = "0"


@bp.app_template_global("present_desk")
def present_desk(edition: Edition) -> dict[str, Any]:
    """What the presenter panel of the desk needs: the teams in order with their drawn sets."""
    teams = [
        {
            "entry_id": a.entry_id,
            "name": team_name(a.entry),
            "order": a.appearance_order,
            "quiz_set": a.quiz_set,
            "situation_set": a.situation_set,
        }
        for a in confirmed_assignments(edition)
    ]
    return {"edition_id": edition.id, "teams": teams, "has_draw": bool(teams)}


def _actor() -> str:
    return current_user.username


@bp.get("/present/<ref>")
def screen(ref: str):
    """The projector screen: big type, 16:9; everything arrives over Socket.IO."""
    edition = get_edition(ref)
    return render_template("present/screen.html", edition=edition)


@bp.get("/present/<ref>/desk")
@roles_required(*DESK_ROLES)
def desk(ref: str):
    """A desk page with the presenter panel alone (the live desk includes the same panel)."""
    edition = get_edition(ref)
    return render_template("present/desk.html", edition=edition)


def _slots_view(edition: Edition, result: dict | None) -> list[dict[str, Any]]:
    if not result:
        return []
    names = {e.id: team_name(e) for e in db.session.query(Entry).filter(Entry.edition_id == edition.id)}
    return [
        {
            "order": s["order"],
            "team": names.get(s["entry_id"], f"#{s['entry_id']}"),
            "rebutted_by": names.get(s["rebutted_by"], "") if s["rebutted_by"] else "",
            "quiz_set": s["quiz_set"],
            "situation_set": s["situation_set"],
        }
        for s in result["slots"]
    ]


@bp.get("/draw/<ref>")
@roles_required(Role.ORGANISER, Role.SECRETARIAT, Role.CONTROL)
def draw_page(ref: str):
    """The draw: prepare it (only the fingerprint shows), confirm it (the seed and result show)."""
    edition = get_edition(ref)
    draw = get_draw(edition)
    return render_template(
        "present/draw.html",
        edition=edition,
        draw=draw,
        entries=draw_entries(edition),
        slots=_slots_view(edition, draw.result if draw and draw.is_confirmed else None),
        can_draw=current_user.has_role(Role.ORGANISER),
    )


@bp.post("/draw/<ref>/prepare")
@roles_required(Role.ORGANISER)
def draw_prepare(ref: str):
    """Fix the inputs and a new secret seed; show its fingerprint."""
    edition = get_edition(ref)
    with view_action() as action:
        draw = prepare_draw(edition=edition, actor=_actor())
        action.succeed(f"Đã tạo mã bốc thăm. Dấu vân tay SHA-256: {draw.seed_fingerprint}")
    return redirect(url_for("present.draw_page", ref=edition.id))


@bp.post("/draw/<ref>/confirm")
@roles_required(Role.ORGANISER)
def draw_confirm(ref: str):
    """Compute, reveal and lock the draw (audited)."""
    edition = get_edition(ref)
    with view_action() as action:
        confirm_draw(edition=edition, actor=_actor())
        change = publication.results_changed(edition)  # the drawn order reaches every open board
        action.succeed("Đã xác nhận kết quả bốc thăm. Kết quả đã được khóa và ghi nhật ký.")
    if action.ok:
        broadcast.results_changed(change)
        db.session.rollback()
    return redirect(url_for("present.draw_page", ref=edition.id))


@bp.get("/draw/<ref>/public")
def draw_public(ref: str):
    """The draw as anyone may check it: the fingerprint before, the seed and result after."""
    edition = get_edition(ref)
    draw = get_draw(edition)
    return render_template(
        "present/draw_public.html",
        edition=edition,
        draw=draw,
        slots=_slots_view(edition, draw.result if draw and draw.is_confirmed else None),
    )


@bp.get("/draw/<ref>/result.json")
def draw_json(ref: str):
    """The draw in JSON: the fingerprint while a draft; the seed, inputs and result once confirmed."""
    edition = get_edition(ref)
    draw = get_draw(edition)
    if draw is None:
        return jsonify({"ok": False, "code": "no_draw", "message": "Kỳ thi chưa bốc thăm."}), 404
    data: dict[str, Any] = {
        "ok": True,
        "edition_id": edition.id,
        "status": draw.status,
        "seed_fingerprint": draw.seed_fingerprint,
        "entry_ids": draw.entry_ids,
        "quiz_sets": draw.quiz_sets,
        "situation_sets": draw.situation_sets,
    }
    if draw.is_confirmed:
        data.update(
            seed=draw.seed,
            result=draw.result,
            confirmed_at=draw.confirmed_at.isoformat() if draw.confirmed_at else None,
            confirmed_by=draw.confirmed_by,
        )
    return jsonify(data)


@bp.route("/control/<ref>/answers", methods=["GET", "POST"])
@roles_required(*DESK_ROLES)
def answers(ref: str):
    """Record a team's answers to its drawn quiz set; show the score they make."""
    edition = get_edition(ref)
    segment = answer_segment(edition)
    assignments = confirmed_assignments(edition)
    entry = None
    raw = request.values.get("entry")
    if raw:
        entry = require_entry(edition, raw)
    elif assignments:
        entry = assignments[0].entry
    if request.method == "POST":
        if entry is None:
            flash("Chưa chọn đội thi.", "danger")
            return redirect(url_for("present.answers", ref=edition.id))
        _, lines = answer_sheet(edition=edition, entry=entry)
        changed = 0
        delta = None
        with view_action() as action:
            for line in lines:
                field = f"answer-{line.code}"
                if field not in request.form:
                    continue
                value = request.form.get(field, "").strip().upper()
                if not value:
                    continue  # not recorded yet: leave it so
                letter = "" if value == NO_ANSWER else value
                if line.correct is not None and letter == line.answer:
                    continue  # unchanged
                record_answer(entry=entry, question_code=line.code, answer=letter, actor=_actor())
                changed += 1
            if changed:
                delta = publication.results_changed(edition)  # answers score a segment: the board follows
            action.succeed(f"Đã lưu {changed} câu trả lời của đội {team_name(entry)}.")
        if delta is not None and action.ok:
            broadcast.results_changed(delta)
            db.session.rollback()
        return redirect(url_for("present.answers", ref=edition.id, entry=entry.id))
    quiz_set, lines = (None, [])
    if entry is not None:
        quiz_set, lines = answer_sheet(edition=edition, entry=entry)
    score = None
    if entry is not None and segment is not None:
        score = answer_scores(edition).get((entry.id, segment.id))
    return render_template(
        "present/answers.html",
        edition=edition,
        segment=segment,
        assignments=assignments,
        entry=entry,
        quiz_set=quiz_set,
        lines=lines,
        score=score,
        correct_count=sum(1 for line in lines if line.correct),
    )
