"""No lost updates: two people saving the same object at the same moment, in two processes.

Both processes load the object, pass the revision check and are then held at a barrier *inside*
the flush (just before the UPDATE goes out), so both have read the same revision before either
writes: exactly the race the old read-then-write check lost. The save must be one compare-and-set
statement (``UPDATE … WHERE revision = :seen``): one wins, the other gets the German refusal, and
the stored object is the winner's. On SQLite and on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import sys
import types
from dataclasses import replace

import pytest
from conftest import build_tiny
from sqlalchemy import select

from planning import auth, registry, scenarios, steering
from planning.models import AreaLayout
from planning.targets import Target

PLANNER = auth.Principal("leitung", "L. Leitung", auth.Role.LEITUNG)
CASES = (
    "szenario",
    "zielwert",
    "kennzahlenset",
    "kommentar",
    "sitzung",
    "beschlussvorschlag",
    "beschluss",
    "arbeitsauftrag",
)


def _prepare(engine) -> dict[str, int]:  # type: ignore[no-untyped-def]
    build_tiny(engine)
    return _prepare_tiny(engine)


def _seen_and_save(engine, case: str, ids: dict[str, int], me: str):  # type: ignore[no-untyped-def]
    """Load the object as the person would see it, return the save of their edit (not yet run)."""
    lid = ids["layout"]
    if case == "szenario":
        seen = next(s for s in scenarios.list_scenarios(engine, lid) if s.name == "Variante")
        return lambda: scenarios.save_scenario(engine, lid, replace(seen, description=me), me)
    if case == "zielwert":
        seen = registry.load_registry(engine).target("versorgung_u3")
        return lambda: registry.save_target(engine, replace(seen, note=me), me)
    if case == "kennzahlenset":
        seen = next(k for k in registry.load_registry(engine).sets if k.name == "Set")
        return lambda: registry.save_set(engine, replace(seen, owner=me), me)
    if case == "kommentar":
        seen = next(c for c in steering.comments_about(engine, lid, indicator="versorgung_u3"))
        return lambda: steering.resolve_thread(engine, seen.id, me, revision=seen.revision)
    if case == "sitzung":
        seen = steering.get_meeting(engine, ids["sitzung"])
        return lambda: steering.update_meeting(engine, seen.id, seen.revision, me, minutes=me)
    if case == "beschlussvorschlag":
        seen_top = steering.get_meeting(engine, ids["sitzung"]).agenda[0]
        return lambda: steering.set_proposal(engine, seen_top.id, seen_top.revision, me, me)
    if case == "beschluss":
        seen = next(d for d in steering.list_decisions(engine) if d.id == ids["beschluss"])
        status = "vertagt" if me == "A" else "abgelehnt"
        return lambda: steering.update_decision(engine, seen.id, seen.revision, me, status)
    seen = next(o for o in steering.list_work_orders(engine) if o.id == ids["arbeitsauftrag"])
    return lambda: steering.update_work_order(engine, seen.id, seen.revision, me, owner=me)


def _stored(engine, case: str, ids: dict[str, int]) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    """Who the stored object says saved it last, and its revision."""
    lid = ids["layout"]
    if case == "szenario":
        s = next(s for s in scenarios.list_scenarios(engine, lid) if s.name == "Variante")
        return s.description, s.revision
    if case == "zielwert":
        t = registry.load_registry(engine).target("versorgung_u3")
        return t.note, t.revision
    if case == "kennzahlenset":
        k = next(k for k in registry.load_registry(engine).sets if k.name == "Set")
        return k.owner, k.revision
    if case == "kommentar":
        c = next(c for c in steering.comments_about(engine, lid, indicator="versorgung_u3"))
        return c.resolved_by or "", c.revision
    if case == "sitzung":
        m = steering.get_meeting(engine, ids["sitzung"])
        return m.minutes, m.revision
    if case == "beschlussvorschlag":
        top = steering.get_meeting(engine, ids["sitzung"]).agenda[0]
        return top.proposal, top.revision
    if case == "beschluss":
        d = next(d for d in steering.list_decisions(engine) if d.id == ids["beschluss"])
        return {"vertagt": "A", "abgelehnt": "B"}.get(d.status, d.status), d.revision
    o = next(o for o in steering.list_work_orders(engine) if o.id == ids["arbeitsauftrag"])
    return o.owner, o.revision


def _person(url: str, me: str, ids: dict[str, int], start, in_flush, results) -> None:  # type: ignore[no-untyped-def]
    """One colleague in their own process: for every case, load, wait for the other, save."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from planning.db import make_engine

    engine = make_engine(url)
    held = {"case": ""}

    def hold(session, _ctx, _instances) -> None:  # type: ignore[no-untyped-def]
        if held["case"]:  # first flush of this save: both have read, neither has written
            held["case"] = ""
            in_flush.wait(timeout=600)

    event.listen(Session, "before_flush", hold)
    with auth.acting_as(PLANNER):
        for case in CASES:
            save = _seen_and_save(engine, case, ids, me)
            start.wait(timeout=600)
            held["case"] = case
            try:
                save()
                results.put((case, me, "gespeichert"))
            except (scenarios.ScenarioError, registry.RegistryError, steering.SteeringError) as exc:
                results.put((case, me, str(exc)))
            except Exception as exc:  # reported, not swallowed: the test fails with it
                results.put((case, me, f"FEHLER {type(exc).__name__}: {exc}"))
                if held["case"]:
                    held["case"] = ""
                    in_flush.wait(timeout=600)
    engine.dispose()


def test_two_processes_saving_at_the_same_instant_never_lose_an_update(any_engine, monkeypatch):
    # A child started with "spawn" re-runs the parent's __main__: after an AppTest in this process
    # that is app.py. The children need nothing of it.
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
    ids = _prepare(any_engine)
    before = {case: _stored(any_engine, case, ids)[1] for case in CASES}
    ctx = mp.get_context("spawn")
    start, in_flush, results = ctx.Barrier(2), ctx.Barrier(2), ctx.Queue()
    url = any_engine.url.render_as_string(hide_password=False)
    people = [ctx.Process(target=_person, args=(url, me, ids, start, in_flush, results)) for me in "AB"]
    for p in people:
        p.start()
    outcome: dict[str, dict[str, str]] = {case: {} for case in CASES}
    for _ in range(2 * len(CASES)):
        case, me, said = results.get(timeout=900)  # a hang guard for a loaded machine
        outcome[case][me] = said
    for p in people:
        p.join(timeout=120)
        assert p.exitcode == 0
    for case in CASES:
        said = outcome[case]
        winners = [me for me, text in said.items() if text == "gespeichert"]
        assert len(winners) == 1, f"{case}: {said}"  # both 'gespeichert' = a lost update
        (loser,) = set("AB") - set(winners)
        assert "gleichzeitig" in said[loser] and "nicht gespeichert" in said[loser], said[loser]
        who, revision = _stored(any_engine, case, ids)
        assert revision == before[case] + 1
        assert who == winners[0], f"{case}: gespeichert ist {who!r}, gewonnen hat {winners[0]}"


@pytest.mark.parametrize("case", CASES)
def test_an_edit_from_an_older_revision_is_refused(tiny_engine, case):
    """The plain (sequential) case still gets the message naming who saved in between."""
    ids = _prepare_tiny(tiny_engine)
    with auth.acting_as(PLANNER):
        first, second = (
            _seen_and_save(tiny_engine, case, ids, "A"),
            _seen_and_save(tiny_engine, case, ids, "B"),
        )
        first()
        with pytest.raises(ValueError, match=r"inzwischen|gleichzeitig"):
            second()
    assert _stored(tiny_engine, case, ids)[0] == "A"


def _prepare_tiny(engine) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """As :func:`_prepare`, on the already built tiny city."""
    with engine.connect() as conn:
        layout_id = conn.execute(select(AreaLayout.id)).scalar_one()
    scenarios.save_scenario(engine, layout_id, scenarios.Scenario("Variante"), "S")
    registry.save_target(engine, Target("versorgung_u3", 50.0), "S")
    registry.save_set(engine, registry.KennzahlenSet("Set", codes=("versorgung_u3",)), "S")
    return {
        "layout": layout_id,
        "kommentar": steering.add_comment(
            engine, layout_id, "Text", "Jugendamt", "S", indicator="versorgung_u3"
        ),
        "sitzung": (meeting := steering.create_meeting(engine, "Steuerkreis", dt.date(2026, 3, 1), "S")).id,
        "top": steering.add_agenda_item(engine, meeting.id, "TOP 1"),
        "beschluss": steering.add_decision(engine, "Beschluss", "Text", "S").id,
        "arbeitsauftrag": steering.add_work_order(engine, "Auftrag", "Jugendamt", "S").id,
    }
