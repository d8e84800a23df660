"""An edition draws from its own question bank; item analysis after a final."""
from __future__ import annotations

from decimal import Decimal
from html import unescape

from sqlalchemy import select

from contest_app.extensions import db
from contest_app.models import AuditEvent, Edition, Entry
from contest_app.question_banks.commands import DEFAULT_ROOT
from contest_app.services.final.answers import record_answer
from contest_app.services.final.bank_choice import set_question_bank
from contest_app.services.demo import load_demo
from contest_app.services.final.draw import (
    banks_root,
    confirm_draw,
    confirmed_assignments,
    load_question_banks,
    prepare_draw,
    quiz_set_number_count,
)
from contest_app.services.rounds.editions import create_edition
from contest_app.services.errors import Conflict, ValidationError
from contest_app.services.final.item_analysis import item_analysis
from tests.conftest import csrf_token_from
from tests.draw_helpers import quiz_code, quiz_key, write_banks

FIRST_2019_STEM = (
    "Cuộc thi “Mô hình, sáng kiến cải cách hành chính của công chức, viên chức trẻ” tỉnh Khánh Hòa "
    "được tổ chức lần đầu tiên vào năm nào?"
)
CURRENT_LABEL = "2027 (Ngân hàng câu hỏi kỳ thi tiếp theo (pháp luật ngày 01/12/2026))"


def test_the_2019_demo_draws_from_the_2019_banks_and_a_new_edition_from_the_current(app):
    demo = load_demo()
    new = create_edition(number=5, year=2027, actor="btc")
    db.session.commit()

    assert banks_root(demo) == DEFAULT_ROOT / "2019"
    assert load_question_banks(demo).quiz_set(1).questions[0].stem == FIRST_2019_STEM
    assert banks_root(new) == DEFAULT_ROOT / "2027"
    assert load_question_banks(new).quiz_set(1).questions[0].stem == (
        "Theo Luật Tổ chức chính quyền địa phương năm 2025, đơn vị hành chính cấp xã gồm những loại nào?"
    )
    assert quiz_set_number_count(new) == (5, 5)


def test_choosing_a_bank_refuses_history_unknown_and_a_confirmed_draw(app, tmp_path):
    new = create_edition(number=5, year=2027, actor="btc")
    db.session.commit()

    for bank, message in (
        ("2019", "Ngân hàng “2019” là lịch sử của kỳ thi năm 2019, không dùng cho kỳ thi khác."),
        ("2031", "Không có ngân hàng câu hỏi “2031” (có: 2019, 2027)."),
    ):
        try:
            set_question_bank(edition=new, bank=bank, actor="btc")
        except ValidationError as error:
            assert error.message == message
        else:  # pragma: no cover - the call above must refuse
            raise AssertionError(bank)
    assert new.question_bank is None

    set_question_bank(edition=new, bank="2027", actor="btc")
    db.session.commit()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "question_bank_chosen"))
    assert (new.question_bank, event.before, event.after) == (
        "2027", {"question_bank": None}, {"question_bank": "2027"},
    )

    demo = load_demo(with_marks=True)
    prepare_draw(edition=demo, actor="btc")
    confirm_draw(edition=demo, actor="btc")
    db.session.commit()
    try:
        set_question_bank(edition=demo, bank="2027", actor="btc")
    except Conflict as error:
        assert error.message == "Kết quả bốc thăm đã được xác nhận: không thể đổi ngân hàng câu hỏi của kỳ thi."
    else:  # pragma: no cover
        raise AssertionError("a confirmed draw must lock the bank")
    assert demo.question_bank is None


def test_organiser_page_offers_only_the_current_bank_to_a_new_edition(client, make_user, login):
    make_user("btc", "organiser")
    login("btc")
    new = create_edition(number=5, year=2027, actor="btc")
    db.session.commit()
    url = f"/organiser/editions/{new.id}/question-bank"

    page = unescape(client.get(url).get_data(as_text=True))
    assert f"Đang dùng: <strong>{CURRENT_LABEL}</strong>." in page
    assert f'<option selected value="2027">{CURRENT_LABEL}</option>' in page
    assert 'value="2019"' not in page

    refused = client.post(url, data={"bank": "2019", "csrf_token": csrf_token_from(page)})
    assert "Ngân hàng “2019” là lịch sử của kỳ thi năm 2019, không dùng cho kỳ thi khác." in unescape(
        refused.get_data(as_text=True)
    )
    assert db.session.get(Edition, new.id).question_bank is None

    saved = client.post(url, data={"bank": "2027", "csrf_token": csrf_token_from(page)}, follow_redirects=True)
    assert "Kỳ thi dùng ngân hàng câu hỏi “2027”." in unescape(saved.get_data(as_text=True))
    db.session.expire_all()
    assert db.session.get(Edition, new.id).question_bank == "2027"


def test_banks_use_command(runner, app):
    create_edition(number=5, year=2027, actor="btc")
    db.session.commit()

    refused = runner.invoke(args=["banks", "use", "--edition", "2027", "--bank", "2019"])
    chosen = runner.invoke(args=["banks", "use", "--edition", "2027", "--bank", "2027"])

    assert (refused.exit_code, refused.stderr) == (
        1, "Ngân hàng “2019” là lịch sử của kỳ thi năm 2019, không dùng cho kỳ thi khác.\n",
    )
    assert (chosen.exit_code, chosen.stdout) == (
        0, f"Lần thứ 5 - năm 2027 dùng ngân hàng câu hỏi {CURRENT_LABEL}.\n",
    )


def _drawn(app, tmp_path):
    app.config["QUESTION_BANKS_DIR"] = str(write_banks(tmp_path / "banks"))
    edition = load_demo(with_marks=True)
    next(s for s in edition.segments if s.key == "knowledge").scored_from_answers = True
    prepare_draw(edition=edition, actor="btc")
    confirm_draw(edition=edition, actor="btc")
    db.session.commit()
    by_set: dict[int, list[int]] = {}
    for a in confirmed_assignments(edition):
        by_set.setdefault(a.quiz_set, []).append(a.entry_id)
    n, takers = max(by_set.items(), key=lambda kv: (len(kv[1]), -kv[0]))
    return edition, n, takers


def test_item_analysis_difficulty_discrimination_and_items_to_retire(app, tmp_path, runner):
    edition, n, takers = _drawn(app, tmp_path)
    assert len(takers) == 3
    right = {  # strong, middle, weak team: items answered correctly (others wrong)
        takers[0]: {1, *range(4, 26)},
        takers[1]: {1, *range(4, 14)},
        takers[2]: {1, 3},
    }
    for entry_id, items in right.items():
        entry = db.session.get(Entry, entry_id)
        for i in range(1, 26):
            key = quiz_key(n, i)
            answer = key if i in items else "ABCD"[("ABCD".index(key) + 1) % 4]
            record_answer(entry=entry, question_code=quiz_code(n, i), answer=answer, actor="ban")
    db.session.commit()

    (analysis,) = item_analysis(edition)
    stats = {item.code: item for item in analysis.items}

    assert (analysis.number, analysis.teams) == (n, 3)
    assert [(stats[quiz_code(n, i)].correct, stats[quiz_code(n, i)].p) for i in (1, 2, 3, 4)] == [
        (3, Decimal(1)), (0, Decimal(0)), (1, Decimal(1) / 3), (2, Decimal(2) / 3),
    ]
    assert stats[quiz_code(n, 1)].retire == ("mọi đội đều trả lời đúng: không phân loại được",)
    assert stats[quiz_code(n, 2)].retire == ("không đội nào trả lời đúng: xem lại đáp án và nội dung câu",)
    assert stats[quiz_code(n, 3)].retire == ("độ phân biệt âm: đội mạnh sai nhiều hơn đội yếu, kiểm tra đáp án",)
    assert stats[quiz_code(n, 4)].retire == ()

    result = runner.invoke(args=["banks", "analyse", "--edition", "2019"])
    lines = result.stdout.splitlines()
    assert result.exit_code == 0, result.output
    assert lines[0] == "Phân tích câu hỏi trắc nghiệm – Lần thứ 4 - năm 2019"
    assert lines[2] == (
        f"Bộ đề trắc nghiệm số {n}: 3 đội (chỉ 3 đội làm bộ đề này: số liệu chỉ mang tính tham khảo)."
    )
    assert lines[3:7] == [
        f"  {quiz_code(n, 1)}: đúng 3/3; p = 1,00; r = –; D = –",
        f"  {quiz_code(n, 2)}: đúng 0/3; p = 0,00; r = –; D = –",
        f"  {quiz_code(n, 3)}: đúng 1/3; p = 0,33; r = -0,84; D = –",
        f"  {quiz_code(n, 4)}: đúng 2/3; p = 0,67; r = 0,80; D = –",
    ]
    assert lines[-4:] == [
        "Câu nên loại hoặc xem lại:",
        f"  {quiz_code(n, 1)}: mọi đội đều trả lời đúng: không phân loại được",
        f"  {quiz_code(n, 2)}: không đội nào trả lời đúng: xem lại đáp án và nội dung câu",
        f"  {quiz_code(n, 3)}: độ phân biệt âm: đội mạnh sai nhiều hơn đội yếu, kiểm tra đáp án",
    ]


def test_item_analysis_without_answers_is_refused(app, tmp_path, runner):
    _drawn(app, tmp_path)

    result = runner.invoke(args=["banks", "analyse", "--edition", "2019"])
    missing = runner.invoke(args=["banks", "analyse", "--edition", "2031"])

    assert (result.exit_code, result.stderr) == (
        1, "Kỳ thi chưa ghi câu trả lời nào của các đội: không có dữ liệu để phân tích câu hỏi.\n",
    )
    assert (missing.exit_code, missing.stderr) == (1, "Không có kỳ thi năm 2031.\n")


def test_secretariat_page_shows_the_item_analysis(app, tmp_path, client, make_user, login):
    edition, n, takers = _drawn(app, tmp_path)
    for entry_id in takers:
        entry = db.session.get(Entry, entry_id)
        record_answer(entry=entry, question_code=quiz_code(n, 1), answer=quiz_key(n, 1), actor="ban")
    db.session.commit()
    make_user("thuky", "secretariat")
    login("thuky")

    page = unescape(client.get("/secretariat/2019/item-analysis").get_data(as_text=True))

    assert f"<h2>Bộ đề trắc nghiệm số {n} <small class=\"muted\">(3 đội: chỉ 3 đội làm bộ đề này" in page
    assert (f"<tr><td>{quiz_code(n, 1)}</td><td class=\"num\">3/3</td>\n        <td class=\"num\">1,00</td>"
            in page)
    assert "mọi đội đều trả lời đúng: không phân loại được" in page


def test_secretariat_page_says_why_there_is_no_analysis(app, client, make_user, login):
    load_demo()
    db.session.commit()
    make_user("thuky", "secretariat")
    login("thuky")

    page = unescape(client.get("/secretariat/2019/item-analysis").get_data(as_text=True))

    assert '<p class="error">Kỳ thi chưa có kết quả bốc thăm được xác nhận.</p>' in page
