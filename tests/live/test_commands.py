"""The live final's commands: judges' links and PINs, and the rehearsal reset."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from contest_app.extensions import db
from contest_app.live import broadcast
from contest_app.models import Mark


def test_judge_links_prints_six_links_and_pins_stable(app, runner):
    from contest_app.services.demo import load_demo

    load_demo(with_marks=False)
    db.session.commit()
    first = runner.invoke(args=["judge-links", "--edition", "2019", "--base-url", "https://hoithi.example"])
    assert first.exit_code == 0, first.output
    lines = re.findall(r"^(\d)\. (Giám khảo \d)\thttps://hoithi\.example/j/([\w-]+)\tPIN (\d{6})$", first.output, re.M)
    assert [(seat, name) for seat, name, _t, _p in lines] == [(str(i), f"Giám khảo {i}") for i in range(1, 7)]
    again = runner.invoke(args=["judge-links", "--edition", "2019", "--base-url", "https://hoithi.example"])
    assert again.output == first.output  # printing again does not change the printed sheets
    client = app.test_client()
    assert client.get(f"/j/{lines[0][2]}").status_code == 302


def test_judge_links_unknown_edition_in_vietnamese(app, runner):
    result = runner.invoke(args=["judge-links", "--edition", "1999"])
    assert result.exit_code == 1
    assert "Lỗi: Không tìm thấy kỳ thi “1999”." in result.output


def test_live_reset_delete_marks_for_rehearsal(app, runner, demo, monkeypatch):
    sent = []
    monkeypatch.setattr(broadcast, "board_updated", sent.append)
    assert db.session.scalar(select(func.count()).select_from(Mark)) == 216
    result = runner.invoke(args=["live-reset", "--edition", "2019", "--delete-marks", "--yes"])
    assert result.exit_code == 0, result.output
    (delta,) = sent  # open boards redraw at once
    assert delta["edition_id"] == demo.id and delta["seq"] >= 1
    assert "đã xóa 216 điểm chấm" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Mark)) == 0
