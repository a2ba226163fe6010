"""The sign-in cookie in a real browser: set by the server, out of reach of page scripts.

A server as a shared installation runs it (``serve.py``, listening on every interface, a real
secret): after the password the page exchanges a one-time ticket at the server's route for the
cookie. The browser holds it HttpOnly and SameSite=Strict, ``document.cookie`` does not show it, a
reload stays signed in (Streamlit reads it from the websocket handshake), "Abmelden" deletes it,
and a copy taken before "Abmelden" signs nobody in.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from planning.db import make_engine, migrate
from planning.demo.accounts import DEMO_PASSWORD, add_demo_accounts
from planning.signin import COOKIE
from scripts.screenshots import TRACEBACK, AppServer, open_app, start_server, wait_for_run
from tests.conftest import build_tiny
from tests.e2e.conftest import ARTIFACTS, shot

SIDEBAR = '[data-testid="stSidebar"]'
PLANNER = "S. Becker, Jugendamt (Demo)"


@pytest.fixture
def served(tmp_path) -> Iterator[AppServer]:
    url = f"sqlite:///{tmp_path / 'konten.db'}"
    engine = make_engine(url)
    migrate(engine)
    build_tiny(engine)
    add_demo_accounts(engine)
    engine.dispose()
    server = start_server(
        url,
        ARTIFACTS / "anmelde-cookie.log",
        address="0.0.0.0",  # reachable from the network: a real secret and serve.py's routes needed
        script="serve.py",
        env={"PLANUNGSATLAS_SESSION_SECRET": secrets.token_urlsafe(48)},
    )
    yield server
    server.stop()
    assert TRACEBACK not in server.log(), f"Traceback in {server.log_path}"


def _sign_in_cookies(context: BrowserContext) -> list[dict]:
    return [c for c in context.cookies() if c["name"] == COOKIE and c["value"]]


def _wait_for_cookie(context: BrowserContext, present: bool, timeout_s: float = 30) -> list[dict]:
    """The page asks the server for the cookie right after the run: wait for its answer."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = _sign_in_cookies(context)
        if bool(found) is present:
            return found
        time.sleep(0.2)
    raise AssertionError(f"Anmelde-Cookie nach {timeout_s:.0f} s {'nicht gesetzt' if present else 'noch da'}")


def _expect_sign_in_form(page: Page) -> None:
    expect(page.get_by_role("button", name="Anmelden")).to_be_visible()
    expect(page.get_by_text("Angemeldet:")).to_have_count(0)  # the sidebar's "Angemeldet: …"


def test_the_sign_in_cookie_is_httponly_strict_and_ends_with_sign_out(served: AppServer, page: Page):
    context = page.context
    open_app(page, served.base_url)
    assert not _sign_in_cookies(context)
    page.get_by_label("Benutzername").fill("jugendamt")
    page.get_by_label("Passwort").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    wait_for_run(page)
    expect(page.locator("h1").first).to_have_text("Lagebild")

    (cookie,) = _wait_for_cookie(context, present=True)
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"
    assert cookie["path"] == "/"
    assert cookie["secure"] is False  # plain HTTP here; behind nginx over HTTPS: Secure
    assert 7.9 * 3600 < cookie["expires"] - time.time() <= 8 * 3600
    assert COOKIE not in page.evaluate("document.cookie")  # no page script can read it
    assert COOKIE not in page.content()  # nor find the ticket's answer in the page

    page.reload()  # Streamlit reads the HttpOnly cookie from the websocket handshake
    wait_for_run(page, after_action=False)
    expect(page.locator("h1").first).to_have_text("Lagebild")
    expect(page.locator(SIDEBAR)).to_contain_text(PLANNER)
    shot(page, "anmelde_cookie_angemeldet.png")

    copied = _sign_in_cookies(context)
    page.get_by_role("button", name="Abmelden").click()
    wait_for_run(page)
    _expect_sign_in_form(page)
    _wait_for_cookie(context, present=False)  # the server's answer deleted it
    page.reload()
    wait_for_run(page, after_action=False)
    _expect_sign_in_form(page)

    context.add_cookies(copied)  # a copy taken before "Abmelden" no longer signs in
    page.reload()
    wait_for_run(page, after_action=False)
    _expect_sign_in_form(page)
    shot(page, "anmelde_cookie_abgemeldet.png")
