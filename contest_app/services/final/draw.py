"""The draw (bốc thăm) of a final: order of appearance, who rebuts whom, quiz and situation sets.

The draw is a commit-reveal scheme anyone can check afterwards:

1. ``prepare_draw`` fixes the inputs (the finalists' entry ids, the number of quiz and
   situation sets) and a secret seed from ``secrets.token_hex(16)``; only the seed's
   SHA-256 (its fingerprint) is shown, so the seed cannot be changed unseen later.
2. ``confirm_draw`` computes the draw from the seed with ``compute_draw``, stores it,
   reveals the seed, locks the draw and records it in the audit trail.
3. ``verify_draw`` (and ``flask verify-draw``) recompute the draw from the revealed seed.

``compute_draw`` is pure and deterministic; this module flushes and never commits.
"""
from __future__ import annotations

import hashlib
import os
import random
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select

from contest_app.extensions import db
from contest_app.models import Draw, DrawAssignment, Edition, Entry, PresenterState
from contest_app.models.draw import DrawStatus
from contest_app.paths import QUESTION_BANKS_DIR
from contest_app.question_banks.catalog import bank_for_edition
from contest_app.question_banks.loader import QUIZ_DIR, check_banks
from contest_app.services.errors import Conflict, NotFound, ValidationError
from contest_app.services.final.finalists import finalists
from contest_app.services.trust.audit import record_event

ALGORITHM = "sha256-mt19937-v1"
DEFAULT_SET_COUNT = 5


# --------------------------------------------------------------------------- the pure draw


@dataclass(frozen=True)
class DrawSlot:
    """One team's draw: its turn (1-based), the entry that rebuts it, its two sets."""

    order: int
    entry_id: int
    rebutted_by: int | None
    quiz_set: int
    situation_set: int


@dataclass(frozen=True)
class DrawResult:
    """A computed draw, slots in order of appearance."""

    seed_fingerprint: str
    entry_ids: tuple[int, ...]
    quiz_sets: int
    situation_sets: int
    slots: tuple[DrawSlot, ...]

    def slot_of(self, entry_id: int) -> DrawSlot:
        return next(s for s in self.slots if s.entry_id == entry_id)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form stored with a confirmed draw and compared by ``verify_draw``."""
        return {
            "algorithm": ALGORITHM,
            "seed_fingerprint": self.seed_fingerprint,
            "entry_ids": list(self.entry_ids),
            "quiz_sets": self.quiz_sets,
            "situation_sets": self.situation_sets,
            "slots": [
                {
                    "order": s.order,
                    "entry_id": s.entry_id,
                    "rebutted_by": s.rebutted_by,
                    "quiz_set": s.quiz_set,
                    "situation_set": s.situation_set,
                }
                for s in self.slots
            ],
        }


def seed_fingerprint(seed: str) -> str:
    """SHA-256 (hex) of the seed's UTF-8 bytes: what is shown before the draw."""
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()


def new_seed() -> str:
    """A fresh secret seed: 16 random bytes from ``secrets``, as 32 hex digits."""
    return secrets.token_hex(16)


def _below(rng: random.Random, n: int) -> int:
    """A uniform integer in [0, n), by rejection on ``getrandbits`` (stable across Python versions)."""
    k = n.bit_length()
    r = rng.getrandbits(k)
    while r >= n:
        r = rng.getrandbits(k)
    return r


def _shuffle(rng: random.Random, items: list) -> None:
    """Fisher–Yates shuffle in place."""
    for i in range(len(items) - 1, 0, -1):
        j = _below(rng, i + 1)
        items[i], items[j] = items[j], items[i]


def _single_cycle(rng: random.Random, n: int) -> list[int]:
    """Sattolo's algorithm: a uniformly random permutation made of ONE cycle of length n.

    Position i maps to ``cycle[i]``; no i maps to itself (n ≥ 2) and, for n ≥ 3, no two
    positions map to each other.
    """
    cycle = list(range(n))
    for i in range(n - 1, 0, -1):
        j = _below(rng, i)
        cycle[i], cycle[j] = cycle[j], cycle[i]
    return cycle


def _balanced_sets(rng: random.Random, count: int, n: int) -> list[int]:
    """n set numbers from 1..count, each used a number of times differing by at most one.

    Rounds of ``count`` teams each get every set once, in a fresh random order.
    """
    out: list[int] = []
    while len(out) < n:
        block = list(range(1, count + 1))
        _shuffle(rng, block)
        out.extend(block)
    return out[:n]


def compute_draw(seed: str, entry_ids: list[int], quiz_sets: int, situation_sets: int) -> DrawResult:
    """Compute the draw from ``seed``, deterministically.

    The PRNG is Python's Mersenne Twister seeded with the seed's SHA-256 as a big-endian
    integer. With it, in this order: the entry ids, sorted, are shuffled into the order
    of appearance; a single random cycle (Sattolo) over the teams says who rebuts whom,
    so no team rebuts itself and, from three teams on, no two teams rebut each other;
    quiz sets, then situation sets, are dealt in appearance order, balanced over the sets.
    A lone team has no rebutter.
    """
    if quiz_sets < 1 or situation_sets < 1:
        raise ValidationError("Số bộ đề trắc nghiệm và số bộ tình huống phải lớn hơn 0.", code="bad_set_count")
    ids = sorted(int(e) for e in entry_ids)
    if len(set(ids)) != len(ids):
        raise ValidationError("Danh sách đội bốc thăm có đội bị trùng.", code="duplicate_entry")
    digest = hashlib.sha256(seed.encode("utf-8")).digest()
    rng = random.Random(int.from_bytes(digest, "big"))
    order = list(ids)
    _shuffle(rng, order)
    n = len(order)
    cycle = _single_cycle(rng, n)
    quiz = _balanced_sets(rng, quiz_sets, n)
    situation = _balanced_sets(rng, situation_sets, n)
    slots = tuple(
        DrawSlot(
            order=i + 1,
            entry_id=order[i],
            rebutted_by=order[cycle[i]] if n > 1 else None,
            quiz_set=quiz[i],
            situation_set=situation[i],
        )
        for i in range(n)
    )
    return DrawResult(digest.hex(), tuple(ids), quiz_sets, situation_sets, slots)


# --------------------------------------------------------------------------- question banks


_banks_cache: dict[str, tuple[tuple, Any]] = {}


def banks_catalog_root() -> Path:
    """The folder of the question banks: the setting QUESTION_BANKS_DIR, else the environment's
    CONTEST_QUESTION_BANKS_DIR, else the shipped ``question_banks/`` (see contest_app.paths)."""
    configured = current_app.config.get("QUESTION_BANKS_DIR") or os.environ.get("CONTEST_QUESTION_BANKS_DIR")
    return Path(configured) if configured else QUESTION_BANKS_DIR


def banks_root(edition: Edition | None = None) -> Path:
    """The folder of the question banks an edition uses.

    The root is ``banks_catalog_root()``. A root holding ``quiz/`` is one bank used by every
    edition; otherwise the edition's bank folder is chosen by ``catalog.bank_for_edition``
    (``Edition.question_bank``, else the history bank of its year, else the newest current bank).
    """
    root = banks_catalog_root()
    if (root / QUIZ_DIR).is_dir():
        return root
    if edition is None:
        edition = db.session.scalar(select(Edition).order_by(Edition.year.desc()).limit(1))
    if edition is None:
        return root
    folder = bank_for_edition(root, year=edition.year, chosen=edition.question_bank)
    return folder.path if folder is not None else root


def load_question_banks(edition: Edition | None = None):
    """The validated banks of ``edition``, or None when missing or invalid (reloaded when a file changes)."""
    root = banks_root(edition)
    files = tuple(
        sorted((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in root.glob("*/*.txt"))
    ) if root.is_dir() else ()
    cached = _banks_cache.get(str(root))
    if cached is not None and cached[0] == files:
        return cached[1]
    banks, errors = check_banks(root)
    value = None if errors or not banks.quiz_sets else banks
    _banks_cache[str(root)] = (files, value)
    return value


def quiz_set_number_count(edition: Edition | None = None) -> tuple[int, int]:
    """How many quiz and situation sets the edition's banks hold (5 and 5, the 2019 rule, without banks)."""
    banks = load_question_banks(edition)
    if banks is None:
        return DEFAULT_SET_COUNT, DEFAULT_SET_COUNT
    return len(banks.quiz_sets) or DEFAULT_SET_COUNT, len(banks.situation_sets) or DEFAULT_SET_COUNT


# --------------------------------------------------------------------------- stored draws


def get_draw(edition: Edition) -> Draw | None:
    """The draw of ``edition``, prepared or confirmed, or None."""
    return db.session.scalar(select(Draw).where(Draw.edition_id == edition.id))


def draw_entries(edition: Edition) -> list[Entry]:
    """The entries that take part in the draw: the final's finalists."""
    return finalists(edition)


def prepare_draw(
    *, edition: Edition, actor: str, quiz_sets: int | None = None, situation_sets: int | None = None
) -> Draw:
    """Fix the draw's inputs and a new secret seed; only its fingerprint is to be shown.

    Preparing again replaces the seed of a draft. A confirmed draw is refused.
    """
    draw = get_draw(edition)
    if draw is not None and draw.is_confirmed:
        raise Conflict(
            "Kết quả bốc thăm đã được xác nhận và khóa; không thể bốc thăm lại hay thay đổi.",
            code="draw_locked",
        )
    entries = draw_entries(edition)
    if not entries:
        raise ValidationError("Kỳ thi chưa có đội nào vào vòng chung khảo để bốc thăm.", code="no_finalists")
    default_quiz, default_situation = quiz_set_number_count(edition)
    quiz_sets = default_quiz if quiz_sets is None else quiz_sets
    situation_sets = default_situation if situation_sets is None else situation_sets
    if quiz_sets < 1 or situation_sets < 1:
        raise ValidationError("Số bộ đề trắc nghiệm và số bộ tình huống phải lớn hơn 0.", code="bad_set_count")
    seed = new_seed()
    if draw is None:
        draw = Draw(edition_id=edition.id)
        db.session.add(draw)
    draw.seed = seed
    draw.seed_fingerprint = seed_fingerprint(seed)
    draw.status = DrawStatus.DRAFT.value
    draw.entry_ids = sorted(e.id for e in entries)
    draw.quiz_sets = quiz_sets
    draw.situation_sets = situation_sets
    draw.prepared_at = datetime.now(UTC)
    draw.prepared_by = actor
    draw.result = None
    db.session.flush()
    record_event(
        actor=actor,
        action="draw_prepared",
        edition_id=edition.id,
        object_type="draw",
        object_id=draw.id,
        after={
            "seed_fingerprint": draw.seed_fingerprint,
            "entry_ids": draw.entry_ids,
            "quiz_sets": quiz_sets,
            "situation_sets": situation_sets,
        },
    )
    return draw


def confirm_draw(*, edition: Edition, actor: str) -> Draw:
    """Compute the prepared draw, store it, reveal the seed and lock it (audited).

    Sets each finalist's order of appearance. Refused when there is no prepared draw,
    when it is already confirmed, or when the finalists changed since it was prepared.
    """
    draw = get_draw(edition)
    if draw is None:
        raise Conflict("Chưa chuẩn bị bốc thăm: hãy tạo mã bốc thăm trước.", code="draw_not_prepared")
    if draw.is_confirmed:
        raise Conflict(
            "Kết quả bốc thăm đã được xác nhận và khóa; không thể bốc thăm lại hay thay đổi.",
            code="draw_locked",
        )
    entries = {e.id: e for e in draw_entries(edition)}
    if sorted(entries) != sorted(draw.entry_ids):
        raise Conflict(
            "Danh sách đội vào chung khảo đã thay đổi sau khi chuẩn bị bốc thăm; hãy chuẩn bị lại.",
            code="draw_inputs_changed",
        )
    result = compute_draw(draw.seed, draw.entry_ids, draw.quiz_sets, draw.situation_sets)
    before_orders = {str(e.id): e.final_order for e in entries.values()}
    for slot in result.slots:
        draw.assignments.append(
            DrawAssignment(
                entry_id=slot.entry_id,
                appearance_order=slot.order,
                rebutted_by_entry_id=slot.rebutted_by,
                quiz_set=slot.quiz_set,
                situation_set=slot.situation_set,
            )
        )
        entries[slot.entry_id].final_order = slot.order
    draw.result = result.to_dict()
    draw.status = DrawStatus.CONFIRMED.value
    draw.confirmed_at = datetime.now(UTC)
    draw.confirmed_by = actor
    db.session.flush()
    record_event(
        actor=actor,
        action="draw_confirmed",
        edition_id=edition.id,
        object_type="draw",
        object_id=draw.id,
        before={"status": DrawStatus.DRAFT.value, "seed_fingerprint": draw.seed_fingerprint, "final_order": before_orders},
        after={"status": DrawStatus.CONFIRMED.value, "seed": draw.seed, "result": draw.result},
    )
    return draw


@dataclass(frozen=True)
class Verification:
    """The outcome of re-checking a confirmed draw from a seed."""

    recomputed: DrawResult
    fingerprint_matches: bool
    result_matches: bool

    @property
    def ok(self) -> bool:
        return self.fingerprint_matches and self.result_matches


def verify_draw(*, edition: Edition, seed: str) -> Verification:
    """Recompute the confirmed draw of ``edition`` from ``seed`` and compare it with the stored one."""
    draw = get_draw(edition)
    if draw is None or not draw.is_confirmed:
        raise Conflict(f"Kỳ thi {edition.label} chưa có kết quả bốc thăm đã xác nhận.", code="draw_not_confirmed")
    seed = seed.strip()
    recomputed = compute_draw(seed, draw.entry_ids, draw.quiz_sets, draw.situation_sets)
    return Verification(
        recomputed=recomputed,
        fingerprint_matches=seed_fingerprint(seed) == draw.seed_fingerprint,
        result_matches=recomputed.to_dict() == draw.result,
    )


def confirmed_assignment(*, edition_id: int, entry_id: int) -> DrawAssignment | None:
    """The confirmed draw's assignment of an entry, or None."""
    return db.session.scalar(
        select(DrawAssignment)
        .join(Draw, Draw.id == DrawAssignment.draw_id)
        .where(
            Draw.edition_id == edition_id,
            Draw.status == DrawStatus.CONFIRMED.value,
            DrawAssignment.entry_id == entry_id,
        )
    )


def confirmed_assignments(edition: Edition) -> list[DrawAssignment]:
    """Every assignment of the confirmed draw, in order of appearance (empty without one)."""
    return list(
        db.session.scalars(
            select(DrawAssignment)
            .join(Draw, Draw.id == DrawAssignment.draw_id)
            .where(Draw.edition_id == edition.id, Draw.status == DrawStatus.CONFIRMED.value)
            .order_by(DrawAssignment.appearance_order)
        )
    )


def team_name(entry: Entry) -> str:
    """The name under which an entry's team appears."""
    return entry.team.name if entry.team else entry.unit.name


def drawn_quiz_set(*, edition_id: int, entry_id: int):
    """The quiz set (``QuizSet``) the entry drew, or None without a confirmed draw or banks."""
    assignment = confirmed_assignment(edition_id=edition_id, entry_id=entry_id)
    banks = load_question_banks(db.session.get(Edition, edition_id)) if assignment is not None else None
    if assignment is None or banks is None:
        return None
    return next((s for s in banks.quiz_sets if s.number == assignment.quiz_set), None)


def drawn_situation_set(*, edition_id: int, entry_id: int):
    """The situation set (``SituationSet``) the entry drew, or None."""
    assignment = confirmed_assignment(edition_id=edition_id, entry_id=entry_id)
    banks = load_question_banks(db.session.get(Edition, edition_id)) if assignment is not None else None
    if assignment is None or banks is None:
        return None
    return next((s for s in banks.situation_sets if s.number == assignment.situation_set), None)


def situation_guide_for(*, edition_id: int, entry_id: int) -> dict | None:
    """The situations the entry drew, with the suggested answers and marking guides for judges.

    ``current_code`` names the situation the projector shows now for this team (or None).
    Returns None when there is no confirmed draw, no assignment or no valid banks.
    """
    situation_set = drawn_situation_set(edition_id=edition_id, entry_id=entry_id)
    if situation_set is None:
        return None
    entry = db.session.get(Entry, entry_id)
    state = db.session.scalar(select(PresenterState).where(PresenterState.edition_id == edition_id))
    current_code = None
    if (
        state is not None
        and state.mode == "situation"
        and state.entry_id == entry_id
        and 0 <= state.situation_index < len(situation_set.situations)
    ):
        current_code = situation_set.situations[state.situation_index].code
    return {
        "edition_id": edition_id,
        "entry_id": entry_id,
        "team": team_name(entry) if entry else "",
        "situation_set": situation_set.number,
        "title": situation_set.title,
        "current_code": current_code,
        "situations": [
            {
                "number": i + 1,
                "code": s.code,
                "topic": s.topic,
                "text": s.text,
                "questions": list(s.questions),
                "answer": s.answer,
                "marking": s.marking,
                "source": s.source,
                "time_seconds": s.time_seconds,
                "points": str(s.points),
            }
            for i, s in enumerate(situation_set.situations)
        ],
    }


def require_entry(edition: Edition, entry_id: Any) -> Entry:
    """The entry ``entry_id`` of ``edition``, or NotFound in Vietnamese."""
    try:
        entry = db.session.get(Entry, int(entry_id))
    except (TypeError, ValueError):
        entry = None
    if entry is None or entry.edition_id != edition.id:
        raise NotFound("Không tìm thấy đội thi trong kỳ thi này.", code="entry_not_found")
    return entry
