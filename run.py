"""Start contest_app: ``python run.py`` serves on http://127.0.0.1:5000 (SQLite, one process).

gevent is monkey-patched first thing, before anything else is imported, so the
Socket.IO server, the database drivers and Redis all cooperate on one event loop.
"""
from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python run.py",
        description="Chạy máy chủ contest_app (mặc định: SQLite trong instance/, một tiến trình).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="địa chỉ lắng nghe (mặc định 127.0.0.1)")
    parser.add_argument("--port", type=int, default=5000, help="cổng (mặc định 5000)")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="tạo cơ sở dữ liệu và nạp dữ liệu mẫu năm 2019 (kèm điểm) nếu còn trống",
    )
    return parser.parse_args(argv)


def prepare_database(app, demo: bool) -> None:
    """Bring the schema to the latest migration; load the demo when asked and the database is empty."""
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from contest_app.extensions import db
    from contest_app.models import Edition, User
    from contest_app.services.trust.accounts import create_user
    from contest_app.services.demo import load_demo

    with app.app_context():
        upgrade()
        if not demo:
            return
        if db.session.scalar(select(func.count()).select_from(Edition)) == 0:
            load_demo(with_marks=True)
            print("Đã nạp dữ liệu mẫu: cuộc thi lần thứ 4 - năm 2019 (kèm điểm của 6 giám khảo).")
        if db.session.scalar(select(User).where(User.username == "demo")) is None:
            create_user(username="demo", role="organiser", password="demo-2019", display_name="Ban Tổ chức (mẫu)")
            create_user(username="thuky", role="secretariat", password="demo-2019", display_name="Ban Thư ký (mẫu)")
            create_user(username="dieukhien", role="control", password="demo-2019", display_name="Bàn điều khiển (mẫu)")
        db.session.commit()
        print("Đăng nhập bản mẫu: demo / demo-2019 (Ban Tổ chức), thuky / demo-2019 (Ban Thư ký),")
        print("                   dieukhien / demo-2019 (Bàn điều khiển).")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("CONTEST_ASYNC_MODE", "gevent")
    from contest_app import create_app
    from contest_app.extensions import socketio

    app = create_app()
    prepare_database(app, args.demo)
    print(f"contest_app đang chạy tại http://{args.host}:{args.port}/  (Ctrl+C để dừng)")
    socketio.run(app, host=args.host, port=args.port, log_output=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
