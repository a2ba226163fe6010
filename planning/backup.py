"""Backup and restore of the whole database (``python -m planning backup`` / ``restore``).

SQLite: SQLite's online backup API, a consistent copy even while the app is running. PostgreSQL:
``pg_dump`` in its custom format and ``pg_restore`` in one transaction. A restore checks the file
first (is it a Planungsatlas database, is its schema not newer than this program) and migrates an
older schema afterwards; a refused or failed restore leaves the database as it was.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.engine import URL

from planning.db import make_engine, migrate

#: First bytes of a pg_dump file in custom format.
PG_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupError(RuntimeError):
    """A backup or restore that could not be done; the message is German and names the file."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    size_bytes: int
    revision: str  # Alembic revision of the schema in the file


def _known_revisions() -> list[str]:
    """All revisions of this program, oldest first."""
    from alembic.script import ScriptDirectory

    from planning.db import alembic_config

    script = ScriptDirectory.from_config(alembic_config(make_engine("sqlite://")))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def _revision(engine: Engine) -> str:
    with engine.connect() as conn:
        return str(conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one())


def _pg_env(url: URL) -> tuple[list[str], dict[str, str]]:
    """Connection options for the PostgreSQL client programs; the password goes via PGPASSWORD."""
    args = []
    if url.host:
        args += ["--host", url.host]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"Das PostgreSQL-Programm „{name}“ fehlt (Debian-Paket „postgresql-client“ installieren)."
        )
    return found


def _run(cmd: list[str], env: dict[str, str], what: str) -> None:
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        lines = (proc.stderr or proc.stdout).strip().splitlines()
        errors = [line for line in lines if "error:" in line.lower() or "fehler:" in line.lower()]
        reason = (errors or lines or [f"Exit-Code {proc.returncode}"])[0]
        raise BackupError(f"{what} fehlgeschlagen: {reason}")


def backup(engine: Engine, out: Path) -> BackupInfo:
    """Write a backup of the database behind ``engine`` to ``out`` (replaced only when complete)."""
    try:
        revision = _revision(engine)
    except Exception as exc:  # no database there, or not one of ours
        raise BackupError(
            f"Keine Planungsatlas-Datenbank unter {engine.url.render_as_string(hide_password=True)} "
            f"({type(exc).__name__})."
        ) from None
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        if engine.dialect.name == "sqlite":
            raw = engine.raw_connection()
            try:
                dst = sqlite3.connect(tmp)
                try:
                    raw.driver_connection.backup(dst)  # type: ignore[union-attr]
                finally:
                    dst.close()
            finally:
                raw.close()
        elif engine.dialect.name == "postgresql":
            args, env = _pg_env(engine.url)
            # spatial_ref_sys belongs to PostGIS (every database with PostGIS has its rows)
            cmd = [_pg_tool("pg_dump"), *args, "--format=custom", "--no-owner", "--file", str(tmp)]
            cmd += ["--exclude-table-data=public.spatial_ref_sys"]
            _run([*cmd, str(engine.url.database)], env, "pg_dump")
        else:
            raise BackupError(f"Sicherung für die Datenbank „{engine.dialect.name}“ nicht möglich.")
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    return BackupInfo(out, out.stat().st_size, revision)


def _check_revision(revision: str, path: Path) -> None:
    known = _known_revisions()
    if revision not in known:
        raise BackupError(
            f"{path}: die Sicherung stammt von einer neueren oder fremden Programmversion "
            f"(Schema „{revision}“); bitte Planungsatlas aktualisieren."
        )


def _sqlite_revision(path: Path, head: bytes) -> str:
    if head != SQLITE_MAGIC:
        raise BackupError(f"{path}: keine SQLite-Sicherung (für PostgreSQL: eine Datei von pg_dump).")
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        ok = con.execute("PRAGMA integrity_check").fetchone()[0]
        if ok != "ok":
            raise BackupError(f"{path}: die Datei ist beschädigt ({ok}).")
        try:
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.DatabaseError:
            row = None
    finally:
        con.close()
    if row is None:
        raise BackupError(f"{path}: keine Planungsatlas-Datenbank (Tabelle alembic_version fehlt).")
    return str(row[0])


def _pg_revision(source: Path) -> str:
    """The Alembic revision stored in a pg_dump file (read without touching any database)."""
    proc = subprocess.run(
        [_pg_tool("pg_restore"), "--data-only", "--table=alembic_version", "--file=-", str(source)],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = proc.stdout.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line and i + 1 < len(lines):
            return lines[i + 1].strip()
    raise BackupError(f"{source}: keine Planungsatlas-Datenbank (Tabelle alembic_version fehlt).")


def _pg_is_empty(engine: Engine) -> bool:
    from sqlalchemy import inspect

    from planning.db import EXTENSION_TABLES

    return not [t for t in inspect(engine).get_table_names() if t not in EXTENSION_TABLES]


def restore(engine: Engine, source: Path) -> BackupInfo:
    """Replace the database behind ``engine`` by the backup ``source``; then migrate it.

    Everything is checked before anything changes. SQLite: the whole file is replaced in one step
    (SQLite's backup API). PostgreSQL: into an *empty* database only (the usual way: ``createdb``,
    restore, then point ``PLANUNGSATLAS_DB_URL`` at it), in one transaction. A refused or failed
    restore leaves the database as it was.
    """
    if not source.is_file():
        raise BackupError(f"{source}: Datei nicht gefunden.")
    with source.open("rb") as fh:
        head = fh.read(16)
    if engine.dialect.name == "sqlite":
        revision = _sqlite_revision(source, head)
        _check_revision(revision, source)
        engine.dispose()
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        raw = engine.raw_connection()
        try:
            src.backup(raw.driver_connection)  # type: ignore[arg-type]
        finally:
            raw.close()
            src.close()
    elif engine.dialect.name == "postgresql":
        if not head.startswith(PG_MAGIC):
            raise BackupError(f"{source}: keine PostgreSQL-Sicherung (pg_dump im Format „custom“).")
        revision = _pg_revision(source)
        _check_revision(revision, source)
        if not _pg_is_empty(engine):
            raise BackupError(
                f"Die Datenbank „{engine.url.database}“ ist nicht leer. Eine PostgreSQL-Sicherung wird in "
                "eine neue, leere Datenbank zurückgespielt (createdb …, dann PLANUNGSATLAS_DB_URL umstellen)."
            )
        args, env = _pg_env(engine.url)
        engine.dispose()
        cmd = [_pg_tool("pg_restore"), *args, "--no-owner", "--no-comments", "--single-transaction"]
        _run([*cmd, "--exit-on-error", "--dbname", str(engine.url.database), str(source)], env, "pg_restore")
    else:
        raise BackupError(f"Wiederherstellung für die Datenbank „{engine.dialect.name}“ nicht möglich.")
    engine.dispose()
    migrate(engine)  # an older backup is brought to this program's schema
    return BackupInfo(source, source.stat().st_size, revision)
