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

import hashlib
import pickle
from collections.abc import Callable
from dataclasses import fields
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from planning import charts
from planning.indicators import Indicator
from ui import state

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
        "pyramid_figure",
        "district_map",
    )
}


def shared(builder: Callable[..., go.Figure]) -> Callable[..., go.Figure]:
    """Decorator: ``builder`` (pure, returns a new figure) may be passed to :func:`figure`."""
    _BUILDERS[f"{builder.__module__}.{builder.__qualname__}"] = builder
    return builder


#: Frames up to this many rows are keyed by their pickle, larger ones by pandas' row hashes (faster
#: from a few thousand rows on).
PICKLE_ROWS = 5000


def _indicator_key(indicator: Indicator) -> tuple[Any, ...]:
    """An indicator by its definition; ``compute`` (a function) does not change how it is drawn."""
    return tuple(getattr(indicator, f.name) for f in fields(indicator) if f.name != "compute")


def _feed(h: Any, value: Any) -> None:
    """Feed ``value`` into the hash ``h`` by content; a type it does not know is refused."""
    if isinstance(value, pd.DataFrame | pd.Series):
        frame = value.to_frame() if isinstance(value, pd.Series) else value
        h.update(repr((type(value).__name__, list(frame.columns), [str(t) for t in frame.dtypes])).encode())
        if len(frame) <= PICKLE_ROWS:
            # Its pickle holds index, columns, dtypes and values: equal bytes only for equal content
            # (equal content may pickle differently: a new figure, never a stale one). A seventh of
            # the time of pandas' row hashing for a small frame (0.08 against 0.6 ms).
            h.update(pickle.dumps(value, protocol=5))
        else:
            h.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    elif isinstance(value, Indicator):
        _feed(h, ("Indicator", *_indicator_key(value)))
    elif isinstance(value, dict):
        h.update(b"{")
        for k, v in value.items():
            _feed(h, k)
            _feed(h, v)
        h.update(b"}")
    elif isinstance(value, list | tuple):
        h.update(b"(" if isinstance(value, tuple) else b"[")
        for v in value:
            _feed(h, v)
        h.update(b")")
    elif value is None or isinstance(value, str | int | float | bool | np.generic):
        h.update(f"{type(value).__name__}:{value!r};".encode())
    else:
        raise TypeError(f"Diagrammargument ohne Inhaltsschlüssel: {type(value).__name__}")


def content_key(*parts: Any) -> str:
    """A digest of the arguments by content: DataFrames and Series by index, columns, dtypes and
    values; indicators by their definition; containers element by element."""
    h = hashlib.blake2b(digest_size=20)
    _feed(h, parts)
    return h.hexdigest()


class SharedFigure(go.Figure):
    """A cached figure whose dict is made once.

    ``st.plotly_chart`` serialises a figure through ``to_dict()``, a deep copy of every trace (a
    fifth of the Kita page's rerun for a map that had not changed); a shared figure is never
    changed, so its dict is kept. The dict is shared too: read it, never change it.
    """

    _shared_dict: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        if self._shared_dict is None:
            self._shared_dict = super().to_dict()
        return self._shared_dict


@st.cache_resource(max_entries=256, show_spinner=False)
def _build(
    key: str, builder: str, _args: tuple[Any, ...], _kwargs: dict[str, Any], _layout: dict[str, Any]
) -> go.Figure:
    # Keyed on the content digest only: Streamlit's own argument hashing cost more than a build.
    fig = _BUILDERS[builder](*_args, **_kwargs)
    if _layout:
        fig.update_layout(**_layout)
    fig.__class__ = SharedFigure  # the same figure, its dict now kept (no copy of the traces)
    return fig


def figure(
    builder: str | Callable[..., go.Figure], *args: Any, layout: dict[str, Any] | None = None, **kwargs: Any
) -> go.Figure:
    """``builder(*args, **kwargs)`` with ``layout`` applied, built once per content.

    ``builder`` is the name of a chart in ``planning/charts/`` or a function marked :func:`shared`.
    Read-only: the same object goes to every session that asks for the same figure.
    """
    name = builder if isinstance(builder, str) else f"{builder.__module__}.{builder.__qualname__}"
    if name not in _BUILDERS:
        raise ValueError(f"{name} ist nicht als geteiltes Diagramm angemeldet (ui.figures.shared)")
    layout = layout or {}
    if state.get(state.MEETING):
        layout = {
            **layout,
            **{
                k: {**layout[k], **v} if isinstance(layout.get(k), dict) else v
                for k, v in ROOM_LAYOUT.items()
            },
        }
    return _build(content_key(name, args, kwargs, layout), name, args, kwargs, layout)


#: Chart text for a projector read from five metres (meeting mode): at least 20 px, dark ink.
ROOM_LAYOUT: dict[str, Any] = {
    "font": {"size": 20, "color": "#111111"},
    "legend": {"font": {"size": 20, "color": "#111111"}},
    "hoverlabel": {"font": {"size": 20}},
    "xaxis": {"tickfont": {"size": 20, "color": "#111111"}},
    "yaxis": {"tickfont": {"size": 20, "color": "#111111"}},
}
