"""Flensburg's real open data through the import recipe: golden figures from SOURCE.md, and the
documented source errors reported as warnings (never silently accepted)."""

from __future__ import annotations

import pytest

from planning.cli import main
from planning.db import make_engine, migrate
from planning.imports.bundles.flensburg import import_flensburg
from planning.repository import load_planning_data
from planning.summary import city_summary
from tests.conftest import REAL_DATA

FLENSBURG = REAL_DATA / "flensburg"
pytestmark = [
    pytest.mark.realdata,
    pytest.mark.skipif(
        not FLENSBURG.is_dir(), reason="../shared/data/real/flensburg fehlt (nur in CI vorhanden)"
    ),
]


@pytest.fixture(scope="module")
def flensburg(tmp_path_factory):
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('fl') / 'fl.db'}")
    migrate(engine)
    report = import_flensburg(engine, FLENSBURG)
    yield engine, report
    engine.dispose()


def test_golden_figures(flensburg):
    engine, _ = flensburg
    data = load_planning_data(engine)
    s = city_summary(data)
    assert s["areas"] == 13
    assert s["population_year"] == 2021 and s["population_total"] == 97_877
    assert s["kitas"] == 70 and s["kita_places"] == 4_475
    assert s["schools"] == 30 and s["pupils"] == 12_222 and s["school_year"] == "2022/23"
    assert (data.schools["schulart"] == "Grundschule").sum() >= 10


def test_time_series_totals(flensburg):
    from planning.indicators import city_series

    series = city_series(load_planning_data(flensburg[0]), "einwohner").set_index("year")["value"]
    assert int(series[2011]) == 89_448 and int(series[2020]) == 96_731


def test_documented_source_errors_are_warnings(flensburg):
    _, report = flensburg
    text = "\n".join(str(p) for p in report.warnings)
    assert "Sandberg: „gesamt“ = 7.602" in text
    assert "Neustadt: „gesamt“ = 4.850" in text
    assert "80_und_älter" in text and "625" in text
    kita = [p for p in report.warnings if p.file == "kitas_in_flensburg.geojson"]
    assert len(kita) == 1 and "liegt aber in" in kita[0].message


def test_broken_source_table_stops_the_recipe_before_writing(tmp_path):
    import shutil

    broken = tmp_path / "flensburg"
    shutil.copytree(FLENSBURG, broken)
    (next((broken / "social").glob("tab_20_*.csv"))).write_text("nur Müll\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'x.db'}"
    assert main(["--db", url, "import-bundle", "flensburg", str(broken)]) == 1
    assert main(["--db", url, "areas", "--json"]) == 1  # still no area layout


def test_bundle_is_one_transaction(tmp_path, monkeypatch):
    """A failure while writing the last step rolls back the areas and every earlier step."""
    from planning.imports import writer

    def power_cut(*_a, **_k):
        raise RuntimeError("Stromausfall beim Schreiben der Kennzahlen")

    monkeypatch.setitem(writer._WRITERS, "kennzahlen", power_cut)
    engine = make_engine(f"sqlite:///{tmp_path / 'y.db'}")
    migrate(engine)
    with pytest.raises(RuntimeError):
        import_flensburg(engine, FLENSBURG)
    from tests.unit.test_import import dump

    assert all(rows == [] for table, rows in dump(engine).items() if table != "alembic_version")
