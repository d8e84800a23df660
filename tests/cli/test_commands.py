import json

from sqlalchemy import select

from contest_app.extensions import db
from contest_app.models import User
from tests.published_2019 import assert_matches_published


def test_load_demo_and_export_json_reproduce_the_report(runner):
    result = runner.invoke(args=["load-demo", "--with-marks"])
    assert result.exit_code == 0, result.output
    assert "Đã nạp dữ liệu mẫu: Lần thứ 4 - năm 2019" in result.output
    result = runner.invoke(args=["export-results", "--edition", "2019", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert_matches_published(json.loads(result.output))


def test_export_csv(runner):
    runner.invoke(args=["load-demo", "--with-marks"])
    result = runner.invoke(args=["export-results", "--edition", "2019", "--format", "csv"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "rank,tied,order,team,entry_title,knowledge,situation,presentation,total,prize,side_awards"
    assert lines[1].startswith("1,0,9,Sở Nội vụ,")
    assert lines[1].endswith(",8.50,12.40,67.60,88.50,Giải Nhất,")
    assert lines[-1] == ",,,ĐIỂM TRUNG BÌNH,,7.17,11.68,58.82,77.67,,"
    assert len(lines) == 14


def test_load_demo_twice_fails_cleanly(runner):
    runner.invoke(args=["load-demo"])
    result = runner.invoke(args=["load-demo"])
    assert result.exit_code == 1
    assert "Dữ liệu mẫu năm 2019 đã có trong cơ sở dữ liệu." in result.output


def test_export_unknown_edition_exits_non_zero(runner):
    result = runner.invoke(args=["export-results", "--edition", "2031", "--format", "json"])
    assert result.exit_code == 1
    assert "Không tìm thấy kỳ thi “2031”." in result.output
    result = runner.invoke(args=["export-results", "--edition", "abc"])
    assert result.exit_code == 1
    assert "hãy nhập mã số hoặc năm tổ chức" in result.output


def test_export_unknown_format_exits_non_zero(runner):
    runner.invoke(args=["load-demo", "--with-marks"])
    result = runner.invoke(args=["export-results", "--edition", "2019", "--format", "xml"])
    assert result.exit_code == 1
    assert "Định dạng “xml” không được hỗ trợ: chọn json hoặc csv." in result.output


def test_create_user_for_every_role(runner, app):
    roles = ["organiser", "secretariat", "control", "preliminary_judge"]
    for i, role in enumerate(roles):
        result = runner.invoke(args=["create-user", "--username", f"u{i}x", "--role", role, "--password", "mat-khau-123"])
        assert result.exit_code == 0, result.output
    runner.invoke(args=["load-demo"])
    result = runner.invoke(
        args=["create-user", "--username", "daumoi", "--role", "focal_point", "--password", "mat-khau-123", "--unit-id", "1"]
    )
    assert result.exit_code == 0, result.output
    assert "Đã tạo tài khoản “daumoi” với vai trò Cán bộ đầu mối." in result.output
    users = {u.username: u.role for u in db.session.scalars(select(User))}
    assert users == {"u0x": "organiser", "u1x": "secretariat", "u2x": "control", "u3x": "preliminary_judge", "daumoi": "focal_point"}
    stored = db.session.scalar(select(User).where(User.username == "u0x"))
    assert stored.password_hash != "mat-khau-123" and stored.check_password("mat-khau-123")


def test_create_user_prompts_for_password(runner):
    result = runner.invoke(args=["create-user", "--username", "thuky", "--role", "secretariat"], input="mat-khau-123\nmat-khau-123\n")
    assert result.exit_code == 0, result.output
    assert "Đã tạo tài khoản “thuky” với vai trò Ban Thư ký." in result.output


def test_create_user_refuses_bad_input(runner):
    result = runner.invoke(args=["create-user", "--username", "x", "--role", "organiser", "--password", "mat-khau-123"])
    assert result.exit_code == 1
    assert result.output.startswith("Lỗi: Tên đăng nhập phải dài 3–80 ký tự")
    result = runner.invoke(args=["create-user", "--username", "abc", "--role", "organiser", "--password", "123"])
    assert result.exit_code == 1
    assert "Mật khẩu phải có ít nhất 8 ký tự." in result.output
    result = runner.invoke(args=["create-user", "--username", "abc", "--role", "king", "--password", "mat-khau-123"])
    assert result.exit_code == 2
    result = runner.invoke(args=["create-user", "--username", "daumoi", "--role", "focal_point", "--password", "mat-khau-123"])
    assert result.exit_code == 1
    assert "Cán bộ đầu mối phải thuộc một đơn vị." in result.output
    assert db.session.scalar(select(User)) is None
