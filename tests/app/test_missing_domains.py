"""Nothing missing is shown as zero: without a Kita or school list the key figures say 'keine Daten'."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import update
from streamlit.testing.v1 import AppTest

from planning.cli import main
from planning.db import make_engine, migrate, session_scope
from planning.models import DatasetVersion
from planning.repository import load_planning_data
from planning.summary import city_summary, missing_domains
from tests.conftest import APPTEST_TIMEOUT_S, build_tiny

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _without(engine, *kinds: str) -> None:
    """The tiny city as if these kinds had never been imported (no active version)."""
    with session_scope(engine) as s:
        s.execute(update(DatasetVersion).where(DatasetVersion.kind.in_(kinds)).values(is_active=False))


@pytest.fixture
def no_kitas_url(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    engine = make_engine(url)
    migrate(engine)
    build_tiny(engine)
    _without(engine, "kitas", "schulen")
    engine.dispose()
    monkeypatch.setenv("PLANUNGSATLAS_DB_URL", url)
    return url


def test_summary_without_kita_and_school_lists_is_none_not_zero(no_kitas_url, capsys):
    engine = make_engine(no_kitas_url)
    s = city_summary(load_planning_data(engine), 2025)
    assert s["kitas"] is None and s["kita_places"] is None and s["schools"] is None
    assert s["population_total"] is not None  # what is loaded is still shown
    assert main(["--db", no_kitas_url, "summary"]) == 0
    out = capsys.readouterr().out
    assert "Kita-Plätze: keine Daten" in out and "Schulen: keine Daten" in out


def test_lagebild_says_no_kita_data_instead_of_zero_places(no_kitas_url):
    at = AppTest.from_file(APP, default_timeout=APPTEST_TIMEOUT_S)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    card = next(m for m in at.metric if m.label == "Kita-Plätze")
    assert card.value == "keine Daten"
    assert "Daten › Import" in card.proto.help


def test_kita_page_and_plan_export_leave_places_and_gaps_empty_without_a_kita_list(no_kitas_url, tmp_path):
    engine = make_engine(no_kitas_url)
    _without(engine, "kindertagespflege")  # no place of any kind loaded
    engine.dispose()
    at = AppTest.from_file(APP, default_timeout=APPTEST_TIMEOUT_S)
    at.run()
    at.switch_page("pages/kita.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Keine Daten geladen: Kita-Liste" in i.value for i in at.info), [i.value for i in at.info]
    metrics = {m.label.split(" ")[0]: m.value for m in at.metric}
    assert metrics["U3-Plätze"] == "keine Daten" and metrics["Ü3-Plätze"] == "keine Daten"
    assert not at.get("plotly_chart")  # no deficit map
    out = tmp_path / "plan.csv"
    assert main(["--db", no_kitas_url, "plan", "--out", str(out)]) == 0
    lines = out.read_text().splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")
    for col in ("u3_places", "ue3_places", "kita_gap"):
        assert row[header.index(col)] == "", (col, row)  # empty, not 0
    assert row[header.index("u3_demand")] != ""  # the demand is still known


def test_missing_domains_names_each_domain_without_data(no_kitas_url):
    engine = make_engine(no_kitas_url)
    data = load_planning_data(engine)
    kinds = dict(missing_domains(data))
    # Kindertagespflege is still loaded (places of a kind exist); schools and births are not
    assert kinds == {"Schulliste (Züge, Ganztagsplätze)": "schulen", "Geburten": "geburten"}
    _without(engine, "kindertagespflege", "schueler")
    assert dict(missing_domains(load_planning_data(engine))) == {
        "Kita-Liste": "kitas",
        "Schulliste (Züge, Ganztagsplätze)": "schulen",
        "Schülerzahlen": "schueler",
        "Geburten": "geburten",
    }


def test_lagebild_says_no_data_for_every_missing_domain_and_links_to_import(no_kitas_url):
    engine = make_engine(no_kitas_url)
    _without(engine, "kindertagespflege", "schueler")
    engine.dispose()
    at = AppTest.from_file(APP, default_timeout=APPTEST_TIMEOUT_S)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    cards = {m.label: m.value for m in at.metric}
    for label in ("Kita-Plätze", "Versorgungsquote U3", "Versorgungsquote Ü3", "Grundschüler:innen"):
        assert cards[label] == "keine Daten", (label, cards)
    assert "0" not in cards.values() and "0,0 %" not in cards.values()
    notice = next(i.value for i in at.info if i.value.startswith("Keine Daten geladen"))
    for what in ("Kita-Liste", "Schulliste", "Schülerzahlen", "Geburten"):
        assert what in notice, notice
    assert any("import" in link.proto.page for link in at.get("page_link"))
    assert all(len(df.value) for df in at.dataframe)  # no empty grid (Streamlit prints "empty" in it)


def test_schule_page_without_zuege_and_ganztag_places_has_no_deficit_map(no_kitas_url, tmp_path):
    at = AppTest.from_file(APP, default_timeout=APPTEST_TIMEOUT_S)
    at.run()
    at.switch_page("pages/schule.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    notice = [i.value for i in at.info if i.value.startswith("Keine Daten geladen")]
    assert notice and "Züge der Grundschulen und Ganztagsplätze" in notice[0], [i.value for i in at.info]
    metrics = {m.label.split(" ")[0]: m.value for m in at.metric}
    assert metrics["Züge"] == "keine Daten", metrics
    assert metrics["Ganztag:"].endswith("/ keine Daten"), metrics
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        assert all(t.get("type") != "choroplethmap" for t in spec["data"])  # no deficit map
    out = tmp_path / "plan.csv"
    assert main(["--db", no_kitas_url, "plan", "--out", str(out)]) == 0
    with out.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for col in ("classes_available", "ganztag_places"):
        assert all(r[col] == "" for r in rows), (col, rows[0])  # empty, not 0
    assert all(r["ganztag_demand"] != "" for r in rows if r["year"] >= "2029")  # the demand is still known
