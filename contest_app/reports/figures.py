"""The report's figures as sentences the secretariat can paste, and as real numbers.

Wording follows section I.2 of report 2417/BC-SNV: for each segment the maximum set by
the rules, the finalists' average, its rate of the maximum and the best team with its
score. Points drop trailing zeros as the report does (10đ, 9,5đ, 58,82đ); rates keep
two decimals (71,67%). Every value comes from ``EditionResults.stats``.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from contest_app.formatting import rounded, vn, vn_short
from contest_app.services.final.results import EditionResults
from contest_app.services.rounds.round_figures import round_figures


def _teams(results: EditionResults, entry_ids) -> list[str]:
    names = {r.entry_id: r.team for r in results.rows}
    return [names[e] for e in entry_ids if e in names]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def _best_clause(teams: list[str], score: str) -> str:
    if len(teams) == 1:
        return f"Đội thi {teams[0]} đạt điểm cao nhất ({score}đ)."
    return f"Các đội thi {', '.join(teams[:-1])} và {teams[-1]} cùng đạt điểm cao nhất ({score}đ)."


def segment_sentences(results: EditionResults) -> list[str]:
    """One sentence per segment, in the report's wording."""
    sentences = []
    for seg in results.segments:
        st = results.stats[seg.key]
        opening = f"Phần thi {_lower_first(seg.name)}: Tổng điểm tối đa theo điều lệ là {vn_short(seg.max_score)}đ"
        if st.count == 0:
            sentences.append(f"{opening}; chưa có điểm của đội thi nào.")
            continue
        teams = _teams(results, st.best_entry_ids)
        sentences.append(
            f"{opening}; điểm trung bình đạt được của {st.count} đội là {vn_short(st.average)}đ "
            f"(tỷ lệ {vn(st.rate_of_max)}% so với mức tối đa). {_best_clause(teams, vn_short(st.best_score))}"
        )
    return sentences


def total_sentence(results: EditionResults) -> str | None:
    """The average total and the winner of the first prize, when there are scores."""
    st = results.total_stats
    if st.count == 0:
        return None
    text = (
        f"Tổng điểm: điểm trung bình đạt được của {st.count} đội là {vn_short(st.average)}đ "
        f"(tỷ lệ {vn(st.rate_of_max)}% so với mức tối đa {vn_short(st.maximum)}đ)."
    )
    return text


def rounds_sentence(results: EditionResults) -> str | None:
    """Entries per round ("95 … 52/95 … 12"), from services/rounds/round_figures (the one set of figures)."""
    q, p, f = round_figures(results.edition).totals
    if not q:
        return None
    return (
        f"Có {q} mô hình, sáng kiến tham gia Vòng loại; {p}/{q} mô hình, sáng kiến được chọn "
        f"chấm Vòng sơ khảo; {f} mô hình, sáng kiến vào Vòng chung khảo."
    )


def figure_sentences(results: EditionResults) -> list[str]:
    """Every sentence of the figures paragraph, in order."""
    out = [s for s in (rounds_sentence(results),) if s]
    out += segment_sentences(results)
    out += [s for s in (total_sentence(results),) if s]
    return out


def _num(value: Any) -> Decimal | None:
    return rounded(value)


def figures_data(results: EditionResults) -> dict[str, Any]:
    """The same figures as real numbers (2 decimals, rounded once) for JSON and CSV."""
    segments = []
    for seg in results.segments:
        st = results.stats[seg.key]
        segments.append(
            {
                "key": seg.key,
                "name": seg.name,
                "max": seg.max_score,
                "count": st.count,
                "average": _num(st.average),
                "rate_of_max": _num(st.rate_of_max),
                "best_score": _num(st.best_score),
                "best_teams": _teams(results, st.best_entry_ids),
            }
        )
    st = results.total_stats
    return {
        "edition": results.edition.year,
        "segments": segments,
        "total": {
            "max": _num(st.maximum),
            "count": st.count,
            "average": _num(st.average),
            "rate_of_max": _num(st.rate_of_max),
        },
        "history": results.edition.history or None,
        "sentences": figure_sentences(results),
    }


# --- the report's counts: rounds, thematic groups, types of unit -------------------------------


@dataclass(frozen=True)
class GroupCount:
    number: int
    name: str
    count: int


@dataclass(frozen=True)
class BlockCount:
    label: str
    count: int
    names: tuple[str, ...]


@dataclass(frozen=True)
class ReportCounts:
    """Entries per round, per thematic group (preliminary round and final) and the
    finalists per type of unit, as report 2417/BC-SNV section I.2 gives them."""

    qualifying: int | None
    preliminary: int | None
    final: int | None
    preliminary_groups: tuple[GroupCount, ...]
    final_groups: tuple[GroupCount, ...]
    final_blocks: tuple[BlockCount, ...]


def _recorded_groups(history: dict, key: str, groups: list[tuple[int, str]]) -> tuple[GroupCount, ...] | None:
    recorded = history.get(key)
    if not isinstance(recorded, dict):
        return None
    return tuple(GroupCount(n, name, int(recorded.get(str(n), 0))) for n, name in groups)


def report_counts(edition, figures, blocks) -> ReportCounts:
    """The counts of section I.2 from the entries (``services.rounds.round_figures.round_figures``)
    and the finalists per block (``services.outputs.documents.finalists_by_block``).

    Where the entries held in the app are fewer than the round's recorded total (an edition
    whose 95 entries were not all registered), the recorded figures of ``edition.history``
    stand instead (``qualifying``/``preliminary``/``final`` and ``preliminary_groups``)."""
    history = edition.history or {}
    counted = {r.kind.value: r for r in figures.rounds}
    totals = {}
    for kind in ("qualifying", "preliminary", "final"):
        recorded = history.get(kind)
        totals[kind] = recorded if isinstance(recorded, int) else counted[kind].total
    prelim = counted["preliminary"]
    groups = figures.groups
    preliminary_groups = tuple(GroupCount(n, name, prelim.by_group.get(n, 0)) for n, name in groups)
    if not prelim.by_group or prelim.total != totals["preliminary"]:  # the entries held do not cover the round
        preliminary_groups = _recorded_groups(history, "preliminary_groups", groups) or preliminary_groups
    final = counted["final"]
    final_groups = tuple(GroupCount(n, name, final.by_group.get(n, 0)) for n, name in groups)
    final_blocks = tuple(BlockCount(b.label, len(names), tuple(names)) for b, names in blocks)
    return ReportCounts(totals["qualifying"], totals["preliminary"], totals["final"],
                        preliminary_groups, final_groups, final_blocks)
