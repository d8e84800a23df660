"""The editions table (section 3.1 of report 2417/BC-SNV) on SQLite and PostgreSQL."""
import pytest

from contest_app.extensions import db
from contest_app.models import AuditEvent
from contest_app.services.rounds.editions import get_edition
from contest_app.services.errors import Conflict, ValidationError
from contest_app.services.outputs.history import history_table, prize_structure, save_figures_edition

SECTION_3_1 = [
    ("Lần 1 - năm 2013", 41, 23, 9, "01 giải Nhất; 01 giải Nhì; 01 giải Ba; 06 giải Khuyến khích"),
    ("Lần 2 - năm 2015", 43, 31, 9, "01 giải Nhất; 01 giải Nhì; 01 giải Ba; 06 giải Khuyến khích"),
    ("Lần 3 - năm 2017", 83, 52, 14, "01 giải Nhất; 01 giải Nhì; 02 giải Ba; 03 giải Khuyến khích"),
    ("Lần 4 - năm 2019", 95, 52, 12, "01 giải Nhất; 01 giải Nhì; 02 giải Ba; 03 giải Khuyến khích"),
]


@pytest.fixture
def demo_any(any_app):
    from contest_app.services.demo import load_demo

    edition = load_demo()
    db.session.commit()
    return edition


def test_history_table_reproduces_section_3_1(demo_any):
    table = history_table()
    assert [(r.label, r.qualifying, r.preliminary, r.final, r.prize_structure) for r in table.rows] == SECTION_3_1
    assert table.totals == {"qualifying": 262, "preliminary": 158, "final": 44}
    assert [r.figures_only for r in table.rows] == [True, True, True, False]


def test_edition_without_recorded_figures_is_counted_from_entries(demo_any):
    demo_any.history = None
    db.session.flush()
    row = history_table().rows[-1]
    assert (row.qualifying, row.preliminary, row.final) == (12, 12, 12)


def test_prize_structure_pads_counts():
    assert prize_structure([("Giải Nhất", 1), ("Giải Khuyến khích", 12)]) == "01 giải Nhất; 12 giải Khuyến khích"


def test_save_figures_edition_adds_an_audited_edition(demo_any):
    edition = save_figures_edition(
        actor="bantochuc", number="5", year="2021", qualifying="100", preliminary="60", final="12",
        tiers=[("Giải Nhất", "1"), ("Giải Nhì", "2"), ("", "")],
    )
    db.session.commit()
    assert (edition.title, edition.figures_only, edition.history) == (
        "Lần thứ 5 - năm 2021", True, {"qualifying": 100, "preliminary": 60, "final": 12}
    )
    assert history_table().totals == {"qualifying": 362, "preliminary": 218, "final": 56}
    assert history_table().rows[-1].prize_structure == "01 giải Nhất; 02 giải Nhì"
    event = db.session.query(AuditEvent).order_by(AuditEvent.id.desc()).first()
    assert (event.action, event.actor, event.after["year"]) == ("edition.figures_saved", "bantochuc", 2021)


def test_save_figures_edition_corrects_a_past_edition(demo_any):
    edition = get_edition(2013)
    save_figures_edition(actor="bantochuc", number=1, year=2013, qualifying=42, preliminary=23, final=9,
                         tiers=[("Giải Nhất", 1)], edition=edition)
    db.session.commit()
    row = history_table().rows[0]
    assert (row.qualifying, row.prize_structure) == (42, "01 giải Nhất")
    event = db.session.query(AuditEvent).order_by(AuditEvent.id.desc()).first()
    assert event.before["history"] == {"qualifying": 41, "preliminary": 23, "final": 9}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"qualifying": "bốn mươi"}, "Số mô hình, sáng kiến vòng loại phải là số nguyên không âm (đã nhập “bốn mươi”)."),
        ({"preliminary": "50"}, "Số mô hình, sáng kiến vòng sơ khảo không thể nhiều hơn vòng loại."),
        ({"final": "30"}, "Số mô hình, sáng kiến vòng chung khảo không thể nhiều hơn vòng sơ khảo."),
        ({"year": "1890"}, "Năm tổ chức 1890 không hợp lệ."),
    ],
)
def test_save_figures_edition_refuses_bad_input(demo_any, fields, message):
    values = {"number": "5", "year": "2021", "qualifying": "41", "preliminary": "23", "final": "9"} | fields
    with pytest.raises(ValidationError) as exc:
        save_figures_edition(actor="bantochuc", tiers=[], **values)
    assert exc.value.message == message


def test_save_figures_edition_refuses_a_year_in_use_and_full_editions(demo_any):
    with pytest.raises(Conflict) as exc:
        save_figures_edition(actor="x", number=5, year=2015, qualifying=1, preliminary=1, final=1, tiers=[])
    assert exc.value.message == "Đã có kỳ thi năm 2015."
    with pytest.raises(Conflict) as exc:
        save_figures_edition(actor="x", number=4, year=2019, qualifying=1, preliminary=1, final=1, tiers=[],
                             edition=demo_any)
    assert exc.value.code == "not_figures_only"
