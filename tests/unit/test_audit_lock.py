"""The audit chain's lock cannot deadlock two writers on PostgreSQL.

Appends to the hash chain are serialised by a transaction-level advisory lock (planning.audit). If a
transaction took it only when its trail is written — after its own row writes — two writers could
close a cycle: A writes row X, appends (holds the lock), then writes row Y; B has written Y and waits
for the lock. PostgreSQL then kills one of them ("deadlock detected"). Here exactly that schedule is
forced with two connections in two threads (dataset-version notes: plain updates, no revision
check in the way): A's second write follows only once the server shows B waiting. Both saves must
succeed – B after A, so B's note stays – and the chain must verify.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from planning import audit
from planning.auth import SYSTEM, Principal, Role, acting_as
from planning.db import make_engine, migrate
from planning.models import DatasetVersion
from tests.conftest import build_tiny

A = Principal("admin_a", "Ada Admin", Role.ADMIN)
B = Principal("admin_b", "Bo Admin", Role.ADMIN)


def _waiting(engine, pid: int) -> str | None:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return conn.execute(
            text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
        ).scalar()


@pytest.mark.postgresql
def test_two_writers_crossing_rows_do_not_deadlock_on_the_chain_lock(pg_url):
    engine = make_engine(pg_url)
    migrate(engine)
    with acting_as(SYSTEM):
        build_tiny(engine)
    with Session(engine) as s:
        x, y = s.scalars(select(DatasetVersion.id).order_by(DatasetVersion.id).limit(2)).all()
    a_wrote_x, b_pid, a_may_go = threading.Event(), [0], threading.Event()
    said: dict[str, str] = {}

    def writer_a() -> None:
        try:
            with acting_as(A), Session(engine) as s:
                s.get(DatasetVersion, x).note = "A ändert X"  # type: ignore[union-attr]
                s.flush()  # row X and the trail of this flush
                a_wrote_x.set()
                assert a_may_go.wait(timeout=120)
                s.get(DatasetVersion, y).note = "A ändert Y"  # type: ignore[union-attr]
                s.flush()
                s.commit()
            said["A"] = "gespeichert"
        except Exception as exc:  # reported, not swallowed
            said["A"] = f"{type(exc).__name__}: {exc}"
            a_wrote_x.set()

    def writer_b() -> None:
        try:
            assert a_wrote_x.wait(timeout=120)
            with acting_as(B), Session(engine) as s:
                b_pid[0] = s.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
                s.get(DatasetVersion, y).note = "B ändert Y"  # type: ignore[union-attr]
                s.flush()  # must wait for A here – never while holding row Y
                s.commit()
            said["B"] = "gespeichert"
        except Exception as exc:
            said["B"] = f"{type(exc).__name__}: {exc}"

    threads = [threading.Thread(target=writer_a), threading.Thread(target=writer_b)]
    for t in threads:
        t.start()
    for _ in range(1200):  # until B's backend waits on a lock (or B has finished)
        if "B" in said or (b_pid[0] and _waiting(engine, b_pid[0]) == "Lock"):
            break
        threading.Event().wait(0.05)
    a_may_go.set()
    for t in threads:
        t.join(timeout=180)
    assert not any(t.is_alive() for t in threads), "ein Schreibvorgang hängt"
    assert said == {"A": "gespeichert", "B": "gespeichert"}, said
    with Session(engine) as s:
        assert s.get(DatasetVersion, x).note == "A ändert X"  # type: ignore[union-attr]
        assert s.get(DatasetVersion, y).note == "B ändert Y"  # type: ignore[union-attr]  # B after A
    report = audit.verify_chain(engine)
    assert report.ok, report.message
    engine.dispose()
