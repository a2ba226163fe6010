"""A deep link as the very first request of a fresh server (issue 21: no private Streamlit patch).

With a ``pages/`` folder Streamlit runs a first request for ``/kita`` as the page file alone until
``st.navigation`` has run once in the process. ``ui.frame.context()`` then declares the app's pages
with ``st.navigation`` (public API) and reruns: the link must open through ``app.py`` with the
frame's sidebar, the page itself and the year from the link.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from scripts.screenshots import AppServer, open_app, start_server

from .conftest import ARTIFACTS, shot


@pytest.fixture(scope="module")
def fresh_server(demo_template, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    url = demo_template.copy(tmp_path_factory.mktemp("e2e-deeplink"))
    server = start_server(url, ARTIFACTS / "streamlit-server-deeplink.log")
    yield server
    server.stop()


def test_a_deep_link_as_first_request_opens_through_the_frame(page: Page, fresh_server: AppServer) -> None:
    page.set_viewport_size({"width": 1920, "height": 1080})
    # nothing has been served by this process yet: this is its first script run
    open_app(page, fresh_server.base_url, query="jahr=2023", path="/kita", timeout_ms=420_000)
    shot(page, "deeplink-kita.png")
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav.get_by_role("link", name="Lagebild")).to_be_visible()  # the frame's navigation
    expect(nav.get_by_role("link", name="Kita-Versorgung")).to_be_visible()
    expect(page.locator('input[role="combobox"][aria-label="Jahr"]')).to_have_value("2023")
    assert "/kita" in page.url and "jahr=2023" in page.url
    # no file names as navigation (the legacy mode's list of pages/*.py)
    expect(nav.get_by_role("link", name="kita", exact=True)).to_have_count(0)
