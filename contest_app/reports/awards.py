"""The side awards list and the list of every award (main and side) for certificates."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from contest_app.enums import SideAwardMethod
from contest_app.formatting import rounded
from contest_app.services.final.results import EditionResults

MAIN = "Giải chính"
SIDE = "Giải phụ"


@dataclass(frozen=True)
class AwardLine:
    """One award as a certificate needs it."""

    kind: str
    award: str
    team: str
    unit: str
    entry_title: str
    score: Decimal | None
    amount: Decimal | None
    method: str = ""


def _units(results: EditionResults, entry_units: dict[int, tuple[str, ...]] | None) -> dict[int, str]:
    """Each finalist's unit; every unit of a joint team, joined by " - ", when known."""
    units = {r.entry_id: r.unit for r in results.rows}
    for entry_id, names in (entry_units or {}).items():
        if names:
            units[entry_id] = " - ".join(names)
    return units


def side_award_lines(results: EditionResults, entry_units: dict[int, tuple[str, ...]] | None = None) -> list[AwardLine]:
    """The side awards in their order: name, amount, team (blank while undecided).

    ``entry_units`` (``services.outputs.documents.finalist_people``) names every unit of a joint team."""
    units = _units(results, entry_units)
    lines = []
    for a in results.side_awards:
        team = a.team or ""
        if not team and a.tied_teams:
            team = "Đồng điểm: " + ", ".join(a.tied_teams)
        lines.append(
            AwardLine(
                kind=SIDE,
                award=a.name,
                team=team,
                unit=units.get(a.entry_id, "") if a.entry_id is not None else "",
                entry_title=a.entry_title or "",
                score=rounded(a.score),
                amount=a.amount,
                method=SideAwardMethod(a.method).label,
            )
        )
    return lines


def all_award_lines(results: EditionResults, entry_units: dict[int, tuple[str, ...]] | None = None) -> list[AwardLine]:
    """Main prizes by tier and rank, then the side awards."""
    units = _units(results, entry_units)
    amounts = {t["name"]: (Decimal(t["amount"]) if t.get("amount") else None) for t in results.prize_tiers}
    lines = [
        AwardLine(
            kind=MAIN,
            award=r.prize,
            team=r.team,
            unit=units[r.entry_id],
            entry_title=r.entry_title,
            score=rounded(r.total),
            amount=amounts.get(r.prize),
        )
        for t in results.prize_tiers
        for r in results.rows
        if r.prize == t["name"]
    ]
    return lines + [line for line in side_award_lines(results, entry_units) if line.team and not line.team.startswith("Đồng điểm")]
