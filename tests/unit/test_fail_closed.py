"""Identity fails closed: without an acting person nothing is written, by any write function.

``planning.auth.current()`` used to fall back to an administrator; now a code path that forgets
``acting_as`` gets ``PermissionDenied`` and the database stays exactly as it was. The walk below
calls every write function of ``planning/`` (a meta-test finds new ones) with valid arguments on a
real SQLite database and on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import build_tiny
from sqlalchemy import Engine, select, text

import planning
from planning import auth, registry, scenarios, steering, versions
from planning.imports import profiles
from planning.imports.service import check_file, import_file
from planning.imports.writer import VersionMeta, write_checked
from planning.models import AreaLayout, DatasetVersion
from planning.targets import Target
from tests.unit.test_import import HEADER, dump
from tests.unit.test_registry import ABSENTISMUS

META = VersionMeta(source="Test", licence="CC0")


@pytest.fixture
def nobody() -> Iterator[None]:
    """Nobody acting: no ``acting_as`` block and no resolver (as in any thread outside the app)."""
    token = auth._current.set(None)
    resolver = auth._resolver
    auth.set_resolver(None)
    try:
        yield
    finally:
        auth.set_resolver(resolver)
        auth._current.reset(token)


def test_nobody_is_not_an_administrator(nobody):
    assert auth.actor() is None
    assert auth.current() is auth.NOBODY
    assert auth.current().role is auth.Role.LESEND
    assert not any(auth.current().can(p) for p in auth.Permission)
    with pytest.raises(auth.PermissionDenied, match="keine handelnde Person"):
        auth.require(auth.Permission.COMMENT)
    with auth.acting_as(auth.SYSTEM):
        assert auth.current() is auth.SYSTEM
    assert auth.actor() is None


def test_a_resolver_that_knows_nobody_does_not_make_an_administrator(nobody):
    auth.set_resolver(lambda: None)  # the app's resolver outside a Streamlit script thread
    assert auth.current() is auth.NOBODY


def test_plain_sql_without_actor_is_refused(tiny_engine, nobody):
    with pytest.raises(auth.PermissionDenied, match="keine handelnde Person"), tiny_engine.begin() as conn:
        conn.execute(text("UPDATE area SET name = 'X'"))
    with tiny_engine.connect() as conn:  # reading stays possible
        assert "X" not in conn.execute(text("SELECT name FROM area")).scalars().all()


@pytest.mark.parametrize(
    ("statement", "writes"),
    [
        ("INSERT INTO a VALUES (1)", True),
        ("  update a set b = 1", True),
        ("DELETE FROM a", True),
        ("WITH x AS (SELECT 1) INSERT INTO a SELECT * FROM x", True),
        ("CREATE TABLE t (a int)", True),
        ("DROP TRIGGER t", True),
        ("SELECT * FROM a WHERE note = 'update'", False),
        ("WITH x AS (SELECT 1) SELECT * FROM x", False),
        ("PRAGMA table_info(a)", False),
    ],
)
def test_write_statements_are_recognised(statement, writes):
    from planning.audit import is_write

    assert is_write(statement) is writes


# --- the walk ---------------------------------------------------------------------------------------


def _prepared(engine: Engine, tmp_path: Path) -> dict[str, object]:
    """The tiny city plus one of every editable object, written as the system service."""
    build_tiny(engine)
    with auth.acting_as(auth.SYSTEM):
        with engine.connect() as conn:
            layout_id = conn.execute(select(AreaLayout.id)).scalar_one()
            version_id = conn.execute(
                select(DatasetVersion.id).where(DatasetVersion.kind == "kitas")
            ).scalar()
        auth.add_user(engine, "walker", "W. Walker", "lesend", "geheim-geheim-1")
        meeting = steering.create_meeting(engine, "Steuerkreis", dt.date(2026, 3, 1), "S")
        view = steering.save_view(engine, layout_id, "Ansicht", "kita", {}, {}, None, "S")
        item = steering.add_agenda_item(engine, meeting.id, "TOP 1", view_id=view.id)
        steering.add_agenda_item(engine, meeting.id, "TOP 2")
        comment = steering.add_comment(engine, layout_id, "Text", "Jugendamt", "S", indicator="versorgung_u3")
        decision = steering.add_decision(engine, "Beschluss", "Text", "S", meeting_id=meeting.id)
        order = steering.add_work_order(engine, "Auftrag", "Jugendamt", "S")
        scenarios.save_scenario(engine, layout_id, scenarios.Scenario("Variante"), "S")
        registry.save_target(engine, Target("versorgung_u3", 50.0), "S")
        registry.save_set(engine, registry.KennzahlenSet("Set", codes=("versorgung_u3",)), "S")
        registry.add_indicator(engine, replace(ABSENTISMUS, code="fehltage"), "S")
        kitas = tmp_path / "kitas.csv"
        rows = "".join(
            f"\nK{i};Kita {i};AWO;{g};;;40;10;30;;" for i, g in enumerate(("0101", "0102", "0201"))
        )
        kitas.write_text(HEADER + rows + "\n", encoding="utf-8")
        checked = check_file(engine, "kitas", kitas)
        areas = tmp_path / "gebiete.csv"
    return {
        "layout_id": layout_id,
        "version_id": version_id,
        "meeting": meeting,
        "item": item,
        "comment": comment,
        "decision": decision,
        "order": order,
        "kitas": kitas,
        "checked": checked,
        "areas": areas,
    }


def _writes(p: dict) -> dict[str, Callable[[Engine], object]]:  # type: ignore[type-arg]
    """Every write function of planning/, called with arguments that would succeed as SYSTEM."""
    lid, m, d, o = p["layout_id"], p["meeting"], p["decision"], p["order"]
    return {
        "planning.auth.add_user": lambda e: auth.add_user(e, "neu", "Neu", "lesend", "geheim-geheim-2"),
        "planning.auth.set_active": lambda e: auth.set_active(e, "walker", False),
        "planning.auth.end_sessions": lambda e: auth.end_sessions(e, "walker"),
        "planning.registry.add_indicator": lambda e: registry.add_indicator(e, ABSENTISMUS, "X"),
        "planning.registry.delete_indicator": lambda e: registry.delete_indicator(e, "fehltage"),
        "planning.registry.save_target": lambda e: registry.save_target(e, Target("kinderarmut", 1.0), "X"),
        "planning.registry.delete_target": lambda e: registry.delete_target(e, "versorgung_u3"),
        "planning.registry.save_set": lambda e: registry.save_set(
            e, registry.KennzahlenSet("Neu", codes=("kinderarmut",)), "X"
        ),
        "planning.registry.delete_set": lambda e: registry.delete_set(e, "Set"),
        "planning.scenarios.save_scenario": lambda e: scenarios.save_scenario(
            e, lid, scenarios.Scenario("Neu"), "X"
        ),
        "planning.scenarios.delete_scenario": lambda e: scenarios.delete_scenario(e, lid, "Variante"),
        "planning.steering.views.save_view": lambda e: steering.save_view(
            e, lid, "V", "kita", {}, {}, None, "X"
        ),
        "planning.steering.meetings.create_meeting": lambda e: steering.create_meeting(
            e, "N", dt.date(2026, 1, 1), "X"
        ),
        "planning.steering.meetings.update_meeting": lambda e: steering.update_meeting(
            e, m.id, m.revision, "X", minutes="neu"
        ),
        "planning.steering.meetings.add_agenda_item": lambda e: steering.add_agenda_item(e, m.id, "TOP 3"),
        "planning.steering.meetings.move_agenda_item": lambda e: steering.move_agenda_item(e, p["item"], 1),
        "planning.steering.meetings.remove_agenda_item": lambda e: steering.remove_agenda_item(e, p["item"]),
        "planning.steering.meetings.mark_shown": lambda e: steering.mark_shown(e, p["item"]),
        "planning.steering.meetings.set_proposal": lambda e: steering.set_proposal(
            e, p["item"], 1, "X", "Vorschlag"
        ),
        "planning.steering.comments.add_comment": lambda e: steering.add_comment(
            e, lid, "T", "Schulamt", "X", gebiet_id="0101"
        ),
        "planning.steering.comments.resolve_thread": lambda e: steering.resolve_thread(e, p["comment"], "X"),
        "planning.steering.decisions.add_decision": lambda e: steering.add_decision(e, "B", "T", "X"),
        "planning.steering.decisions.update_decision": lambda e: steering.update_decision(
            e, d.id, d.revision, "X", "vertagt"
        ),
        "planning.steering.work_orders.add_work_order": lambda e: steering.add_work_order(
            e, "A", "Schulamt", "X"
        ),
        "planning.steering.work_orders.update_work_order": lambda e: steering.update_work_order(
            e, o.id, o.revision, "X", status="erledigt"
        ),
        "planning.versions.activate": lambda e: versions.activate(e, p["version_id"]),
        "planning.imports.profiles.save_profile": lambda e: profiles.save_profile(
            e, "Profil", "kitas", {"Nr": "kita_id"}
        ),
        # 1 Kita for the tiny city's 3: a shrinking delivery, confirmed (test_import_shrink.py)
        "planning.imports.writer.write_checked": lambda e: write_checked(
            e, p["checked"], META, confirm_shrink=True
        ),
        "planning.imports.service.import_file": lambda e: import_file(
            e, "kitas", p["kitas"], META, confirm_shrink=True
        ),
    }


#: Write functions the walk reaches through another one (same code path) or that need real data.
REACHED_OTHERWISE = {
    "planning.imports.areas.write_areas": "import_file/write_checked (Gebiete) – same writer session",
    "planning.imports.bundles.berlin.import_berlin": "needs ../shared/data/real; writes via import_file",
    "planning.imports.bundles.flensburg.import_flensburg": "needs ../shared/data/real; via import_file",
    "planning.imports.bundles.base.write_bundle": "the recipes' one write (import_berlin, import_flensburg)",
    "planning.demo.steering.seed_steering": "demo build: opens acting_as(SYSTEM) itself",
}


def test_every_write_function_without_actor_is_refused_and_writes_nothing(nobody, any_engine, tmp_path):
    with auth.acting_as(auth.SYSTEM):
        prepared = _prepared(any_engine, tmp_path)
        before = dump(any_engine)
    refused = []
    for name, call in _writes(prepared).items():
        with pytest.raises(auth.PermissionDenied, match="keine handelnde Person") as caught:
            call(any_engine)
        refused.append((name, str(caught.value)))
        with auth.acting_as(auth.SYSTEM):
            assert dump(any_engine) == before, f"{name} hat ohne handelnde Person geschrieben"
    assert len(refused) == len(_writes(prepared))
    # and each of them does write as the system service: the walk is not refused for another reason
    with auth.acting_as(auth.SYSTEM):
        for name, call in _writes(prepared).items():
            if name.endswith(("delete_indicator", "remove_agenda_item")):
                continue  # depends on the order of the calls (already removed above)
            call(any_engine)


_WRITE_SRC = re.compile(r"\.add\(|\.add_all\(|\.delete\(|insert\(|update\(|delete\(|\+= 1|\.merge\(")
_SESSION_SRC = re.compile(r"session_scope\(|session_or_scope\(|\.begin\(\)")


def _write_functions() -> set[str]:
    found = set()
    for info in pkgutil.walk_packages(planning.__path__, "planning."):
        if ".migrations" in info.name or info.name.endswith("__main__") or ".demo." in info.name:
            continue
        module = importlib.import_module(info.name)
        for name, fn in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(fn) or fn.__module__ != module.__name__:
                continue
            src = inspect.getsource(fn)
            if _SESSION_SRC.search(src) and _WRITE_SRC.search(src):
                found.add(f"{info.name}.{name}")
    return found


def test_the_walk_knows_every_write_function():
    walked = set(_writes(dict.fromkeys(["layout_id", "meeting", "decision", "order"]))) | set(
        REACHED_OTHERWISE
    )
    missing = _write_functions() - walked - {"planning.db.migrate"}
    assert not missing, f"Schreibfunktionen ohne Test ohne handelnde Person: {sorted(missing)}"


def test_the_command_line_acts_as_the_system_service(nobody, tmp_path, monkeypatch, capsys):
    """Migrating and writing from the command line (and the scheduled jobs that call it) works
    without the app: ``main`` opens the system actor explicitly, and the trail names it."""
    import io

    from planning.audit import events
    from planning.cli import main
    from planning.db import make_engine

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setattr("sys.stdin", io.StringIO("geheim-geheim-3\n"))
    assert main(["--db", url, "user", "add", "cli.user", "--rolle", "lesend", "--passwort-stdin"]) == 0
    assert "Benutzer angelegt" in capsys.readouterr().out
    assert auth.actor() is None  # the block ended with the command
    trail = events(make_engine(url))
    assert trail["Benutzername"].tolist() == ["system"]
