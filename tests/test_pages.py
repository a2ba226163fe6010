"""AppTest smoke tests: every page runs without exception against a real SQLite database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import build_tiny

APP = str(Path(__file__).resolve().parent.parent / "app.py")

PAGES = {
    "pages/lagebild.py": ("Lagebild", True),
    "pages/kita.py": ("Kita-Versorgung", True),
    "pages/schule.py": ("Schule & Ganztag", True),
    "pages/sozialraum.py": ("Jugendhilfe & Soziales", True),
    "pages/stadtteilprofil.py": ("Stadtteilprofil", False),
    "pages/szenarien.py": ("Prognose & Szenarien", False),
    "pages/steuerkreis.py": ("Sitzung & Beschlüsse", False),
    "pages/datenstaende.py": ("Datenstände", False),
    "pages/import.py": ("Import", False),
}


@pytest.fixture
def tiny_url(tmp_path, monkeypatch):
    from planning.db import make_engine, migrate

    url = f"sqlite:///{tmp_path / 'app.db'}"
    engine = make_engine(url)
    migrate(engine)
    build_tiny(engine)
    engine.dispose()
    monkeypatch.setenv("PLANUNGSATLAS_DB_URL", url)
    return url


def _run(page: str | None = None, params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    return at


@pytest.mark.parametrize("page", list(PAGES))
def test_page_runs_without_exception(tiny_url, page):
    at = _run(page)
    assert not at.exception, [e.value for e in at.exception]
    title, has_map = PAGES[page]
    assert at.title[0].value == title
    if has_map:
        charts = at.get("plotly_chart")
        assert charts, "no map rendered"
        spec = json.loads(charts[0].proto.spec)
        assert spec["data"][0]["type"] == "choroplethmap"
        assert spec["layout"]["map"]["style"] == "white-bg"


def test_lagebild_kpis_show_city_figures(tiny_url):
    at = _run()
    labels = {m.label: m.value for m in at.metric}
    assert labels["Kinder unter 3"] == "47"  # 30 + 5 + 12 in 2025 (hand-checked in conftest)
    assert labels["Kita-Plätze"] == "40"  # only K1 operates in 2025


def test_url_parameters_open_the_same_view(tiny_url):
    at = _run(params={"jahr": "2024", "kennzahl": "kinder_u3", "gebiet": "0102", "ebene": "1"})
    assert not at.exception
    assert at.session_state["year"] == 2024
    assert at.session_state["indicator"] == "kinder_u3"
    assert at.session_state["district"] == "0102"
    assert at.query_params["kennzahl"] == ["kinder_u3"] or at.query_params["kennzahl"] == "kinder_u3"


def test_mangled_url_parameters_fall_back_to_defaults(tiny_url):
    at = _run(params={"jahr": "zwanzig", "kennzahl": "gibt_es_nicht", "gebiet": "9999"})
    assert not at.exception
    assert at.session_state["year"] == 2025
    assert at.session_state["district"] is None


def test_empty_database_shows_german_notice(tmp_path, monkeypatch):
    monkeypatch.setenv("PLANUNGSATLAS_DB_URL", f"sqlite:///{tmp_path / 'leer.db'}")
    at = _run()
    assert not at.exception
    assert "noch keine Gebiete" in at.warning[0].value


def test_datenstaende_compares_two_kita_lists(tiny_url, tmp_path):
    from planning.db import make_engine
    from planning.imports.service import import_file
    from planning.imports.writer import VersionMeta

    csv = tmp_path / "kitas_neu.csv"
    csv.write_text("kita_id;name;gebiet_id;plaetze_gesamt\nK1;Kita Eins;0101;55\n", encoding="utf-8")
    engine = make_engine(tiny_url)
    import_file(engine, "kitas", csv, VersionMeta(source="Jugendamt", licence="intern"))
    engine.dispose()
    at = _run("pages/datenstaende.py")
    assert not at.exception, [e.value for e in at.exception]
    assert "Datenstände vergleichen" in [h.value for h in at.subheader]
    assert at.get("plotly_chart"), "no comparison map"
    labels = {m.label: m.value for m in at.metric}
    assert labels["Kita-Plätze: nachher"] == "55"
