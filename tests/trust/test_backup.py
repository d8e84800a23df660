"""Backup and restore of a whole edition (demo with marks, a lock, audit records)."""
import sqlite3
import threading
import zipfile

import pytest
from sqlalchemy import text

from contest_app.extensions import db
from contest_app.services.trust.audit import record_event, verify_chain
from contest_app.services.trust.backup import restore_database, row_counts
from contest_app.services.rounds.editions import get_edition
from contest_app.services.errors import Conflict
from contest_app.services.final.lock import lock_final, locked_fingerprint
from contest_app.services.final.results import compute_results
from tests.conftest import PG_URL, build_app, fresh_pg_schema
from tests.published_2019 import assert_matches_published


def _full_edition():
    """The 2019 demo with marks, three audit records and a lock; returns what must survive."""
    from contest_app.services.demo import load_demo

    edition = load_demo(with_marks=True)
    db.session.flush()
    record_event(actor="thuky", action="mark.change", edition_id=edition.id, object_type="mark", object_id=1,
                 before={"value": "8.50"}, after={"value": "9.00"}, reason="Nhập nhầm — sửa theo phiếu")
    record_event(actor="btc", action="draw.confirm", edition_id=edition.id, after={"seed": "ảbc", "order": [3, 1, 2]})
    lock_final(edition=edition, actor="thuky")
    db.session.commit()
    results = compute_results(edition)
    return {
        "results": results.to_dict(),
        "fingerprint": results.fingerprint(),
        "counts": row_counts(),
    }


def _check_restored(expected):
    edition = get_edition(2019)
    results = compute_results(edition)
    assert results.to_dict() == expected["results"]
    assert results.fingerprint() == expected["fingerprint"] == locked_fingerprint(edition)
    assert verify_chain() == []
    assert row_counts() == expected["counts"]
    assert_matches_published(results.to_dict())
    assert edition.locked_by == "thuky"


@pytest.fixture
def second_pg_schema():
    with fresh_pg_schema() as schema:
        yield schema


def _target(kind, tmp_path, schema=None):
    if kind == "sqlite":
        return build_app(f"sqlite:///{tmp_path / 'restored.sqlite'}")
    return build_app(PG_URL, {"connect_args": {"options": f"-csearch_path={schema}"}})


@pytest.mark.parametrize("target_kind", ["sqlite", "postgres"])
def test_backup_restore_round_trips_a_full_edition(any_app, tmp_path, target_kind, request):
    expected = _full_edition()
    path = tmp_path / "backup.bin"
    result = any_app.test_cli_runner().invoke(args=["backup", "--out", str(path)])
    assert result.exit_code == 0, result.output
    total = sum(expected["counts"].values())
    fmt = "sqlite" if any_app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") else "jsonl"
    assert result.output.startswith(f"Đã sao lưu {total} dòng của {len(expected['counts'])} bảng vào {path} (định dạng {fmt}).")

    schema = request.getfixturevalue("second_pg_schema") if target_kind == "postgres" else None
    target = _target(target_kind, tmp_path, schema)
    with target.app_context():
        result = target.test_cli_runner().invoke(args=["restore", "--file", str(path)])
        assert result.exit_code == 0, result.output
        assert result.output == (
            f"Đã khôi phục {total} dòng của {len(expected['counts'])} bảng từ {path}.\n"
            "Chuỗi nhật ký sau khi khôi phục: toàn vẹn.\n"
        )
        _check_restored(expected)
        # new rows after a restore get fresh ids (PostgreSQL sequences moved on)
        event = record_event(actor="thuky", action="backup.check")
        db.session.commit()
        assert verify_chain() == []
        assert event.id == expected["counts"]["audit_event"] + 1
        db.session.remove()
        db.engine.dispose()


def test_jsonl_backup_of_sqlite_keeps_decimals_as_strings(app, tmp_path):
    _full_edition()
    path = tmp_path / "backup.zip"
    result = app.test_cli_runner().invoke(args=["backup", "--out", str(path), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        assert "manifest.json" in names and "tables/mark.jsonl" in names
        first_mark = archive.read("tables/mark.jsonl").decode("utf-8").splitlines()[0]
    assert '"value": "6.50"' in first_mark  # knowledge 6.00 + 0.5: a string, never a float


def test_restore_refuses_a_database_that_is_not_empty(app, tmp_path):
    _full_edition()
    path = tmp_path / "backup.sqlite"
    app.test_cli_runner().invoke(args=["backup", "--out", str(path)])
    result = app.test_cli_runner().invoke(args=["restore", "--file", str(path)])
    assert result.exit_code == 1
    assert result.output.startswith("Lỗi: Cơ sở dữ liệu hiện tại không trống: ")
    assert result.output.rstrip().endswith(
        "Chỉ khôi phục vào cơ sở dữ liệu trống, hoặc dùng --force để xóa dữ liệu hiện có."
    )
    with pytest.raises(Conflict):
        restore_database(path=path)


def test_restore_with_force_replaces_the_data(app, tmp_path):
    expected = _full_edition()
    path = tmp_path / "backup.sqlite"
    app.test_cli_runner().invoke(args=["backup", "--out", str(path)])
    record_event(actor="ai-do", action="mark.change", after={"value": "10.00"})
    db.session.execute(text("DELETE FROM mark WHERE id IN (SELECT id FROM mark LIMIT 5)"))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["restore", "--file", str(path), "--force"])
    assert result.exit_code == 0, result.output
    db.session.remove()
    _check_restored(expected)


def test_restore_refuses_a_file_that_is_not_a_backup(app, tmp_path):
    path = tmp_path / "rac.bin"
    path.write_bytes(b"khong phai sao luu")
    result = app.test_cli_runner().invoke(args=["restore", "--file", str(path)])
    assert result.exit_code == 1
    assert result.output == (
        "Lỗi: Tệp “rac.bin” không phải là bản sao lưu của hệ thống (không phải SQLite hay zip JSON-lines).\n"
    )


def test_sqlite_backup_while_another_connection_writes(app, tmp_path):
    """The online backup API copies a consistent state while a writer keeps committing."""
    _full_edition()
    source = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    stop = threading.Event()
    written = []

    def writer():
        conn = sqlite3.connect(source, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        i = 0
        while not stop.is_set() and i < 2000:
            conn.execute("INSERT INTO unit (name, block) VALUES (?, 'department')", (f"Đơn vị tạm {i}",))
            conn.commit()
            written.append(i)
            i += 1
        conn.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        paths = []
        for n in range(3):
            path = tmp_path / f"backup-{n}.sqlite"
            result = app.test_cli_runner().invoke(args=["backup", "--out", str(path)])
            assert result.exit_code == 0, result.output
            paths.append(path)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert written, "the writer never committed"
    for path in paths:
        check = sqlite3.connect(path)
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert check.execute("SELECT COUNT(*) FROM mark").fetchone() == (216,)
        check.close()
