"""Database fixtures for both back ends (a pytest plugin, registered in tests/conftest.py).

``any_engine`` runs a test twice: ``[sqlite]`` on a SQLite file in the test's tmp folder and
``[postgresql]`` on a fresh database in a throwaway PostgreSQL + PostGIS cluster that this session
starts itself (see ``tests/pgcluster.py``). Both are migrated with Alembic, never ``create_all``.

Without PostgreSQL/PostGIS installed the ``[postgresql]`` cases are skipped with the reason; in CI
(``CI=true``) they fail instead, so a missing server can never pass unnoticed. ``-m "not
postgresql"`` runs the SQLite cases alone.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pgcluster import PgCluster, PgUnavailable
from sqlalchemy import Engine

from planning.db import make_engine, migrate


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgresql: runs against the throwaway PostgreSQL/PostGIS cluster")


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """One PostgreSQL + PostGIS server for the whole session, started on first use, removed at the end."""
    missing = ""
    try:
        cluster = PgCluster.start()
    except PgUnavailable as exc:
        missing = str(exc)
    if missing:  # outside the except block: the report shows the reason, not a chained traceback
        if in_ci():
            pytest.fail(f"CI braucht PostgreSQL/PostGIS für die Datenbanktests: {missing}", pytrace=False)
        pytest.skip(f"PostgreSQL/PostGIS nicht installiert: {missing}")
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def pg_url(pg_cluster: PgCluster) -> Iterator[str]:
    """URL of a fresh, empty database with PostGIS, dropped after the test."""
    name = pg_cluster.create_database()
    try:
        yield pg_cluster.url(name)
    finally:
        pg_cluster.drop_database(name)


def backend_url(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture(
    params=[pytest.param("sqlite"), pytest.param("postgresql", marks=pytest.mark.postgresql)],
)
def any_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty database on each back end: test ids ``[sqlite]`` and ``[postgresql]``."""
    engine = make_engine(backend_url(request, request.param, tmp_path))
    migrate(engine)
    try:
        yield engine
    finally:
        engine.dispose()
