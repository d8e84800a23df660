"""The Alembic migrations build exactly the schema the models describe."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import inspect

from contest_app.extensions import db
from tests.conftest import PG_URL, build_app


def _diff_after_upgrade(app):
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
            tables = set(inspect(conn).get_table_names())
        db.engine.dispose()
    return diff, tables


def test_migrations_match_models_on_sqlite(tmp_path):
    app = build_app(f"sqlite:///{tmp_path / 'm.sqlite'}")
    diff, tables = _diff_after_upgrade(app)
    assert diff == []
    assert {"edition", "segment", "mark", "judge", "entry", "team", "audit_event", "user_account"} <= tables


def test_migrations_match_models_on_postgresql(pg_schema):
    app = build_app(PG_URL, {"connect_args": {"options": f"-csearch_path={pg_schema}"}})
    diff, tables = _diff_after_upgrade(app)
    assert diff == []
    assert "mark" in tables
