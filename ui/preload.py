"""Start loading the browser's chart library with the page's first message, not its first chart.

Streamlit's frontend fetches plotly.js (one 4.7 MB module, MapLibre included) only when a chart
element arrives and compiles it while it lays out the rest of the page. Measured on Berlin
(``bench/timeline.py``): the Kita page asked for the module 2.6 s after navigation and drew its
first chart at 6.5 s; the floor page (one map, nothing else) drew at 3.8 s. :func:`chart_library`
asks the browser to import that same module (same URL, so the frontend's own import later finds
it loaded) as the first thing a page's run sends, before the sidebar prepares the data.

It helps when the run waits for data (the first visitor of a freshly started server: Kita and
Lagebild about 1–1.8 s sooner); on a warm server the whole run takes 0.2 s and the frontend renders
its messages in one batch, so the import starts no earlier than the chart's own. Naming the module
in the HTML page (``<link rel="modulepreload">``) made warm pages slower: compiling 4.7 MB beside
the frontend's own bundle delays everything else.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import streamlit as st

from planning import pages

try:  # Streamlit's event container (private; pinned Streamlit): renders nothing into the layout
    from streamlit.delta_generator_singletons import get_dg_singleton_instance
except ImportError:  # another Streamlit build: the charts load as always
    get_dg_singleton_instance = None  # type: ignore[assignment]

_JS_DIR = Path(st.__file__).parent / "static" / "static" / "js"


@cache
def _chunk() -> str | None:
    """File name of the frontend's plotly chunk (``PlotlyChart.<hash>.js``), if there is one."""
    found = sorted(p.name for p in _JS_DIR.glob("PlotlyChart.*.js"))
    return found[0] if len(found) == 1 else None


@cache
def _script(chunk: str) -> str:
    # Resolved against the frontend's own entry module, as its lazy import is (any base path).
    return (
        "<script>(() => {"
        " if (window.__planungsatlasCharts) return; window.__planungsatlasCharts = true;"
        ' const entry = document.querySelector(\'script[type="module"][src*="/static/js/index."]\');'
        f" if (entry) import(new URL('./{chunk}', entry.src).href).catch(() => {{}});"
        " })();</script>"
    )


def chart_library(page: str) -> None:
    """On a page with charts, have the browser load the chart module now (once per browser tab;
    nothing shown)."""
    chunk = _chunk()
    known = pages.BY_SLUG.get(page)
    if chunk is None or get_dg_singleton_instance is None or known is None or not known.charts:
        return  # (another Streamlit build: loaded as always)
    # The event container renders nothing into the page's layout (as a style-only st.html does).
    get_dg_singleton_instance().event_dg.html(_script(chunk), unsafe_allow_javascript=True)
