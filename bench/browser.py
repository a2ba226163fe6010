"""Browser figures in real headless Chromium: the Lagebild map, its baseline, 20 sessions at once.

- ``first_map_s``: from navigation (a fresh browser context, so nothing cached in the browser) to
  the Lagebild map fully drawn (MapLibre loaded, every choropleth trace rendered). The server is
  warm: its data caches are filled by a first visit that does not count.
- ``rerun_s``: from picking another indicator to the redrawn map (its values changed and drawn).
- The same two on the **baseline**: ``bench/baseline_app.py``, one pre-built plotly map of the same
  areas on an otherwise empty Streamlit page — the floor the framework itself sets. Its visits
  alternate with the app's (:func:`map_figures`).
- ``sessions20``: 20 sessions at once (websocket clients speaking Streamlit's own protocol) open the
  app and click through pages; the 95th percentile of click → run finished, and the server's peak
  resident memory.
"""

from __future__ import annotations

import asyncio
import random
import socket
import statistics
import threading
import time
from pathlib import Path
from typing import Any

import websockets
from playwright.sync_api import Browser, Page, sync_playwright
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from scripts.screenshots import (
    MAPS_JS,
    AppServer,
    launch_browser,
    start_server,
    wait_for_map,
)

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / "bench" / "logs"
TIMEOUT_MS = 240_000

#: JS: a signature of what the maps show (values and colour-bar title), to see a redraw.
_SIGNATURE_JS = """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
  .filter(g => g._fullLayout && g._fullLayout.map)
  .map(g => (g._fullData || []).filter(t => t.type === 'choroplethmap')
    .map(t => String((t.z || []).slice(0, 64)) + (t.colorbar && t.colorbar.title
         ? t.colorbar.title.text : '')).join('|')).join('#')"""
_DRAWN_JS = f"() => {{ const m = ({MAPS_JS})(); return m.length > 0 && m.every(x => x.drawn); }}"


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB (``VmRSS``)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class RssSampler:
    """The highest resident memory of a process while the block runs (sampled every 0.2 s)."""

    def __init__(self, pid: int):
        self.pid, self.peak, self._stop = pid, 0.0, threading.Event()

    def __enter__(self) -> RssSampler:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_mb(self.pid))
            self._stop.wait(0.2)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb(self.pid))


def _first_map(browser: Browser, url: str) -> float:
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="de-DE")
    page = context.new_page()
    t0 = time.perf_counter()
    page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
    # Checked on every animation frame (wait_for_map polls every 250 ms: too coarse to time).
    page.wait_for_function(_DRAWN_JS, timeout=TIMEOUT_MS, polling="raf")
    elapsed = time.perf_counter() - t0
    context.close()
    return elapsed


def _pick(page: Page, label: str, option: str) -> float:
    """Choose ``option`` in the selectbox ``label``; seconds until the map shows new values, drawn."""
    before = page.evaluate(_SIGNATURE_JS)
    box = page.locator(f'input[role="combobox"][aria-label="{label}"]')
    box.click()
    box.fill(option)
    item = page.locator('[data-testid="stSelectboxVirtualDropdown"]').get_by_role(
        "option", name=option, exact=True
    )
    item.wait_for(timeout=TIMEOUT_MS)
    t0 = time.perf_counter()
    item.click()
    page.wait_for_function(
        f"before => {{ const now = ({_SIGNATURE_JS})(); return now !== before && ({_DRAWN_JS})(); }}",
        arg=before,
        timeout=TIMEOUT_MS,
        polling="raf",
    )
    return time.perf_counter() - t0


#: One server's map to measure: the server, the indicator selectbox's label and two of its options.
MapTarget = tuple[AppServer, str, tuple[str, str]]


def map_figures(targets: list[MapTarget], runs: int) -> list[dict[str, float]]:
    """Median first map and median rerun (indicator change) of each target's map, in its order.

    The visits alternate between the targets (app, floor page, app, …), as ``bench/settled.py``
    does: a slow moment of the machine then hits the app and its floor alike, where measuring one
    after the other compared minutes apart (beside a busy neighbour the floor page moved 10 % within
    a run).
    """
    with sync_playwright() as pw:
        browser = launch_browser(pw)
        for server, _, _ in targets:
            _first_map(browser, server.base_url)  # warm the server's caches (not counted)
        firsts: list[list[float]] = [[] for _ in targets]
        for _ in range(runs):
            for n, (server, _, _) in enumerate(targets):
                firsts[n].append(_first_map(browser, server.base_url))
        pages = []
        for server, label, options in targets:
            context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="de-DE")
            page = context.new_page()
            page.goto(server.base_url, wait_until="commit", timeout=TIMEOUT_MS)
            wait_for_map(page, TIMEOUT_MS)
            _pick(page, label, options[0])  # warm both indicators once
            _pick(page, label, options[1])
            pages.append((context, page))
        reruns: list[list[float]] = [[] for _ in targets]
        for i in range(2 * runs):
            for n, (_, label, options) in enumerate(targets):
                reruns[n].append(_pick(pages[n][1], label, options[i % 2]))
        for context, _ in pages:
            context.close()
        browser.close()
    return [
        {
            "first_map_s": round(statistics.median(first), 3),
            "first_map_s_min": round(min(first), 3),
            "rerun_s": round(statistics.median(rerun), 3),
            "rerun_s_min": round(min(rerun), 3),
        }
        for first, rerun in zip(firsts, reruns, strict=True)
    ]


def baseline_server(geojson: Path, name: str, tag: str = "") -> AppServer:
    return start_server(
        "sqlite://",
        LOGS / f"baseline-{name}{tag}.log",
        script="bench/baseline_app.py",
        env={"BENCH_GEOJSON": str(geojson)},
        port=bench_port(),
    )


def app_server(db_url: str, name: str, tag: str = "") -> AppServer:
    """The app as a server runs it (``serve.py``: prepares the active data from its start)."""
    return start_server(db_url, LOGS / f"app-{name}{tag}.log", script="serve.py", port=bench_port())


# ----------------------------------------------------------------------------- 20 sessions at once
#: Pages each session clicks through, by URL path ("" = Lagebild), over and over.
SESSION_PAGES = ("kita", "schule", "", "sozialraum", "stadtteilprofil", "szenarien", "")


async def _rerun(ws, page: str) -> list[str]:  # type: ignore[no-untyped-def]
    """What the browser sends on a click in the navigation; waits for the run to finish and returns
    how each run ended (``FINISHED_SUCCESSFULLY``, ...).

    A run that ends early for a rerun (``st.rerun``, ``st.switch_page``) is followed by its rerun:
    the click counts until the last run is over, as the person waits for it.
    """
    msg = BackMsg()
    msg.rerun_script.page_name = page
    msg.rerun_script.query_string = ""
    await ws.send(msg.SerializeToString())
    ends: list[str] = []
    while True:
        fwd = ForwardMsg()
        fwd.ParseFromString(await ws.recv())
        if fwd.WhichOneof("type") == "page_not_found":
            raise RuntimeError(f"Seite „{page}“ nicht gefunden")
        if fwd.WhichOneof("type") == "script_finished":
            ends.append(ForwardMsg.ScriptFinishedStatus.Name(fwd.script_finished))
            if fwd.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                return ends


#: A person's pause between two clicks in the room figure (seconds, uniform): reading the page.
THINK_S = (2.0, 6.0)


async def _session(
    url: str, steps: int, times: list[float], offset: int, think: tuple[float, float] | None = None
) -> None:
    rng = random.Random(offset)  # the same pauses in every run
    async with websockets.connect(
        url.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=["streamlit"], max_size=None
    ) as ws:
        await _rerun(ws, "")  # opening the app
        for step in range(steps):
            if think:
                await asyncio.sleep(rng.uniform(*think))
            t0 = time.perf_counter()
            await _rerun(ws, SESSION_PAGES[(step + offset) % len(SESSION_PAGES)])
            times.append(time.perf_counter() - t0)


async def _sessions(
    url: str | list[str], n: int, steps: int, think: tuple[float, float] | None = None
) -> list[float]:
    """``n`` sessions; with several server URLs, session ``i`` goes to ``urls[i % len(urls)]`` (as a
    proxy spreads the room's browsers over the app processes, each browser staying with one)."""
    urls = [url] if isinstance(url, str) else url
    times: list[float] = []
    await asyncio.gather(*(_session(urls[i % len(urls)], steps, times, i, think) for i in range(n)))
    return times


def _p95(times: list[float]) -> float:
    times = sorted(times)
    return times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


def sessions(server: AppServer, n: int = 20, steps: int = 7) -> dict[str, Any]:
    """``n`` concurrent websocket sessions (what 20 laptops' browsers send), ``steps`` page changes
    each, in two ways:

    - **stress** (``p95_rerun_s``, ``median_rerun_s``, ``rss_mb``): the clicks follow each other
      without a pause — the server's worst case;
    - **room** (``p95_ratio``): as people use it, each reading the page for :data:`THINK_S` before
      the next click; the p95 of click → run finished over the median of one session alone doing
      the same clicks (``single_median_rerun_s``), both measured here.

    Websocket clients rather than 20 Chromium tabs: on two cores, twenty browsers rendering maps
    would measure the browsers, not the server the room shares. Before the room comes in, one
    session has opened every page once, as the first visitor of the day would: the figures shared
    by all sessions (plan, maps, tables) are then built, and the clicks measure serving them."""
    asyncio.run(_sessions(server.base_url, 1, len(SESSION_PAGES)))  # the day's first visitor
    with RssSampler(server.proc.pid) as rss:
        times = asyncio.run(_sessions(server.base_url, n, steps))
    alone = asyncio.run(_sessions(server.base_url, 1, 2 * len(SESSION_PAGES), THINK_S))
    single = statistics.median(alone)
    room = _rooms([server.base_url], n, steps)
    return {
        "p95_rerun_s": round(_p95(times), 3),
        "median_rerun_s": round(statistics.median(times), 3),
        "single_median_rerun_s": round(single, 3),
        "room_p95_rerun_s": round(statistics.median(room), 3),
        "p95_ratio": round(statistics.median(room) / single, 2),
        "p95_ratio_spread": [round(min(room) / single, 2), round(max(room) / single, 2)],
        "rss_mb": round(rss.peak, 1),
        "clicks": float(len(times)),
    }


#: How often the room comes in: one room's p95 (the 7th slowest of 140 clicks) moved between 2.2
#: and 4.4 times the single median on one server in four runs within a few minutes; the figure is
#: the median of the rooms' p95, their spread printed beside it.
ROOM_RUNS = 3


def _rooms(urls: list[str], n: int, steps: int) -> list[float]:
    """The p95 of each of :data:`ROOM_RUNS` rooms (``n`` sessions with reading pauses)."""
    return [_p95(asyncio.run(_sessions(urls, n, steps, THINK_S))) for _ in range(ROOM_RUNS)]


def sessions_spread(
    servers: list[AppServer], single_median_s: float, n: int = 20, steps: int = 7
) -> dict[str, Any]:
    """The same ``n`` sessions spread over several app processes (the shared installation's layout:
    one process per core behind the proxy): stress p95, and the room's p95 over ``single_median_s``
    (one session alone on one process, measured beside it)."""
    for server in servers:  # each process's first visitor of the day
        asyncio.run(_sessions(server.base_url, 1, len(SESSION_PAGES)))
    urls = [s.base_url for s in servers]
    times = asyncio.run(_sessions(urls, n, steps))
    room = _rooms(urls, n, steps)
    return {
        "p95_rerun_s": round(_p95(times), 3),
        "room_p95_rerun_s": round(statistics.median(room), 3),
        "p95_ratio": round(statistics.median(room) / single_median_s, 2),
        "p95_ratio_spread": [round(min(room) / single_median_s, 2), round(max(room) / single_median_s, 2)],
        "processes": float(len(servers)),
    }


#: Ports the benchmark's servers use (kept apart from other work on the same machine).
PORTS = range(8640, 8660)


def bench_port() -> int:
    """A free port of :data:`PORTS` (a stopped server may need a moment to release its port)."""
    for _ in range(40):
        for port in PORTS:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
                try:
                    s.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
        time.sleep(0.5)
    raise RuntimeError(f"Kein freier Port in {PORTS.start}–{PORTS.stop - 1}")
