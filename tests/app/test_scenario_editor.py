"""Scenario editor (issue 22, item 8): saving one's own scenario again is an update, never a
conflict with oneself; the measures grid is German and readable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import APPTEST_TIMEOUT_S

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _editor() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=APPTEST_TIMEOUT_S)
    at.run()
    at.switch_page("pages/szenarien.py")
    at.session_state["scenario_view"] = "Bearbeiten"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _save(at: AppTest) -> None:
    names = [t for t in at.text_input if t.key == "editor_user"]
    if names:
        names[0].input("Test Planerin")
    next(b for b in at.button if b.label == "Szenario speichern").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def test_a_new_scenario_saved_twice_is_an_update(tiny_url):
    at = _editor()
    next(t for t in at.text_input if t.label == "Name").input("Neubau Nord")
    _save(at)
    assert [s.value for s in at.success] == ["Szenario „Neubau Nord“ gespeichert (Version 1)."]
    assert at.selectbox(key="edit_scenario").value == "Neubau Nord"  # the editor holds what was saved
    _save(at)
    assert not at.error, [e.value for e in at.error]  # it said "inzwischen von Test Planerin geändert"
    assert [s.value for s in at.success] == ["Szenario „Neubau Nord“ gespeichert (Version 2)."]


def test_measures_grid_is_wide_german_and_without_none(tiny_url):
    at = _editor()
    grid = at.dataframe[0]
    columns = json.loads(grid.proto.columns)
    assert columns["gebiet_id"]["width"] == "large"  # "0405 Sonnenhang", not 90 px
    assert columns["year"]["type_config"]["format"] == "%d"  # 2028, never "2,028"
    assert columns["zuege"]["type_config"]["type"] == "selectbox"  # "+1,5", never "1.5"
    assert "+1,5" in columns["zuege"]["type_config"]["options"]
    assert grid.proto.HasField("placeholder") and grid.proto.placeholder == ""  # no "None"
    shrink = next(n for n in at.text_input if n.label.startswith("Ausgleich kleiner Gebiete"))
    assert shrink.value == "200"  # "200", not "200.00"


def test_assumptions_are_typed_german_and_an_ambiguous_one_is_not_saved(tiny_url):
    """Quotas and decimal parameters are German text fields: "45,5" is 45,5 %, "45.5" is read and
    said, "1.500" is refused and the scenario is not saved with the default in its place."""
    from planning.db import make_engine
    from planning.repository import get_layout
    from planning.scenarios import get_scenario

    at = _editor()
    key = "p_+ Neues Szenario_ganztag_bedarfsquote"
    next(t for t in at.text_input if t.label == "Name").input("Ganztag halb")
    at.text_input(key=key).input("1.500")
    _save(at)
    assert any("mehrdeutig" in e.value for e in at.error), [e.value for e in at.error]
    assert any("Nicht gespeichert" in e.value for e in at.error)
    assert not at.success

    at.text_input(key=key).input("45.5")
    _save(at)
    assert [s.value for s in at.success] == ["Szenario „Ganztag halb“ gespeichert (Version 1)."]
    engine = make_engine(tiny_url)
    saved = get_scenario(engine, get_layout(engine).id, "Ganztag halb")
    assert saved.params["ganztag_bedarfsquote"] == pytest.approx(0.455)
