"""Database layer: migrations match the models, SQLite settings, configuration, transactions."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select, text

from planning import config
from planning.db import make_engine, migrate, schema_revision, session_scope
from planning.models import AreaLayout, Base


def test_migrations_build_exactly_the_model_schema(empty_engine):
    with empty_engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == [], f"models and Alembic migrations differ: {diff}"


def test_migrate_is_idempotent_and_records_revision(empty_engine):
    rev = schema_revision(empty_engine)
    assert rev is not None
    migrate(empty_engine)
    assert schema_revision(empty_engine) == rev


def test_sqlite_runs_in_wal_mode_with_foreign_keys(empty_engine):
    with empty_engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_session_scope_rolls_back_everything_on_error(empty_engine):
    with pytest.raises(RuntimeError), session_scope(empty_engine) as s:
        s.add(AreaLayout(code="x", name="x", municipality="x", epsg=25832))
        s.flush()
        raise RuntimeError("Abbruch mitten im Import")
    with session_scope(empty_engine) as s:
        assert s.scalar(select(func.count()).select_from(AreaLayout)) == 0


def test_sqlite_parent_folder_is_created(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'neu' / 'ordner' / 'x.db'}")
    migrate(engine)
    assert (tmp_path / "neu" / "ordner" / "x.db").exists()


def test_db_url_resolution_order(tmp_path, monkeypatch):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[database]\nurl = "sqlite:///aus-secrets.db"\n', encoding="utf-8")
    monkeypatch.setenv(config.ENV_DATA_DIR, str(tmp_path / "daten"))
    monkeypatch.delenv(config.ENV_DB_URL, raising=False)
    assert (
        config.resolve_db_url(None, tmp_path / "fehlt.toml")
        == f"sqlite:///{tmp_path / 'daten' / 'planungsatlas.db'}"
    )
    assert config.resolve_db_url(None, secrets) == "sqlite:///aus-secrets.db"
    monkeypatch.setenv(config.ENV_DB_URL, "sqlite:///aus-env.db")
    assert config.resolve_db_url(None, secrets) == "sqlite:///aus-env.db"
    assert config.resolve_db_url("sqlite:///explizit.db", secrets) == "sqlite:///explizit.db"
