"""The demo municipality Weidenstadt, built once into a real, migrated SQLite file.

Golden figures pin the deterministic demo for seed 2025; the invariant checks would catch real
bugs (inconsistent totals, points outside their area, broken cohort logic, wrong version links).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from sqlalchemy import Engine, select

from geodata.synthetic import AREA_NAMES
from planning.db import make_engine
from planning.demo import SOURCE, DemoReport, generate_demo
from planning.models import (
    DATA_KINDS,
    Area,
    AreaLayout,
    Birth,
    DatasetVersion,
    Enrollment,
    HousingDevelopment,
    IndicatorValue,
    Kindertagespflege,
    Kita,
    Population,
    School,
)

# Golden regression values of the deterministic demo (seed 2025), computed once from the generator.
# If a deliberate change to the generator moves them, update them together with the change.
GOLDEN = {
    "areas": 39,
    "bezirke": 7,
    "planungsraeume": 32,
    "kitas": 90,
    "schools": 30,
    "population_total": 122_035,
    "children_0_3": 3_257,
    "children_3_6": 3_498,
    "children_6_10": 4_534,
}
YEAR = 2025


@dataclass
class Demo:
    """The built demo: engine, report and every table as a frame (with ``gebiet_id`` where useful)."""

    engine: Engine
    report: DemoReport
    areas: gpd.GeoDataFrame
    population: pd.DataFrame
    births: pd.DataFrame
    kitas: pd.DataFrame
    ktp: pd.DataFrame
    schools: pd.DataFrame
    enrollment: pd.DataFrame
    indicators: pd.DataFrame
    versions: pd.DataFrame


def _frame(engine: Engine, stmt) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        result = conn.execute(stmt)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def _with_area(engine: Engine, model) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """The rows of ``model`` in the active versions plus the ``gebiet_id`` of their area (the demo
    also keeps the September meeting's register, an inactive earlier delivery: see
    ``test_the_previous_delivery_is_the_register_without_its_last_year``)."""
    return _frame(
        engine,
        select(*model.__table__.c, Area.gebiet_id)
        .join(Area, Area.id == model.area_id)
        .join(DatasetVersion, DatasetVersion.id == model.dataset_version_id)
        .where(DatasetVersion.is_active.is_(True)),
    )


@pytest.fixture(scope="module")
def demo(demo_template, tmp_path_factory: pytest.TempPathFactory):
    """Weidenstadt (seed 2025) as ``build_demo`` wrote it (the session's build, see conftest)."""
    engine = make_engine(demo_template.copy(tmp_path_factory.mktemp("demo")))
    report = demo_template.report
    areas = _frame(engine, select(Area.__table__))
    parent = dict(zip(areas["id"], areas["gebiet_id"], strict=True))
    areas["parent_gebiet_id"] = areas["parent_id"].map(parent)
    geo = gpd.GeoDataFrame(areas, geometry=shapely.from_wkb(areas.pop("geom_wkb").to_numpy()), crs=25832)
    enrollment = _frame(
        engine,
        select(*Enrollment.__table__.c, School.schul_id, School.schulart).join(
            School, School.id == Enrollment.school_id
        ),
    )
    yield Demo(
        engine=engine,
        report=report,
        areas=geo,
        population=_with_area(engine, Population),
        births=_with_area(engine, Birth),
        kitas=_with_area(engine, Kita),
        ktp=_with_area(engine, Kindertagespflege),
        schools=_with_area(engine, School),
        enrollment=enrollment,
        indicators=_with_area(engine, IndicatorValue),
        versions=_frame(engine, select(DatasetVersion.__table__).where(DatasetVersion.is_active.is_(True))),
    )
    engine.dispose()


def _children(demo: Demo, a0: int, a1: int, year: int = YEAR) -> pd.Series:
    """Children aged a0..a1 per gebiet_id from the single years of age."""
    p = demo.population
    sel = (p["year"] == year) & (p["age_from"] == p["age_to"]) & p["age_from"].between(a0, a1)
    return p[sel].groupby("gebiet_id")["count"].sum()


def _in_operation(kitas: pd.DataFrame, year: int = YEAR) -> pd.DataFrame:
    """Kitas counted in ``year``: opened by then, not closed, not planned without a year."""
    opened = kitas["opening_year"].isna() | (kitas["opening_year"] <= year)
    still = kitas["closing_year"].isna() | (kitas["closing_year"] > year)
    return kitas[opened & still & (kitas["status"] != "geplant")]


def _gebiet_of(demo: Demo, name: str) -> str:
    raeume = demo.areas[demo.areas["level"] == 1]
    return str(raeume.loc[raeume["name"] == name, "gebiet_id"].item())


# --- golden figures ------------------------------------------------------------------------------


def test_golden_counts(demo):
    areas = demo.areas
    assert len(areas) == GOLDEN["areas"]
    assert int((areas["level"] == 0).sum()) == GOLDEN["bezirke"]
    assert int((areas["level"] == 1).sum()) == GOLDEN["planungsraeume"]
    assert len(demo.kitas) == GOLDEN["kitas"]
    assert len(demo.schools) == GOLDEN["schools"]
    assert demo.schools["schulart"].value_counts().to_dict() == {
        "Grundschule": 19,
        "Integrierte Gesamtschule": 4,
        "Gymnasium": 3,
        "Oberschule": 2,
        "Förderschule": 2,
    }
    assert len(_frame(demo.engine, select(HousingDevelopment.projekt_id))) == 4


def test_golden_population_figures(demo):
    p = demo.population
    total = p.loc[(p["year"] == YEAR) & (p["age_from"] == 0) & p["age_to"].isna(), "count"].sum()
    assert total == GOLDEN["population_total"]
    assert _children(demo, 0, 2).sum() == GOLDEN["children_0_3"]
    assert _children(demo, 3, 5).sum() == GOLDEN["children_3_6"]
    assert _children(demo, 6, 9).sum() == GOLDEN["children_6_10"]


def test_report_matches_the_database(demo):
    r = demo.report
    for key, value in GOLDEN.items():
        assert getattr(r, key) == value, key
    assert (r.municipality, r.layout_code, r.seed, r.year) == ("Weidenstadt", "weidenstadt-2024", 2025, YEAR)
    assert r.kitas_in_operation == len(_in_operation(demo.kitas))
    assert r.rows == int(demo.versions["row_count"].sum())
    assert "122.035 Einwohner:innen" in str(r)


def test_plausible_city_structure(demo):
    assert 118_000 <= GOLDEN["population_total"] <= 124_000
    assert 3_000 <= GOLDEN["children_0_3"] <= 3_600
    p = demo.population[demo.population["year"] == YEAR]
    old = p.loc[(p["age_from"] == 65) & p["age_to"].isna(), "count"].sum()
    assert 0.18 < old / GOLDEN["population_total"] < 0.26
    assert 0.14 < _children(demo, 0, 17).sum() / GOLDEN["population_total"] < 0.19


# --- invariants ---------------------------------------------------------------------------------


def test_total_is_the_sum_of_the_age_bands_everywhere(demo):
    p = demo.population
    assert p["sex"].isna().all()
    total = p[(p["age_from"] == 0) & p["age_to"].isna()].set_index(["gebiet_id", "year"])["count"]
    parts = p[~((p["age_from"] == 0) & p["age_to"].isna())]
    assert len(parts) == 20 * len(total)  # 18 single years + 18–64 + 65+
    bands = set(zip(parts["age_from"], parts["age_to"].fillna(-1).astype(int), strict=True))
    assert bands == {(a, a) for a in range(18)} | {(18, 64), (65, -1)}
    summed = parts.groupby(["gebiet_id", "year"])["count"].sum()
    pd.testing.assert_series_equal(summed.sort_index(), total.sort_index(), check_names=False)
    raeume = demo.areas.loc[demo.areas["level"] == 1, "gebiet_id"]
    assert set(total.index) == {(g, y) for g in raeume for y in range(2015, 2026)}


def test_no_negative_or_missing_counts(demo):
    assert (demo.population["count"] >= 0).all() and demo.population["count"].notna().all()
    assert (demo.births["count"] >= 0).all()
    assert demo.ktp["places"].between(0, 25).all()
    k = demo.kitas
    assert (k["places_u3"] >= 0).all() and (k["places_ue3"] > 0).all()
    assert (k["places_u3"] + k["places_ue3"] == k["places_total"]).all()
    assert k["places_total"].between(20, 150).all()
    e = demo.enrollment
    assert (e["pupils"] > 0).all() and (e["classes"] > 0).all()
    rates = demo.indicators.dropna(subset=["numerator"])
    assert (rates["numerator"] >= 0).all()
    assert (rates["denominator"].dropna() >= 0).all()


def test_every_kita_and_school_lies_inside_its_area(demo):
    geom = demo.areas.set_index("gebiet_id").geometry
    for table in (demo.kitas, demo.schools):
        points = gpd.GeoSeries(gpd.points_from_xy(table["lon"], table["lat"]), crs=4326).to_crs(25832)
        for gid, point in zip(table["gebiet_id"], points, strict=True):
            assert geom[gid].contains(point), gid


def test_sonnenhang_child_boom(demo):
    son = _gebiet_of(demo, "Sonnenhang")
    p = demo.population
    total = p[(p["age_from"] == 0) & p["age_to"].isna()].set_index(["gebiet_id", "year"])["count"]
    share_son = _children(demo, 0, 5)[son] / total[(son, YEAR)]
    share_city = _children(demo, 0, 5).sum() / total.xs(YEAR, level="year").sum()
    assert share_son > 1.5 * share_city
    assert _children(demo, 0, 17)[son] > 3 * _children(demo, 0, 17, year=2018)[son]
    assert total[(son, 2018)] < 400  # near-empty before the development


def test_a_grosswohnsiedlung_loses_primary_school_children(demo):
    gws = [_gebiet_of(demo, name) for name in AREA_NAMES["grosswohnsiedlung"]]
    falling = [g for g in gws if _children(demo, 6, 9)[g] < _children(demo, 6, 9, year=2015)[g]]
    assert falling


def test_city_versorgungsquoten_in_target_ranges_with_local_gaps(demo):
    kitas = _in_operation(demo.kitas)
    ktp = demo.ktp[demo.ktp["year"] == YEAR].set_index("gebiet_id")["places"]
    c02, c35 = _children(demo, 0, 2), _children(demo, 3, 5)
    u3 = (kitas["places_u3"].sum() + ktp.sum()) / c02.sum()
    ue3 = kitas["places_ue3"].sum() / c35.sum()
    assert 0.40 <= u3 <= 0.48
    assert 0.90 <= ue3 <= 0.98
    per_area = kitas.groupby("gebiet_id")["places_ue3"].sum().reindex(c35.index, fill_value=0) / c35
    son = _gebiet_of(demo, "Sonnenhang")
    assert per_area[son] < 0.7
    sizeable = per_area[c35 >= 50].drop(son)
    assert (sizeable < 0.7).sum() >= 1  # young-family areas short of places, too
    assert (sizeable > 1.1).sum() >= 3  # and some oversupplied ones
    assert (kitas.groupby("gebiet_id").size().reindex(c35.index, fill_value=0) == 0).sum() >= 2


def test_kita_records_tell_the_story(demo):
    k = demo.kitas
    assert k["kita_id"].is_unique and k["name"].is_unique
    assert set(k["traeger_art"]) == {"öffentlich", "frei"}
    assert (k.loc[k["traeger"] == "Stadt Weidenstadt", "traeger_art"] == "öffentlich").all()
    planned = k[k["status"] == "geplant"]
    assert len(planned) == 3 and planned["opening_year"].between(2026, 2028).all()
    son = _gebiet_of(demo, "Sonnenhang")
    assert (
        (planned["gebiet_id"] == son) & (planned["places_total"] == 90) & (planned["opening_year"] == 2027)
    ).any()
    closed = k[k["status"] == "geschlossen"]
    assert len(closed) == 1 and closed["closing_year"].item() == 2023
    opened = k[(k["status"] == "in Betrieb") & k["opening_year"].notna()]
    assert len(opened) >= 3 and opened["opening_year"].between(2017, 2025).all()
    assert 0.25 <= _in_operation(k)["places_u3"].sum() / _in_operation(k)["places_total"].sum() <= 0.35
    assert 250 <= demo.ktp.loc[demo.ktp["year"] == YEAR, "places"].sum() <= 400


def test_ids_are_strings_with_leading_zeros(demo):
    for row in demo.areas.itertuples():
        assert isinstance(row.gebiet_id, str)
        if row.level == 0:
            assert re.fullmatch(r"0[1-7]", row.gebiet_id)
        else:
            assert re.fullmatch(r"0[1-7]\d\d", row.gebiet_id) and row.gebiet_id[:2] == row.parent_gebiet_id
    assert all(isinstance(x, str) and re.fullmatch(r"K\d{3}", x) for x in demo.kitas["kita_id"])
    assert all(isinstance(x, str) and re.fullmatch(r"S\d{2}", x) for x in demo.schools["schul_id"])
    assert demo.kitas["kita_id"].iloc[0] == "K001" and "S01" in set(demo.schools["schul_id"])


def test_primary_pupils_follow_the_children(demo):
    e = demo.enrollment
    gs = e[e["schulart"] == "Grundschule"]
    assert set(gs["grade"]) == {1, 2, 3, 4}
    assert set(gs["school_year"]) == set(range(2015, 2026))
    assert (gs["classes"] == np.ceil(gs["pupils"] / 26)).all()
    for year in (2015, YEAR):
        pupils = gs.loc[gs["school_year"] == year, "pupils"].sum()
        assert 0.88 < pupils / _children(demo, 6, 9, year=year).sum() < 0.97
    assert 4_000 <= gs.loc[gs["school_year"] == YEAR, "pupils"].sum() <= 4_800
    gym = e[e["schulart"] == "Gymnasium"]
    assert set(gym["grade"]) == set(range(5, 14))
    s = demo.schools[demo.schools["schulart"] == "Grundschule"]
    assert s["zuege"].between(2, 4).all()
    coverage = s["ganztag_places"].sum() / gs.loc[gs["school_year"] == YEAR, "pupils"].sum()
    assert 0.45 <= coverage <= 0.60
    assert (s["ganztag_places"] == 0).sum() >= 2 and s["ganztag_form"].isna().sum() == (
        s["ganztag_places"] == 0
    ).sum()


def test_births_feed_age_zero(demo):
    b = demo.births.groupby("year")["count"].sum()
    p = demo.population
    age0 = p[(p["age_from"] == 0) & (p["age_to"] == 0)].groupby("year")["count"].sum()
    assert ((age0 / b).between(0.95, 1.05)).all()


def test_indicators_are_consistent_and_socially_graded(demo):
    ind = demo.indicators
    assert set(ind["code"]) == {
        "kinderarmut",
        "hze_je_1000",
        "sprachfoerderbedarf",
        "alleinerziehende",
        "jugendarbeitslosigkeit",
        "ohne_abschluss",
        "gefluechtete_kinder",
    }
    known = ind.dropna(subset=["denominator"])
    scale = known["code"].map(lambda c: 1000.0 if c == "hze_je_1000" else 100.0)
    np.testing.assert_allclose(known["value"], scale * known["numerator"] / known["denominator"])
    poverty = known[known["code"] == "kinderarmut"].set_index(["gebiet_id", "year"])["denominator"]
    p = demo.population
    under15 = (
        p[(p["age_from"] == p["age_to"]) & (p["age_to"] <= 14)].groupby(["gebiet_id", "year"])["count"].sum()
    )
    assert (poverty == under15.reindex(poverty.index)).all()
    hze = ind[ind["code"] == "hze_je_1000"]
    assert (hze["numerator"] < 3).sum() >= 3 and (hze["numerator"].dropna() <= 40).all()
    refugees = ind[ind["code"] == "gefluechtete_kinder"]
    assert refugees["denominator"].isna().all() and set(refugees["year"]) == {2022, 2023, 2024, 2025}
    assert 4 <= refugees.loc[refugees["value"] > 0, "gebiet_id"].nunique() <= 6
    assert refugees["value"].between(0, 30).all()
    poverty_2025 = known[(known["code"] == "kinderarmut") & (known["year"] == YEAR)].set_index("gebiet_id")[
        "value"
    ]
    gws = [_gebiet_of(demo, n) for n in AREA_NAMES["grosswohnsiedlung"]]
    sub = [_gebiet_of(demo, n) for n in AREA_NAMES["suburban"]]
    assert poverty_2025[gws].mean() > 2 * poverty_2025[sub].mean()
    small_missing = ind[
        ind["numerator"].isna() & ind["denominator"].isna() & (ind["code"] != "gefluechtete_kinder")
    ]
    assert len(small_missing) > 0 and (small_missing["year"] < YEAR).all()  # small areas miss earlier years


def test_every_row_points_to_a_version_of_its_kind(demo):
    v = demo.versions.set_index("id")
    assert sorted(v["kind"]) == sorted(DATA_KINDS)
    assert v["is_active"].all() and (v["source"] == SOURCE).all() and (v["licence"] == "CC0 1.0").all()
    assert (
        (v["imported_by"] == "demo").all()
        and v["stand"].notna().all()
        and v["label"].str.contains("Demo").all()
    )
    tables = {
        "bevoelkerung": demo.population,
        "geburten": demo.births,
        "kitas": demo.kitas,
        "kindertagespflege": demo.ktp,
        "schulen": demo.schools,
        "schueler": demo.enrollment,
        "kennzahlen": demo.indicators,
    }
    for kind, table in tables.items():
        assert set(v.loc[table["dataset_version_id"], "kind"]) == {kind}
        assert v.loc[v["kind"] == kind, "row_count"].item() == len(table)
    housing = _frame(demo.engine, select(HousingDevelopment.dataset_version_id))
    assert set(v.loc[housing["dataset_version_id"], "kind"]) == {"wohnbau"}
    layouts = _frame(demo.engine, select(AreaLayout.__table__))
    assert layouts[["code", "municipality", "epsg", "level_names"]].values.tolist() == [
        ["weidenstadt-2024", "Weidenstadt", 25832, "Stadtbezirk|Planungsraum"]
    ]
    assert (v["layout_id"] == layouts["id"].item()).all()


def test_areas_carry_their_geometry_and_size(demo):
    a = demo.areas
    assert a.is_valid.all()
    assert np.allclose(a["area_m2"], a.geometry.area)
    raeume, bezirke = a[a["level"] == 1], a[a["level"] == 0]
    assert math.isclose(raeume["area_m2"].sum(), bezirke["area_m2"].sum(), rel_tol=1e-9)
    assert bezirke["parent_id"].isna().all() and raeume["parent_id"].notna().all()


def test_database_holds_exactly_what_the_generator_makes(demo):
    """Same seed, same data: a second generation equals what build_demo wrote (determinism)."""
    again = generate_demo(2025)
    db = demo.kitas.sort_values("kita_id").reset_index(drop=True)
    cols = ["kita_id", "name", "gebiet_id", "places_u3", "places_ue3", "lon", "lat"]
    pd.testing.assert_frame_equal(
        db[cols].astype(object), again.kitas[cols].astype(object), check_dtype=False, check_exact=True
    )
    ind = again.indicators.sort_values(["gebiet_id", "year", "code"]).reset_index(drop=True)
    got = demo.indicators.sort_values(["gebiet_id", "year", "code"]).reset_index(drop=True)
    np.testing.assert_array_equal(got["numerator"].to_numpy(float), ind["numerator"].to_numpy(float))


def test_the_previous_delivery_is_the_register_without_its_last_year(demo):
    """What the September meeting saw (``Seit der letzten Sitzung`` compares with it): an inactive
    population version holding every row of the active one except the year it did not have yet."""
    from planning.demo.steering import PREVIOUS_POPULATION

    all_versions = _frame(demo.engine, select(DatasetVersion.__table__))
    old = all_versions[all_versions["label"] == PREVIOUS_POPULATION[0]]
    assert len(old) == 1 and not old["is_active"].item() and old["kind"].item() == "bevoelkerung"
    rows = _frame(
        demo.engine,
        select(Population.__table__).where(Population.dataset_version_id == int(old["id"].item())),
    )
    assert old["row_count"].item() == len(rows) > 0
    cols = ["area_id", "year", "age_from", "age_to", "sex", "count"]
    now = demo.population[demo.population["year"] < YEAR][cols]
    pd.testing.assert_frame_equal(
        rows[cols].sort_values(cols).reset_index(drop=True), now.sort_values(cols).reset_index(drop=True)
    )
