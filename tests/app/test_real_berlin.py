"""Berlin's real open data through the import recipe: golden figures from SOURCE.md."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from planning.db import make_engine, migrate
from planning.imports.bundles.berlin import import_berlin
from planning.indicators import city_series, indicator_table
from planning.models import DatasetVersion
from planning.repository import load_planning_data
from planning.summary import city_summary
from tests.conftest import APPTEST_TIMEOUT_S, REAL_DATA
from ui.views import TABLE_KEY

BERLIN = REAL_DATA / "berlin"
APP = str(Path(__file__).resolve().parents[2] / "app.py")
pytestmark = [
    pytest.mark.realdata,
    pytest.mark.skipif(not BERLIN.is_dir(), reason="../shared/data/real/berlin fehlt (nur in CI vorhanden)"),
]


@pytest.fixture(scope="module")
def berlin(tmp_path_factory):
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('berlin') / 'b.db'}")
    migrate(engine)
    report = import_berlin(engine, BERLIN)
    yield engine, report
    engine.dispose()


def test_golden_figures(berlin):
    engine, _ = berlin
    data = load_planning_data(engine)
    s = city_summary(data)
    assert s["areas"] == 542
    assert s["population_year"] == 2025 and s["population_total"] == 3_913_644
    assert s["children_0_3"] == 95_015 and s["children_3_6"] == 106_467 and s["children_6_10"] == 146_984
    assert s["schools"] == 902
    # newest Kita list is the active one; 10 Kitas have 0 places, all 2,893 are listed
    assert len(data.kitas) == 2_893 and int(data.kitas["places_total"].sum()) == 199_851


def test_ids_keep_leading_zeros_and_bezirke_are_the_upper_level(berlin):
    data = load_planning_data(berlin[0])
    plr = data.areas[data.areas["level"] == 1]
    assert plr["gebiet_id"].str.len().eq(8).all() and "01100101" in set(plr["gebiet_id"])
    bez = data.areas[data.areas["level"] == 0].set_index("gebiet_id")["name"]
    assert len(bez) == 12 and bez["08"] == "Neukölln"
    mitte = indicator_table(data, "einwohner", level=0)
    assert int(mitte.loc[(mitte["gebiet_id"] == "01") & (mitte["year"] == 2025), "value"].iloc[0]) > 300_000


def test_older_kita_lists_stay_readable_as_earlier_versions(berlin):
    engine, _ = berlin
    with engine.connect() as conn:
        rows = conn.execute(
            select(DatasetVersion.label, DatasetVersion.row_count, DatasetVersion.is_active)
            .where(DatasetVersion.kind == "kitas")
            .order_by(DatasetVersion.id)
        ).all()
    assert [(r.row_count, r.is_active) for r in rows] == [(2_880, False), (2_852, False), (2_893, True)]
    older = load_planning_data(engine, version_ids={"kitas": _ids(engine)[1]})
    assert int(older.kitas["places_total"].sum()) == 197_762


def _ids(engine):
    with engine.connect() as conn:
        return (
            conn.execute(
                select(DatasetVersion.id).where(DatasetVersion.kind == "kitas").order_by(DatasetVersion.id)
            )
            .scalars()
            .all()
        )


def test_population_series_and_uninhabited_areas_are_missing_not_zero(berlin):
    data = load_planning_data(berlin[0])
    series = city_series(data, "einwohner").set_index("year")["value"]
    assert int(series[2021]) == 3_775_480 and int(series[2024]) == 3_897_145
    total = indicator_table(data, "einwohner")
    empty = total[(total["gebiet_id"] == "03400831") & (total["year"] == 2025)]["value"]
    assert empty.isna().all()


def test_social_indicators(berlin):
    data = load_planning_data(berlin[0])
    k = indicator_table(data, "kinderarmut")
    k2020 = k[k["year"] == 2020]
    assert k2020["value"].notna().sum() >= 530  # -9999 (6 tiny PLRs) is missing, not a value
    assert k2020.loc[k2020["gebiet_id"] == "01100101", "value"].iloc[0] == pytest.approx(19.398, abs=1e-3)
    jfe = indicator_table(data, "jfe_plaetze")
    assert int(jfe["value"].sum()) == 46_449


def test_the_lagebild_of_542_areas_opens_with_a_ranking_excerpt_and_the_full_table_on_demand(
    berlin, monkeypatch
):
    engine, _ = berlin
    monkeypatch.setenv("PLANUNGSATLAS_DB_URL", engine.url.render_as_string(hide_password=False))
    at = AppTest.from_file(APP, default_timeout=APPTEST_TIMEOUT_S).run()
    assert not at.exception, [e.value for e in at.exception]
    excerpt = next(h.proto.body for h in at.get("html") if "pa-rank-table" in h.proto.body)
    assert "⋯ " in excerpt and " weitere ⋯" in excerpt
    assert excerpt.count("<td class='pa-rank'>") == 16
    full = [e for e in at.expander if e.label.startswith("Alle Planungsräume als Tabelle (540 Zeilen")]
    assert len(full) == 1
    # The grid of all 542 rows is not built until the expander is opened.
    assert TABLE_KEY not in at.session_state
    assert not any(len(df.value) >= 540 for df in at.dataframe)
