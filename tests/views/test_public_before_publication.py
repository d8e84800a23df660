"""Before the organiser publishes the finalists, no public page or JSON names them."""
from __future__ import annotations

from decimal import Decimal

from contest_app import demo_data
from contest_app.enums import Aggregation
from contest_app.extensions import db
from contest_app.models import Segment
from contest_app.services.rounds import preliminary
from tests.services.test_preliminary import FINALISTS, run_script, score_all


def test_closed_round_names_no_finalist_until_published(app):
    edition, organiser, judges, by_index, criteria, _plan = run_script(app)
    edition.judges_per_panel = 6
    for i, (key, name, short, maximum, step) in enumerate(demo_data.SEGMENTS, start=1):
        edition.segments.append(Segment(key=key, name=name, short_name=short, max_score=Decimal(maximum),
                                        mark_step=Decimal(step), order=i, aggregation=Aggregation.MEAN.value))
    score_all(edition, judges, by_index, criteria)
    preliminary.close_round(edition=edition, actor=organiser)
    db.session.commit()
    teams = sorted({by_index[i].team.name if by_index[i].team else by_index[i].unit.name for i in FINALISTS})
    client = app.test_client()

    page = client.get(f"/editions/{edition.year}/results").get_data(as_text=True)
    data = client.get(f"/editions/{edition.year}/results.json").get_json()
    assert "Danh sách đội thi vào vòng chung khảo chưa được công bố." in page
    assert "Còn thiếu" not in page and "DỰ THẢO" not in page
    assert [t for t in teams if t in page] == []
    assert data["rows"] == []
    assert data["completeness"]["missing"] == []
    assert data["completeness"]["is_complete"] is False
    assert data["completeness"]["label"] == "DỰ THẢO — chưa đủ điểm."
    assert [t for t in teams if t in str(data)] == []

    preliminary.publish_finalists(edition=edition, actor=organiser)
    db.session.commit()
    data = client.get(f"/editions/{edition.year}/results.json").get_json()
    assert sorted(r["team"] for r in data["rows"]) == teams
    assert {(r["rank"], r["total"]) for r in data["rows"]} == {(None, None)}
