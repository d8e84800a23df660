"""Near-duplicate ideas: for each entry, the most similar entries of the same and earlier
editions, by title and summary, and the organisers' review of a pair.

Vietnamese-aware: text is folded (NFD, combining marks dropped, đ → d, lower case), cut
into syllables, common function words dropped, and compared as a bag of syllable
1-, 2- and 3-grams by cosine similarity. Bigrams keep compound words together ("thủ tục",
"một cửa"); a phrase moved within the title keeps most of its n-grams, so word order
matters little. Standard library only. The figure is not a score: it is shown as a
percentage with one decimal, for people to judge.
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from contest_app.extensions import db
from contest_app.models import DuplicateReview, Edition, Entry, User
from contest_app.services.errors import ValidationError
from contest_app.services.trust.audit import actor_name, record_event

STOPWORDS = frozenset(
    "va cua cac nhung trong cho voi tai tren la mot de ve theo tu doi nay do duoc khi thi "
    "nham bang qua vao ra o co".split()
)
TITLE_WEIGHT = Decimal("0.6")
DEFAULT_THRESHOLD = Decimal("30")
DEFAULT_LIMIT = 5


def fold(text: str) -> str:
    """Lower case without diacritics: “Đơn giản hóa” → “don gian hoa”."""
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return stripped.casefold()


def tokens(text: str) -> list[str]:
    """The syllables of a text, folded, without function words."""
    return [t for t in re.findall(r"[a-z0-9]+", fold(text)) if t not in STOPWORDS]


def features(text: str) -> Counter:
    """Syllable 1-, 2- and 3-grams of a text."""
    toks = tokens(text)
    bag: Counter = Counter(toks)
    for n in (2, 3):
        bag.update(" ".join(toks[i:i + n]) for i in range(len(toks) - n + 1))
    return bag


def cosine(a: Counter, b: Counter) -> float:
    if not a or not b:
        return 0.0
    dot = sum(v * b[k] for k, v in a.items() if k in b)
    return dot / math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))


def _percent(value: float) -> Decimal:
    return Decimal(repr(value * 100)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def text_similarity(a: str, b: str) -> Decimal:
    """Similarity of two texts in percent (0.0–100.0)."""
    return _percent(cosine(features(a), features(b)))


@dataclass(frozen=True)
class _Doc:
    entry: Entry
    title: Counter
    summary: Counter


def _doc(entry: Entry) -> _Doc:
    return _Doc(entry, features(entry.title), features(entry.summary or ""))


def _pair_similarity(a: _Doc, b: _Doc) -> Decimal:
    title = cosine(a.title, b.title)
    if a.summary and b.summary:
        w = float(TITLE_WEIGHT)
        return _percent(w * title + (1 - w) * cosine(a.summary, b.summary))
    return _percent(title)


@dataclass(frozen=True)
class Match:
    """A similar entry and how similar it is, with its review if any."""

    entry: Entry
    other: Entry
    similarity: Decimal
    review: DuplicateReview | None

    @property
    def same_edition(self) -> bool:
        return self.entry.edition_id == self.other.edition_id


def _candidates(edition: Edition) -> tuple[list[Entry], list[Entry]]:
    own = list(db.session.scalars(select(Entry).where(Entry.edition_id == edition.id).order_by(Entry.id)))
    earlier_ids = select(Edition.id).where(Edition.year < edition.year)
    earlier = list(db.session.scalars(select(Entry).where(Entry.edition_id.in_(earlier_ids)).order_by(Entry.id)))
    return own, earlier


def _reviews() -> dict[tuple[int, int], DuplicateReview]:
    return {(r.entry_low_id, r.entry_high_id): r for r in db.session.scalars(select(DuplicateReview))}


def similar_entries(*, edition: Edition, threshold: Decimal = DEFAULT_THRESHOLD,
                    limit: int = DEFAULT_LIMIT) -> dict[int, list[Match]]:
    """For every entry of the edition, up to ``limit`` most similar entries of the same and
    earlier editions at or above ``threshold`` percent, most similar first."""
    own, earlier = _candidates(edition)
    docs = [_doc(e) for e in own]
    earlier_docs = [_doc(e) for e in earlier]
    reviews = _reviews()
    out: dict[int, list[Match]] = {}
    for d in docs:
        matches = []
        for other in docs + earlier_docs:
            if other.entry.id == d.entry.id:
                continue
            sim = _pair_similarity(d, other)
            if sim >= threshold:
                key = tuple(sorted((d.entry.id, other.entry.id)))
                matches.append(Match(d.entry, other.entry, sim, reviews.get(key)))
        matches.sort(key=lambda m: (-m.similarity, m.other.id))
        out[d.entry.id] = matches[:limit]
    return out


def similar_pairs(*, edition: Edition, threshold: Decimal = DEFAULT_THRESHOLD,
                  limit: int = DEFAULT_LIMIT) -> list[Match]:
    """The pairs of ``similar_entries`` once each (a same-edition pair is listed once),
    most similar first."""
    seen = set()
    pairs = []
    for matches in similar_entries(edition=edition, threshold=threshold, limit=limit).values():
        for m in matches:
            key = tuple(sorted((m.entry.id, m.other.id)))
            if key not in seen:
                seen.add(key)
                pairs.append(m)
    pairs.sort(key=lambda m: (-m.similarity, m.entry.id, m.other.id))
    return pairs


def mark_reviewed(*, entry_a: Entry, entry_b: Entry, note: str = "", actor: User) -> DuplicateReview:
    """Record that the organisers reviewed this pair (with a note); audited."""
    if entry_a.id == entry_b.id:
        raise ValidationError("Không thể đối chiếu một mô hình, sáng kiến với chính nó.", code="same_entry")
    low, high = sorted((entry_a.id, entry_b.id))
    sim = _pair_similarity(_doc(entry_a), _doc(entry_b))
    review = db.session.scalar(select(DuplicateReview).where(
        DuplicateReview.entry_low_id == low, DuplicateReview.entry_high_id == high))
    before = {"note": review.note, "reviewed_by": review.reviewed_by} if review else None
    if review is None:
        review = DuplicateReview(entry_low_id=low, entry_high_id=high, similarity=sim,
                                 reviewed_by=actor_name(actor))
        db.session.add(review)
    review.similarity = sim
    review.note = (note or "").strip()
    review.reviewed_by = actor_name(actor)
    review.reviewed_at = datetime.now(UTC)
    db.session.flush()
    record_event(actor=actor_name(actor), action="similarity.review", edition_id=entry_a.edition_id,
                 object_type="entry_pair", object_id=f"{low}-{high}", before=before,
                 after={"similarity": sim, "note": review.note})
    return review
