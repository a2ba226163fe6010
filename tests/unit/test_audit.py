"""Roles, write permission and the audit trail, on SQLite and on a real PostgreSQL/PostGIS server.

Permission is enforced at the ORM flush (planning.audit), so these tests call the ordinary planning
functions as different people and check what reaches the database — not which buttons a page shows.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from planning import audit, auth
from planning import steering as sk
from planning.auth import Permission, PermissionDenied, Principal, Role, acting_as
from planning.cli import main
from planning.db import session_scope
from planning.imports.formats import get_kind
from planning.imports.service import import_file
from planning.imports.writer import VersionMeta
from planning.models import AppUser, AuditEvent, Comment, DatasetVersion
from planning.repository import get_layout
from tests.conftest import build_tiny

READER = Principal("leser", "Lea Leser", Role.LESEND)
JUGENDAMT = Principal("jplan", "Jo Planer", Role.FACHPLANUNG, "Jugendamt")
LEITUNG = Principal("dez", "Dr. Dora Dezernentin", Role.LEITUNG)
KITA_HEADER = ";".join(get_kind("kitas").field_names)


@pytest.fixture
def city(any_engine):
    build_tiny(any_engine)
    return any_engine


def _count(engine, model) -> int:
    with session_scope(engine) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _events(engine) -> list[AuditEvent]:
    with session_scope(engine) as s:
        rows = s.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        s.expunge_all()
        return list(rows)


def _comment(engine, who: Principal) -> int:
    with acting_as(who):
        return sk.add_comment(
            engine,
            get_layout(engine).id,
            "Gap im Norden",
            who.department or "Jugendamt",
            who.display_name,
            "versorgung_u3",
        )


def test_role_matrix():
    assert auth.SYSTEM.can(Permission.ADMINISTER)
    assert not READER.can(Permission.COMMENT) and not READER.can(Permission.EXPORT)
    assert JUGENDAMT.can(Permission.IMPORT) and not JUGENDAMT.can(Permission.DECIDE)
    assert LEITUNG.can(Permission.DECIDE) and not LEITUNG.can(Permission.IMPORT)
    # unsuppressed sensitive values: Leitung always, Fachplanung only for its own department
    assert LEITUNG.can(Permission.SEE_UNSUPPRESSED, "Jugendamt")
    assert JUGENDAMT.can(Permission.SEE_UNSUPPRESSED, "jugendamt")
    assert not JUGENDAMT.can(Permission.SEE_UNSUPPRESSED, "Schulamt")
    assert not JUGENDAMT.can(Permission.SEE_UNSUPPRESSED)
    assert auth.current() is auth.SYSTEM  # the tests act as the system service (conftest)
    with acting_as(READER):
        assert auth.current() == READER
        with pytest.raises(PermissionDenied, match=r"Lea Leser .*Lesend.* darf nicht exportieren"):
            auth.require(Permission.EXPORT)
    assert auth.current() is auth.SYSTEM


def test_a_comment_is_recorded_with_person_and_before_after(city):
    cid = _comment(city, JUGENDAMT)
    with acting_as(LEITUNG):
        sk.resolve_thread(city, cid, LEITUNG.display_name)
    created, changed = _events(city)[-2:]
    assert (created.action, created.object_type, created.object_id) == ("angelegt", "comment", str(cid))
    assert (created.actor, created.actor_name, created.role) == ("jplan", "Jo Planer", "fachplanung")
    assert json.loads(created.after)["text"] == "Gap im Norden" and created.before is None
    assert created.label == "Gap im Norden"
    assert changed.action == "geändert" and changed.actor == "dez"
    before, after = json.loads(changed.before), json.loads(changed.after)
    assert before["resolved"] is False and after["resolved"] is True
    assert "text" not in after  # only the columns that changed


def test_a_reader_cannot_write_and_nothing_is_left_behind(city):
    comments, events = _count(city, Comment), _count(city, AuditEvent)
    with pytest.raises(PermissionDenied, match="Keine Berechtigung: Lea Leser"):
        _comment(city, READER)
    nobody = Principal("", "nicht angemeldet", Role.LESEND)
    with pytest.raises(PermissionDenied, match="Bitte anmelden"):
        _comment(city, nobody)
    with acting_as(JUGENDAMT), pytest.raises(PermissionDenied, match="Sitzungen und Beschlüsse"):
        sk.add_decision(city, "Neue Kita Nord", "", JUGENDAMT.display_name)
    assert (_count(city, Comment), _count(city, AuditEvent)) == (comments, events)


def test_an_import_is_recorded_once_and_refused_to_a_reader(city, tmp_path: Path):
    p = tmp_path / "kitas.csv"
    p.write_text(KITA_HEADER + "\nK9;Kita Neu;AWO;0102;;;50;10;40;;\n", encoding="utf-8")
    meta = VersionMeta(source="Test", licence="CC0")
    versions = _count(city, DatasetVersion)
    with acting_as(READER), pytest.raises(PermissionDenied, match="Daten importieren"):
        import_file(city, "kitas", p, meta)
    assert _count(city, DatasetVersion) == versions
    with acting_as(JUGENDAMT):
        vid, _ = import_file(city, "kitas", p, meta, confirm_shrink=True)  # 1 Kita for 3: confirmed
    imported = [e for e in _events(city) if e.object_type == "dataset_version" and e.object_id == str(vid)]
    assert [e.action for e in imported] == ["importiert", "aktiviert"]  # not one event per Kita
    assert imported[0].actor == "jplan" and imported[0].label.startswith("kitas: ")


def test_the_trail_cannot_be_changed_by_the_orm_or_by_sql(city):
    _comment(city, JUGENDAMT)
    trail = [(e.id, e.actor, e.after) for e in _events(city)]
    with pytest.raises(PermissionDenied, match="Änderungsprotokoll"), session_scope(city) as s:
        s.scalars(select(AuditEvent)).first().actor = "jemand"
    with pytest.raises(PermissionDenied, match="Änderungsprotokoll"), session_scope(city) as s:
        s.delete(s.scalars(select(AuditEvent)).first())
    for sql in ("UPDATE audit_event SET actor = 'x'", "DELETE FROM audit_event"):
        with pytest.raises(DBAPIError, match="unveränderlich"), city.begin() as conn:
            conn.execute(text(sql))
    assert [(e.id, e.actor, e.after) for e in _events(city)] == trail


def test_user_store_hashes_and_checks_passwords(city):
    p = auth.add_user(city, "J.Planer", "Jo Planer", "fachplanung", "sehr-geheim-42", department="Jugendamt")
    assert p == Principal("j.planer", "Jo Planer", Role.FACHPLANUNG, "Jugendamt")
    with session_scope(city) as s:
        stored = s.scalars(select(AppUser.password_hash)).one()
    assert stored.startswith("$2b$") and "sehr-geheim-42" not in stored
    assert auth.authenticate(city, "j.planer", "sehr-geheim-42") == p
    assert auth.authenticate(city, "J.PLANER ", "sehr-geheim-42") == p
    assert auth.authenticate(city, "j.planer", "falsch-falsch") is None
    assert auth.authenticate(city, "niemand", "sehr-geheim-42") is None
    auth.set_active(city, "j.planer", False)
    assert auth.authenticate(city, "j.planer", "sehr-geheim-42") is None
    with pytest.raises(auth.UserError, match="gibt es schon"):
        auth.add_user(city, "j.planer", "X", "lesend", "noch-ein-passwort")
    with pytest.raises(auth.UserError, match="zu kurz"):
        auth.add_user(city, "kurz", "X", "lesend", "abc")
    with pytest.raises(auth.UserError, match="braucht eine Abteilung"):
        auth.add_user(city, "ohne", "X", "fachplanung", "langes-passwort")
    with pytest.raises(auth.UserError, match="Unbekannte Rolle"):
        auth.add_user(city, "chef", "X", "king", "langes-passwort")
    user_events = [e for e in _events(city) if e.object_type == "app_user"]
    assert [e.action for e in user_events] == ["angelegt", "geändert"]
    assert json.loads(user_events[0].after)["password_hash"] == "***"
    with acting_as(LEITUNG), pytest.raises(PermissionDenied, match="Benutzer"):
        auth.add_user(city, "neu", "Neu", "lesend", "langes-passwort")


def test_events_filter_by_person_object_and_text(city):
    _comment(city, JUGENDAMT)
    with acting_as(LEITUNG):
        sk.add_decision(city, "Kita Nord bauen", "", LEITUNG.display_name)
    table = audit.events(city)
    assert list(table["Aktion"])[:2] == ["angelegt", "angelegt"]
    assert set(audit.events(city, audit.AuditFilter(actor="dez"))["Objekt"]) == {"Beschluss"}
    assert set(audit.events(city, audit.AuditFilter(object_type="comment"))["Person"]) == {"Jo Planer"}
    found = audit.events(city, audit.AuditFilter(text="Nord bauen"))
    assert list(found["Bezeichnung"]) == ["Kita Nord bauen"] and list(found["Rolle"]) == ["Leitung"]


def test_cli_user_add_reads_the_password_from_stdin(empty_engine, monkeypatch, capsys):
    url = empty_engine.url.render_as_string(hide_password=False)
    monkeypatch.setattr("sys.stdin", io.StringIO("ein-langes-passwort\n"))
    args = [
        "--db",
        url,
        "user",
        "add",
        "d.dez",
        "--rolle",
        "leitung",
        "--name",
        "Dora Dez",
        "--passwort-stdin",
    ]
    assert main(args) == 0
    assert "d.dez" in capsys.readouterr().out
    assert auth.authenticate(empty_engine, "d.dez", "ein-langes-passwort").role is Role.LEITUNG
    assert main(["--db", url, "user", "list"]) == 0
    listed = capsys.readouterr().out
    assert "Dora Dez" in listed and "Leitung" in listed
    monkeypatch.setattr("sys.stdin", io.StringIO("kurz\n"))
    assert main([*args[:4], "zweite", "--rolle", "lesend", "--passwort-stdin"]) == 1
    assert "zu kurz" in capsys.readouterr().err
    assert main(["--db", url, "user", "disable", "d.dez"]) == 0
    assert auth.authenticate(empty_engine, "d.dez", "ein-langes-passwort") is None


# --- tamper evidence: the hash chain -----------------------------------------------------------------


def _drop_guards(engine) -> None:
    """What the owner of the SQLite file or a database superuser can do: lift the triggers."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only"))
        else:
            conn.execute(text("DROP TRIGGER audit_event_no_update"))
            conn.execute(text("DROP TRIGGER audit_event_no_delete"))


def _trail(city) -> list[int]:
    for who in (JUGENDAMT, LEITUNG, JUGENDAMT):
        _comment(city, who)
    ids = [e.id for e in _events(city)]
    assert len(ids) >= 3
    report = audit.verify_chain(city)
    assert report.ok and report.checked == len(ids), report.message
    assert "unversehrt" in report.message
    return ids


@pytest.mark.parametrize("attack", ["edit", "delete", "backdate", "insert"])
def test_a_tampered_trail_is_found_and_the_first_broken_event_named(city, attack):
    ids = _trail(city)
    _drop_guards(city)
    victim = ids[1]
    with city.begin() as conn:
        if attack == "edit":
            conn.execute(text("UPDATE audit_event SET actor = 'niemand' WHERE id = :i"), {"i": victim})
        elif attack == "delete":
            conn.execute(text("DELETE FROM audit_event WHERE id = :i"), {"i": victim})
        else:  # a row written around the program, or one copied with its hashes and backdated
            row = conn.execute(select(AuditEvent).where(AuditEvent.id == ids[0])).one()
            values = {c: getattr(row, c) for c in audit.CHAINED} | {"id": max(ids) + 100}
            if attack == "backdate":
                values |= {"prev_hash": row.prev_hash, "row_hash": row.row_hash, "label": "rückdatiert"}
            conn.execute(AuditEvent.__table__.insert().values(**values))
    report = audit.verify_chain(city)
    assert not report.ok
    expected = {"edit": victim, "delete": ids[2], "backdate": max(ids) + 100, "insert": max(ids) + 100}
    assert report.broken_id == expected[attack]
    assert f"Eintrag Nr. {expected[attack]}" in report.message
    why = {
        "edit": "nachträglich geändert",
        "delete": "gelöscht oder eingefügt",
        "backdate": "gelöscht oder eingefügt",
        "insert": "keine Prüfsumme",
    }
    assert why[attack] in report.message


def test_audit_pruefen_on_the_command_line(city, capsys):
    _trail(city)
    url = city.url.render_as_string(hide_password=False)
    assert main(["--db", url, "audit", "--pruefen"]) == 0
    assert "unversehrt" in capsys.readouterr().out
    _drop_guards(city)
    with city.begin() as conn:
        conn.execute(
            text("UPDATE audit_event SET label = 'anders' WHERE id = (SELECT MIN(id) FROM audit_event)")
        )
    assert main(["--db", url, "audit", "--pruefen"]) == 1
    err = capsys.readouterr().err
    assert "Änderungsprotokoll verändert: Eintrag Nr." in err and "nachträglich geändert" in err


def test_events_from_before_the_chain_are_chained_by_the_migration(tmp_path):
    """A database at revision 0008 with events: after migrating, the old events are chained too."""
    from planning.db import make_engine, migrate

    engine = make_engine(f"sqlite:///{tmp_path / 'alt.db'}")
    migrate(engine, "0008")
    with engine.begin() as conn:
        for i in range(3):
            conn.execute(
                text(
                    "INSERT INTO audit_event (at, actor, actor_name, role, action, object_type, object_id, "
                    "label) VALUES ('2026-01-0' || :d || ' 10:00:00.000000', 'a', 'A', 'admin', 'angelegt', "
                    "'comment', :d, 'alt')"
                ),
                {"d": i + 1},
            )
    migrate(engine)
    report = audit.verify_chain(engine)
    assert report.ok and report.checked == 3
    with pytest.raises(DBAPIError), engine.begin() as conn:  # and the trail is append-only again
        conn.execute(text("UPDATE audit_event SET label = 'x'"))
