"""The signed-off result: lock_final, ensure_unlocked, the export and verify-results."""
import json
from html import unescape

import pytest
from sqlalchemy import select, text

from contest_app.extensions import db
from contest_app.models import AuditEvent, Edition, Mark
from contest_app.services.errors import Conflict, PermissionDenied
from contest_app.services.final.lock import (
    LOCKED_MESSAGE,
    check_export,
    ensure_unlocked,
    export_results,
    is_locked,
    lock_final,
    locked_fingerprint,
)
from contest_app.services.final.results import compute_results
from tests.conftest import csrf_token_from
from tests.published_2019 import assert_matches_published


@pytest.fixture
def demo_any(any_app):
    from contest_app.services.demo import load_demo

    edition = load_demo(with_marks=True)
    db.session.commit()
    return edition


def test_lock_final_stamps_edition_and_audits_the_fingerprint(demo_any):
    fingerprint = compute_results(demo_any).fingerprint()
    record = lock_final(edition=demo_any, actor="thuky", reason="Biên bản họp ngày 04/10/2019")
    db.session.commit()
    assert is_locked(demo_any) and demo_any.locked_by == "thuky"
    assert record.action == "edition.lock" and record.edition_id == demo_any.id
    assert record.after["fingerprint"] == fingerprint and record.after["finalists"] == 12
    assert record.reason == "Biên bản họp ngày 04/10/2019"
    assert locked_fingerprint(demo_any) == fingerprint
    assert len(fingerprint) == 64


def test_ensure_unlocked_refuses_after_lock(demo_any):
    ensure_unlocked(demo_any)  # open: no refusal
    lock_final(edition=demo_any, actor="thuky")
    db.session.commit()
    with pytest.raises(Conflict) as info:
        ensure_unlocked(demo_any)
    assert info.value.message == LOCKED_MESSAGE == "Kết quả kỳ thi đã được khóa: không thể thay đổi."
    assert info.value.code == "edition_locked"


def test_lock_final_twice_is_refused(demo_any):
    lock_final(edition=demo_any, actor="thuky")
    db.session.commit()
    with pytest.raises(Conflict) as info:
        lock_final(edition=demo_any, actor="thuky2")
    assert info.value.code == "already_locked"
    assert info.value.message.startswith("Kết quả kỳ thi đã được khóa lúc ")
    assert info.value.message.endswith(" bởi thuky.")


def test_lock_final_refuses_missing_scores(any_app):
    from contest_app.services.demo import load_demo

    edition = load_demo(with_marks=False)
    db.session.commit()
    with pytest.raises(Conflict) as info:
        lock_final(edition=edition, actor="thuky")
    assert info.value.code == "not_ready"
    assert info.value.message.startswith("Chưa thể khóa kết quả: Đội “Sở Tài nguyên và Môi trường” chưa đủ điểm: Kiến thức CCHC 0/6, ")
    assert len(info.value.details["problems"]) == 12
    assert edition.locked_at is None


def test_lock_final_refuses_a_user_who_is_not_secretariat(demo_any):
    from contest_app.services.trust.accounts import create_user

    organiser = create_user(username="btc", role="organiser", password="mat-khau-123")
    with pytest.raises(PermissionDenied) as info:
        lock_final(edition=demo_any, actor=organiser)
    assert info.value.message == "Chỉ Ban Thư ký được khóa kết quả kỳ thi."
    assert demo_any.locked_at is None


def test_export_check_matches_and_detects_an_edit(demo_any):
    lock_final(edition=demo_any, actor="thuky")
    db.session.commit()
    data = json.loads(json.dumps(export_results(demo_any), ensure_ascii=False))
    assert data["fingerprint"] == locked_fingerprint(demo_any)
    assert check_export(edition=demo_any, data=data).ok
    data["rows"][0]["total"] = "89.50"
    check = check_export(edition=demo_any, data=data)
    assert not check.ok
    assert check.messages == [
        "Dấu vân tay ghi trong tệp không khớp với nội dung tệp: tệp đã bị sửa sau khi xuất.",
        "Nội dung tệp không khớp với kết quả đã khóa.",
    ]


def test_export_check_of_unlocked_edition_says_so(demo_any):
    data = export_results(demo_any)
    check = check_export(edition=demo_any, data=data)
    assert check.messages == ["Kỳ thi Lần thứ 4 - năm 2019 chưa được khóa kết quả: không có dấu vân tay để đối chiếu."]


# ----------------------------------------------------------------------------- views


def test_results_json_carries_the_fingerprint(client, demo):
    response = client.get("/editions/2019/results.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    data = response.get_json()
    assert data["fingerprint"] == compute_results(demo).fingerprint()
    assert data["locked"] is None
    assert_matches_published(data)


def test_results_json_of_unknown_edition_is_404(client):
    response = client.get("/editions/2031/results.json", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json()["message"] == "Không tìm thấy kỳ thi “2031”."


def test_lock_page_requires_login(client, demo):
    response = client.get("/secretariat/trust/editions/2019/lock")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_lock_page_refuses_control_desk(client, demo, make_user, login):
    make_user("dieukhien", "control")
    login("dieukhien")
    response = client.get("/secretariat/trust/editions/2019/lock")
    assert response.status_code == 403
    assert "Bạn không có quyền thực hiện thao tác này." in response.get_data(as_text=True)


def test_organiser_sees_lock_page_but_cannot_lock(client, demo, make_user, login):
    make_user("btc", "organiser")
    login("btc")
    page = client.get("/secretariat/trust/editions/2019/lock")
    assert page.status_code == 200
    html = unescape(page.get_data(as_text=True))
    assert compute_results(demo).fingerprint() in html
    assert "Chỉ Ban Thư ký được khóa kết quả." in html
    response = client.post(
        "/secretariat/trust/editions/2019/lock",
        data={"confirm": "y", "csrf_token": csrf_token_from(page.get_data(as_text=True))},
    )
    assert response.status_code == 403
    assert "Chỉ Ban Thư ký được khóa kết quả kỳ thi." in unescape(response.get_data(as_text=True))
    db.session.expire_all()
    assert db.session.get(Edition, demo.id).locked_at is None


def test_secretariat_locks_after_confirmation(client, demo, make_user, login):
    make_user("thuky", "secretariat")
    login("thuky")
    page = client.get("/secretariat/trust/editions/2019/lock").get_data(as_text=True)
    token = csrf_token_from(page)
    unconfirmed = client.post("/secretariat/trust/editions/2019/lock", data={"csrf_token": token})
    assert unconfirmed.status_code == 400
    assert "Vui lòng đánh dấu ô xác nhận trước khi khóa kết quả." in unescape(unconfirmed.get_data(as_text=True))
    db.session.expire_all()
    assert db.session.get(Edition, demo.id).locked_at is None

    fingerprint = compute_results(demo).fingerprint()
    response = client.post(
        "/secretariat/trust/editions/2019/lock",
        data={"confirm": "y", "reason": "Theo biên bản", "csrf_token": token},
        follow_redirects=True,
    )
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert f"Đã khóa kết quả Lần thứ 4 - năm 2019. Dấu vân tay: {fingerprint}." in html
    assert f'<code id="locked-fingerprint">{fingerprint}</code>' in html
    db.session.expire_all()
    edition = db.session.get(Edition, demo.id)
    assert edition.locked_by == "thuky"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "edition.lock"))
    assert event.actor == "thuky" and event.reason == "Theo biên bản"

    again = client.post(
        "/secretariat/trust/editions/2019/lock", data={"confirm": "y", "csrf_token": token}
    )
    assert again.status_code == 409
    assert "Kết quả kỳ thi đã được khóa lúc " in unescape(again.get_data(as_text=True))
    assert db.session.scalar(
        select(db.func.count()).select_from(AuditEvent).where(AuditEvent.action != "mark_state")) == 1


def test_lock_without_csrf_is_refused(client, demo, make_user, login):
    make_user("thuky", "secretariat")
    login("thuky")
    response = client.post("/secretariat/trust/editions/2019/lock", data={"confirm": "y"})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Edition, demo.id).locked_at is None


def test_audit_page_lists_records_and_chain_state(client, demo, make_user, login):
    make_user("thuky", "secretariat")
    lock_final(edition=demo, actor="thuky")
    db.session.commit()
    login("thuky")
    html = unescape(client.get("/secretariat/trust/audit").get_data(as_text=True))
    assert "Chuỗi nhật ký toàn vẹn." in html and "edition.lock" in html
    db.session.execute(text("UPDATE audit_event SET actor = 'ai-do' WHERE action = 'edition.lock'"))
    db.session.commit()
    html = unescape(client.get("/secretariat/trust/audit").get_data(as_text=True))
    assert "Chuỗi nhật ký có 1 chỗ không toàn vẹn:" in html
    assert "nội dung đã bị sửa sau khi ghi." in html


# ----------------------------------------------------------------------------- CLI


def test_verify_results_cli_matches_the_locked_export(any_app, demo_any, tmp_path):
    lock_final(edition=demo_any, actor="thuky")
    db.session.commit()
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export_results(demo_any), ensure_ascii=False, indent=2), encoding="utf-8")
    runner = any_app.test_cli_runner()
    result = runner.invoke(args=["verify-results", "--edition", "2019", "--file", str(path)])
    assert result.exit_code == 0, result.output
    fingerprint = locked_fingerprint(demo_any)
    assert result.output == (
        f"Dấu vân tay của tệp:      {fingerprint}\n"
        f"Dấu vân tay lúc khóa:     {fingerprint}\n"
        "Khớp: tệp đúng là kết quả đã khóa của Lần thứ 4 - năm 2019.\n"
    )


def test_verify_results_cli_detects_an_edited_export(any_app, demo_any, tmp_path):
    lock_final(edition=demo_any, actor="thuky")
    db.session.commit()
    data = export_results(demo_any)
    data["rows"][1]["prize"] = "Giải Nhất"
    del data["fingerprint"]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = any_app.test_cli_runner().invoke(args=["verify-results", "--edition", "2019", "--file", str(path)])
    assert result.exit_code == 1
    assert result.output.endswith("- Nội dung tệp không khớp với kết quả đã khóa.\n")


def test_verify_results_cli_refuses_a_file_that_is_not_json(runner, demo, tmp_path):
    path = tmp_path / "export.json"
    path.write_text("không phải JSON", encoding="utf-8")
    result = runner.invoke(args=["verify-results", "--edition", "2019", "--file", str(path)])
    assert result.exit_code == 1
    assert result.output == f"Lỗi: Tệp “{path}” không phải là JSON hợp lệ.\n"


def test_results_change_after_lock_is_visible_on_the_lock_page(client, demo, make_user, login):
    """Marks are refused by ensure_unlocked; a change made behind the app's back still shows."""
    make_user("thuky", "secretariat")
    lock_final(edition=demo, actor="thuky")
    db.session.commit()
    mark = db.session.scalar(select(Mark).limit(1))
    db.session.execute(text("UPDATE mark SET value = 0 WHERE id = :id"), {"id": mark.id})
    db.session.commit()
    login("thuky")
    html = unescape(client.get("/secretariat/trust/editions/2019/lock").get_data(as_text=True))
    assert "Kết quả hiện tại khác với kết quả đã khóa." in html
