"""Serve contest_app with gevent: the command line of ``python run.py`` and ``python -m contest_app``.

gevent must be monkey-patched BEFORE this module is imported (run.py and contest_app/__main__.py
do it on their first line), so the Socket.IO server, the database drivers and Redis all
cooperate on one event loop. Before serving, the one-time steps (migrations, the secret key's
fingerprint, the demo) run under a deployment-wide lock, so processes started together take turns.
"""
from __future__ import annotations

import argparse
import gc
import os
import sys


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python run.py" if sys.argv and sys.argv[0].endswith("run.py") else "contest-app",
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


DEMO_MARK = "demo_loaded"


class NotADemoDatabase(Exception):
    """--demo was pointed at a database that holds something other than the demo."""


def holds_only_the_demo(app) -> bool:
    """True when the database is empty or was filled by ``run.py --demo`` (its first audit record says so)."""
    from sqlalchemy import inspect, text

    from contest_app.extensions import db

    tables = set(inspect(db.engine).get_table_names())
    if not tables - {"alembic_version"}:
        return True
    with db.engine.connect() as conn:
        filled = any(
            conn.execute(text(f"SELECT 1 FROM {name} LIMIT 1")).first() is not None
            for name in ("edition", "user_account", "unit", "audit_event") if name in tables
        )
        if not filled:
            return True
        if "audit_event" not in tables:
            return False
        first = conn.execute(text("SELECT action FROM audit_event ORDER BY id LIMIT 1")).first()
    return first is not None and first[0] == DEMO_MARK


def prepare_database(app, demo: bool) -> None:
    """Bring the schema to the latest migration; load the demo when asked and the database is empty.

    With ``demo`` the database must be empty or hold only a demo loaded by this command:
    a database with a real edition is refused before anything is written to it.
    """
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from contest_app.extensions import db
    from contest_app.models import Edition, User
    from contest_app.services.trust.accounts import create_user
    from contest_app.services.trust.audit import record_event
    from contest_app.services.demo import load_demo
    from contest_app.services.trust.deployment import check_server_secret, one_time_lock

    # The one-time steps run under a deployment-wide lock, so processes started together take turns.
    with app.app_context(), one_time_lock(app):
        if demo and not holds_only_the_demo(app):
            raise NotADemoDatabase(
                "Không chạy bản mẫu: cơ sở dữ liệu này đã có dữ liệu thật (không phải bản mẫu). "
                "Hãy dùng --demo với một cơ sở dữ liệu trống (ví dụ đặt CONTEST_DATABASE_URL tới một tệp SQLite mới)."
            )
        upgrade()
        check_server_secret()
        db.session.commit()
        if not demo:
            return
        if db.session.scalar(select(func.count()).select_from(Edition)) == 0:
            record_event(actor="run.py --demo", action=DEMO_MARK, object_type="database", object_id="demo",
                         after={"note": "bản mẫu năm 2019"})
            load_demo(with_marks=True)
            print("Đã nạp dữ liệu mẫu: cuộc thi lần thứ 4 - năm 2019 (kèm điểm của 6 giám khảo).")
        if db.session.scalar(select(User).where(User.username == "demo")) is None:
            create_user(username="demo", role="organiser", password="demo-2019", display_name="Ban Tổ chức (mẫu)")
            create_user(username="thuky", role="secretariat", password="demo-2019", display_name="Ban Thư ký (mẫu)")
            create_user(username="dieukhien", role="control", password="demo-2019", display_name="Bàn điều khiển (mẫu)")
        db.session.commit()
        print("Đăng nhập bản mẫu: demo / demo-2019 (Ban Tổ chức), thuky / demo-2019 (Ban Thư ký),")
        print("                   dieukhien / demo-2019 (Bàn điều khiển).")


#: The young generation's threshold while serving (CPython's default is 700 allocations).
GC_YOUNG_THRESHOLD = 50_000


def tune_gc() -> None:
    """Keep the garbage collector's full passes off the live path, once the app is ready to serve.

    Everything loaded at start (modules, the ORM's mappers, the locale data: most of a process's
    objects) is moved to the permanent generation, which no collection scans again; and the
    young generation is collected every 50,000 allocations instead of 700, so fewer objects of
    a mark's short life are promoted and full passes are rarer. Measured with 2,000 boards per
    process (benchmarks, docs/performance.md): a full pass took up to 275 ms and landed on a
    mark now and then. ``CONTEST_GC_TUNING=0`` keeps CPython's defaults.
    """
    if os.environ.get("CONTEST_GC_TUNING", "1") == "0":
        return
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("CONTEST_ASYNC_MODE", "gevent")
    if args.demo:
        os.environ["CONTEST_ENV"] = "demo"  # keys may be generated in instance/ for the demo only
    from contest_app import create_app
    from contest_app.config import InsecureConfiguration
    from contest_app.extensions import socketio
    from contest_app.services.errors import ServiceError

    try:
        app = create_app()
        prepare_database(app, args.demo)
    except (InsecureConfiguration, NotADemoDatabase) as exc:
        print(exc, file=sys.stderr)
        return 2
    except ServiceError as exc:  # a CONTEST_SECRET_KEY other than the one the database was used with
        print(f"Lỗi: {exc.message}", file=sys.stderr)
        return 1
    print(f"contest_app đang chạy tại http://{args.host}:{args.port}/  (Ctrl+C để dừng)")
    tune_gc()
    socketio.run(app, host=args.host, port=args.port, log_output=False)
    return 0
