"""`flask judges add` for scripts, and every command on a database without its schema."""
from __future__ import annotations

from contest_app.extensions import db
from contest_app.services.demo import ensure_units
from contest_app.services.editions import create_edition
from contest_app.services.judge_access import final_judges
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


def test_commands_on_postgresql_without_schema_say_to_upgrade(pg_schema):
    from tests.conftest import PG_URL

    app = build_app(PG_URL, {"connect_args": {"options": f"-csearch_path={pg_schema}"}})
    result = app.test_cli_runner().invoke(args=["load-demo"])
    assert result.exit_code == 1
    assert "Hãy chạy: flask --app contest_app db upgrade" in result.output
