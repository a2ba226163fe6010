"""The synthetic federal state of bench/large.py: levels, ids, geometry, facts, audit trail, planning."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import shapely
from sqlalchemy import Engine, func, select

from bench.large import GERMANY, build_large
from planning import auth
from planning.auth import PermissionDenied
from planning.db import make_engine, migrate, session_scope
from planning.demo.generate import generate_demo
from planning.demo.write import VERSIONS
from planning.models import Area, AreaLayout, AuditEvent, DatasetVersion, School
from planning.plan import compute_plan
from planning.repository import PlanningData, load_planning_data
from planning.scenarios import Scenario

COPIES = 3


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, dict[str, int], PlanningData]]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('gross') / 'gross.db'}")
    migrate(engine)
    counts = build_large(engine, copies=COPIES)
    yield engine, counts, load_planning_data(engine)
    engine.dispose()


@pytest.fixture(scope="module")
def demo():
    return generate_demo(2025)


def test_three_levels_with_prefixed_ids_and_correct_parents(built, demo):
    _, counts, data = built
    assert data.layout.code == "gross"
    assert data.layout.name == "Synthetisches Land (3 Gemeinden)"
    assert data.layout.levels == ("Kreis", "Gemeinde", "Planungsraum")
    assert data.layout.epsg == 25832 and data.layout.is_active
    assert data.data_level == 2
    areas = data.areas
    assert areas.groupby("level").size().to_dict() == {0: 1, 1: 3, 2: 96}
    assert counts["areas"] == 96 and counts["gebiete"] == 100
    assert areas["gebiet_id"].is_unique
    assert areas.loc[areas["level"] == 0, "gebiet_id"].tolist() == ["K001"]
    gemeinden = areas[areas["level"] == 1]
    assert gemeinden["gebiet_id"].tolist() == ["0000", "0001", "0002"]
    assert (gemeinden["parent_gebiet_id"] == "K001").all()
    assert gemeinden["name"].tolist() == ["Gemeinde 1", "Gemeinde 2", "Gemeinde 3"]
    pr = areas[areas["level"] == 2]
    prefix = pr["gebiet_id"].str[:4]
    assert (pr["parent_gebiet_id"] == prefix).all()
    demo_ids = sorted(demo.areas.loc[demo.areas["level"] == 1, "gebiet_id"])
    for i in range(COPIES):
        ids = pr.loc[prefix == f"{i:04d}", "gebiet_id"].str[5:]
        assert sorted(ids) == demo_ids
    for table, column in (("kitas", "kita_id"), ("schulen", "schul_id"), ("wohnbau", "projekt_id")):
        ids = data.table(table)[column]
        assert ids.is_unique, table
        assert ids.str.match(r"^000[0-2]-").all(), table
        assert (ids.str[:4] == data.table(table)["gebiet_id"].str[:4]).all(), table


def test_copies_do_not_overlap_and_gemeinden_are_unions(built):
    _, _, data = built
    areas = data.areas
    gemeinden = areas[areas["level"] == 1].set_index("gebiet_id").geometry
    for a in range(COPIES):
        for b in range(a + 1, COPIES):
            assert not gemeinden.iloc[a].intersects(gemeinden.iloc[b])
    pr = areas[areas["level"] == 2]
    for gid, geom in gemeinden.items():
        union = shapely.union_all(pr.loc[pr["parent_gebiet_id"] == gid].geometry.to_numpy())
        assert geom.area == pytest.approx(union.area, rel=1e-6)
        assert geom.symmetric_difference(union).area <= 1e-6 * union.area
    kreis = areas.loc[areas["level"] == 0].geometry.iloc[0]
    assert kreis.area == pytest.approx(gemeinden.area.sum(), rel=1e-6)
    assert (areas["area_m2"] - areas.geometry.area).abs().max() < 1e-3
    minx, miny, maxx, maxy = areas.total_bounds
    assert GERMANY[0] <= minx and GERMANY[1] <= miny and maxx <= GERMANY[2] and maxy <= GERMANY[3]


def test_facilities_move_with_their_gemeinde(built):
    _, _, data = built
    pr = data.areas[data.areas["level"] == 2].set_index("gebiet_id").geometry
    for kind in ("kitas", "schulen"):
        df = data.table(kind)
        points = shapely.points(*_to_25832(df["lon"].to_numpy(float), df["lat"].to_numpy(float)))
        inside = [pr[g].buffer(1.0).contains(p) for g, p in zip(df["gebiet_id"], points, strict=True)]
        assert all(inside), kind


def _to_25832(lon, lat):
    from pyproj import Transformer

    return Transformer.from_crs(4326, 25832, always_xy=True).transform(lon, lat)


def test_facts_are_the_demo_times_the_copies(built, demo):
    engine, counts, data = built
    pop = data.population.groupby("year")["count"].sum().astype(int)
    assert pop.to_dict() == (COPIES * demo.population.groupby("year")["count"].sum().astype(int)).to_dict()
    expected = {
        "bevoelkerung": demo.population,
        "geburten": demo.births,
        "kitas": demo.kitas,
        "kindertagespflege": demo.kindertagespflege,
        "schulen": demo.schools,
        "schueler": demo.enrollment,
        "kennzahlen": demo.indicators,
        "wohnbau": demo.housing,
    }
    for kind, df in expected.items():
        assert len(data.table(kind)) == COPIES * len(df) == counts[kind], kind
    assert data.table("schueler")["pupils"].sum() == COPIES * demo.enrollment["pupils"].sum()
    assert data.kitas["places_total"].sum() == COPIES * demo.kitas["places_total"].sum()
    with session_scope(engine) as s:
        versions = s.scalars(select(DatasetVersion).order_by(DatasetVersion.id)).all()
        assert [v.kind for v in versions] == list(VERSIONS)
        for v in versions:
            assert (v.label, v.stand) == VERSIONS[v.kind]
            assert v.source == "Synthetischer Benchmark-Datensatz" and v.licence == "CC0 1.0"
            assert v.is_active
            assert v.row_count == counts[v.kind]
        assert s.scalar(select(func.count()).select_from(Area)) == counts["gebiete"]
        assert s.scalar(select(func.count()).select_from(School)) == counts["schulen"]


def test_trail_records_the_layout_and_each_version_once(built):
    engine, counts, _ = built
    with session_scope(engine) as s:
        events = s.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert Counter((e.object_type, e.action) for e in events) == {
            ("area_layout", "angelegt"): 1,
            ("dataset_version", "importiert"): len(VERSIONS),
        }
        assert {e.actor for e in events} == {auth.SYSTEM.username}
        pop = next(e for e in events if e.label.startswith("bevoelkerung:"))
        assert f"{counts['bevoelkerung']} Zeilen" in pop.label


def test_planning_runs_on_it(built):
    _, _, data = built
    plan = compute_plan(data, Scenario("t"))
    assert plan is not None


def test_without_the_import_right_nothing_is_written(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'denied.db'}")
    migrate(engine)
    with auth.acting_as(auth.ANONYMOUS), pytest.raises(PermissionDenied):
        build_large(engine, copies=1)
    with session_scope(engine) as s:
        for model in (AreaLayout, DatasetVersion, Area, AuditEvent):
            assert s.scalar(select(func.count()).select_from(model)) == 0
    engine.dispose()


def test_both_back_ends(any_engine):
    counts = build_large(any_engine, copies=2)
    data = load_planning_data(any_engine)
    assert int((data.areas["level"] == 2).sum()) == counts["areas"] == 64
    assert len(data.population) == counts["bevoelkerung"]
    assert len(data.enrollment) == counts["schueler"]


def test_too_many_copies_for_germany_are_refused(empty_engine):
    with pytest.raises(ValueError, match="Koordinatenfeld"):
        build_large(empty_engine, copies=2000)
