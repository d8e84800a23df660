"""Backup and restore of the whole database, in one file, while the app runs.

Two formats, chosen by the database unless asked otherwise:

* ``sqlite``: a copy made with SQLite's online backup API (consistent even while
  other processes write, thanks to WAL);
* ``jsonl``: a portable zip holding ``manifest.json`` and one JSON-lines file per
  table, read in one REPEATABLE READ transaction on PostgreSQL. Decimals are
  strings, datetimes ISO 8601 in UTC, so nothing is rounded through a float.

``restore_database`` reads either format and writes the rows into the current
database through SQLAlchemy, so a backup of one engine can be restored on the other.
It refuses a database that already holds rows unless ``force`` is given.
This module does its own transactions: backup and restore are whole-database
operations run from the command line, not steps inside a request.
"""
from __future__ import annotations

import base64
import io
import json
import sqlite3
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    Table,
    Time,
    create_engine,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Connection, Engine

from contest_app.extensions import db
from contest_app.services.errors import Conflict, ValidationError

FORMAT_VERSION = 1
SQLITE_MAGIC = b"SQLite format 3\x00"
#: Tables that belong to tools, not to the contest; copied when present, never required.
TOOL_TABLES = ("alembic_version",)


@dataclass
class BackupSummary:
    """What a backup or a restore handled: the format and the row count of every table."""

    path: Path
    format: str
    tables: dict[str, int] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


# --------------------------------------------------------------------------- encoding


def _encode(value: Any) -> Any:
    """A JSON-safe form of one column value: no floats for numbers, UTC for times."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, (bytes, memoryview)):
        return {"$base64": base64.b64encode(bytes(value)).decode("ascii")}
    return value


def _decode(value: Any, column_type: Any) -> Any:
    """Turn a JSON-lines value back into what ``column_type`` stores."""
    if value is None:
        return None
    if isinstance(column_type, JSON):
        return value
    if isinstance(value, dict) and "$base64" in value:
        return base64.b64decode(value["$base64"])
    if isinstance(column_type, Numeric) and not isinstance(column_type, Integer):
        return Decimal(str(value))
    if isinstance(column_type, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(column_type, Date):
        return date.fromisoformat(value)
    if isinstance(column_type, Time):
        return time.fromisoformat(value)
    if isinstance(column_type, Boolean):
        return bool(value)
    if isinstance(column_type, LargeBinary) and isinstance(value, str):
        return value.encode("utf-8")
    return value


# --------------------------------------------------------------------------- tables


def _model_tables() -> list[Table]:
    """The app's tables in an order where every table follows those it refers to."""
    import contest_app.models  # noqa: F401 - registers every model

    return list(db.metadata.sorted_tables)


def _tables_of(engine: Engine | Connection) -> list[Table]:
    """Every table of the database: the models' (typed) first, then tool tables found there."""
    present = set(inspect(engine).get_table_names())
    tables = [t for t in _model_tables() if t.name in present]
    if any(name in present for name in TOOL_TABLES):
        reflected = MetaData()
        reflected.reflect(bind=engine, only=[n for n in TOOL_TABLES if n in present])
        tables.extend(reflected.sorted_tables)
    return tables


def _database_path(engine: Engine) -> str | None:
    """The file of a SQLite database, or None for an in-memory one."""
    database = engine.url.database
    if not database or database == ":memory:":
        return None
    return database


def row_counts(engine: Engine | None = None) -> dict[str, int]:
    """How many rows each table of the database holds."""
    engine = engine or db.engine
    with engine.connect() as conn:
        return {t.name: conn.scalar(select(func.count()).select_from(t)) for t in _tables_of(conn)}


# --------------------------------------------------------------------------- backup


def backup_database(*, out: str | Path, fmt: str = "auto") -> BackupSummary:
    """Write one file holding the whole database; safe while the app serves requests."""
    out = Path(out)
    engine = db.engine
    if fmt not in ("auto", "sqlite", "jsonl"):
        raise ValidationError(f"Định dạng sao lưu “{fmt}” không được hỗ trợ: chọn sqlite hoặc jsonl.", code="bad_format")
    if fmt == "auto":
        fmt = "sqlite" if engine.dialect.name == "sqlite" else "jsonl"
    if fmt == "sqlite" and engine.dialect.name != "sqlite":
        raise ValidationError("Chỉ sao lưu được dạng tệp SQLite khi cơ sở dữ liệu là SQLite.", code="bad_format")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    if tmp.exists():
        tmp.unlink()
    if fmt == "sqlite":
        source_path = _database_path(engine)
        if source_path is None:
            raise ValidationError("Cơ sở dữ liệu SQLite trong bộ nhớ không thể sao lưu.", code="in_memory")
        source = sqlite3.connect(source_path, timeout=30)
        target = sqlite3.connect(tmp)
        try:
            source.backup(target)
            target.execute("PRAGMA journal_mode=DELETE")
        finally:
            target.close()
            source.close()
        tables = row_counts(create_engine(f"sqlite:///{tmp}"))
    else:
        tables = _write_jsonl(engine, tmp)
    tmp.replace(out)
    return BackupSummary(path=out, format=fmt, tables=tables)


def _write_jsonl(engine: Engine, path: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin(), zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            if engine.dialect.name == "sqlite":
                # pysqlite opens no transaction before a SELECT: without this BEGIN each table
                # would be read at a different moment. Inside it, every read is one snapshot (WAL).
                conn.exec_driver_sql("BEGIN")
            tables = _tables_of(conn)
            for table in tables:
                order = list(table.primary_key.columns) or list(table.columns)
                buffer = io.StringIO()
                count = 0
                for row in conn.execute(select(table).order_by(*order)).mappings():
                    buffer.write(json.dumps({k: _encode(v) for k, v in row.items()}, ensure_ascii=False))
                    buffer.write("\n")
                    count += 1
                archive.writestr(f"tables/{table.name}.jsonl", buffer.getvalue())
                counts[table.name] = count
            manifest = {
                "format": "contest_app-backup",
                "version": FORMAT_VERSION,
                "created_at": datetime.now(UTC).isoformat(),
                "dialect": engine.dialect.name,
                "tables": [{"name": t.name, "rows": counts[t.name]} for t in tables],
            }
            archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
    return counts


# --------------------------------------------------------------------------- restore


def _read_backup(path: Path) -> tuple[str, Iterator[tuple[str, list[dict[str, Any]]]]]:
    """Open a backup of either format; return its format and its (table, rows) in order."""
    if not path.is_file():
        raise ValidationError(f"Không tìm thấy tệp sao lưu “{path}”.", code="no_file")
    with path.open("rb") as handle:
        head = handle.read(16)
    if head == SQLITE_MAGIC:
        return "sqlite", _rows_from_sqlite(path)
    if zipfile.is_zipfile(path):
        return "jsonl", _rows_from_zip(path)
    raise ValidationError(
        f"Tệp “{path.name}” không phải là bản sao lưu của hệ thống (không phải SQLite hay zip JSON-lines).",
        code="bad_backup",
    )


def _rows_from_sqlite(path: Path) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    engine = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    try:
        with engine.connect() as conn:
            for table in _tables_of(conn):
                rows = [dict(r) for r in conn.execute(select(table)).mappings()]
                yield table.name, rows
    finally:
        engine.dispose()


def _rows_from_zip(path: Path) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    with zipfile.ZipFile(path) as archive:
        try:
            manifest = json.loads(archive.read("manifest.json"))
        except (KeyError, ValueError):
            raise ValidationError("Bản sao lưu thiếu hoặc hỏng tệp manifest.json.", code="bad_backup") from None
        if manifest.get("format") != "contest_app-backup":
            raise ValidationError("Tệp zip không phải là bản sao lưu của hệ thống.", code="bad_backup")
        for entry in manifest.get("tables", []):
            name = entry["name"]
            lines = archive.read(f"tables/{name}.jsonl").decode("utf-8").splitlines()
            rows = [json.loads(line) for line in lines if line.strip()]
            if len(rows) != entry.get("rows", len(rows)):
                raise ValidationError(f"Bảng “{name}” trong bản sao lưu không đủ số dòng đã ghi.", code="bad_backup")
            yield name, rows


def restore_database(*, path: str | Path, force: bool = False) -> BackupSummary:
    """Load a backup into the current database (schema created if missing).

    Refuses, in Vietnamese, a database that already holds rows unless ``force``,
    which first empties every table. All rows are written in one transaction.
    """
    path = Path(path)
    fmt, tables = _read_backup(path)
    engine = db.engine
    db.session.remove()
    import contest_app.models  # noqa: F401

    db.metadata.create_all(engine)
    current = row_counts(engine)
    occupied = {name: n for name, n in current.items() if n and name not in TOOL_TABLES}
    if occupied and not force:
        listing = ", ".join(f"{name} ({n} dòng)" for name, n in sorted(occupied.items()))
        raise Conflict(
            f"Cơ sở dữ liệu hiện tại không trống: {listing}. "
            "Chỉ khôi phục vào cơ sở dữ liệu trống, hoặc dùng --force để xóa dữ liệu hiện có.",
            code="not_empty",
        )
    counts: dict[str, int] = {}
    with engine.begin() as conn:
        target_tables = {t.name: t for t in _tables_of(conn)}
        if force or any(current.get(n) for n in TOOL_TABLES):
            for table in reversed(list(target_tables.values())):
                conn.execute(table.delete())
        for name, rows in tables:
            table = target_tables.get(name)
            if table is None:
                if name in TOOL_TABLES:
                    continue
                raise ValidationError(
                    f"Bảng “{name}” của bản sao lưu không có trong cơ sở dữ liệu hiện tại.", code="unknown_table"
                )
            known = {c.name: c.type for c in table.columns}
            decoded = [
                {k: _as_utc(_decode(v, known[k]) if fmt == "jsonl" else v, known[k]) for k, v in row.items() if k in known}
                for row in rows
            ]
            if decoded:
                conn.execute(table.insert(), decoded)
            counts[name] = len(decoded)
        if engine.dialect.name == "postgresql":
            _reset_sequences(conn, list(target_tables.values()))
    return BackupSummary(path=path, format=fmt, tables=counts)


def _as_utc(value: Any, column_type: Any) -> Any:
    """Naive datetimes in the app are UTC (SQLite keeps no zone): say so before PostgreSQL reads them."""
    if isinstance(value, datetime) and value.tzinfo is None and getattr(column_type, "timezone", False):
        return value.replace(tzinfo=UTC)
    return value


def _reset_sequences(conn: Connection, tables: list[Table]) -> None:
    """Move PostgreSQL's id sequences past the restored ids."""
    for table in tables:
        for column in table.primary_key.columns:
            if not isinstance(column.type, Integer):
                continue
            sequence = conn.scalar(text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column.name})
            if sequence:
                conn.execute(
                    text(f'SELECT setval(:s, COALESCE((SELECT MAX("{column.name}") FROM "{table.name}"), 0) + 1, false)'),
                    {"s": sequence},
                )
