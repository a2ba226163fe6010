"""Styled tables shared by all sessions: formatted once per content, then only sent.

``st.dataframe(styler)`` has pandas render the whole Styler on every rerun (``Styler._compute``
and ``_translate``: every cell through its format function). On the Kita page and the
Quervergleich that was a third of a rerun, for a table that had not changed. :func:`styled`
builds the Styler once per *content* (the arguments hashed by value, as :mod:`ui.figures` does for
figures), renders it at once and keeps the rendering, so a rerun hands Streamlit a table whose
display values are already there. New data, another year or another selection give another table.

The Styler is shared: it must not be changed after it comes back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st
from pandas.io.formats.style import Styler

from ui.figures import content_key

S = TypeVar("S", Styler, Styler | None)


def rendered(styler: Styler) -> Styler:
    """``styler`` with its rendering done now and kept: later renderings return the kept one.

    Streamlit renders a Styler through pandas' ``_compute`` and ``_translate(False, False)`` (the
    private calls it makes itself); the first becomes a no-op (its cell contexts are kept), the
    second a lookup. Another kind of rendering (``to_html``, say) still translates afresh.
    """
    styler._compute()  # type: ignore[attr-defined]
    translate = styler._translate  # type: ignore[attr-defined]
    kept = translate(False, False)

    def _translate(sparse_index: bool, sparse_columns: bool, *args: Any, **kwargs: Any) -> dict[str, Any]:
        if (sparse_index, sparse_columns, args, kwargs) == (False, False, (), {}):
            return kept
        return translate(sparse_index, sparse_columns, *args, **kwargs)

    styler._compute = lambda: styler  # type: ignore[attr-defined]
    styler._translate = _translate  # type: ignore[attr-defined]
    return styler


@st.cache_resource(max_entries=128, show_spinner=False)
def _build(key: str, _builder: Callable[..., Styler | None], _args: tuple[Any, ...]) -> Styler | None:
    # Keyed on the content digest only (see ui.figures._build).
    styler = _builder(*_args)
    return None if styler is None else rendered(styler)


def styled(builder: Callable[..., S], *args: Any) -> S:
    """``builder(*args)``, a new Styler, built and rendered once per content of ``args`` (None
    stays None: nothing to show).

    ``builder`` must be pure (same arguments, same table); DataFrames, Series, indicators and
    containers of them are compared by value.
    """
    name = f"{builder.__module__}.{builder.__qualname__}"
    return _build(content_key(name, args), builder, args)  # type: ignore[return-value]
