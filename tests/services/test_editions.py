from decimal import Decimal

import pytest
from sqlalchemy import func, select

from contest_app.extensions import db
from contest_app.models import AuditEvent, Edition
from contest_app.services.rounds.editions import create_edition, get_edition
from contest_app.services.errors import Conflict, NotFound, ValidationError


def test_create_edition_with_the_default_rules(any_app):
    edition = create_edition(number=5, year=2021, actor="btc")
    db.session.commit()
    assert edition.title == "Lần thứ 5 - năm 2021"
    assert [r.name for r in edition.rounds] == ["Vòng loại", "Vòng sơ khảo", "Vòng chung khảo"]
    assert [(s.key, s.max_score, s.aggregation) for s in edition.segments] == [
        ("knowledge", Decimal("10.00"), "mean"),
        ("situation", Decimal("15.00"), "mean"),
        ("presentation", Decimal("75.00"), "mean"),
    ]
    assert [(t.name, t.count) for t in edition.prize_tiers] == [
        ("Giải Nhất", 1), ("Giải Nhì", 1), ("Giải Ba", 2), ("Giải Khuyến khích", 3)
    ]
    assert [g.number for g in edition.thematic_groups] == [1, 2, 3, 4, 5]
    assert edition.preliminary_cutoff == Decimal("75.00")
    assert get_edition(2021).id == edition.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "edition.create"))
    assert event.after == {"number": 5, "year": 2021, "title": "Lần thứ 5 - năm 2021"}


def test_create_edition_refuses_a_second_edition_of_a_year(any_app):
    create_edition(number=5, year=2021, actor="btc")
    db.session.commit()
    with pytest.raises(Conflict) as info:
        create_edition(number=6, year=2021, actor="btc")
    assert info.value.message == "Đã có kỳ thi năm 2021."
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Edition)) == 1


@pytest.mark.parametrize(
    ("number", "year", "message"),
    [
        (0, 2021, "Lần tổ chức phải là số nguyên từ 1 đến 100."),
        (5, 1999, "Năm tổ chức phải từ 2000 đến 2100."),
    ],
)
def test_create_edition_refuses_bad_numbers(app, number, year, message):
    with pytest.raises(ValidationError) as info:
        create_edition(number=number, year=year, actor="btc")
    assert info.value.message == message


def test_get_edition_unknown(app):
    with pytest.raises(NotFound) as info:
        get_edition("2030")
    assert info.value.message == "Không tìm thấy kỳ thi “2030”."
