"""Plotly figures shared by all sessions: each built once per content, then reused.

Building a figure from plotly's graph objects validates every property on the way; with twenty
laptops in a workshop that was a third of the server's time (``make bench``, sessions20), spent
building the very same figure again for every session and every rerun. :func:`figure` builds it
once per *content*: every argument is hashed by value (DataFrames and Series by their data, an
indicator by its definition), so new data, another filter or another selection give a new figure
and nothing stale is ever shown.

The figure is shared. It must not be changed after it comes back: layout changes go in through
``layout=`` and become part of the cached figure; ``st.plotly_chart`` only reads it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from planning.indicators import Indicator
from ui import charts

#: Builders that may be cached (pure: same arguments, same figure), by name.
_BUILDERS: dict[str, Callable[..., go.Figure]] = {
    name: getattr(charts, name)
    for name in (
        "choropleth",
        "city_trend",
        "plan_timeline",
        "scenario_lines",
        "ganztag_phase",
        "cohort_chain",
        "backtest_errors",
    )
}


def shared(builder: Callable[..., go.Figure]) -> Callable[..., go.Figure]:
    """Decorator: ``builder`` (pure, returns a new figure) may be passed to :func:`figure`."""
    _BUILDERS[f"{builder.__module__}.{builder.__qualname__}"] = builder
    return builder


def _indicator_key(indicator: Indicator) -> tuple[Any, ...]:
    """An indicator by its definition; ``compute`` (a function) does not change how it is drawn."""
    return tuple(getattr(indicator, f.name) for f in fields(indicator) if f.name != "compute")


@st.cache_resource(max_entries=256, show_spinner=False, hash_funcs={Indicator: _indicator_key})
def _build(builder: str, args: tuple[Any, ...], kwargs: dict[str, Any], layout: dict[str, Any]) -> go.Figure:
    fig = _BUILDERS[builder](*args, **kwargs)
    if layout:
        fig.update_layout(**layout)
    return fig


def figure(
    builder: str | Callable[..., go.Figure], *args: Any, layout: dict[str, Any] | None = None, **kwargs: Any
) -> go.Figure:
    """``builder(*args, **kwargs)`` with ``layout`` applied, built once per content.

    ``builder`` is the name of a chart in ``ui/charts.py`` or a function marked :func:`shared`.
    Read-only: the same object goes to every session that asks for the same figure.
    """
    name = builder if isinstance(builder, str) else f"{builder.__module__}.{builder.__qualname__}"
    if name not in _BUILDERS:
        raise ValueError(f"{name} ist nicht als geteiltes Diagramm angemeldet (ui.figures.shared)")
    return _build(name, args, kwargs, layout or {})
