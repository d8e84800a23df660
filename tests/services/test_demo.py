from decimal import Decimal

import pytest
from sqlalchemy import func, select

from contest_app.extensions import db
from contest_app.models import Edition, Judge, SideAward, Unit
from contest_app.services.demo import demo_marks, load_demo
from contest_app.services.errors import Conflict


@pytest.mark.parametrize(
    ("score", "maximum", "expected"),
    [
        ("9.50", "10", ["10.00", "9.00", "9.80", "9.20", "9.60", "9.40"]),
        ("14.60", "15", ["15.00", "14.20", "15.00", "14.20", "14.70", "14.50"]),
        ("67.60", "75", ["71.30", "63.90", "69.80", "65.40", "68.30", "66.90"]),
        ("0", "10", ["0", "0", "0", "0", "0", "0"]),
    ],
)
def test_demo_marks_mean_is_exact_and_in_range(score, maximum, expected):
    marks = demo_marks(Decimal(score), Decimal(maximum), Decimal("0.1"))
    assert [str(m) for m in marks] == [str(Decimal(e)) for e in expected]
    assert sum(marks) / 6 == Decimal(score)
    assert all(Decimal(0) <= m <= Decimal(maximum) for m in marks)
    assert all(m % Decimal("0.1") == 0 for m in marks)


def test_demo_marks_rotation_changes_who_gives_what():
    a = demo_marks(Decimal("8"), Decimal("10"), Decimal("0.1"), rotation=0)
    b = demo_marks(Decimal("8"), Decimal("10"), Decimal("0.1"), rotation=1)
    assert a != b and sorted(a) == sorted(b)


def test_load_demo_creates_the_2019_edition(app):
    edition = load_demo()
    db.session.commit()
    assert edition.title == "Lần thứ 4 - năm 2019"
    assert edition.report_number == "2417/BC-SNV"
    assert [(t.name, t.count) for t in edition.prize_tiers] == [
        ("Giải Nhất", 1), ("Giải Nhì", 1), ("Giải Ba", 2), ("Giải Khuyến khích", 3)
    ]
    assert db.session.scalar(select(func.count()).select_from(Judge)) == 6
    assert db.session.scalar(select(func.count()).select_from(Unit)) == 49
    assert db.session.scalar(select(Unit.block).where(Unit.name == "Kho bạc Nhà nước tỉnh")) == "vertical"
    awards = db.session.scalars(select(SideAward).order_by(SideAward.order)).all()
    assert [(a.name, a.method, a.amount) for a in awards] == [
        ("Trình chiếu đẹp mắt", "committee", Decimal("1000000")),
        ("Xử lý tình huống tinh tế", "best_segment", Decimal("1000000")),
        ("Tự giới thiệu gắn với mô hình, sáng kiến", "committee", Decimal("1000000")),
        ("Phản biện sắc sảo", "committee", Decimal("1000000")),
        ("Sáng kiến có tính nhân văn", "committee", Decimal("1000000")),
    ]
    assert awards[1].decision is None
    history = {e.year: e.history for e in db.session.scalars(select(Edition))}
    assert history[2013] == {"qualifying": 41, "preliminary": 23, "final": 9}
    assert history[2019] == {"qualifying": 95, "preliminary": 52, "final": 12,
                             "preliminary_groups": {"1": 32, "2": 13, "3": 4, "4": 2, "5": 1}}


def test_load_demo_twice_is_refused_and_changes_nothing(app):
    load_demo()
    db.session.commit()
    with pytest.raises(Conflict) as info:
        load_demo()
    assert info.value.message == "Dữ liệu mẫu năm 2019 đã có trong cơ sở dữ liệu."
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Edition)) == 4
