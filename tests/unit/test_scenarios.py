"""Scenarios in a real SQLite database: round trip, validation, parallel edits, the fixed baseline."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from planning.db import session_scope
from planning.models import AreaLayout
from planning.scenarios import (
    BASELINE,
    Measure,
    Scenario,
    ScenarioError,
    delete_scenario,
    get_scenario,
    list_scenarios,
    save_scenario,
)
from tests.conftest import build_tiny


@pytest.fixture
def tiny(empty_engine):
    build_tiny(empty_engine)
    with session_scope(empty_engine) as s:
        layout_id = s.scalars(select(AreaLayout.id)).one()
    return empty_engine, layout_id


def test_round_trip_and_baseline_always_first(tiny):
    engine, layout = tiny
    assert list_scenarios(engine, layout) == [BASELINE]
    sc = Scenario(
        "Neue Kita",
        "90 Plätze",
        params={"bedarfsquote_1": 0.5},
        measures=(Measure("kita_plaetze", "0101", 2027, u3=30, ue3=60),),
    )
    saved = save_scenario(engine, layout, sc, user="anna", area_ids={"0101", "0102", "0201"})
    assert saved.revision == 1 and saved.updated_by == "anna"
    loaded = get_scenario(engine, layout, "Neue Kita")
    assert loaded.params == {"bedarfsquote_1": 0.5} and loaded.measures == sc.measures
    assert [s.name for s in list_scenarios(engine, layout)] == ["Basis", "Neue Kita"]
    assert get_scenario(engine, layout, None) is BASELINE
    assert loaded.describe_changes() == [
        "Bedarfsquote 1-Jährige: 50 % (Standard 45 %)",
        "Kita-Plätze in 0101 ab 2027: +30 U3, +60 Ü3",
    ]


def test_a_parallel_edit_is_refused_not_overwritten(tiny):
    engine, layout = tiny
    first = save_scenario(engine, layout, Scenario("Ganztag"), user="anna")
    save_scenario(engine, layout, replace(first, description="von Ben"), user="ben")
    with pytest.raises(ScenarioError, match="inzwischen von ben geändert"):
        save_scenario(engine, layout, replace(first, description="von Anna"), user="anna")
    assert get_scenario(engine, layout, "Ganztag").description == "von Ben"
    with pytest.raises(ScenarioError, match="gibt es nicht"):
        delete_scenario(engine, layout, "Unbekannt")
    delete_scenario(engine, layout, "Ganztag")
    assert list_scenarios(engine, layout) == [BASELINE]


@pytest.mark.parametrize(
    ("scenario", "message"),
    [
        (Scenario("Basis"), "feste Basisszenario"),
        (Scenario("  "), "braucht einen Namen"),
        (Scenario("x", params={"klassenobergrenze": 5}), "Klassenobergrenze Grundschule.*Minimum"),
        (Scenario("x", params={"quote": 1}), "Unbekannter Parameter"),
        (Scenario("x", measures=(Measure("kita_plaetze", "9999", 2027, u3=5),)), "Gebiet „9999“"),
        (Scenario("x", measures=(Measure("kita_plaetze", "0101", 2027),)), "Anzahl fehlt"),
        (Scenario("x", measures=(Measure("schule_zuege", "0101", None, zuege=1),)), "ab welchem Jahr"),
        (Scenario("x", measures=(Measure("wohnbau_verschieben", projekt_id="W9", delay=1),)), "W9"),
        (Scenario("x", measures=(Measure("abriss", "0101", 2027),)), "Unbekannte Maßnahme"),
    ],
)
def test_invalid_scenarios_get_a_german_reason_and_nothing_is_stored(tiny, scenario, message):
    engine, layout = tiny
    with pytest.raises(ScenarioError, match=message):
        save_scenario(engine, layout, scenario, area_ids={"0101", "0102", "0201"}, projects={"W1"})
    assert list_scenarios(engine, layout) == [BASELINE]
