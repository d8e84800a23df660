"""``flask draw`` and ``flask verify-draw``."""
from __future__ import annotations

import hashlib

from contest_app.extensions import db
from contest_app.services.final.draw import get_draw
from tests.draw_helpers import write_banks


def _demo(app, tmp_path):
    from contest_app.services.demo import load_demo

    app.config["QUESTION_BANKS_DIR"] = str(write_banks(tmp_path / "banks"))
    edition = load_demo(with_marks=False)
    db.session.commit()
    return edition


def test_draw_then_verify_draw_reproduces_the_confirmed_draw(app, runner, tmp_path):
    edition = _demo(app, tmp_path)
    out = runner.invoke(args=["draw", "--edition", "2019", "--actor", "Ban Tổ chức"])
    assert out.exit_code == 0, out.output
    draw = get_draw(edition)
    assert draw.is_confirmed and draw.confirmed_by == "Ban Tổ chức"
    assert f"Dấu vân tay SHA-256 của mã bốc thăm: {hashlib.sha256(draw.seed.encode()).hexdigest()}" in out.output
    assert f"Mã bốc thăm: {draw.seed}" in out.output

    check = runner.invoke(args=["verify-draw", "--edition", str(edition.id), "--seed", draw.seed])
    assert check.exit_code == 0, check.output
    lines = check.output.splitlines()
    assert lines[0] == "Kết quả bốc thăm Lần thứ 4 - năm 2019 (12 đội):"
    slots = draw.result["slots"]
    assert len([line for line in lines if line.startswith("  Lượt ")]) == 12
    first = lines[1]
    assert first.startswith("  Lượt 1: ") and f"(mã {slots[0]['entry_id']})" in first
    assert f"bộ đề trắc nghiệm số {slots[0]['quiz_set']} · bộ tình huống số {slots[0]['situation_set']}" in first
    assert lines[-1] == "Khớp: kết quả tính lại từ mã bốc thăm trùng với kết quả bốc thăm đã xác nhận."
    # the draw command printed the very same table
    assert [line for line in out.output.splitlines() if line.startswith("  Lượt ")] == lines[1:13]


def test_verify_draw_wrong_seed_exits_1_in_vietnamese(app, runner, tmp_path):
    _demo(app, tmp_path)
    assert runner.invoke(args=["draw", "--edition", "2019"]).exit_code == 0
    out = runner.invoke(args=["verify-draw", "--edition", "2019", "--seed", "khong-phai-ma-that"])
    assert out.exit_code == 1
    assert out.output.splitlines()[-1] == (
        "Lỗi: Không khớp: SHA-256 của mã bốc thăm khác với dấu vân tay đã công bố trước khi bốc thăm."
    )


def test_verify_draw_tampered_result_exits_1(app, runner, tmp_path):
    edition = _demo(app, tmp_path)
    assert runner.invoke(args=["draw", "--edition", "2019"]).exit_code == 0
    draw = get_draw(edition)
    result = dict(draw.result)
    slots = [dict(s) for s in result["slots"]]
    slots[0]["quiz_set"] = slots[0]["quiz_set"] % 5 + 1
    result["slots"] = slots
    draw.result = result
    db.session.commit()
    out = runner.invoke(args=["verify-draw", "--edition", "2019", "--seed", draw.seed])
    assert out.exit_code == 1
    assert out.output.splitlines()[-1] == (
        "Lỗi: Không khớp: kết quả tính lại từ mã bốc thăm khác với kết quả bốc thăm đã xác nhận."
    )


def test_verify_draw_unknown_edition_exits_1(app, runner):
    out = runner.invoke(args=["verify-draw", "--edition", "2031", "--seed", "abc"])
    assert out.exit_code == 1
    assert out.output.strip() == "Lỗi: Không tìm thấy kỳ thi “2031”."


def test_verify_draw_not_confirmed_exits_1(app, runner, tmp_path):
    _demo(app, tmp_path)
    assert runner.invoke(args=["draw", "--edition", "2019", "--step", "prepare"]).exit_code == 0
    out = runner.invoke(args=["verify-draw", "--edition", "2019", "--seed", "abc"])
    assert out.exit_code == 1
    assert out.output.strip() == "Lỗi: Kỳ thi Lần thứ 4 - năm 2019 chưa có kết quả bốc thăm đã xác nhận."


def test_draw_again_after_confirmation_is_refused(app, runner, tmp_path):
    _demo(app, tmp_path)
    assert runner.invoke(args=["draw", "--edition", "2019"]).exit_code == 0
    out = runner.invoke(args=["draw", "--edition", "2019"])
    assert out.exit_code == 1
    assert out.output.strip() == (
        "Lỗi: Kết quả bốc thăm đã được xác nhận và khóa; không thể bốc thăm lại hay thay đổi."
    )
