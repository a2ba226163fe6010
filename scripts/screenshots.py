"""Screenshots of the running app in headless Chromium, and the browser helpers the e2e tests share.

    python scripts/screenshots.py [--db URL] [--out DIR] [--pages / /kita ...]

Starts the app on a free local port against the database (default: the project's database as
``python -m planning`` resolves it), visits every page of the sidebar navigation (or the given URL
paths), waits until each run has finished and every map is drawn, and writes full-page PNGs.

``tests/e2e/conftest.py`` imports the server and browser helpers from here, so the tests and this
script start, wait and photograph the app the same way. Uses the Debian Chromium at
``/usr/bin/chromium`` (``make system-deps``); never downloads a browser.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import unicodedata
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    Route,
    ViewportSize,
    sync_playwright,
)
from playwright.sync_api import Error as PlaywrightError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=de-DE",
]
VIEWPORT: ViewportSize = {"width": 1600, "height": 1000}
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
#: Bounded waits (milliseconds for Playwright, seconds for the server). A first map can take 25 s
#: on a busy two-core machine (software WebGL), hence the margin.
# Time limits are guards against hangs, not speed targets: on a busy two-core CI machine (a test
# worker, the app server and two browsers) a rerun that takes seconds here may take minutes.
RUN_TIMEOUT_MS = 240_000
MAP_TIMEOUT_MS = 240_000
#: Clicks, fills and ``expect`` checks (Playwright's own defaults are 30 s and 5 s).
ACTION_TIMEOUT_MS = 120_000
SERVER_TIMEOUT_S = 180.0
TRACEBACK = "Traceback (most recent call last)"

APP = '[data-testid="stApp"]'
NAV_LINKS = '[data-testid="stSidebarNav"] a'


# --------------------------------------------------------------------------------------------- server
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _health(base_url: str) -> str | None:
    try:
        with urllib.request.urlopen(base_url + "/_stcore/health", timeout=2) as resp:
            return resp.read().decode("utf-8", "replace").strip()
    except (urllib.error.URLError, OSError):
        return None


@dataclass
class AppServer:
    """A Streamlit server of this project on ``127.0.0.1:port``; its output goes to ``log_path``."""

    proc: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def stop(self, timeout: float = 10.0) -> None:
        if self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=timeout)


def start_server(
    db_url: str,
    log_path: Path,
    timeout: float = SERVER_TIMEOUT_S,
    address: str = "127.0.0.1",
    script: str = "app.py",
    env: dict[str, str] | None = None,
    port: int | None = None,
) -> AppServer:
    """Start ``streamlit run app.py`` on a free port and wait until ``/_stcore/health`` says ok.

    ``address`` is where the server listens (``0.0.0.0``: every interface, as an unprotected
    network server would); the tests always reach it through 127.0.0.1. ``script``: another
    Streamlit script of the project (the benchmark's baseline page), with extra ``env``. ``port``:
    a given free port instead of any free one (the benchmark keeps to its own range).

    Raises ``RuntimeError`` (with the server's output) when it dies or does not answer in time.
    """
    port = port or free_port()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **(env or {}), "PLANUNGSATLAS_DB_URL": db_url, "PYTHONUNBUFFERED": "1"}
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        script,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--server.address",
        address,
        "--browser.gatherUsageStats",
        "false",
    ]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = AppServer(proc=proc, port=port, log_path=log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"Streamlit-Server beendet (Exit-Code {proc.returncode}) bevor er antwortete:\n{server.log()}"
            )
        if _health(server.base_url) == "ok":
            return server
        time.sleep(0.25)
    server.stop()
    raise RuntimeError(
        f"Streamlit-Server antwortet nach {timeout:.0f} s nicht auf Port {port}:\n{server.log()}"
    )


@contextlib.contextmanager
def running_server(db_url: str, log_path: Path) -> Iterator[AppServer]:
    server = start_server(db_url, log_path)
    try:
        yield server
    finally:
        server.stop()


# -------------------------------------------------------------------------------------------- browser
def chromium_missing_reason() -> str | None:
    return None if CHROMIUM.exists() else "Chromium fehlt: make system-deps"


def launch_browser(playwright: Playwright) -> Browser:
    """Headless Debian Chromium through Playwright (never a downloaded browser)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)


def is_local_url(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about", "chrome-extension"):
        return True
    return (parts.hostname or "") in LOCAL_HOSTS


@dataclass
class PageGuard:
    """What a page did that it must not: requests to other hosts (aborted) and JS exceptions."""

    foreign: list[str] = field(default_factory=list)
    js_errors: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return [f"Anfrage an fremden Host (blockiert): {u}" for u in dict.fromkeys(self.foreign)] + [
            f"JavaScript-Fehler: {e}" for e in self.js_errors
        ]


def new_guarded_page(browser: Browser) -> tuple[BrowserContext, Page, PageGuard]:
    """A fresh context + page (1600×1000, de-DE) that aborts and records every non-local request.

    The route handler blocks; the request listener also records what a route cannot see (e.g.
    requests of service workers), so nothing leaves the machine unnoticed.
    """
    context = browser.new_context(viewport=VIEWPORT, locale="de-DE", timezone_id="Europe/Berlin")
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    guard = PageGuard()

    def route(r: Route) -> None:
        url = r.request.url
        if is_local_url(url):
            r.continue_()
        else:
            guard.foreign.append(url)
            r.abort()

    context.route("**/*", route)
    context.on("request", lambda req: None if is_local_url(req.url) else guard.foreign.append(req.url))
    page = context.new_page()
    page.on("pageerror", lambda exc: guard.js_errors.append(str(exc)))
    return context, page, guard


# --------------------------------------------------------------------------------------------- waits
#: JS: the app is idle – connected, no run going on or requested, no "Running" widget, no stale or
#: placeholder (lazy-loading) element, and the main area shows something (so the first run has
#: happened: before it, the app also reports ``notRunning``).
IDLE_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return !!app
    && app.getAttribute('data-test-connection-state') === 'CONNECTED'
    && app.getAttribute('data-test-script-state') === 'notRunning'
    && !document.querySelector('[data-testid="stStatusWidget"]')
    && !document.querySelector('[data-stale="true"]')
    && !document.querySelector('[data-testid="stSkeleton"], [data-testid="stSkeletonElement"], '
                               + '[data-testid="stAppSkeleton"]')
    && !!document.querySelector('[data-testid="stMain"] [data-testid="stElementContainer"]');
}"""
#: How long the app must stay idle before a wait counts as finished (a run may trigger another).
IDLE_STABLE_MS = 500


#: Counts the app's script runs in the page (``window.__e2eRuns``): every change of the app's script
#: state away from "notRunning" is one run started. Installed by :func:`count_runs`.
RUN_COUNTER_JS = """() => {
  if (window.__e2eRunObserver) return window.__e2eRuns;
  window.__e2eRuns = 0;
  window.__e2eRunObserver = new MutationObserver(records => {
    for (const r of records) {
      if (r.target.getAttribute && r.target.getAttribute('data-testid') === 'stApp'
          && r.oldValue === 'notRunning') window.__e2eRuns += 1;
    }
  });
  window.__e2eRunObserver.observe(document.body, {attributes: true, subtree: true,
      attributeOldValue: true, attributeFilter: ['data-test-script-state']});
  return window.__e2eRuns;
}"""


def count_runs(page: Page) -> int:
    """Script runs started since the counter was installed on this page (installs it if needed)."""
    return int(page.evaluate(RUN_COUNTER_JS))


def wait_for_run(
    page: Page,
    after_action: bool = True,
    timeout_ms: int = RUN_TIMEOUT_MS,
    runs_before: int | None = None,
) -> None:
    """Wait until the script run triggered by the last action has finished and the page is idle.

    ``after_action``: first wait (briefly) for the rerun to start, since right after a click the
    app still reports the previous run as finished. Then wait until :data:`IDLE_JS` has held for
    :data:`IDLE_STABLE_MS`.

    ``runs_before`` (from :func:`count_runs` before an action that always starts a run, such as a
    changed selectbox): wait until a run after it has started, however long that takes on a busy
    machine, instead of the brief best-effort wait. Without it, a run that starts late may replace
    the page after the next action has already been done on the old one.
    """
    page.wait_for_selector(APP, timeout=timeout_ms)
    if runs_before is not None:
        page.wait_for_function(
            "n => (window.__e2eRuns ?? Infinity) > n", arg=runs_before, timeout=timeout_ms, polling=50
        )
    elif after_action:
        # A fast run may be over before we look; the idle wait below holds either way.
        with contextlib.suppress(PlaywrightError):
            page.wait_for_function(
                "() => document.querySelector('[data-testid=\"stApp\"]')"
                "?.getAttribute('data-test-script-state') !== 'notRunning'",
                timeout=3_000,
                polling="raf",
            )
    page.evaluate("() => { window.__e2eIdleSince = null; }")
    try:
        page.wait_for_function(
            f"""ms => {{
                if (!({IDLE_JS})()) {{ window.__e2eIdleSince = null; return false; }}
                window.__e2eIdleSince = window.__e2eIdleSince || performance.now();
                return performance.now() - window.__e2eIdleSince >= ms;
            }}""",
            arg=IDLE_STABLE_MS,
            timeout=timeout_ms,
            polling=100,
        )
    except PlaywrightError as exc:
        state = page.evaluate(
            """() => { const a = document.querySelector('[data-testid="stApp"]');
                const status = document.querySelector('[data-testid="stStatusWidget"]');
                return a && {verbindung: a.getAttribute('data-test-connection-state'),
                             lauf: a.getAttribute('data-test-script-state'),
                             statusanzeige: status ? status.innerText : null,
                             veraltet: document.querySelectorAll('[data-stale="true"]').length,
                             platzhalter: document.querySelectorAll('[data-testid^="stSkeleton"], '
                                 + '[data-testid="stAppSkeleton"]').length}; }"""
        )
        raise AssertionError(f"App nach {timeout_ms / 1000:.0f} s nicht fertig ({state})") from exc


def open_app(
    page: Page, base_url: str, query: str = "", path: str = "/", timeout_ms: int = RUN_TIMEOUT_MS
) -> None:
    """Navigate to ``base_url + path [+ ?query]`` and wait for the first run to finish."""
    q = query.lstrip("?")
    url = base_url.rstrip("/") + path + (f"?{q}" if q else "")
    page.goto(url, wait_until="domcontentloaded", timeout=timeout_ms)
    page.wait_for_selector(APP, timeout=timeout_ms)
    wait_for_run(page, after_action=False, timeout_ms=timeout_ms)


#: JS: one entry per plotly map on the page: drawn (MapLibre loaded) and its choroplethmap traces.
MAPS_JS = """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
  .filter(g => g._fullLayout && g._fullLayout.map)
  .map(g => {
    const sub = g._fullLayout.map._subplot;
    const map = sub && sub.map;
    const loaded = !!(map && map.loaded());
    const traces = (g._fullData || []).filter(t => t.type === 'choroplethmap' && t.visible === true);
    const layers = traces.map(t => 'plotly-trace-layer-' + t.uid + '-fill')
                         .filter(id => loaded && map.getLayer(id));
    const features = layers.length ? map.queryRenderedFeatures({layers}).length : 0;
    const drawn = loaded && traces.length > 0 && layers.length === traces.length && features > 0;
    return {loaded, drawn, traces: traces.length, layers: layers.length, features};
  })"""


def wait_for_map(page: Page, timeout_ms: int = MAP_TIMEOUT_MS) -> None:
    """Wait until a plotly map exists whose MapLibre map has loaded and has choropleth traces."""
    try:
        page.wait_for_function(
            f"() => {{ const maps = ({MAPS_JS})(); return maps.length > 0 && maps.every(m => m.drawn); }}",
            timeout=timeout_ms,
            polling=250,
        )
    except PlaywrightError as exc:
        state = page.evaluate(MAPS_JS)
        raise AssertionError(
            f"Karte nach {timeout_ms / 1000:.0f} s nicht gezeichnet (Zustand der Karten: {state})"
        ) from exc


def wait_for_charts(page: Page, timeout_ms: int = MAP_TIMEOUT_MS) -> None:
    """Wait until every plotly chart container holds a drawn figure, and every map has loaded."""
    try:
        page.wait_for_function(
            """() => Array.from(document.querySelectorAll('[data-testid="stPlotlyChart"]'))
                  .every(c => { const g = c.querySelector('.js-plotly-plot');
                                return g && g._fullLayout; })""",
            timeout=timeout_ms,
            polling=250,
        )
    except PlaywrightError as exc:
        raise AssertionError(f"Diagramme nach {timeout_ms / 1000:.0f} s nicht gezeichnet") from exc
    if page.evaluate(MAPS_JS):
        wait_for_map(page, timeout_ms)


def settle(page: Page) -> None:
    """Run finished and all charts/maps drawn: the page is ready to be looked at."""
    wait_for_run(page)
    wait_for_charts(page)


# -------------------------------------------------------------------------------------------- actions
def choose(page: Page, label: str, option: str, timeout_ms: int = RUN_TIMEOUT_MS) -> None:
    """Pick ``option`` (its visible text) in the Streamlit selectbox labelled ``label``.

    The dropdown is virtualised (only visible options exist in the DOM), so type to filter first,
    then click the option in ``stSelectboxVirtualDropdown``.
    """
    box = page.locator(f'input[role="combobox"][aria-label="{label}"]')
    box.click()
    box.fill(option)
    dropdown = page.locator('[data-testid="stSelectboxVirtualDropdown"]')
    dropdown.get_by_role("option", name=option, exact=True).click(timeout=timeout_ms)
    page.wait_for_function(
        "([label, option]) => { const el = document.querySelector("
        '`input[role="combobox"][aria-label="${label}"]`); return el && el.value === option; }',
        arg=[label, option],
        timeout=timeout_ms,
    )
    wait_for_run(page)


def selected(page: Page, label: str) -> str:
    return str(page.locator(f'input[role="combobox"][aria-label="{label}"]').input_value())


def nav_links(page: Page) -> list[tuple[str, str]]:
    """(label, URL path) of every page in the sidebar navigation, in order."""
    items = page.eval_on_selector_all(
        NAV_LINKS, "links => links.map(a => [a.innerText, new URL(a.href).pathname])"
    )
    # innerText is "<icon ligature>\n\n<label>": the label is the last line.
    return [(str(label).strip().split("\n")[-1].strip(), str(path)) for label, path in items]


def follow_nav(page: Page, index: int, path: str, timeout_ms: int = RUN_TIMEOUT_MS) -> None:
    """Click the ``index``-th navigation link (to URL ``path``) and wait until the page is drawn.

    Faster than loading the URL: the session and the loaded scripts stay.
    """
    page.locator(NAV_LINKS).nth(index).click()
    page.wait_for_url(lambda url: urlsplit(url).path == path, timeout=timeout_ms)
    settle(page)


def slug(text: str) -> str:
    """File-name-safe ASCII form of a German title ("Schule & Ganztag" → "schule-ganztag")."""
    text = text.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    text = text.replace("Ä", "Ae").replace("Ö", "Oe").replace("Ü", "Ue")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "seite"


def screenshot(page: Page, path: Path) -> Path:
    """Full-page PNG. Streamlit scrolls inside ``stMain``, so the viewport is stretched for the shot."""
    path.parent.mkdir(parents=True, exist_ok=True)
    height = page.evaluate(
        """() => Math.max(window.innerHeight,
              ...['stMain', 'stSidebarContent'].map(id => {
                  const el = document.querySelector(`[data-testid="${id}"]`);
                  return el ? el.scrollHeight : 0; }))"""
    )
    original = page.viewport_size or VIEWPORT
    tall = height > original["height"]
    if tall:
        page.set_viewport_size({"width": original["width"], "height": int(height)})
        page.wait_for_timeout(400)
        if page.evaluate(MAPS_JS):
            wait_for_map(page)
    try:
        page.screenshot(path=str(path), full_page=True)
    finally:
        if tall:
            page.set_viewport_size(original)
    return path


# ------------------------------------------------------------------------------------------------ CLI
def capture(base_url: str, out: Path, paths: list[str] | None = None) -> tuple[list[Path], list[str]]:
    """Visit ``paths`` (default: every navigation page) and write one PNG per page into ``out``.

    Returns the files written and the page guard's problems (foreign requests, JS errors).
    """
    written: list[Path] = []
    with sync_playwright() as pw:
        browser = launch_browser(pw)
        try:
            context, page, guard = new_guarded_page(browser)
            if paths:  # URLs, possibly with parameters: load each one
                for path in paths:
                    open_app(page, base_url, path=path if path.startswith("/") else "/" + path)
                    settle(page)
                    name = slug(path.split("?")[0].strip("/") or "start")
                    written.append(screenshot(page, out / f"{name}.png"))
                    print(f"{path:<24} → {written[-1]}")
            else:  # every navigation page, clicked through in one session
                open_app(page, base_url)
                for i, (label, path) in enumerate(nav_links(page)):
                    follow_nav(page, i, path)
                    written.append(screenshot(page, out / f"{i + 1:02d}_{slug(label)}.png"))
                    print(f"{path:<24} → {written[-1]}")
            context.close()
        finally:
            browser.close()
    return written, guard.problems()


def _missing_sqlite_file(db_url: str) -> Path | None:
    """The file of a ``sqlite:///`` URL if it does not exist (the app would create an empty one)."""
    prefix = "sqlite:///"
    if not db_url.startswith(prefix) or db_url in (prefix, prefix + ":memory:"):
        return None
    path = Path(db_url[len(prefix) :].split("?")[0])
    return None if path.exists() else path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python scripts/screenshots.py",
        description="Bildschirmfotos aller Seiten des Planungsatlas (headless Chromium).",
    )
    parser.add_argument("--db", metavar="URL", help="Datenbank-URL (Standard: wie python -m planning)")
    parser.add_argument(
        "--out",
        type=Path,
        metavar="ORDNER",
        default=PROJECT_ROOT / "tests" / "artifacts" / "screens",
        help="Zielordner der PNG-Dateien (Standard: tests/artifacts/screens)",
    )
    parser.add_argument(
        "--pages",
        nargs="+",
        metavar="PFAD",
        help="URL-Pfade, auch mit Parametern, z. B. / /kita '/?kennzahl=kinderarmut' (Standard: alle Seiten)",
    )
    args = parser.parse_args(argv)
    reason = chromium_missing_reason()
    if reason:
        print(f"Fehler: {reason}", file=sys.stderr)
        return 1
    if str(PROJECT_ROOT) not in sys.path:
        sys.path.insert(0, str(PROJECT_ROOT))
    from planning.config import resolve_db_url

    db_url = resolve_db_url(args.db)
    missing = _missing_sqlite_file(db_url)
    if missing:
        print(
            f"Fehler: Datenbank {missing} gibt es nicht. Erst 'python -m planning demo' (make demo) "
            "ausführen oder mit --db eine vorhandene Datenbank angeben.",
            file=sys.stderr,
        )
        return 1
    out: Path = args.out.resolve()
    try:
        with running_server(db_url, out / "server.log") as server:
            written, problems = capture(server.base_url, out, args.pages)
            log = server.log()
    except RuntimeError as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return 1
    if TRACEBACK in log:
        problems.append(f"Python-Fehler im Serverprotokoll {out / 'server.log'}")
    for problem in problems:
        print(f"Warnung: {problem}", file=sys.stderr)
    print(f"{len(written)} Bildschirmfotos in {out}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
