"""A shared installation in a real browser: two app processes on one PostgreSQL/PostGIS, sign-in.

- Two Streamlit processes (``serve.py``) on different ports share one PostgreSQL database (as
  behind the proxy in ``deploy/``). A reader signs in on the first, a Jugendamt planner on the second.
- The reader finds no way to write: no comment form, no import, no meeting or work order forms,
  no downloads; nothing of theirs reaches the database.
- The planner writes a comment in process B; the reader sees it in process A after a rerun.
- A server listening on every interface without users runs read-only.

The cities are the hand-checkable test city (tests/conftest.py) plus the demo accounts, so the
servers start in seconds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from planning.db import make_engine, migrate, session_scope
from planning.demo.accounts import DEMO_PASSWORD, add_demo_accounts
from planning.models import AuditEvent, Comment
from scripts.screenshots import (
    TRACEBACK,
    AppServer,
    follow_nav,
    nav_links,
    open_app,
    start_server,
    wait_for_run,
)
from tests.conftest import build_tiny
from tests.e2e.conftest import ARTIFACTS, shot

COMMENT = "Der Rückgang in Altstadt ist die Schließung einer Kita, nicht weniger Kinder."


@pytest.fixture(scope="module")
def shared_db(pg_cluster) -> Iterator[str]:
    name = pg_cluster.create_database("shared")
    url = pg_cluster.url(name)
    engine = make_engine(url)
    migrate(engine)
    build_tiny(engine)
    add_demo_accounts(engine)
    engine.dispose()
    yield url
    pg_cluster.drop_database(name)


@pytest.fixture(scope="module")
def two_processes(shared_db: str) -> Iterator[tuple[AppServer, AppServer]]:
    servers: list[AppServer] = []
    try:
        for name in ("a", "b"):
            # serve.py, as deploy/systemd starts it: its routes set the HttpOnly sign-in cookie
            servers.append(start_server(shared_db, ARTIFACTS / f"geteilt-{name}.log", script="serve.py"))
        yield servers[0], servers[1]
    finally:
        for server in servers:
            server.stop()
    for server in servers:
        assert TRACEBACK not in server.log(), f"Traceback in {server.log_path}"


def _sign_in(page: Page, base_url: str, username: str) -> None:
    open_app(page, base_url)
    expect(page.get_by_text("Demo-Konten")).to_be_visible()
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    wait_for_run(page)
    expect(page.locator("h1").first).to_have_text("Lagebild")


def _open_comments(page: Page) -> None:
    """Open the comment panel under the map (it opens by itself while a thread is open)."""
    panel = page.locator('[data-testid="stExpander"]').filter(has_text="Kommentare der Fachämter").first
    details = panel.locator("details")
    if details.get_attribute("open") is None:
        panel.locator("summary").click()
    expect(details).to_have_attribute("open", "")


def _go(page: Page, label: str) -> None:
    links = nav_links(page)
    index = next(i for i, (text, _) in enumerate(links) if text == label)
    follow_nav(page, index, links[index][1])


def test_reader_cannot_write_and_sees_what_the_other_process_wrote(
    two_processes: tuple[AppServer, AppServer], shared_db: str, page_factory: Callable[[], Page]
):
    a, b = two_processes
    assert a.port != b.port
    reader, planner = page_factory(), page_factory()

    wrong = reader
    open_app(wrong, a.base_url)
    wrong.get_by_label("Benutzername").fill("lesend")
    wrong.get_by_label("Passwort").fill("falsches-passwort")
    wrong.get_by_role("button", name="Anmelden").click()
    wait_for_run(wrong)
    expect(wrong.get_by_text("Benutzername oder Passwort ist falsch")).to_be_visible()
    shot(wrong, "geteilt_anmeldung.png")

    _sign_in(reader, a.base_url, "lesend")
    expect(reader.locator('[data-testid="stSidebar"]')).to_contain_text("Gast, nur lesen (Demo) (Lesend)")
    _open_comments(reader)
    expect(reader.get_by_text("Nur lesen").first).to_be_visible()
    expect(reader.get_by_role("button", name="Neuer Kommentar")).to_have_count(0)
    expect(reader.get_by_role("button", name="Kommentar speichern")).to_have_count(0)
    expect(reader.get_by_role("button", name="Ansicht speichern")).to_have_count(0)
    expect(reader.locator('[data-testid="stDownloadButton"]')).to_have_count(0)
    shot(reader, "geteilt_lesend_lagebild.png")
    _go(reader, "Import")
    expect(reader.get_by_text("darf nicht Daten importieren")).to_be_visible()
    expect(reader.get_by_role("button", name="Importieren")).to_have_count(0)
    _go(reader, "Sitzung & Beschlüsse")
    expect(reader.get_by_text("Neue Sitzung anlegen")).to_have_count(0)
    _go(reader, "Szenarien")
    reader.get_by_text("Bearbeiten", exact=True).click()
    wait_for_run(reader)
    expect(reader.get_by_text("darf nicht Szenarien, Parameter und Ziele bearbeiten")).to_be_visible()
    expect(reader.get_by_role("button", name="Szenario speichern")).to_have_count(0)

    reader.reload()  # the sign-in outlasts a reload (signed cookie), the reader stays a reader
    wait_for_run(reader, after_action=False)
    expect(reader.locator("h1").first).to_have_text("Szenarien")
    expect(reader.locator('[data-testid="stSidebar"]')).to_contain_text("Gast, nur lesen (Demo) (Lesend)")

    _sign_in(planner, b.base_url, "jugendamt")
    _open_comments(planner)
    planner.get_by_role("button", name="Neuer Kommentar").click()  # the form opens in a popover
    planner.get_by_label("Interpretation").fill(COMMENT)
    expect(planner.get_by_text("Wird gespeichert als: S. Becker, Jugendamt (Demo)").first).to_be_visible()
    planner.get_by_role("button", name="Kommentar speichern").click()
    wait_for_run(planner)
    # the thread shows it, and a toast confirms what was recorded (with the same text)
    expect(planner.get_by_text("Kommentar festgehalten")).to_be_visible()
    expect(planner.get_by_text(COMMENT).first).to_be_visible()
    shot(planner, "geteilt_planung_kommentar.png")

    _go(reader, "Lagebild")  # a rerun in the other process reads the shared database
    _open_comments(reader)
    expect(reader.get_by_text(COMMENT)).to_be_visible()
    shot(reader, "geteilt_lesend_sieht_kommentar.png")

    engine = make_engine(shared_db)
    try:
        with session_scope(engine) as s:
            comment = s.scalars(select(Comment)).one()
            assert (comment.author, comment.department) == ("S. Becker, Jugendamt (Demo)", "Jugendamt")
            actors = set(s.scalars(select(AuditEvent.actor)))
            assert "jugendamt" in actors and "lesend" not in actors
    finally:
        engine.dispose()

    copied = [c for c in planner.context.cookies() if c["name"] == "planungsatlas_anmeldung" and c["value"]]
    assert copied, "kein Anmelde-Cookie"  # kept to replay it after signing out
    planner.get_by_role("button", name="Abmelden").click()
    wait_for_run(planner)
    expect(planner.get_by_role("button", name="Anmelden")).to_be_visible()
    planner.reload()  # signed out stays signed out: the cookie is gone
    wait_for_run(planner, after_action=False)
    expect(planner.get_by_role("button", name="Anmelden")).to_be_visible()
    assert not [c for c in planner.context.cookies() if c["name"] == "planungsatlas_anmeldung" and c["value"]]
    planner.context.add_cookies(copied)  # a copy taken before "Abmelden" no longer signs in
    planner.reload()
    wait_for_run(planner, after_action=False)
    expect(planner.get_by_role("button", name="Anmelden")).to_be_visible()
    _sign_in(planner, b.base_url, "jugendamt")  # at once again: the new generation holds
    planner.reload()
    wait_for_run(planner, after_action=False)
    expect(planner.locator('[data-testid="stSidebar"]')).to_contain_text("S. Becker, Jugendamt (Demo)")


@pytest.fixture
def network_server(tmp_path) -> Iterator[AppServer]:
    url = f"sqlite:///{tmp_path / 'offen.db'}"
    engine = make_engine(url)
    migrate(engine)
    build_tiny(engine)  # no users
    engine.dispose()
    server = start_server(url, ARTIFACTS / "offen.log", address="0.0.0.0")
    yield server
    server.stop()
    assert TRACEBACK not in server.log()


def test_a_server_open_to_the_network_without_users_only_reads(network_server: AppServer, page: Page):
    open_app(page, network_server.base_url)
    expect(page.get_by_text("Nur lesen.").first).to_be_visible()
    _open_comments(page)
    expect(page.get_by_role("button", name="Kommentar speichern")).to_have_count(0)
    assert "NUR LESEND" in network_server.log()
    shot(page, "offen_nur_lesen.png")
