"""Text from data never becomes markup in a plotly figure.

Plotly renders a subset of HTML in trace names (legends), hover texts, text labels, category axis
ticks and titles: an area, Kita or scenario named ``<a href="http://x">Hier</a>`` would become an
external link in a legend, ``<b>`` would restyle a label. Names from imports and users are escaped
(``&lt;``, ``&gt;``, ``&amp;``: plotly shows them as the characters) where they enter a figure:
:func:`escape` for text placed into a template or title by code, :func:`escape_figure` for every
data field of every trace. Templates (``hovertemplate``) are code and keep their markup.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

#: An ampersand that does not already start an entity: escaping stays idempotent (a figure may be
#: escaped by its builder and again before the export).
_BARE_AMP = re.compile(r"&(?!(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)")
#: Trace fields that carry data (names, labels, categories), never markup written by code.
TRACE_FIELDS = (
    "name",
    "text",
    "hovertext",
    "customdata",
    "x",
    "y",
    "labels",
    "parents",
    "ids",
    "legendgroup",
)


def escape(text: object) -> str:
    """``text`` as plotly shows it literally: ``<`` ``>`` ``&`` as entities."""
    value = _BARE_AMP.sub("&amp;", str(text))
    return value.replace("<", "&lt;").replace(">", "&gt;")


def _escaped(value: Any) -> Any:
    if isinstance(value, str):
        return escape(value) if any(ch in value for ch in "<>&") else value
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "OUS":
            out = np.empty(value.shape, dtype=object)
            for index, item in np.ndenumerate(value):
                out[index] = _escaped(item)
            return out
        return value
    if isinstance(value, list | tuple):
        return type(value)(_escaped(v) for v in value)
    return value


def escape_figure(fig: Any) -> Any:
    """Escape the data fields (:data:`TRACE_FIELDS`) and legend group titles of every trace, in
    place; returns ``fig``. Numbers, dates and templates are left as they are."""
    for trace in fig.data:
        for field in TRACE_FIELDS:
            value = getattr(trace, field, None)
            if isinstance(value, str | np.ndarray | list | tuple):
                trace[field] = _escaped(value)
        group_title = getattr(trace, "legendgrouptitle", None)
        if group_title is not None and group_title.text:
            group_title.text = escape(group_title.text)
    return fig
