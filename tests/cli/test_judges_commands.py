"""`flask judges add` for scripts, and every command on a database without its schema."""
from __future__ import annotations

from contest_app.extensions import db
from contest_app.services.demo import ensure_units
from contest_app.services.rounds.editions import create_edition
from contest_app.services.final.judge_access import final_judges
from tests.conftest import build_app


def test_judges_add_seats_the_judges_of_a_new_edition(runner):
    ensure_units()
    edition = create_edition(number=5, year=2021, actor="btc")
    db.session.commit()
    result = runner.invoke(args=["judges", "add", "--edition", "2021", "--name", "Phạm Thị Lan",
                                 "--unit", "sở y tế", "--title", "Phó Giám đốc"])
    assert result.exit_code == 0, result.output
    assert result.output == "Đã thêm giám khảo Phạm Thị Lan (ghế 1, đơn vị Sở Y tế) vào Lần thứ 5 - năm 2021.\n"
    result = runner.invoke(args=["judges", "add", "--edition", "2021", "--name", "Võ Minh Tuấn", "--seat", "4"])
    assert result.output == "Đã thêm giám khảo Võ Minh Tuấn (ghế 4) vào Lần thứ 5 - năm 2021.\n"
    result = runner.invoke(args=["judges", "add", "--edition", "2021", "--name", "Lê Hà", "--seat", "4"])
    assert result.exit_code == 1
    assert "Lỗi: Ghế số 4 đã có giám khảo Võ Minh Tuấn." in result.output
    result = runner.invoke(args=["judges", "add", "--edition", "2021", "--name", "Lê Hà", "--unit", "Sở Không Có"])
    assert result.exit_code == 1
    assert "Lỗi: Không tìm thấy đơn vị “Sở Không Có” trong danh mục." in result.output
    result = runner.invoke(args=["judges", "add", "--edition", "2031", "--name", "Lê Hà"])
    assert "Lỗi: Không tìm thấy kỳ thi “2031”." in result.output
    assert [(j.seat, j.name, j.title) for j in final_judges(edition)] == [
        (1, "Phạm Thị Lan", "Phó Giám đốc"), (4, "Võ Minh Tuấn", "")]


def test_commands_on_a_database_without_schema_say_to_upgrade(tmp_path):
    app = build_app(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    runner = app.test_cli_runner()
    expected = ("Lỗi: Cơ sở dữ liệu chưa có cấu trúc bảng (hoặc chưa được nâng cấp). "
                "Hãy chạy: flask --app contest_app db upgrade\n")
    for args in (["load-demo"], ["export-results", "--edition", "2019"], ["seed-units"],
                 ["judges", "add", "--edition", "2021", "--name", "A"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 1, (args, result.output)
        assert result.output == expected, args
        assert "Traceback" not in result.output
    with app.app_context():
        db.engine.dispose()


def test_commands_on_postgresql_without_schema_say_to_upgrade(pg_schema):
    from tests.conftest import PG_URL

    app = build_app(PG_URL, {"connect_args": {"options": f"-csearch_path={pg_schema}"}})
    result = app.test_cli_runner().invoke(args=["load-demo"])
    with app.app_context():
        db.engine.dispose()
    assert result.exit_code == 1
    assert "Hãy chạy: flask --app contest_app db upgrade" in result.output


def test_judge_links_use_the_public_address(runner, app, demo):
    result = runner.invoke(args=["judge-links", "--edition", "2019"])
    assert result.exit_code == 0
    assert "Cảnh báo: Địa chỉ công khai đang là địa chỉ nội bộ của máy chủ (http://127.0.0.1:5000)" in result.output
    app.config["CONTEST_PUBLIC_URL"] = "http://192.168.1.10"
    result = runner.invoke(args=["judge-links", "--edition", "2019"])
    lines = result.output.splitlines()
    assert lines[0] == "Giám khảo chung khảo · Lần thứ 4 - năm 2019 (trang đăng nhập bằng PIN: http://192.168.1.10/judge)"
    assert all(line.split("\t")[1].startswith("http://192.168.1.10/j/") for line in lines[1:])
    assert len(lines) == 7


def test_organiser_sets_the_editions_public_address(client, make_user, login, demo):
    import re
    from html import unescape

    from contest_app.models import Edition
    from tests.conftest import csrf_token_from

    make_user("btc", "organiser")
    login("btc")
    url = f"/organiser/editions/{demo.id}/settings"
    page = client.get(url).get_data(as_text=True)
    assert "Địa chỉ công khai đang là địa chỉ nội bộ của máy chủ (http://localhost)" in unescape(page)
    data = {"csrf_token": csrf_token_from(page), "preliminary_cutoff": "75,00", "rules_reference": "",
            "report_number": "", "issuing_body": "", "public_url": "hoithi khanh hoa"}
    html = unescape(client.post(url, data=data, follow_redirects=True).get_data(as_text=True))
    assert "Địa chỉ công khai phải có dạng http://máy-chủ[:cổng] hoặc https://tên-miền." in html
    data["public_url"] = "http://192.168.1.10:8000/"
    html = unescape(client.post(url, data=data, follow_redirects=True).get_data(as_text=True))
    assert "Đã lưu cài đặt kỳ thi." in html and "địa chỉ nội bộ" not in html
    db.session.expire_all()
    assert db.session.get(Edition, demo.id).public_url == "http://192.168.1.10:8000"
    board = client.get("/board/2019").get_data(as_text=True)
    assert re.search(r"loopback-warning", board) is None
