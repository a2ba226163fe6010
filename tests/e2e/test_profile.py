"""The Stadtteilprofil in a real browser on the demo city and on real data (a Berlin Planungsraum,
a Flensburg Stadtteil): every domain of one district on one page, no raw values ("nan", "None"),
small numbers "geheim", and a drawn map. Real data come from ``../shared`` (CI) and are imported with
the project's own import recipes into a fresh SQLite file per city."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from scripts.screenshots import PROJECT_ROOT, AppServer, start_server, wait_for_run
from tests.conftest import REAL_DATA

from .conftest import ARTIFACTS, shot, wait_for_map

#: Text that betrays a raw value or an untranslated widget on the page.
RAW = re.compile(r"\b(nan|NaN|None|NaT|<NA>|null|undefined)\b")


def _cli(url: str, *args: str, timeout: int = 900) -> str:
    env = {k: v for k, v in os.environ.items() if k != "PLANUNGSATLAS_DB_URL"}
    proc = subprocess.run(
        [sys.executable, "-m", "planning", "--db", url, *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if proc.returncode != 0:
        pytest.fail(f"planning {' '.join(args)} fehlgeschlagen:\n{proc.stdout}\n{proc.stderr}", pytrace=False)
    return proc.stdout


def _city_server(city: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AppServer, str]]:
    folder = REAL_DATA / city
    if not folder.is_dir():
        pytest.skip(f"../shared/data/real/{city} fehlt (nur in CI vorhanden)")
    url = f"sqlite:///{tmp_path_factory.mktemp(city) / f'{city}.db'}"
    _cli(url, "import-bundle", city, str(folder))
    server = start_server(url, ARTIFACTS / f"streamlit-{city}.log")
    yield server, url
    server.stop()


@pytest.fixture(scope="module")
def berlin_server(tmp_path_factory) -> Iterator[tuple[AppServer, str]]:
    yield from _city_server("berlin", tmp_path_factory)


@pytest.fixture(scope="module")
def flensburg_server(tmp_path_factory) -> Iterator[tuple[AppServer, str]]:
    yield from _city_server("flensburg", tmp_path_factory)


def _areas(url: str, level: int) -> dict[str, str]:
    return {
        a["gebiet_id"]: a["name"] for a in json.loads(_cli(url, "areas", "--json", "--level", str(level)))
    }


#: The first run on a real city loads and computes everything (Berlin: 542 areas, plan, all
#: indicators) on a busy 2-core CI machine; later runs come from the cache.
FIRST_RUN_MS = 420_000


def _open_profile(page: Page, base_url: str, gebiet: str, level: int) -> str:
    page.goto(f"{base_url}/stadtteilprofil?gebiet={gebiet}&ebene={level}", wait_until="domcontentloaded")
    wait_for_run(page, after_action=False, timeout_ms=FIRST_RUN_MS)
    expect(page.locator("h1").first).to_have_text("Stadtteilprofil", timeout=FIRST_RUN_MS)
    wait_for_map(page, timeout_ms=FIRST_RUN_MS)
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert not RAW.findall(text), f"Rohwerte auf der Seite: {set(RAW.findall(text))}"
    assert "Traceback" not in text and "Error" not in text
    return text


def _check_server_log(server: AppServer) -> None:
    assert "Traceback" not in server.log(), server.log()[-3000:]


def test_profile_demo_district_shows_all_domains_and_geheim(page, base_url, e2e_db_url):
    from planning.db import make_engine
    from planning.indicators import indicator_table
    from planning.repository import load_planning_data

    data = load_planning_data(make_engine(e2e_db_url))
    hze = indicator_table(data, "hze_je_1000", 1)
    latest = hze[hze["year"] == hze["year"].max()]
    secret = latest[latest["suppressed"]].iloc[0]
    text = _open_profile(page, base_url, secret["gebiet_id"], 1)
    assert secret["name"] in text
    for domain in ("Kita", "Schule", "Jugendhilfe", "Soziales"):
        assert domain in text, f"Bereich {domain} fehlt im Profil"
    assert "geheim" in text
    shot(page, "stadtteilprofil_demo.png")


def test_profile_of_a_berlin_planungsraum(page, berlin_server):
    server, url = berlin_server
    areas = _areas(url, 1)  # the Berlin recipe's layout: Bezirk > Planungsraum
    gebiet = "08100101" if "08100101" in areas else sorted(areas)[0]
    text = _open_profile(page, server.base_url, gebiet, 1)
    assert areas[gebiet] in text
    assert "Kita" in text and "Soziales" in text
    shot(page, "stadtteilprofil_berlin.png")
    _check_server_log(server)


def test_profile_of_a_flensburg_stadtteil(page, flensburg_server):
    server, url = flensburg_server
    areas = _areas(url, 0)
    gebiet = next((g for g, n in areas.items() if n == "Sandberg"), sorted(areas)[0])
    text = _open_profile(page, server.base_url, gebiet, 0)
    assert areas[gebiet] in text
    assert "Kita" in text
    shot(page, "stadtteilprofil_flensburg.png")
    _check_server_log(server)
