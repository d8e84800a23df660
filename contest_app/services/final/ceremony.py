"""The prize ceremony on the board: which step the desk is showing, and what each step's card says.

The steps come from ``compute_results``: every main prize tier from the lowest (Khuyến khích)
up to the highest (Nhất), one card per winner (lower rank first within a tier), then one card
per decided side award, then the standings with the prizes. The state is one number,
``LiveState.ceremony_step`` (None: no ceremony on the board). A card is built only once
the prizes are revealed: the ceremony never shows a prize the audience may not see yet.
Flushes, never commits; it does not publish the board (the caller refreshes it).
"""
from __future__ import annotations

from typing import Any

from contest_app.extensions import db
from contest_app.formatting import vn_score
from contest_app.models import LiveState
from contest_app.services.errors import Conflict
from contest_app.services.final.results import EditionResults

PRIZE = "prize"
SIDE_AWARD = "side_award"
STANDINGS = "standings"

NO_STEPS = "Chưa có giải nào để trao: kết quả chưa có đội đoạt giải."
AT_LAST = "Đã đến bước cuối của lễ trao giải (bảng xếp hạng chung cuộc)."
AT_FIRST = "Đang ở bước đầu tiên của lễ trao giải."
NOT_STARTED = "Lễ trao giải chưa bắt đầu."


def ceremony_steps(results: EditionResults) -> list[dict[str, Any]]:
    """Every card of the ceremony in the order it is shown (see the module's docstring).

    ``level`` numbers the tiers from the top (1 = the highest prize), so the board can
    give each tier its own colour whatever the tiers are called.
    """
    tiers = [t["name"] for t in results.prize_tiers]
    steps: list[dict[str, Any]] = []
    for level in range(len(tiers), 0, -1):
        tier = tiers[level - 1]
        winners = [r for r in results.rows if r.prize == tier]
        for row in sorted(winners, key=lambda r: (-r.rank, -(r.order or 0))):
            steps.append({
                "kind": PRIZE, "tier": tier, "level": level, "team": row.team, "unit": row.unit,
                "title": row.entry_title, "total": vn_score(row.total), "rank": row.rank, "tied": row.tied,
            })
    for award in results.side_awards:
        if award.team is None:
            continue
        steps.append({
            "kind": SIDE_AWARD, "award": award.name, "team": award.team, "title": award.entry_title,
            "score": vn_score(award.score),
        })
    if steps:
        steps.append({"kind": STANDINGS})
    return steps


def ceremony_card(results: EditionResults, step: int | None, *, prizes_public: bool) -> dict[str, Any] | None:
    """The card the board shows at ``step`` (``LiveState.ceremony_step``), with its place; None when no ceremony.

    ``prizes_public`` is the publication rule's answer (are the prizes public?): no card otherwise.
    """
    if step is None or not prizes_public:
        return None
    steps = ceremony_steps(results)
    if not steps:
        return None
    step = min(max(step, 0), len(steps) - 1)
    return {**steps[step], "step": step + 1, "steps": len(steps)}


def move_ceremony(*, state: LiveState, results: EditionResults, by: int) -> int:
    """Go ``by`` steps forward (or back); the first step forward starts the ceremony. Returns the step.

    Refused at either end, and when there is nothing to award. The caller reveals the prizes
    when the ceremony starts; once they have been hidden again, the next step starts over.
    """
    count = len(ceremony_steps(results))
    if count == 0:
        raise Conflict(NO_STEPS, code="no_prizes")
    if not state.prizes_revealed:
        state.ceremony_step = None  # the prizes were hidden again: the ceremony starts over
    if state.ceremony_step is None:
        if by < 0:
            raise Conflict(NOT_STARTED, code="ceremony_not_started")
        target = 0
    else:
        target = state.ceremony_step + by
    if target >= count:
        raise Conflict(AT_LAST, code="ceremony_end")
    if target < 0:
        raise Conflict(AT_FIRST, code="ceremony_start")
    state.ceremony_step = target
    db.session.flush()
    return target


def stop_ceremony(*, state: LiveState) -> None:
    """Take the ceremony off the board (the prizes stay revealed)."""
    state.ceremony_step = None
    db.session.flush()
