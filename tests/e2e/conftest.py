"""End-to-end fixtures: the demo city in a SQLite file, one Streamlit server, headless Chromium.

Everything in this folder is marked ``e2e`` (``make e2e`` runs only these). One database and one
server per test session (two cores); a fresh browser context per test. A test fails when the page
asks any non-local host for anything, throws a JavaScript exception, or the server logs a Python
traceback while it runs. Server log and screenshots: ``tests/artifacts/e2e/``.

The server and browser helpers live in ``scripts/screenshots.py`` (the screenshot CLI uses them too).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from scripts.screenshots import (
    ACTION_TIMEOUT_MS,
    PROJECT_ROOT,
    TRACEBACK,
    AppServer,
    PageGuard,
    chromium_missing_reason,
    launch_browser,
    new_guarded_page,
    open_app,
    screenshot,
    start_server,
    wait_for_map,
)

__all__ = ["SHOTS", "open_app", "shot", "wait_for_map"]  # what the test modules import from here

HERE = Path(__file__).resolve().parent
expect.set_options(timeout=ACTION_TIMEOUT_MS)  # a busy CI machine: see scripts/screenshots.py
ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts" / "e2e"
SHOTS = ARTIFACTS
SERVER_LOG = ARTIFACTS / "streamlit-server.log"


@pytest.hookimpl(tryfirst=True)  # before -m selects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # This hook sees every collected item of the session: mark only the ones in this folder.
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call":
        item.stash[_FAILED] = report.failed
    return report


@pytest.fixture(scope="session", autouse=True)
def _chromium() -> None:
    reason = chromium_missing_reason()
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (in CI sind die Browser-Tests Pflicht)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def e2e_db_url(demo_template, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A copy of the demo city (the session's build, see tests/conftest.py) for the shared server."""
    return demo_template.copy(tmp_path_factory.mktemp("e2e-db"))


@pytest.fixture(scope="session")
def app_server(e2e_db_url: str) -> Iterator[AppServer]:
    try:
        # PLANUNGSATLAS_E2E_PORT: a given port (engineers sharing a machine keep to their ranges)
        server = start_server(
            e2e_db_url, SERVER_LOG, port=int(os.environ.get("PLANUNGSATLAS_E2E_PORT", "0")) or None
        )
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.stop()


#: A fresh server's first run loads and computes the whole demo city; on a busy two-core CI machine
#: (the other test worker beside it) that may take minutes. Paid once, here, not by the first test.
WARM_UP_MS = 420_000


@pytest.fixture(scope="session")
def base_url(app_server: AppServer, browser: Browser) -> str:
    """The shared server's URL, after one full Lagebild (first run, first map) has been served."""
    context, page, guard = new_guarded_page(browser)
    try:
        open_app(page, app_server.base_url, timeout_ms=WARM_UP_MS)
        wait_for_map(page, timeout_ms=WARM_UP_MS)
    finally:
        context.close()
    problems = guard.problems()
    if problems:
        pytest.fail("Erster Aufruf der App: " + "\n".join(problems), pytrace=False)
    return app_server.base_url


@pytest.fixture(autouse=True)
def _server_log_clean(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail the test when the server logged a Python traceback (or died) while it ran."""
    if "app_server" not in request.fixturenames:
        yield
        return
    server: AppServer = request.getfixturevalue("app_server")
    start = len(server.log())
    yield
    new = server.log()[start:]
    if TRACEBACK in new:
        pytest.fail(
            f"Python-Traceback im Serverprotokoll ({server.log_path}):\n{new[new.index(TRACEBACK) :]}",
            pytrace=False,
        )
    if server.proc.poll() is not None:
        pytest.fail(f"Streamlit-Server beendet (Exit-Code {server.proc.returncode}):\n{new}", pytrace=False)


@pytest.fixture(scope="session")
def browser(_chromium: None) -> Iterator[Browser]:
    with sync_playwright() as pw:
        b = launch_browser(pw)
        yield b
        b.close()


@pytest.fixture
def page_factory(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Callable[[], Page]]:
    """Opens fresh pages (own context = own Streamlit session); checks each one's guard at the end."""
    opened: list[tuple[BrowserContext, Page, PageGuard]] = []

    def new_page() -> Page:
        context, page, guard = new_guarded_page(browser)
        opened.append((context, page, guard))
        return page

    yield new_page
    failed = request.node.stash.get(_FAILED, False)
    problems: list[str] = []
    for i, (context, page, guard) in enumerate(opened):
        if failed:
            try:  # plain and quick: the page may be broken or gone
                page.screenshot(path=str(ARTIFACTS / f"FEHLER_{request.node.name}_{i}.png"), timeout=10_000)
            except PlaywrightError as exc:
                print(f"Kein Fehlerbild: {exc}", file=sys.stderr)
        context.close()
        problems += guard.problems()
    assert not problems, "\n".join(dict.fromkeys(problems))


@pytest.fixture
def page(page_factory: Callable[[], Page]) -> Page:
    return page_factory()


def shot(page: Page, name: str) -> Path:
    """Full-page screenshot ``tests/artifacts/e2e/<name>``."""
    return screenshot(page, SHOTS / name)
