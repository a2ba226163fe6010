"""Engine, sessions and schema migrations.

SQLite runs in WAL mode with a busy timeout and enforced foreign keys, so several app processes
and a running import do not block or corrupt each other. The schema is always brought to the
newest Alembic revision through :func:`migrate`; ``create_all`` is never used outside tests of the
migrations themselves.
"""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from planning import audit
from planning.sessions import (  # re-exported: most modules open their transactions through planning.db
    compare_and_set,
    concurrent_edit_message,
    session_factory,
    session_or_scope,
    session_scope,
)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=15000")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


# --- a counter of committed writes in this process (cache keys) -----------------------------------
_WRITES = ("INSERT", "UPDATE", "DELETE", "COPY", "CREATE", "DROP", "ALTER")
_generation = [0]
_generation_lock = threading.Lock()


@event.listens_for(Engine, "before_cursor_execute")
def _note_write(conn, _cursor, statement, _params, _context, _many) -> None:  # type: ignore[no-untyped-def]
    if statement.lstrip()[:6].upper().startswith(_WRITES):
        conn.info["planungsatlas_wrote"] = True


@event.listens_for(Engine, "commit")
def _count_commit(conn) -> None:  # type: ignore[no-untyped-def]
    if conn.info.pop("planungsatlas_wrote", False):
        with _generation_lock:
            _generation[0] += 1


@event.listens_for(Engine, "rollback")
def _forget_write(conn) -> None:  # type: ignore[no-untyped-def]
    conn.info.pop("planungsatlas_wrote", None)


def write_generation() -> int:
    """Counts the transactions that wrote and committed through any engine of this process.

    The app keys its briefly cached "what is current" lookups (active versions, register state) on
    it: a write in this process shows at the next rerun, one of another process within seconds.
    """
    return _generation[0]


def make_engine(url: str) -> Engine:
    """Create an engine; for SQLite files the parent folder is created and pragmas are set.

    ``postgresql://`` URLs use psycopg 3 (the installed driver) unless they name another driver.
    """
    audit.install()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 15})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(parsed, pool_pre_ping=True)


#: Tables that PostgreSQL extensions create in our schema (PostGIS); not part of the model schema.
EXTENSION_TABLES = frozenset({"spatial_ref_sys"})


def include_name(name: str | None, type_: str, _parent_names: object) -> bool:
    """Alembic filter: leave extension-owned tables alone (never drop or compare them)."""
    return not (type_ == "table" and name in EXTENSION_TABLES)


def alembic_config(engine: Engine):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


#: PostgreSQL advisory lock held while migrating ("PLANATLS" in ASCII, fits a bigint).
MIGRATION_LOCK_KEY = 0x504C414E41544C53


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the schema to ``revision`` (default: newest)."""
    from alembic import command

    cfg = alembic_config(engine)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Several app processes (deploy/) start at once: one migrates, the others wait for it
            # (the lock ends with the transaction) and then find the schema up to date.
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def schema_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is at, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


__all__ = [
    "compare_and_set",
    "concurrent_edit_message",
    "session_factory",
    "session_or_scope",
    "session_scope",
]
