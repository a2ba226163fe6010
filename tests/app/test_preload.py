"""The chart module is asked for with a page's first message on pages with charts (ui/preload.py)."""

from __future__ import annotations

import re
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.conftest import APPTEST_TIMEOUT_S

APP = str(Path(__file__).resolve().parents[2] / "app.py")
JS_DIR = Path(st.__file__).parent / "static" / "static" / "js"


def _imports(at: AppTest) -> list[str]:
    """Module files the run's invisible (event container) HTML imports."""
    assert not at.exception, [e.value for e in at.exception]
    event = next(b for b in at._tree.children.values() if getattr(b, "type", None) == "event")
    bodies = [node.proto.body for node in event.children.values() if getattr(node, "type", None) == "html"]
    return [m for body in bodies for m in re.findall(r"new URL\('\./([^']+)'", body)]


def test_start_page_imports_the_frontends_plotly_module(tiny_url):
    at = AppTest.from_file(APP, default_timeout=APPTEST_TIMEOUT_S)
    at.run()
    found = _imports(at)
    assert len(found) == 1, found
    assert found[0].startswith("PlotlyChart.") and (JS_DIR / found[0]).is_file(), found


def _page(slug: str) -> None:
    from ui import preload

    preload.chart_library(slug)


def test_only_pages_with_charts_import_it():
    for slug, expected in (("kita", 1), ("stadtteilprofil", 1), ("import", 0), ("protokoll", 0)):
        at = AppTest.from_function(_page, args=(slug,), default_timeout=APPTEST_TIMEOUT_S)
        at.run()
        assert len(_imports(at)) == expected, slug
