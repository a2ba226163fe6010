"""Database layer: migrations match the models, SQLite settings, configuration, transactions.

Tests taking ``any_engine`` run on SQLite and on PostgreSQL/PostGIS (ids ``[sqlite]``, ``[postgresql]``).
"""

from __future__ import annotations

import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from planning import config
from planning.backup import _known_revisions
from planning.db import include_name, make_engine, migrate, schema_revision, session_scope
from planning.models import Area, AreaLayout, Base


def test_migrations_build_exactly_the_model_schema(any_engine):
    with any_engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": include_name})
        diff = compare_metadata(context, Base.metadata)
    assert diff == [], f"models and Alembic migrations differ: {diff}"


def test_migrate_is_idempotent_and_records_revision(any_engine):
    rev = schema_revision(any_engine)
    assert rev is not None
    migrate(any_engine)
    assert schema_revision(any_engine) == rev


def test_sqlite_runs_in_wal_mode_with_foreign_keys(empty_engine):
    with empty_engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_session_scope_rolls_back_everything_on_error(any_engine):
    with pytest.raises(RuntimeError), session_scope(any_engine) as s:
        s.add(AreaLayout(code="x", name="x", municipality="x", epsg=25832))
        s.flush()
        raise RuntimeError("Abbruch mitten im Import")
    with session_scope(any_engine) as s:
        assert s.scalar(select(func.count()).select_from(AreaLayout)) == 0


def test_foreign_keys_are_enforced(any_engine):
    with pytest.raises(IntegrityError), session_scope(any_engine) as s:
        s.add(Area(layout_id=999, gebiet_id="01", name="ohne Gebietsstand", level=0))
        s.flush()


def test_postgresql_test_database_has_postgis(pg_url):
    engine = make_engine(pg_url.replace("postgresql+psycopg://", "postgresql://"))
    assert engine.url.drivername == "postgresql+psycopg"  # a plain postgresql:// URL uses psycopg 3
    try:
        with engine.connect() as conn:
            postgis = conn.execute(text("SELECT extversion FROM pg_extension WHERE extname = 'postgis'"))
            assert postgis.scalar()
            srid = conn.execute(text("SELECT ST_SRID(ST_SetSRID(ST_MakePoint(1, 2), 25832))"))
            assert srid.scalar() == 25832
    finally:
        engine.dispose()


def test_app_processes_starting_at_once_migrate_one_after_the_other(pg_url):
    """deploy/ starts several app processes on one empty PostgreSQL database: each migrates on start."""
    engines = [make_engine(pg_url) for _ in range(3)]
    errors: list[BaseException] = []
    start = threading.Barrier(len(engines))

    def run(engine) -> None:
        start.wait()
        try:
            migrate(engine)
        except BaseException as exc:  # collected: the assertion below shows it
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors
    assert {schema_revision(e) for e in engines} == {_known_revisions()[-1]}
    for e in engines:
        e.dispose()


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
