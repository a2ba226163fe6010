"""An import process killed half-way (SIGKILL: no rollback, no cleanup) leaves the database as before.

The import runs as a real ``python -m planning import`` process. A listener in that process stops it
right after its first batch of population rows went to the database, inside the import's
transaction; the test checks that the transaction is really open (SQLite: the write lock is held;
PostgreSQL: the session is "idle in transaction" with a transaction id) and kills the process.
Every table must then hold exactly the rows it held before, and the same import must run through
afterwards (no stale lock, no half-registered file hash). On SQLite and PostgreSQL/PostGIS.
"""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import build_tiny
from sqlalchemy import Engine, select, text

from planning.models import Base

ROOT = Path(__file__).resolve().parents[2]
#: The child: the real command line, with a pause right after the first population rows were sent.
CHILD = r"""
import os, sys, time
from pathlib import Path
from sqlalchemy import Engine, event

marker = Path(sys.argv[1])

@event.listens_for(Engine, "after_cursor_execute")
def _pause(conn, cursor, statement, parameters, context, executemany):
    if statement.lstrip().upper().startswith("INSERT INTO POPULATION"):
        marker.write_text(str(os.getpid()))
        time.sleep(600)  # the test kills this process here, inside the import's transaction

from planning.cli import main
sys.exit(main(sys.argv[2:]))
"""
WAIT_S = 180  # the child imports pandas, geopandas and SQLAlchemy first: slow on a busy CI machine


def _population_csv(path: Path) -> Path:
    lines = ["gebiet_id;jahr;alter;anzahl"]
    lines += [
        f"{g};{y};{a};{10 + a}"
        for g in ("0101", "0102", "0201")
        for y in range(2026, 2031)
        for a in range(18)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _snapshot(engine: Engine) -> dict[str, tuple[int, str]]:
    """Row count and a hash of all rows (in key order) of every table, the migration state included."""
    out: dict[str, tuple[int, str]] = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            rows = conn.execute(select(table).order_by(*table.primary_key.columns)).all()
            out[table.name] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
        out["alembic_version"] = (
            0,
            repr(conn.execute(text("SELECT version_num FROM alembic_version")).all()),
        )
    return out


def _transaction_open(engine: Engine, pid: int) -> bool:
    """True while the import's write transaction is open (what a kill must leave without trace)."""
    if engine.dialect.name == "sqlite":
        con = sqlite3.connect(str(engine.url.database), timeout=0)
        try:
            con.execute("BEGIN IMMEDIATE")  # fails while another connection holds the write lock
        except sqlite3.OperationalError as exc:
            return "locked" in str(exc)
        else:
            con.rollback()
            return False
        finally:
            con.close()
    with engine.connect() as conn:
        n = conn.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND state = 'idle in transaction' AND backend_xid IS NOT NULL"
            )
        ).scalar_one()
    return n > 0


def _import_cmd(url: str, csv: Path) -> list[str]:
    return ["--db", url, "import", "bevoelkerung", str(csv), "--stand", "2030-12-31", "--source", "Test"]


def test_an_import_killed_half_way_leaves_the_database_as_before(any_engine: Engine, tmp_path: Path) -> None:
    build_tiny(any_engine)
    url = any_engine.url.render_as_string(hide_password=False)
    csv = _population_csv(tmp_path / "bevoelkerung_2026_2030.csv")
    before = _snapshot(any_engine)
    marker = tmp_path / "mitten_im_import"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(marker), *_import_cmd(url, csv)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + WAIT_S
        while not marker.exists():
            if child.poll() is not None:
                out = child.stdout.read().decode() if child.stdout else ""
                pytest.fail(f"Import endete, bevor er Zeilen schrieb (Code {child.returncode}):\n{out}")
            assert time.monotonic() < deadline, "Import hat nach 180 s noch keine Zeilen geschrieben"
            time.sleep(0.05)
        assert _transaction_open(any_engine, child.pid), "die Transaktion des Imports ist nicht offen"
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL

    if any_engine.dialect.name == "postgresql":  # the server notices the dead client and rolls back
        deadline = time.monotonic() + 30
        while _transaction_open(any_engine, child.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
    else:
        with sqlite3.connect(str(any_engine.url.database)) as con:
            assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert _snapshot(any_engine) == before

    # The same file imports cleanly afterwards: no lock left, the file hash was never registered.
    done = subprocess.run(
        [sys.executable, "-m", "planning", *_import_cmd(url, csv)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=WAIT_S,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    after = _snapshot(any_engine)
    assert after["population"][0] == before["population"][0] + 3 * 5 * 18
    assert after["dataset_version"][0] == before["dataset_version"][0] + 1
