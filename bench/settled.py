"""What people wait for: navigation → page settled, per page, cold process and warm (``make bench``).

A page is **settled** when the app is connected, its script run is over (``notRunning``, no
running indicator), no element is stale (left over from the previous run), no skeleton or spinner
is shown, the main area holds at least one element, every plotly chart is drawn and every map has
drawn its areas (MapLibre loaded, features rendered), and all of that has held for
:data:`QUIET_MS` without a break. The time counts from the navigation to the *start* of that quiet
period, read on the page's own clock (``Date.now()``) against the same clock in this process.

- **warm**: the server has served the page before (to another browser); every navigation uses a
  fresh browser context, so nothing is cached in the browser. Median of ``runs``.
- **cold**: a fresh server process per run and page, started the way a shared server starts
  (``serve.py``: it prepares the active data in the background) and visited the moment its health
  check answers. Median of ``cold_runs``.
- **floor**: the same two on ``bench/baseline_app.py`` (one pre-built map of the same areas on an
  otherwise empty page), in the same run, so ratios compare like with like on the same machine.

Pages: Lagebild, Kita, Schule, Stadtteilprofil, Szenarien and a meeting TOP (``?sitzung=N&top=1``,
a meeting the bench adds to its own copy of the database: one TOP showing the Kita plan).
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

from bench.browser import baseline_server
from scripts.screenshots import IDLE_JS, MAPS_JS, AppServer, launch_browser

TIMEOUT_MS = 240_000
#: How long a page must stay settled before it counts (a run may trigger another run).
QUIET_MS = 500
#: Page key in results.json → URL path and query (``{meeting}``: the bench meeting's id).
PAGES: dict[str, str] = {
    "lagebild": "",
    "kita": "kita",
    "schule": "schule",
    "stadtteilprofil": "stadtteilprofil",
    "szenarien": "szenarien",
    "sitzung_top": "?sitzung={meeting}&top=1",
}

SETTLED_JS = f"""() => {{
  if (!({IDLE_JS})()) return false;
  if (document.querySelector('[data-testid="stSpinner"]')) return false;
  const charts = Array.from(document.querySelectorAll('[data-testid="stPlotlyChart"]'));
  if (!charts.every(c => {{ const g = c.querySelector('.js-plotly-plot'); return g && g._fullLayout; }}))
    return false;
  return ({MAPS_JS})().every(m => m.drawn);
}}"""

#: Resolves to the epoch milliseconds at which the page became settled for good (quiet period held).
_QUIET_JS = f"""ms => {{
  const now = Date.now();
  if (!({SETTLED_JS})()) {{ window.__benchSince = null; return false; }}
  window.__benchSince = window.__benchSince || now;
  return now - window.__benchSince >= ms ? window.__benchSince : false;
}}"""


def settle_time(browser: Browser, url: str) -> float:
    """Seconds from navigating a fresh browser context to ``url`` until the page is settled."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="de-DE")
    try:
        page = context.new_page()
        t0 = time.time()
        page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
        since = page.wait_for_function(_QUIET_JS, arg=QUIET_MS, timeout=TIMEOUT_MS, polling="raf")
        elapsed = float(since.json_value()) / 1000.0 - t0
        if page.locator('[data-testid="stException"]').count():  # an error page is not a page
            raise RuntimeError(f"{url}: {page.locator('[data-testid=stException]').first.inner_text()[:500]}")
        return elapsed
    finally:
        context.close()


def add_bench_meeting(db_url: str) -> int:
    """A meeting with one TOP (the Kita plan of the base scenario, saved view) in the bench's copy
    of the database; returns its id. Acts as whoever the caller acts as (the bench: the system)."""
    from planning import steering as sk
    from planning.db import make_engine
    from planning.repository import active_versions, get_layout, load_planning_data

    engine = make_engine(db_url)
    try:
        layout = get_layout(engine)
        data = load_planning_data(engine, layout.code)
        years = sorted(int(y) for y in data.population["year"].unique())
        versions = {k: v.id for k, v in active_versions(engine, layout.id).items()}
        state = {
            "gebietsstand": layout.code,
            "ebene": str(len(layout.levels) - 1 if len(data.areas) <= 2500 else 1),
            "jahr": str(years[-1]),
            "teil": "Bedarfsplanung",
            "szenario": "Basis",
            "planjahr": str(years[-1] + 4),
        }
        view = sk.save_view(
            engine, layout.id, "Kita-Platzbilanz (Messung)", "kita", state, versions, None, "Bench"
        )
        name = f"Bench-Sitzung {time.time_ns()}"
        meeting = sk.create_meeting(engine, name, dt.date.today(), "Bench")
        sk.add_agenda_item(engine, meeting.id, "Kita-Platzbilanz", view_id=view.id)
        return meeting.id
    finally:
        engine.dispose()


def _summary(times: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(times), 3),
        "min": round(min(times), 3),
        "max": round(max(times), 3),
    }


def _urls(base: str, meeting: int | None) -> dict[str, str]:
    out = {}
    for key, path in PAGES.items():
        if "{meeting}" in path:
            if meeting is None:
                continue
            path = path.format(meeting=meeting)
        out[key] = f"{base}/{path}"
    return out


def warm_pages(server: AppServer, meeting: int | None, runs: int) -> dict[str, dict[str, float]]:
    """Per page: median, min and max seconds to settled on a warm server (``runs`` visits each)."""
    urls = _urls(server.base_url, meeting)
    with sync_playwright() as pw:
        browser = launch_browser(pw)
        for url in urls.values():  # the day's first visitor of each page (not counted)
            settle_time(browser, url)
        times: dict[str, list[float]] = {k: [] for k in urls}
        for _ in range(runs):  # pages interleaved, so a slow moment of the machine hits all alike
            for key, url in urls.items():
                times[key].append(settle_time(browser, url))
        browser.close()
    return {k: _summary(v) for k, v in times.items()}


def cold_pages(
    start: Callable[[str], AppServer], meeting: int | None, runs: int
) -> dict[str, dict[str, float]]:
    """Per page: seconds to settled for the first visitor of a freshly started server process.

    ``start(tag)`` starts a server and returns once its health check answers; the page is opened
    at once (a person arriving right after the start)."""
    keys = list(_urls("", meeting))
    times: dict[str, list[float]] = {k: [] for k in keys}
    with sync_playwright() as pw:
        browser = launch_browser(pw)
        for run in range(runs):
            for key in keys:
                server = start(f"{key}-{run}")
                try:
                    times[key].append(settle_time(browser, _urls(server.base_url, meeting)[key]))
                finally:
                    server.stop()
        browser.close()
    return {k: _summary(v) for k, v in times.items()}


def floor_times(geojson: Path, name: str, runs: int, cold_runs: int) -> dict[str, dict[str, float]]:
    """``warm`` and ``cold`` settled times of the floor page (``bench/baseline_app.py``)."""

    def start(tag: str) -> AppServer:
        return baseline_server(geojson, name, f"-{tag}")

    cold: list[float] = []
    warm: list[float] = []
    with sync_playwright() as pw:
        browser = launch_browser(pw)
        for run in range(cold_runs):
            server = start(f"cold-{run}")
            try:
                cold.append(settle_time(browser, server.base_url + "/"))
            finally:
                server.stop()
        server = start("warm")
        try:
            settle_time(browser, server.base_url + "/")
            warm = [settle_time(browser, server.base_url + "/") for _ in range(runs)]
        finally:
            server.stop()
        browser.close()
    return {"warm": _summary(warm), "cold": _summary(cold)}
