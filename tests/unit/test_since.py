"""Beschlussvorschlag per TOP, comments bound to their year and data, and „Seit der letzten
Sitzung“ on the demo city (whose September meeting saw the register up to 2024, the December
meeting the register up to 2025)."""

from __future__ import annotations

import datetime as dt

import pytest

from planning import comment_basis, since
from planning import steering as sk
from planning.db import make_engine
from planning.demo.steering import AGENDA_NAME, PREVIOUS_POPULATION
from planning.paper.build import build_paper
from planning.paper.model import Remark, Table
from planning.repository import active_versions, get_layout, list_versions


@pytest.fixture(scope="module")
def demo(demo_template, tmp_path_factory):
    url = demo_template.copy(tmp_path_factory.mktemp("since"))
    return make_engine(url)


# --------------------------------------------------------------------------- Beschlussvorschlag


def test_proposal_is_saved_against_its_revision(demo):
    item = sk.get_meeting(demo, AGENDA_NAME).agenda[3]
    assert item.proposal == ""  # TOP 4 of the demo has none
    saved = sk.set_proposal(demo, item.id, item.revision, "A. Nowak", "  Der Steuerkreis beschließt X.  ")
    assert (saved.proposal, saved.proposal_by, saved.revision) == (
        "Der Steuerkreis beschließt X.",
        "A. Nowak",
        item.revision + 1,
    )
    # a second person who loaded the TOP before that save is refused, nothing is overwritten
    with pytest.raises(sk.SteeringError, match=r"inzwischen von A\. Nowak geändert"):
        sk.set_proposal(demo, item.id, item.revision, "S. Becker", "Etwas anderes.")
    assert sk.get_meeting(demo, AGENDA_NAME).agenda[3].proposal == "Der Steuerkreis beschließt X."
    # showing the TOP in the room is no edit of the proposal (no conflict for who prepares it)
    sk.mark_shown(demo, item.id)
    again = sk.set_proposal(demo, item.id, saved.revision, "S. Becker", "")
    assert again.proposal == "" and again.revision == saved.revision + 1


def test_proposal_is_printed_in_its_top(demo):
    paper = build_paper(demo, AGENDA_NAME)
    agenda = sk.get_meeting(demo, AGENDA_NAME).agenda
    for item in agenda:
        section = next(s for s in paper.sections if s.title == f"TOP {item.position}: {item.title}")
        proposals = [b for b in section.blocks if isinstance(b, Remark) and b.kind == "vorschlag"]
        if item.proposal:
            assert [p.text for p in proposals] == [item.proposal]
        else:
            assert proposals == []


# --------------------------------------------------------------------------- comments and their basis


def test_a_comment_keeps_its_year_and_versions_and_says_when_figures_moved_on(demo):
    layout = get_layout(demo)
    now = {k: v.id for k, v in active_versions(demo, layout.id).items()}
    known = {v.id: v for v in list_versions(demo, layout.id)}
    old = next(v.id for v in known.values() if v.label == PREVIOUS_POPULATION[0])
    cid = sk.add_comment(
        demo,
        layout.id,
        "33 % sind zu wenig.",
        "Jugendamt",
        "S. Becker",
        indicator="versorgung_u3",
        year=2024,
        versions=now | {"bevoelkerung": old},
    )
    c = next(c for c in sk.comments_about(demo, layout.id, indicator="versorgung_u3") if c.id == cid)
    assert c.year == 2024 and c.versions is not None and c.versions["bevoelkerung"] == old
    sources = ("kitas", "kindertagespflege", "bevoelkerung")
    b = comment_basis.basis(c, known, sources, 2025, now)
    assert b is not None
    assert b.about.startswith("bezieht sich auf 2024, Datenstand Bevölkerung 31.12.2024")
    assert "jetzt Bevölkerung 31.12.2025" in b.moved and "hier gezeigt: 2025" in b.moved
    # the same data and year: nothing has moved
    same = comment_basis.basis(c, known, sources, 2024, now | {"bevoelkerung": old})
    assert same is not None and same.moved == ""
    # a comment from before the binding says nothing rather than something wrong
    plain = sk.add_comment(demo, layout.id, "Alt.", "Jugendamt", "S", indicator="versorgung_u3")
    c0 = next(c for c in sk.comments_about(demo, layout.id, indicator="versorgung_u3") if c.id == plain)
    assert comment_basis.basis(c0, known, sources, 2025, now) is None


def test_the_paper_says_what_a_comment_speaks_about(demo):
    paper = build_paper(demo, AGENDA_NAME)
    top1 = next(s for s in paper.sections if s.title.startswith("TOP 1:"))
    texts = [b.text for b in top1.blocks if isinstance(b, Remark) and b.kind == "kommentar"]
    moved = [t for t in texts if "Bezieht sich auf 2024" in t]
    assert moved and all(
        "Zahlen inzwischen fortgeschrieben" in t and "hier gezeigt: 2025" in t for t in moved
    )


# --------------------------------------------------------------------------- Seit der letzten Sitzung


def test_since_the_last_meeting_on_the_demo(demo):
    r = since.since_last_meeting(demo, AGENDA_NAME)
    assert r.previous is not None and r.previous.name == "Sitzung September 2026" and r.from_snapshots
    assert [v.kind for v in r.new_versions] == ["bevoelkerung"]
    assert r.replaced["bevoelkerung"].label == PREVIOUS_POPULATION[0]
    # both snapshots of September moved: the Kita forecast for 2028 and the U3 rate 2024 → 2025
    figures = {m.view_title for m in r.moved}
    assert figures == {"Kita-Bedarfsprognose 2028 (September)", "U3-Versorgung nach Planungsraum (September)"}
    u3 = [m for m in r.moved if m.figure == "Versorgungsquote U3"]
    assert {(m.year_before, m.year_now) for m in u3} == {(2024, 2025)}
    deltas = [abs(m.delta) for m in u3]
    assert deltas == sorted(deltas, reverse=True) and deltas[0] > 0  # the largest change first
    assert all(m.direction == (1 if m.delta > 0 else -1) for m in u3)  # a higher rate is better
    # targets: lights that left green (newly missed) or turned green (newly met), with both values
    assert r.targets and {t.met for t in r.targets} == {True, False}
    for t in r.targets:
        assert (t.now >= 50.0) == t.met if t.figure == "Versorgungsquote U3" else True
    # work orders: overdue and done since September, as the order overview counts them
    assert [o.title for o in r.orders.overdue] == ["Raumprogramm Ganztag Grundschule Sonnenhang"]
    assert [o.title for o in r.orders.done_since] == ["Elternbefragung U3-Bedarf auswerten"]
    table = since.moved_table(r)
    assert list(table.columns) == ["Kennzahl", "Gebiet", "damals", "jetzt", "Veränderung"]
    assert table["damals"].str.contains(r"\(2024\)|\(2028\)").all()


def test_nothing_moved_when_the_previous_meeting_saw_todays_data(demo):
    layout = get_layout(demo)
    now = {k: v.id for k, v in active_versions(demo, layout.id).items()}
    first = sk.create_meeting(demo, "Sitzung Januar 2027", dt.date(2027, 1, 14), "X")
    nxt = sk.create_meeting(demo, "Sitzung Februar 2027", dt.date(2027, 2, 11), "X")
    view = sk.save_view(demo, layout.id, "U3", "lagebild", {"kennzahl": "versorgung_u3"}, now, None, "X")
    sk.add_agenda_item(demo, first.id, "U3", view.id)
    r = since.since_last_meeting(demo, nxt.id)
    assert r.previous is not None and r.previous.id == first.id
    assert r.new_versions == () and r.moved == () and r.targets == ()
    # the very first meeting of a body compares with nothing
    alone = sk.create_meeting(demo, "Erste Sitzung", dt.date(2020, 1, 1), "X", body="Jugendhilfeausschuss")
    assert since.since_last_meeting(demo, alone.id).previous is None


def test_the_paper_opens_with_since_the_last_meeting(demo):
    paper = build_paper(demo, AGENDA_NAME)
    first = paper.sections[0]
    assert first.title == "TOP 0: Seit der letzten Sitzung"
    assert "17.09.2026" in first.subtitle
    tables = {b.title: b.frame for b in first.blocks if isinstance(b, Table)}
    assert any(
        t.startswith("Größte Veränderungen: Versorgungsquote U3 nach Planungsraum (2024 damals")
        for t in tables
    )
    assert "Zielwerte neu verfehlt oder erreicht" in tables
    assert any(t.startswith("Arbeitsaufträge: 1 überfällig, 1 erledigt") for t in tables)
