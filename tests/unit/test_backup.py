"""``python -m planning backup`` / ``restore`` on a real SQLite file and a real PostgreSQL/PostGIS."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, func, select, text

from planning.backup import BackupError, _known_revisions, backup, restore
from planning.cli import main
from planning.db import make_engine, migrate, session_scope
from planning.models import Kita, Population
from tests.conftest import build_tiny

HEAD = _known_revisions()[-1]  # the newest schema of this program


def _counts(engine: Engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        kitas = conn.execute(select(func.count()).select_from(Kita)).scalar_one()
        people = conn.execute(select(func.sum(Population.count))).scalar_one()
        version = conn.execute(text("SELECT count(*) FROM alembic_version")).scalar_one()
    return int(kitas), int(people), int(version)


def _damage(engine: Engine) -> None:
    with session_scope(engine) as s:
        s.execute(delete(Kita))


def _target(request: pytest.FixtureRequest, engine: Engine, tmp_path: Path) -> Engine:
    """Where a backup goes back to: the same SQLite file; for PostgreSQL a new, empty database."""
    if engine.dialect.name == "sqlite":
        return engine
    cluster = request.getfixturevalue("pg_cluster")
    return make_engine(cluster.url(cluster.create_database("restore")))


def test_backup_and_restore_round_trip(any_engine, request, tmp_path):
    build_tiny(any_engine)
    before = _counts(any_engine)
    info = backup(any_engine, tmp_path / "sicherung.bak")
    assert info.size_bytes > 0 and info.revision == HEAD
    _damage(any_engine)
    assert _counts(any_engine)[0] == 0
    target = _target(request, any_engine, tmp_path)
    restore(target, tmp_path / "sicherung.bak")
    assert _counts(target) == before


@pytest.mark.postgresql
def test_postgresql_restores_only_into_an_empty_database(pg_url, tmp_path):
    engine = make_engine(pg_url)
    migrate(engine)
    build_tiny(engine)
    backup(engine, tmp_path / "pg.dump")
    _damage(engine)
    with pytest.raises(BackupError, match="nicht leer"):
        restore(engine, tmp_path / "pg.dump")
    assert _counts(engine)[0] == 0  # untouched
    engine.dispose()


def test_an_older_backup_is_migrated_after_restore(tmp_path):
    old = make_engine(f"sqlite:///{tmp_path / 'alt.db'}")
    migrate(old, "0004")
    backup(old, tmp_path / "alt.bak")
    current = make_engine(f"sqlite:///{tmp_path / 'neu.db'}")
    migrate(current)
    info = restore(current, tmp_path / "alt.bak")
    assert info.revision == "0004"
    with current.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == HEAD


def test_restore_refuses_wrong_files_and_leaves_the_database_alone(tiny_engine, tmp_path):
    before = _counts(tiny_engine)
    not_sqlite = tmp_path / "notiz.db"
    not_sqlite.write_text("Sicherung vom Montag", encoding="utf-8")
    foreign = tmp_path / "fremd.db"
    sqlite3.connect(foreign).execute("CREATE TABLE t (x)").connection.commit()
    newer = tmp_path / "neuer.db"
    backup(tiny_engine, newer)
    con = sqlite3.connect(newer)
    con.execute("UPDATE alembic_version SET version_num = '0099'")
    con.commit()
    con.close()
    for path, message in (
        (not_sqlite, "keine SQLite-Sicherung"),
        (foreign, "keine Planungsatlas-Datenbank"),
        (newer, "neueren oder fremden Programmversion"),
        (tmp_path / "gibt-es-nicht.db", "nicht gefunden"),
    ):
        with pytest.raises(BackupError, match=message) as err:
            restore(tiny_engine, path)
        assert str(path) in str(err.value)  # the message names the file
        assert _counts(tiny_engine) == before


def test_cli_backup_and_restore_need_confirmation(tiny_engine, tmp_path, capsys):
    url = str(tiny_engine.url)
    out = tmp_path / "sicherungen" / "planungsatlas.db"
    assert main(["--db", url, "backup", "--out", str(out)]) == 0
    assert "Sicherung geschrieben" in capsys.readouterr().out
    shutil.copy(out, tmp_path / "kopie.db")  # a backup is an ordinary, openable database
    assert _counts(make_engine(f"sqlite:///{tmp_path / 'kopie.db'}"))[0] == 3
    _damage(tiny_engine)
    assert main(["--db", url, "restore", "--from", str(out)]) == 1
    assert "--yes" in capsys.readouterr().err
    assert _counts(tiny_engine)[0] == 0  # nothing happened without --yes
    assert main(["--db", url, "restore", "--from", str(out), "--yes"]) == 0
    assert _counts(tiny_engine)[0] == 3
    assert main(["--db", f"sqlite:///{tmp_path / 'leer.db'}", "backup", "--out", str(tmp_path / "x.db")]) == 1
    assert "Keine Planungsatlas-Datenbank" in capsys.readouterr().err
