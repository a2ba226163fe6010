"""Stadtteilprofil: pure rules of planning/profile.py on hand-built frames, figure builders, and the
page itself through AppTest on the demo city (and on the real Flensburg and Berlin data if present)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box
from streamlit.testing.v1 import AppTest

from planning import profile as prof
from planning.indicators import Indicator
from planning.population import age_range_count
from planning.repository import LayoutInfo, PlanningData
from planning.suppression import GEHEIM, KEINE_DATEN
from planning.targets import Target
from tests.conftest import APPTEST_TIMEOUT_S, REAL_DATA

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/stadtteilprofil.py"
X0, Y0 = 560_000, 5_700_000

# ---------------------------------------------------------------- a hand-built town
#
#   Bezirk A = A1 | A2 (north), Bezirk B = B1 | B2 (south), each Planungsraum 1 × 1 km.
#   Children: A1 has 10 per age 0–17, A2 5, B1 2, B2 1 (in 2025; 2024 one fewer each).


def _town(pop: pd.DataFrame | None = None) -> PlanningData:
    """Two Bezirke with two Planungsräume each; single ages 0–17, an 18–64 and a 0+ band."""
    boxes = {
        "A1": box(X0, Y0, X0 + 1000, Y0 + 1000),
        "A2": box(X0 + 1000, Y0, X0 + 2000, Y0 + 1000),
        "B1": box(X0, Y0 - 1000, X0 + 1000, Y0),
        "B2": box(X0 + 1000, Y0 - 1000, X0 + 2000, Y0),
    }
    areas = gpd.GeoDataFrame(
        {
            "gebiet_id": ["A", "B", "A1", "A2", "B1", "B2"],
            "name": ["Nord", "Süd", "Altstadt", "Hafen", "Feld", "Wald"],
            "level": [0, 0, 1, 1, 1, 1],
            "parent_gebiet_id": [None, None, "A", "A", "B", "B"],
        },
        geometry=[
            box(X0, Y0, X0 + 2000, Y0 + 1000),
            box(X0, Y0 - 1000, X0 + 2000, Y0),
            *boxes.values(),
        ],
        crs=25832,
    )
    if pop is None:
        per_age = {"A1": 10, "A2": 5, "B1": 2, "B2": 1}
        rows = []
        for year, less in ((2024, 1), (2025, 0)):
            for gid, n in per_age.items():
                k = n - less
                rows += [(gid, year, a, a, k) for a in range(18)]
                rows += [(gid, year, 18, 64, 100), (gid, year, 0, None, 18 * k + 100)]
        pop = pd.DataFrame(rows, columns=["gebiet_id", "year", "age_from", "age_to", "count"])
        pop["sex"] = None
    pop = pop.astype({"age_to": "Int64", "count": "Int64"})
    kitas = pd.DataFrame(
        {
            "kita_id": ["K1", "K2", "K3"],
            "name": ["Kita Eins", "Kita Zwei", "Kita Drei"],
            "traeger": ["AWO", "Stadt", None],
            "gebiet_id": ["A1", "A2", "A1"],
            "lon": [9.9, 9.91, None],
            "lat": [51.45, 51.45, None],
            "places_total": pd.array([40, 20, 60], dtype="Int64"),
            "status": ["in Betrieb", "in Betrieb", "geplant"],
        }
    )
    schools = pd.DataFrame(
        {
            "schul_id": ["S1"],
            "name": ["GS Eins"],
            "schulart": ["Grundschule"],
            "gebiet_id": ["A2"],
            "lon": [9.91],
            "lat": [51.451],
            "zuege": [2.0],
            "ganztag_places": pd.array([60], dtype="Int64"),
        }
    )
    layout = LayoutInfo(1, "t", "Test", "Teststadt", 25832, None, ("Bezirk", "Planungsraum"), True)
    return PlanningData(
        layout=layout,
        versions={},
        areas=areas,
        tables={"bevoelkerung": pop, "kitas": kitas, "schulen": schools},
    )


def _ind(code: str, polarity: int, rate: bool = True, decimals: int = 1) -> Indicator:
    return Indicator(
        code,
        f"Kennzahl {code}",
        "%" if rate else "Kinder",
        "Soziales",
        "Test",
        polarity=polarity,
        scale=100.0 if rate else None,
        decimals=decimals,
    )


def _table(values: dict[str, float | None], secret: tuple[str, ...] = (), year: int = 2025) -> pd.DataFrame:
    """A Planungsraum table as ``indicator_table`` returns it (secret cells already blanked)."""
    ids = list(values)
    return pd.DataFrame(
        {
            "gebiet_id": ids,
            "name": ids,
            "year": [year] * len(ids),
            "numerator": pd.array([None] * len(ids), dtype="Float64"),
            "denominator": pd.array([None] * len(ids), dtype="Float64"),
            "value": pd.array([None if g in secret else values[g] for g in ids], dtype="Float64"),
            "suppressed": [g in secret for g in ids],
        }
    )


def _city(value: float | None, year: int = 2025, secret: bool = False) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "year": [year],
            "value": pd.array([value], dtype="Float64"),
            "missing": [0],
            "suppressed": [secret],
        }
    )


UP = _ind("hoch_gut", +1)
DOWN = _ind("hoch_schlecht", -1)
NEUTRAL = _ind("neutral", 0)
#: UP: A2 40.04 and B1 40.0 both read "40,0 %": they share rank 2; B2 has no data.
#: DOWN: B1 is secret; A2 5 → 1, B2 7 → 2, A1 10 → 3 (n = 3, the secret B1 is not counted).
TABLES = {
    UP.code: _table({"A1": 50.0, "A2": 40.04, "B1": 40.0, "B2": None}),
    DOWN.code: _table({"A1": 10.0, "A2": 5.0, "B1": 1.0, "B2": 7.0}, secret=("B1",)),
    NEUTRAL.code: _table({"A1": 3.0, "A2": 2.0, "B1": 1.0, "B2": 4.0}),
}
CITIES = {UP.code: _city(42.0), DOWN.code: _city(6.56), NEUTRAL.code: _city(2.5)}


def _profile(gid: str, targets=None, tables=TABLES, cities=CITIES, year: int = 2025) -> pd.DataFrame:
    return prof.indicator_profile(
        _town(), [UP, DOWN, NEUTRAL], targets, gid, 1, year, tables=tables, cities=cities
    ).set_index("code")


def _display(p: pd.DataFrame) -> pd.DataFrame:
    """The German table of a profile indexed by code."""
    shown = prof.display_table(p.reset_index(), {i.code: i for i in (UP, DOWN, NEUTRAL)}, 2025)
    return shown.set_axis(p.index)


@pytest.mark.parametrize(
    ("gid", "up_rank", "down_rank"),
    [("A1", 1, 3), ("A2", 2, 1), ("B1", 2, None), ("B2", None, 2)],
)
def test_ranks_follow_polarity_and_ties_share_the_best_rank(gid, up_rank, down_rank):
    p = _profile(gid)
    assert (None if pd.isna(p.loc[UP.code, "rank"]) else p.loc[UP.code, "rank"]) == up_rank
    assert (None if pd.isna(p.loc[DOWN.code, "rank"]) else p.loc[DOWN.code, "rank"]) == down_rank
    assert p.loc[UP.code, "n"] == 3 and p.loc[DOWN.code, "n"] == 3  # shown districts only
    assert pd.isna(p.loc[NEUTRAL.code, "rank"])  # neutral polarity: no rank


def test_secret_district_reads_geheim_and_is_left_out_of_the_ranking():
    p = _profile("B1")
    assert p.loc[DOWN.code, "status"] == GEHEIM
    assert pd.isna(p.loc[DOWN.code, "value"]) and pd.isna(p.loc[DOWN.code, "rank"])
    assert pd.isna(p.loc[DOWN.code, "light"]) and pd.isna(p.loc[DOWN.code, "trend_arrow"])
    # its true value (1.0, the best) would have ranked first: A2 stays first
    assert _profile("A2").loc[DOWN.code, "rank"] == 1
    shown = _display(_profile("B1"))
    row = shown.loc[DOWN.code]
    assert row["Wert"] == GEHEIM and row["Rang"] == "–" and row["Abweichung"] == "–"


def test_a_number_left_in_a_secret_cell_is_never_shown():
    """Whatever a table holds for a suppressed cell, the profile does not pass it on."""
    leaky = dict(TABLES)
    t = TABLES[DOWN.code].copy()
    t.loc[t["gebiet_id"] == "B1", "value"] = 1.0
    leaky[DOWN.code] = t
    p = _profile("B1", tables=leaky)
    assert p.loc[DOWN.code, "status"] == GEHEIM and pd.isna(p.loc[DOWN.code, "value"])
    assert _profile("A2", tables=leaky).loc[DOWN.code, "n"] == 3


def test_missing_value_reads_keine_daten_not_geheim():
    p = _profile("B2")
    assert p.loc[UP.code, "status"] == KEINE_DATEN
    shown = _display(p)
    assert shown.loc[UP.code, "Wert"] == KEINE_DATEN


def test_difference_to_the_city_as_displayed_in_percentage_points():
    p = _profile("A2")
    assert p.loc[UP.code, "city_value"] == 42.0
    assert p.loc[UP.code, "difference"] == pytest.approx(-2.0)  # 40,0 − 42,0
    assert p.loc[DOWN.code, "difference"] == pytest.approx(-1.6)  # 5,0 − 6,6 (city shown rounded)
    shown = _display(p)
    assert shown.loc[UP.code, "Abweichung"] == "−2,0 Pp."
    assert shown.loc[UP.code, "Rang"] == "2 von 3"
    assert shown.loc[UP.code, "Wert"] == "40,0 %" and shown.loc[UP.code, "Gesamtstadt"] == "42,0 %"


def test_counts_get_no_difference_to_the_city_total():
    count = _ind("anzahl", +1, rate=False, decimals=0)
    tables = {count.code: _table({"A1": 12.0, "A2": 3.0, "B1": 3.0, "B2": 0.0})}
    p = prof.indicator_profile(
        _town(), [count], None, "A2", 1, 2025, tables=tables, cities={count.code: _city(18.0)}
    ).set_index("code")
    assert pd.isna(p.loc["anzahl", "difference"]) and p.loc["anzahl", "rank"] == 2


def test_secret_city_value_reads_geheim():
    cities = {**CITIES, UP.code: _city(None, secret=True)}
    p = _profile("A1", cities=cities)
    assert p.loc[UP.code, "city_status"] == GEHEIM and pd.isna(p.loc[UP.code, "difference"])


def test_light_and_trend_against_the_previous_year():
    both = pd.concat([_table({"A1": 47.0, "A2": 45.0, "B1": 1.0, "B2": 2.0}, year=2024), TABLES[UP.code]])
    tables = {**TABLES, UP.code: both}
    targets = {UP.code: Target(UP.code, 55.0, tolerance=10.0)}
    p = _profile("A1", targets=targets.get, tables=tables)
    assert p.loc[UP.code, "light"] == "gelb"  # 50 ≥ 55 − 10
    assert p.loc[UP.code, "trend_arrow"] == "↑" and bool(p.loc[UP.code, "trend_improved"])
    assert p.loc[UP.code, "trend_text"] == "↑ +3,0 Pp. gegenüber 2024"
    assert pd.isna(p.loc[DOWN.code, "light"])  # no target


def test_latest_earlier_year_is_used_when_the_year_has_no_figure():
    tables = {**TABLES, UP.code: TABLES[UP.code].assign(year=2023)}
    p = _profile("A1", tables=tables, cities={**CITIES, UP.code: _city(42.0, year=2023)})
    assert p.loc[UP.code, "year"] == 2023 and p.loc[UP.code, "value"] == 50.0
    shown = _display(p)
    assert shown.loc[UP.code, "Kennzahl"] == "Kennzahl hoch_gut (2023)"


def test_profile_computes_the_tables_itself_by_default():
    from planning.indicators import INDICATORS

    p = prof.indicator_profile(_town(), [INDICATORS["kinder_u3"]], None, "A", 0, 2025).set_index("code")
    assert p.loc["kinder_u3", "value"] == 3 * (10 + 5)
    assert p.loc["kinder_u3", "city_value"] == 3 * (10 + 5 + 2 + 1)


def test_pyramid_sums_to_the_district_children_and_compares_shares_with_the_city():
    data = _town()
    pyr = prof.children_pyramid(data, "A", 2025)
    assert list(pyr["label"]) == [str(a) for a in range(18)]
    children = age_range_count(data.population, 0, 17)
    expected = children[children["gebiet_id"].isin(["A1", "A2"]) & (children["year"] == 2025)]["count"].sum()
    assert pyr["district"].sum() == expected == 18 * 15
    assert pyr["city"].sum() == 18 * 18
    assert pyr["district_share"].sum() == pytest.approx(100.0)
    assert pyr["city_share"].to_numpy() == pytest.approx(np.full(18, 100 / 18))


def test_pyramid_uses_the_bands_every_area_has_and_derives_nested_ones_exactly():
    """B1/B2 only have 0–6 and 0–17 (as Flensburg delivers): 7–17 = (0–17) − (0–6), for all areas."""
    rows = []
    for gid, n in {"A1": 10, "A2": 5}.items():
        rows += [(gid, 2025, a, a, n) for a in range(18)]
        rows += [(gid, 2025, 0, 6, 7 * n), (gid, 2025, 0, 17, 18 * n)]
    for gid, (young, all_) in {"B1": (7, 20), "B2": (3, 10)}.items():
        rows += [(gid, 2025, 0, 6, young), (gid, 2025, 0, 17, all_)]
    pop = pd.DataFrame(rows, columns=["gebiet_id", "year", "age_from", "age_to", "count"]).assign(sex=None)
    pyr = prof.children_pyramid(_town(pop), "B1", 2025)
    assert list(pyr["label"]) == ["0–6", "7–17"]
    assert list(pyr["district"]) == [7, 13]
    assert list(pyr["city"]) == [7 * 15 + 7 + 3, 11 * 15 + 13 + 7]


def test_pyramid_is_empty_for_a_year_without_children():
    assert prof.children_pyramid(_town(), "A1", 2010).empty


def test_district_on_level_keeps_or_lifts_the_choice():
    areas = _town().areas
    assert prof.district_on_level(areas, "A2", 1) == "A2"
    assert prof.district_on_level(areas, "A2", 0) == "A"  # a Planungsraum opens its Bezirk
    assert prof.district_on_level(areas, "A", 1) is None
    assert prof.district_on_level(areas, "gibt es nicht", 1) is None
    assert prof.district_on_level(areas, None, 0) is None


def test_district_facts_name_the_upper_area_and_count_children():
    facts = prof.district_facts(_town(), "A2", 2025)
    assert facts["name"] == "Hafen" and facts["level_name"] == "Planungsraum"
    assert facts["ancestors"] == [("Bezirk", "A", "Nord")]
    assert facts["residents"] == 18 * 5 + 100 and facts["children"] == 18 * 5
    upper = prof.district_facts(_town(), "A", 2025)
    assert upper["ancestors"] == [] and upper["children"] == 18 * 15 and upper["areas"] == 2
    with pytest.raises(KeyError, match="gibt es in diesem Gebietsstand nicht"):
        prof.district_facts(_town(), "X9", 2025)


def test_facilities_are_kitas_in_operation_and_schools_of_the_area():
    data = _town()
    a1 = prof.facilities_in(data, "A1")
    assert list(a1["name"]) == ["Kita Eins"]  # the planned Kita Drei is not there yet
    upper = prof.facilities_in(data, "A", level=0)
    assert list(zip(upper["kind"], upper["name"], strict=True)) == [
        ("Kita", "Kita Eins"),
        ("Kita", "Kita Zwei"),
        ("Schule", "GS Eins"),
    ]
    school = upper[upper["kind"] == "Schule"].iloc[0]
    assert school["detail"] == "Grundschule" and school["zuege"] == 2 and school["ganztag_places"] == 60
    assert prof.facilities_in(data, "B").empty
    with pytest.raises(ValueError, match="nicht auf Ebene"):
        prof.facilities_in(data, "A", level=1)
    assert len(data.kitas) == 3  # input untouched


def test_map_extent_finds_neighbours_and_widens_the_bounds():
    data = _town()
    neighbours, (minx, miny, maxx, maxy) = prof.map_extent(data, "A1")
    assert neighbours == ["A2", "B1", "B2"]
    own = data.areas[data.areas["gebiet_id"] == "A1"].to_crs(4326).total_bounds
    assert minx < own[0] and maxx > own[2] and miny < own[1] and maxy > own[3]
    assert prof.map_extent(data, "B")[0] == ["A"]


def test_plan_series_sums_the_areas_and_keeps_unknown_capacity_unknown(tiny_engine):
    from planning.plan import compute_plan
    from planning.repository import load_planning_data

    data = load_planning_data(tiny_engine)
    result = compute_plan(data)
    series = prof.plan_series(result, data, "01").set_index("year")
    parts = result.table[result.table["gebiet_id"].isin(["0101", "0102"])].groupby("year")
    assert series["u3_demand"].to_numpy() == pytest.approx(parts["u3_demand"].sum().to_numpy())
    assert series.loc[2025, "zuege_available"] == 2  # GS Eins in 0101
    unknown = dataclasses.replace(result, table=result.table.assign(zuege_available=np.nan))
    blank = prof.plan_series(unknown, data, "01")
    assert blank["zuege_available"].isna().all() and blank["zuege_gap"].isna().all()
    years = prof.plan_years(result.years, result.base_year, chosen=result.base_year + 1)
    assert years[:2] == [result.base_year, result.base_year + 1]
    table = prof.plan_overview(series.reset_index(), years, [("zuege_available", "Züge")])
    assert list(table.columns) == ["Kennzahl", *map(str, years)] and table.iloc[0, 1] == 2


def test_plan_overview_rounds_to_whole_numbers_without_a_negative_zero():
    series = pd.DataFrame({"year": [2025, 2026], "zuege_gap": [-0.2, np.nan], "u3_demand": [12.6, 13.4]})
    table = prof.plan_overview(series, [2025, 2026], [("zuege_gap", "Bilanz"), ("u3_demand", "U3")])
    assert np.copysign(1.0, table.loc[0, "2025"]) == 1.0 and table.loc[1, "2025"] == 13.0
    assert pd.isna(table.loc[0, "2026"]) and table.loc[1, "2026"] == 13.0


# ---------------------------------------------------------------- figure builders


def test_pyramid_figure_shows_shares_per_year_of_age():
    from planning.charts import pyramid_figure

    pyr = pd.DataFrame(
        {
            "age_from": [0, 3],
            "age_to": [2, 3],
            "label": ["0–2", "3"],
            "district": [30.0, 10.0],
            "district_share": [75.0, 25.0],
            "city": [60.0, 40.0],
            "city_share": [60.0, 40.0],
        }
    )
    fig = pyramid_figure(pyr, "Hafen")
    bars, city = fig.data
    assert bars.type == "bar" and bars.orientation == "h" and bars.name == "Hafen"
    assert list(bars.x) == [25.0, 25.0]  # 75 % over three years of age
    assert list(city.x) == [20.0, 40.0] and city.name == "Gesamtstadt"
    assert bars.customdata[0][0] == "75,0 %"


def test_district_map_is_offline_and_zoomed_to_the_area():
    from geodata.simplify import to_geojson
    from planning.charts import district_map

    data = _town()
    layer = to_geojson(data.areas[data.areas["level"] == 1][["gebiet_id", "name", "geometry"]])
    neighbours, bounds = prof.map_extent(data, "A1")
    facilities = prof.facilities_in(data, "A")
    names = data.areas[data.areas["gebiet_id"].isin(neighbours)][["gebiet_id", "name"]]
    fig = district_map(layer, bounds, ("A1", "Altstadt"), names, facilities)
    assert fig.layout.map.style == "white-bg"
    assert list(fig.data[0].locations) == ["A2", "B1", "B2"] and list(fig.data[1].locations) == ["A1"]
    assert [t.name for t in fig.data if t.name] == ["Kitas", "Schulen"]
    assert fig.layout.map.zoom > 11  # a 1-km area, not the whole town


# ---------------------------------------------------------------- the page (AppTest)


@pytest.fixture(scope="module")
def demo_db(demo_template, tmp_path_factory):
    return demo_template.copy(tmp_path_factory.mktemp("profil"))


def _run(url: str, monkeypatch, params: dict[str, str]) -> AppTest:
    monkeypatch.setenv("PLANUNGSATLAS_DB_URL", url)
    at = AppTest.from_file(APP, default_timeout=APPTEST_TIMEOUT_S)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _shown(table) -> pd.DataFrame:
    """What a st.table shows: the Styler's display text where there is one, else the data."""
    from streamlit import dataframe_util

    styler = table.proto.arrow_data.styler
    if styler.display_values:
        return dataframe_util.convert_arrow_bytes_to_pandas_df(styler.display_values)
    return table.value


def _indicator_table(at: AppTest) -> pd.DataFrame:
    return next(_shown(t) for t in at.table if "Rang" in _shown(t).columns)


def _texts(at: AppTest) -> list[str]:
    out = [e.value for kind in ("header", "markdown", "caption", "subheader", "info") for e in at.get(kind)]
    out += [f"{m.label} {m.value}" for m in at.metric]
    for t in at.table:
        out += [str(c) for c in _shown(t).columns] + [str(v) for v in _shown(t).to_numpy().ravel()]
    return out


RAW = ("nan", "NaN", "None", "<NA>", "NaT", "True", "False", "hze_je_1000", "ohne_abschluss", "kinderarmut")


def _assert_german_only(at: AppTest) -> None:
    for text in _texts(at):
        for raw in RAW:
            assert raw not in text.split() and raw not in text.replace("(", " ").split(), (raw, text)


def _secret_district(url: str) -> tuple[str, str, str]:
    """A Planungsraum of the demo where HzE or Schulabgänge ohne Abschluss is suppressed in 2025."""
    from planning.db import make_engine
    from planning.indicators import INDICATORS, indicator_table
    from planning.repository import load_planning_data

    data = load_planning_data(make_engine(url))
    for code in ("hze_je_1000", "ohne_abschluss"):
        t = indicator_table(data, code, data.data_level)
        hit = t[(t["year"] == 2025) & t["suppressed"]]
        if not hit.empty:
            return str(hit["gebiet_id"].iloc[0]), str(hit["name"].iloc[0]), INDICATORS[code].label_de
    pytest.skip("kein geheimer Wert im Demo-Datensatz")


def test_page_on_the_demo_city_opens_the_district_of_the_link(demo_db, monkeypatch):
    at = _run(demo_db, monkeypatch, {"gebiet": "0203"})
    assert at.title[0].value == "Stadtteilprofil"
    assert at.session_state["district"] == "0203"
    assert at.header[0].value == "Sandkamp (0203)"
    assert any("Stadtbezirk Eichkamp" in m.value for m in at.markdown)
    subheaders = [s.value for s in at.subheader]
    for section in ("Kinder im Gebiet", "Kita", "Schule & Ganztag", "Entwicklung", "Einrichtungen im Gebiet"):
        assert section in subheaders
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    maps = [c for c in charts if any(t["type"] == "choroplethmap" for t in c["data"])]
    assert len(maps) == 1 and maps[0]["layout"]["map"]["style"] == "white-bg"
    pyramid = next(c for c in charts if c["data"][0]["type"] == "bar")
    assert pyramid["data"][0]["name"] == "Sandkamp" and pyramid["data"][1]["name"] == "Gesamtstadt"
    indicators = _indicator_table(at)
    assert list(indicators.columns) == [
        "Bereich",
        "Kennzahl",
        "Wert",
        "Gesamtstadt",
        "Abweichung",
        "Rang",
        "Ampel",
        "Trend",
    ]
    assert "Kinderarmut (SGB II, unter 15)" in set(indicators["Kennzahl"])
    _assert_german_only(at)

    # Another district: its own plan tables and trend lines (both are cached per content and area).
    def plans_and_trends(at: AppTest) -> tuple[list[pd.DataFrame], list[object]]:
        plans = [t for t in map(_shown, at.table) if t.columns[0] == "Kennzahl" and "Rang" not in t.columns]
        specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart") if "profile_trend" in c.proto.id]
        # The district's line of each trend chart (the city's line is the same for every district).
        trends = [c["data"][-1]["y"] for c in specs]
        return plans, trends

    plans, trends = plans_and_trends(at)
    assert len(plans) == 2 and trends  # Kita, Schule & Ganztag
    at.selectbox(key="district").set_value("0101").run()
    assert not at.exception and at.header[0].value.endswith("(0101)")
    other_plans, other_trends = plans_and_trends(at)
    assert all(not a.equals(b) for a, b in zip(plans, other_plans, strict=True))
    assert len(other_trends) == len(trends) and other_trends != trends


def test_page_shows_geheim_for_a_suppressed_indicator(demo_db, monkeypatch):
    gid, name, label = _secret_district(demo_db)
    at = _run(demo_db, monkeypatch, {"gebiet": gid})
    assert at.header[0].value == f"{name} ({gid})"
    indicators = _indicator_table(at).set_index("Kennzahl")
    assert indicators.loc[label, "Wert"] == GEHEIM
    assert indicators.loc[label, "Rang"] == "–"
    _assert_german_only(at)


def test_page_on_the_upper_level_sums_the_planungsraeume(demo_db, monkeypatch):
    at = _run(demo_db, monkeypatch, {"gebiet": "02", "ebene": "0"})
    assert at.header[0].value.endswith("(02)")
    assert not [m for m in at.markdown if "· in " in m.value]  # a Stadtbezirk has no upper area
    _assert_german_only(at)


# ---------------------------------------------------------------- real data (optional)

FLENSBURG, BERLIN = REAL_DATA / "flensburg", REAL_DATA / "berlin"


@pytest.mark.realdata
@pytest.mark.skipif(not FLENSBURG.is_dir(), reason="../shared/data/real/flensburg fehlt")
def test_page_on_a_flensburg_stadtteil(tmp_path, monkeypatch):
    from planning.db import make_engine, migrate
    from planning.imports.bundles.flensburg import import_flensburg

    url = f"sqlite:///{tmp_path / 'fl.db'}"
    engine = make_engine(url)
    migrate(engine)
    import_flensburg(engine, FLENSBURG)
    engine.dispose()
    at = _run(url, monkeypatch, {"gebiet": "STGT05"})
    assert at.header[0].value == "Friesischer Berg (STGT05)"
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    pyramid = next(s for s in specs if s["data"][0]["type"] == "bar")
    assert pyramid["data"][0]["y"] == ["0–6 J.", "7–17 J."]  # the bands Flensburg delivers
    assert any("Ohne Werte für Stadtteile" in c.value for c in at.caption)
    _assert_german_only(at)


@pytest.mark.realdata
@pytest.mark.skipif(not BERLIN.is_dir(), reason="../shared/data/real/berlin fehlt")
def test_page_on_a_berlin_planungsraum(tmp_path, monkeypatch):
    from planning.db import make_engine, migrate
    from planning.imports.bundles.berlin import import_berlin

    url = f"sqlite:///{tmp_path / 'b.db'}"
    engine = make_engine(url)
    migrate(engine)
    import_berlin(engine, BERLIN)
    engine.dispose()
    at = _run(url, monkeypatch, {"gebiet": "08100101"})
    assert at.header[0].value == "Hasenheide (08100101)"
    assert any("Bezirk Neukölln" in m.value for m in at.markdown)
    _assert_german_only(at)


def test_weakest_puts_missed_targets_first_then_the_least_favourable_ranks():
    """The meeting screen's list: red lights first, then rank ÷ ranked areas from the bottom; rows
    without a rank (no direction, secret) or on too small a base never enter it."""
    from planning.profile import weakest

    profile = pd.DataFrame(
        {
            "code": ["a", "b", "c", "d", "e", "f"],
            "rank": [30, 2, 9, np.nan, 10, 28],
            "n": [30, 30, 10, np.nan, 10, 29],
            "light": [None, "rot", None, "rot", None, "gelb"],
            "few": [False, False, False, False, True, False],
        }
    )
    assert weakest(profile, 3)["code"].tolist() == ["b", "a", "f"]
    assert weakest(profile, 10)["code"].tolist() == ["b", "a", "f", "c"]
    with pytest.raises(ValueError, match="light"):
        weakest(profile.drop(columns="light"))
