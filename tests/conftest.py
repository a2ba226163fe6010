"""Shared fixtures: real SQLite files in temporary folders, migrated with Alembic."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
import shapely
from shapely.geometry import box

from planning.db import make_engine, migrate, session_scope
from planning.models import (
    Area,
    AreaLayout,
    DatasetVersion,
    Enrollment,
    IndicatorValue,
    Kindertagespflege,
    Kita,
    Population,
    School,
)

pytest_plugins = ["dbfixtures"]  # any_engine: every database test on SQLite and PostgreSQL/PostGIS

PROJECT = Path(__file__).resolve().parent.parent
SHARED = PROJECT.parent / "shared"
REAL_DATA = SHARED / "data" / "real"
#: Time limit of one AppTest script run: a guard against hangs, not a speed target (the first run
#: of a page imports geopandas and plotly and may take minutes on a busy 2-core CI machine).
APPTEST_TIMEOUT_S = 600


@pytest.fixture(scope="session", autouse=True)
def _act_as_system():
    """Tests build and change data as the command line does: explicitly as the system service.

    ``planning.auth.current()`` has no such default (nothing writes without an acting person);
    tests of that refusal clear the actor themselves (tests/app/test_hardening.py).
    """
    from planning import auth

    with auth.acting_as(auth.SYSTEM):
        yield


def pytest_configure(config: pytest.Config) -> None:
    # Tests must never touch the user's database.
    os.environ.pop("PLANUNGSATLAS_DB_URL", None)


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """Work units for pytest-xdist (``make test`` runs ``-n 2 --dist loadfile``).

    A test file is one unit, so its module fixtures (a demo copy, a Berlin import) are built once;
    all browser tests (``tests/e2e/``) are one unit: one Streamlit server, one Chromium. Units go
    out in collection order (``--no-loadscope-reorder``), so the long browser unit starts first.
    (xdist's own ``loadgroup`` does not group under pytest 9: it renames ``item._nodeid``.)
    """
    from xdist.scheduler import LoadFileScheduling

    class BrowserTogether(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return "tests/e2e" if nodeid.startswith("tests/e2e/") else super()._split_scope(nodeid)

    return BrowserTogether(config, log)  # type: ignore[arg-type]


_niced: list[bool] = []


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Under xdist, a worker that leaves the browser tests behind yields the CPU to them.

    The browser tests wait on a Streamlit server and Chromium with timeouts; on a two-core machine
    the other worker (and the servers and browsers it starts) runs at lower priority, using the
    time the browser tests leave idle. Without xdist nothing changes.
    """
    if _niced or not os.environ.get("PYTEST_XDIST_WORKER"):
        return
    if not str(item.nodeid).startswith("tests/e2e/"):
        os.nice(10)
        _niced.append(True)


@dataclass(frozen=True)
class DemoTemplate:
    """The demo city (seed 2025) built once per test session into a migrated SQLite file."""

    path: Path
    report: object  # planning.demo.DemoReport of the build

    def copy(self, folder: Path) -> str:
        """A private copy of the demo database in ``folder``; returns its URL.

        Copied with ``planning.backup`` (SQLite's backup API, consistent whatever the journal
        mode), so a test may write to its copy without touching other tests' data.
        """
        from planning.backup import backup

        target = folder / "demo.db"
        engine = make_engine(f"sqlite:///{self.path}")
        backup(engine, target)
        engine.dispose()
        return f"sqlite:///{target}"


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> DemoTemplate:
    """Weidenstadt, built once (a build takes minutes on a small CI machine); take copies of it."""
    from planning.demo import build_demo

    path = tmp_path_factory.mktemp("demo-template") / "demo.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    report = build_demo(engine, seed=2025)
    engine.dispose()
    return DemoTemplate(path, report)


@pytest.fixture
def empty_engine(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
    migrate(engine)
    yield engine
    engine.dispose()


#: Ages 0..5 of the tiny city per (area, year); everything else is derived from these.
TINY_CHILDREN = {
    ("0101", 2024): [10, 11, 12, 13, 14, 15],
    ("0101", 2025): [9, 10, 11, 12, 13, 14],
    ("0102", 2024): [1, 2, 2, 3, 3, 4],
    ("0102", 2025): [2, 1, 2, 2, 3, 3],
    ("0201", 2024): [5, 5, 5, 5, 5, 5],
    ("0201", 2025): [4, 4, 4, 6, 6, 6],
}
TINY_ADULTS = 500  # per area and year, as one band 6+


def build_tiny(engine) -> None:
    """A hand-checkable municipality: Bezirk 01 (0101, 0102), Bezirk 02 (0201), years 2024–2025.

    Kitas: K1 in 0101 (10 U3 + 30 Ü3, in operation), K2 in 0102 (planned, opens 2026, 20 Ü3),
    K3 in 0201 (closed in 2025, 5 U3 + 15 Ü3). Kindertagespflege: 5 places in 0101 in 2025.
    """
    with session_scope(engine) as s:
        layout = AreaLayout(
            code="tiny",
            name="Teststand",
            municipality="Kleinstadt",
            epsg=25832,
            stand=dt.date(2024, 1, 1),
            level_names="Bezirk|Planungsraum",
        )
        s.add(layout)
        s.flush()

        def version(kind: str) -> DatasetVersion:
            v = DatasetVersion(
                kind=kind,
                layout_id=layout.id,
                label=f"Test {kind}",
                source="Test",
                licence="CC0",
                stand=dt.date(2025, 12, 31),
                imported_by="test",
            )
            s.add(v)
            s.flush()
            return v

        geo = version("gebiete")
        del geo
        b1 = Area(
            layout_id=layout.id,
            gebiet_id="01",
            name="Nord",
            level=0,
            geom_wkb=shapely.to_wkb(box(560000, 5700000, 562000, 5701000)),
        )
        b2 = Area(
            layout_id=layout.id,
            gebiet_id="02",
            name="Süd",
            level=0,
            geom_wkb=shapely.to_wkb(box(560000, 5699000, 562000, 5700000)),
        )
        s.add_all([b1, b2])
        s.flush()
        areas = {
            "0101": Area(
                layout_id=layout.id,
                gebiet_id="0101",
                name="Altstadt",
                level=1,
                parent_id=b1.id,
                geom_wkb=shapely.to_wkb(box(560000, 5700000, 561000, 5701000)),
            ),
            "0102": Area(
                layout_id=layout.id,
                gebiet_id="0102",
                name="Hafen",
                level=1,
                parent_id=b1.id,
                geom_wkb=shapely.to_wkb(box(561000, 5700000, 562000, 5701000)),
            ),
            "0201": Area(
                layout_id=layout.id,
                gebiet_id="0201",
                name="Feld",
                level=1,
                parent_id=b2.id,
                geom_wkb=shapely.to_wkb(box(560000, 5699000, 562000, 5700000)),
            ),
        }
        s.add_all(areas.values())
        s.flush()
        pop = version("bevoelkerung")
        for (gid, year), counts in TINY_CHILDREN.items():
            for age, n in enumerate(counts):
                s.add(
                    Population(
                        dataset_version_id=pop.id,
                        area_id=areas[gid].id,
                        year=year,
                        age_from=age,
                        age_to=age,
                        count=n,
                    )
                )
            s.add(
                Population(
                    dataset_version_id=pop.id,
                    area_id=areas[gid].id,
                    year=year,
                    age_from=6,
                    age_to=None,
                    count=TINY_ADULTS,
                )
            )
            s.add(
                Population(
                    dataset_version_id=pop.id,
                    area_id=areas[gid].id,
                    year=year,
                    age_from=0,
                    age_to=None,
                    count=sum(counts) + TINY_ADULTS,
                )
            )
        kv = version("kitas")
        s.add_all(
            [
                Kita(
                    dataset_version_id=kv.id,
                    kita_id="K1",
                    name="Kita Eins",
                    area_id=areas["0101"].id,
                    places_total=40,
                    places_u3=10,
                    places_ue3=30,
                    lon=9.9,
                    lat=51.45,
                ),
                Kita(
                    dataset_version_id=kv.id,
                    kita_id="K2",
                    name="Kita Zwei",
                    area_id=areas["0102"].id,
                    places_total=20,
                    places_u3=0,
                    places_ue3=20,
                    status="geplant",
                    opening_year=2026,
                ),
                Kita(
                    dataset_version_id=kv.id,
                    kita_id="K3",
                    name="Kita Drei",
                    area_id=areas["0201"].id,
                    places_total=20,
                    places_u3=5,
                    places_ue3=15,
                    status="geschlossen",
                    closing_year=2025,
                ),
            ]
        )
        ktp = version("kindertagespflege")
        s.add(Kindertagespflege(dataset_version_id=ktp.id, area_id=areas["0101"].id, year=2025, places=5))
        sv = version("schulen")
        school = School(
            dataset_version_id=sv.id,
            schul_id="S1",
            name="GS Eins",
            schulart="Grundschule",
            area_id=areas["0101"].id,
            zuege=2,
            ganztag_places=60,
        )
        s.add(school)
        s.flush()
        ev = version("schueler")
        for grade, pupils in zip((1, 2, 3, 4), (45, 50, 40, 44), strict=True):
            s.add(
                Enrollment(
                    dataset_version_id=ev.id,
                    school_id=school.id,
                    school_year=2025,
                    grade=grade,
                    pupils=pupils,
                    classes=2,
                )
            )
        iv = version("kennzahlen")
        s.add_all(
            [
                IndicatorValue(
                    dataset_version_id=iv.id,
                    area_id=areas["0101"].id,
                    year=2025,
                    code="kinderarmut",
                    value=20.0,
                    numerator=20,
                    denominator=100,
                ),
                IndicatorValue(
                    dataset_version_id=iv.id,
                    area_id=areas["0102"].id,
                    year=2025,
                    code="kinderarmut",
                    value=50.0,
                    numerator=5,
                    denominator=10,
                ),
                IndicatorValue(
                    dataset_version_id=iv.id,
                    area_id=areas["0201"].id,
                    year=2025,
                    code="kinderarmut",
                    value=12.5,
                    numerator=None,
                    denominator=None,
                ),
            ]
        )


@pytest.fixture
def tiny_engine(empty_engine):
    build_tiny(empty_engine)
    return empty_engine


@pytest.fixture
def tiny_url(tiny_engine, monkeypatch) -> str:
    """The tiny city as the app's database (``PLANUNGSATLAS_DB_URL`` set for AppTest): its URL."""
    url = tiny_engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("PLANUNGSATLAS_DB_URL", url)
    return url
