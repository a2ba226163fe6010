"""Steering record: saved views pin data and scenario, comments thread and filter as documented,
decisions and work orders refuse stale edits, and the overview for the next meeting counts right.
On SQLite and PostgreSQL (``any_engine``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import build_tiny
from sqlalchemy import select

from planning import steering as sk
from planning.db import session_scope
from planning.imports.formats import get_kind
from planning.imports.service import import_file
from planning.imports.writer import VersionMeta
from planning.models import WorkOrder
from planning.repository import active_versions, get_layout, load_planning_data
from planning.scenarios import Measure, Scenario, get_scenario, save_scenario


@pytest.fixture
def db(any_engine):
    build_tiny(any_engine)
    return any_engine


def _layout(db):
    return get_layout(db)


def _versions(db) -> dict[str, int]:
    return {k: v.id for k, v in active_versions(db, _layout(db).id).items()}


def test_saved_view_round_trip_and_link(db, monkeypatch):
    lay = _layout(db)
    scen = Scenario(
        "Test",
        "d",
        {"bedarfsquote_2": 0.55},
        (Measure("kita_plaetze", gebiet_id="0101", year=2027, u3=20),),
        revision=3,
    )
    v = sk.save_view(
        db,
        lay.id,
        "U3 nach PR",
        "kita",
        {"kennzahl": "versorgung_u3", "ebene": 1, "gebiet": None},
        _versions(db),
        scen,
        "A. Planer",
    )
    back = sk.get_view(db, v.id)
    assert back.state == {"kennzahl": "versorgung_u3", "ebene": "1"}  # empty values are not stored
    assert back.versions == _versions(db)
    frozen = back.frozen_scenario()
    assert frozen is not None and frozen.params == {"bedarfsquote_2": 0.55} and frozen.revision == 3
    assert frozen.measures == scen.measures
    monkeypatch.setenv(sk.BASE_URL_ENV, "https://atlas.stadt.example/")
    assert back.link() == f"https://atlas.stadt.example/kita?ansicht={v.id}"
    with pytest.raises(sk.SteeringError, match=r"Titel der Ansicht fehlt"):
        sk.save_view(db, lay.id, "  ", "kita", {}, {}, None, "A. Planer")
    with pytest.raises(sk.SteeringError, match=r"Nr\. 999"):
        sk.get_view(db, 999)


def test_pinned_versions_show_the_old_figures_after_a_new_import(db, tmp_path: Path):
    """The snapshot promise: a view saved before an import reloads the data of its day."""
    lay = _layout(db)
    before = load_planning_data(db)
    view = sk.save_view(db, lay.id, "vorher", "lagebild", {}, _versions(db), None, "A. Planer")
    pop = before.population
    header = ";".join(get_kind("bevoelkerung").field_names)
    first = pop.iloc[0]
    line = f"{first['gebiet_id']};{int(first['year'])};3;999;"
    path = tmp_path / "bev.csv"
    path.write_text(header + "\n" + line + "\n", encoding="utf-8")
    import_file(db, "bevoelkerung", path, VersionMeta(source="Test", licence="CC0"), confirm_shrink=True)
    now = load_planning_data(db)
    assert now.versions["bevoelkerung"].id != view.versions["bevoelkerung"]
    assert len(now.population) == 1
    again = load_planning_data(db, lay.code, view.versions, exact=True)
    assert again.versions["bevoelkerung"].id == view.versions["bevoelkerung"]
    assert again.population["count"].sum() == before.population["count"].sum()


def test_exact_versions_leave_out_kinds_the_view_did_not_have(db):
    lay = _layout(db)
    versions = _versions(db)
    only = {k: v for k, v in versions.items() if k in ("gebiete", "bevoelkerung")}
    data = load_planning_data(db, lay.code, only, exact=True)
    assert set(data.versions) == set(only)
    assert data.kitas.empty
    assert not load_planning_data(db, lay.code, only).kitas.empty  # without exact: active versions fill in


def test_comment_threads_scopes_and_resolution(db):
    lid = _layout(db).id
    a = sk.add_comment(db, lid, "Stadtweit gesunken", "Jugendamt", "S. Becker", indicator="versorgung_u3")
    b = sk.add_comment(
        db, lid, "In 0101 Träger zu", "Jugendamt", "S. Becker", indicator="versorgung_u3", gebiet_id="0101"
    )
    c = sk.add_comment(db, lid, "Familienzentrum fehlt", "Sozialplanung", "A. Nowak", gebiet_id="0101")
    d = sk.add_comment(
        db, lid, "Andere Zahl", "Schulamt", "T. Yilmaz", indicator="ganztag_quote", gebiet_id="0101"
    )
    e = sk.add_comment(
        db, lid, "Anderes Gebiet", "Jugendamt", "S. Becker", indicator="versorgung_u3", gebiet_id="0102"
    )
    reply = sk.add_comment(db, lid, "Bestätigt", "Statistikstelle", "M. Weber", parent_id=a)
    sk.add_comment(db, lid, "Antwort auf Antwort", "Statistikstelle", "M. Weber", parent_id=reply)

    def ids(**kw):
        return [t.id for t in sk.comments_about(db, lid, **kw)]

    assert ids(indicator="versorgung_u3") == [a, b, e]
    assert ids(gebiet_id="0101") == [b, c, d]
    assert ids(indicator="versorgung_u3", gebiet_id="0101") == [a, b, c]
    thread = sk.comments_about(db, lid, indicator="versorgung_u3")[0]
    assert [r.text for r in thread.replies] == ["Bestätigt", "Antwort auf Antwort"]  # all on the root
    assert thread.replies[1].indicator_code == "versorgung_u3"  # a reply takes the thread's subject
    sk.resolve_thread(db, reply, "M. Weber")  # resolving from a reply resolves the thread
    assert ids(indicator="versorgung_u3", include_resolved=False) == [b, e]
    with pytest.raises(sk.SteeringError, match="Kennzahl, einem Gebiet"):
        sk.add_comment(db, lid, "ohne Bezug", "Jugendamt", "S. Becker")
    with pytest.raises(sk.SteeringError, match="Kommentartext fehlt"):
        sk.add_comment(db, lid, " ", "Jugendamt", "S. Becker", indicator="x")


def test_two_parallel_toggles_of_a_thread_second_is_refused(db):
    lid = _layout(db).id
    root = sk.add_comment(
        db, lid, "Rückgang durch Schließung", "Jugendamt", "S. Becker", indicator="kinderarmut"
    )
    seen = sk.comments_about(db, lid, indicator="kinderarmut")[0]  # both planners opened the page
    sk.resolve_thread(db, root, "M. Weber", resolved=True, revision=seen.revision)
    with pytest.raises(sk.SteeringError, match=r"inzwischen als erledigt markiert von M\. Weber"):
        sk.resolve_thread(db, root, "S. Becker", resolved=True, revision=seen.revision)
    now = sk.comments_about(db, lid, indicator="kinderarmut")[0]
    assert now.resolved and now.resolved_by == "M. Weber" and now.revision == seen.revision + 1
    sk.resolve_thread(db, root, "S. Becker", resolved=False, revision=now.revision)  # fresh: allowed
    assert not sk.comments_about(db, lid, indicator="kinderarmut")[0].resolved


def test_meeting_agenda_order_and_shown(db):
    m = sk.create_meeting(db, "Steuerkreis Mai", dt.date(2027, 5, 6), "Dr. Hansen")
    with pytest.raises(sk.SteeringError, match="gibt es schon"):
        sk.create_meeting(db, "Steuerkreis Mai", dt.date(2027, 5, 6), "Dr. Hansen")
    ids = [sk.add_agenda_item(db, m.id, t) for t in ("A", "B", "C")]
    sk.move_agenda_item(db, ids[2], -1)
    sk.move_agenda_item(db, ids[0], -1)  # already first: stays
    assert [a.title for a in sk.get_meeting(db, "Steuerkreis Mai").agenda] == ["A", "C", "B"]
    sk.remove_agenda_item(db, ids[2])
    agenda = sk.get_meeting(db, m.id).agenda
    assert [(a.position, a.title) for a in agenda] == [(1, "A"), (2, "B")]
    sk.mark_shown(db, ids[1])
    first = sk.get_meeting(db, m.id).agenda[1].shown_at
    sk.mark_shown(db, ids[1])
    assert first is not None and sk.get_meeting(db, m.id).agenda[1].shown_at == first  # first showing counts
    with pytest.raises(sk.SteeringError, match="„Steuerkreis Mai“"):
        sk.get_meeting(db, "Gibt es nicht")


def test_stale_edits_are_refused(db):
    m = sk.create_meeting(db, "S1", dt.date(2027, 1, 1), "Dr. Hansen")
    dec = sk.add_decision(db, "Vorrang U3", "Text", "Dr. Hansen", m.id)
    assert dec.date == m.date  # a decision takes the meeting's date
    sk.update_decision(db, dec.id, dec.revision, "A", "in Umsetzung")
    with pytest.raises(sk.SteeringError, match="inzwischen von A geändert"):
        sk.update_decision(db, dec.id, dec.revision, "B", "umgesetzt")
    order = sk.add_work_order(db, "Standorte prüfen", "AG Fachplanung", "Dr. Hansen", decision_id=dec.id)
    assert order.decision_title == "Vorrang U3"
    done = sk.update_work_order(db, order.id, order.revision, "A", status="erledigt")
    assert done.done_at is not None and not done.is_open
    with pytest.raises(sk.SteeringError, match="nicht gespeichert"):
        sk.update_work_order(db, order.id, order.revision, "B", status="offen")
    reopened = sk.update_work_order(db, order.id, done.revision, "B", status="offen")
    assert reopened.done_at is None
    with pytest.raises(sk.SteeringError, match="Status „fertig“"):
        sk.add_work_order(db, "x", "AG Fachplanung", "A", status="fertig")


def test_order_overview_for_the_next_meeting(db):
    sk.create_meeting(db, "September", dt.date(2026, 9, 17), "H")
    nxt = sk.create_meeting(db, "Dezember", dt.date(2026, 12, 10), "H")
    late = sk.add_work_order(db, "überfällig", "Projektgruppe Ganztag", "H", due=dt.date(2026, 11, 15))
    sk.add_work_order(db, "offen", "AG Fachplanung", "H", due=dt.date(2026, 12, 31))
    sk.add_work_order(db, "ohne Frist", "AG Fachplanung", "H")
    early = sk.add_work_order(db, "vorher erledigt", "Statistikstelle", "H", status="erledigt")
    since = sk.add_work_order(db, "seitdem erledigt", "Statistikstelle", "H", status="erledigt")
    parked = sk.add_work_order(
        db, "zurückgestellt", "Schulamt", "H", due=dt.date(2026, 10, 1), status="zurückgestellt"
    )
    with session_scope(db) as s:
        for oid, when in ((early.id, dt.datetime(2026, 9, 1)), (since.id, dt.datetime(2026, 10, 20))):
            s.scalars(select(WorkOrder).where(WorkOrder.id == oid)).one().done_at = when
    ov = sk.order_overview(db, nxt)
    assert ov.since == dt.date(2026, 9, 17)
    assert {o.title for o in ov.open} == {"überfällig", "offen", "ohne Frist"}
    assert [o.id for o in ov.overdue] == [late.id]  # "zurückgestellt" is closed, never overdue
    assert [o.id for o in ov.done_since] == [since.id]
    assert parked.id not in {o.id for o in ov.open}


def test_meeting_record_lists_shown_decided_assigned(db):
    lid = _layout(db).id
    m = sk.create_meeting(db, "S", dt.date(2027, 2, 2), "H")
    other = sk.create_meeting(db, "T", dt.date(2027, 3, 3), "H")
    top = sk.add_agenda_item(db, m.id, "TOP A")
    sk.add_agenda_item(db, m.id, "TOP B")
    sk.mark_shown(db, top)
    dec = sk.add_decision(db, "B1", "", "H", m.id)
    sk.add_work_order(db, "A1", "AG Fachplanung", "H", meeting_id=m.id, decision_id=dec.id)
    sk.add_work_order(db, "A2", "AG Fachplanung", "H", meeting_id=other.id)
    sk.add_comment(db, lid, "in der Sitzung", "Jugendamt", "S", indicator="x", meeting_id=m.id)
    rec = sk.meeting_record(db, "S")
    assert [a.title for a in rec.shown] == ["TOP A"]
    assert [d.title for d in rec.decisions] == ["B1"]
    assert [o.title for o in rec.orders] == ["A1"]
    assert [c.text for c in rec.comments] == ["in der Sitzung"]


def test_frozen_scenario_survives_later_edits(db):
    lay = _layout(db)
    stored = save_scenario(db, lay.id, Scenario("Mehr U3", params={"bedarfsquote_2": 0.6}), "A")
    view = sk.save_view(db, lay.id, "v", "kita", {"szenario": "Mehr U3"}, _versions(db), stored, "A")
    save_scenario(
        db, lay.id, Scenario("Mehr U3", params={"bedarfsquote_2": 0.4}, revision=stored.revision), "B"
    )
    assert get_scenario(db, lay.id, "Mehr U3").params == {"bedarfsquote_2": 0.4}
    assert sk.get_view(db, view.id).frozen_scenario().params == {"bedarfsquote_2": 0.6}
