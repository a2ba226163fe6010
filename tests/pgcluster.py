"""A throwaway PostgreSQL + PostGIS cluster for one test session.

``initdb`` and ``pg_ctl`` run as the ``postgres`` OS user when the tests run as root (PostgreSQL
refuses to run as root), otherwise as the current user. The data directory lives in a fresh
temporary folder; the server listens on 127.0.0.1 on a free port only, its Unix socket sits in that
private folder. Two roles:

* ``postgres`` (superuser) only through the socket (``trust``; the folder is readable by the
  server's OS user alone), used to create databases;
* ``atlas`` (password, no superuser) over TCP with scram-sha-256: the role the tests and the app
  connect as. It owns every test database.

A template database with PostGIS installed is built once; each test gets its own database copied
from it (``CREATE DATABASE … TEMPLATE``), which takes a fraction of a second.

Durability is switched off (``fsync``, ``synchronous_commit``, ``full_page_writes``): the cluster
is thrown away at the end of the session.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import secrets
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

TEST_ROLE = "atlas"
TEMPLATE_DB = "atlas_template"
OS_USER = "postgres"  # runs the server when we are root
INSTALL_HINT = "bash scripts/ensure-system-deps.sh (Debian: postgresql postgresql-NN-postgis-3)"


class PgUnavailable(RuntimeError):
    """PostgreSQL or PostGIS is not installed: the message says what is missing."""


def find_bindir() -> Path:
    """Folder with ``initdb``/``pg_ctl``: $PG_BINDIR if set (only that), else the newest Debian version,
    else PATH."""
    explicit = os.environ.get("PG_BINDIR")
    if explicit:
        candidates = [Path(explicit)]
    else:
        candidates = sorted(
            (Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")),
            key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
            reverse=True,
        )
        on_path = shutil.which("initdb")
        if on_path:
            candidates.append(Path(on_path).parent)
    for c in candidates:
        if (c / "initdb").is_file() and (c / "pg_ctl").is_file():
            return c
    where = f"PG_BINDIR={explicit}" if explicit else "/usr/lib/postgresql/*/bin und PATH"
    raise PgUnavailable(
        f"PostgreSQL-Programme initdb/pg_ctl nicht gefunden ({where}); installieren mit {INSTALL_HINT}"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PgCluster:
    bindir: Path
    base: Path
    port: int = 0
    password: str = field(default_factory=lambda: secrets.token_hex(16))
    version: str = ""
    postgis_version: str = ""
    startup_seconds: float = 0.0
    _running: bool = False
    _counter: int = 0

    # --- paths and commands -----------------------------------------------------------------------------

    @property
    def datadir(self) -> Path:
        return self.base / "data"

    @property
    def logfile(self) -> Path:
        return self.base / "server.log"

    def _as_server_user(self, args: list[str]) -> list[str]:
        if os.geteuid() != 0:
            return args
        runuser = shutil.which("runuser")
        if runuser:
            return [runuser, "-u", OS_USER, "--", *args]
        return ["su", OS_USER, "-s", "/bin/sh", "-c", shlex.join(args)]

    def _run(self, args: list[str], what: str) -> None:
        proc = subprocess.run(
            self._as_server_user(args),
            cwd=self.base,  # the server user may not be allowed into the caller's folder
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"},
        )
        if proc.returncode != 0:
            log = self.logfile.read_text(errors="replace")[-3000:] if self.logfile.exists() else ""
            raise RuntimeError(
                f"{what} fehlgeschlagen (Exit {proc.returncode}): {' '.join(args)}\n"
                f"{proc.stdout}\n{proc.stderr}\n{log}"
            )

    # --- life cycle -------------------------------------------------------------------------------------

    @classmethod
    def start(cls, bindir: Path | None = None) -> PgCluster:
        """initdb + pg_ctl start + test role + PostGIS template. Raises PgUnavailable if not installed."""
        t0 = time.perf_counter()
        bindir = bindir or find_bindir()
        base = Path(tempfile.mkdtemp(prefix="atlas-pg-"))
        cluster = cls(bindir=bindir, base=base)
        atexit.register(cluster.stop)  # also on Ctrl-C or an error in the session
        try:
            if os.geteuid() == 0:
                shutil.chown(base, OS_USER, OS_USER)
            cluster._initdb()
            for attempt in range(3):  # a free port can be taken between probing and binding
                cluster.port = _free_port()
                try:
                    cluster._pg_ctl_start()
                    break
                except RuntimeError:
                    if attempt == 2 or "already in use" not in cluster.logfile.read_text(errors="replace"):
                        raise
            cluster._running = True
            cluster._bootstrap()
        except BaseException:
            cluster.stop()
            raise
        cluster.startup_seconds = time.perf_counter() - t0
        return cluster

    def _initdb(self) -> None:
        args = [
            str(self.bindir / "initdb"),
            "-D",
            str(self.datadir),
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",  # postgres has no password: superuser only via the socket
            "--no-sync",
        ]
        self._run(args, "initdb")

    def _pg_ctl_start(self) -> None:
        opts = " ".join(
            [
                f"-p {self.port}",
                f"-k {self.base}",
                "-c listen_addresses=127.0.0.1",
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
                "-c max_connections=60",
            ]
        )
        args = [str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-o", opts]
        args += ["-l", str(self.logfile), "-w", "-t", "60", "start"]
        self._run(args, "pg_ctl start")

    def _bootstrap(self) -> None:
        with self.admin() as conn:
            self.version = str(conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
            row = conn.execute(
                "SELECT default_version FROM pg_available_extensions WHERE name = 'postgis'"
            ).fetchone()
            if row is None:
                raise PgUnavailable(
                    f"PostGIS ist für PostgreSQL {self.version} nicht installiert; "
                    f"installieren mit {INSTALL_HINT}"
                )
            conn.execute(
                sql.SQL("CREATE ROLE {} LOGIN CREATEDB PASSWORD {}").format(
                    sql.Identifier(TEST_ROLE), sql.Literal(self.password)
                )
            )
            conn.execute(
                sql.SQL("CREATE DATABASE {} OWNER {}").format(
                    sql.Identifier(TEMPLATE_DB), sql.Identifier(TEST_ROLE)
                )
            )
        with self.admin(TEMPLATE_DB) as conn:
            conn.execute("CREATE EXTENSION postgis")
            self.postgis_version = str(conn.execute("SELECT postgis_lib_version()").fetchone()[0])  # type: ignore[index]
        with self.admin() as conn:
            conn.execute(
                sql.SQL("ALTER DATABASE {} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false").format(
                    sql.Identifier(TEMPLATE_DB)
                )
            )

    def stop(self) -> None:
        """Stop the server (immediately: nothing here needs to survive) and delete every file."""
        if self._running:
            self._running = False
            with contextlib.suppress(Exception):
                self._run(
                    [str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "immediate", "-w", "stop"],
                    "pg_ctl stop",
                )
        if self.base.exists():
            shutil.rmtree(self.base, ignore_errors=True)

    # --- databases --------------------------------------------------------------------------------------

    def admin(self, dbname: str = "postgres") -> psycopg.Connection:
        """Superuser connection through the private Unix socket, autocommit."""
        return psycopg.connect(
            host=str(self.base), port=self.port, user="postgres", dbname=dbname, autocommit=True
        )

    def url(self, dbname: str) -> str:
        """SQLAlchemy URL for the test role over TCP with password."""
        return f"postgresql+psycopg://{TEST_ROLE}:{self.password}@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, prefix: str = "t") -> str:
        """A new database with PostGIS (copied from the template), owned by the test role."""
        self._counter += 1
        name = f"{prefix}_{os.getpid()}_{self._counter}"
        with self.admin() as conn:
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {} OWNER {} STRATEGY FILE_COPY").format(
                    sql.Identifier(name), sql.Identifier(TEMPLATE_DB), sql.Identifier(TEST_ROLE)
                )
            )
        return name

    def drop_database(self, name: str) -> None:
        with self.admin() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
