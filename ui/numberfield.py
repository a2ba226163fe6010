"""A number field that speaks German: ``45,5`` shown and typed with a comma.

Streamlit's ``st.number_input`` prints the browser's English decimal point ("45.5") and cannot be
told otherwise, so fields for values with decimals (targets, tolerances, quotas, parameters) are
text fields read by :func:`planning.formatting.parse_typed_number`: an ambiguous entry such as
``1.500`` is refused with a German message instead of being guessed, a point read as a decimal
point is said under the field.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from planning.formatting import TypedNumberError, number, parse_typed_number, typed_number_text


def _short(value: float, decimals: int) -> str:
    """``45,5`` rather than ``45,50``; ``100`` stays ``100``."""
    text = number(value, decimals)
    return text.rstrip("0").rstrip(",") if "," in text else text


def decimal_input(
    label: str,
    value: float,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    decimals: int = 2,
    key: str | None = None,
    help: str | None = None,
    container: Any = st,
) -> float | None:
    """The typed value (rounded to ``decimals``), or None after showing why it cannot be used."""
    text = container.text_input(label, value=typed_number_text(value, decimals), key=key, help=help)
    try:
        typed, note = parse_typed_number(text)
    except TypedNumberError as exc:
        container.error(f"{label}: {exc}", icon=":material/error:")
        return None
    if (minimum is not None and typed < minimum) or (maximum is not None and typed > maximum):
        low = _short(minimum, decimals) if minimum is not None else None
        high = _short(maximum, decimals) if maximum is not None else None
        where = (
            f"zwischen {low} und {high}"
            if low is not None and high is not None
            else f"mindestens {low}"
            if low is not None
            else f"höchstens {high}"
        )
        container.error(
            f"{label}: {_short(typed, decimals)} geht nicht, erlaubt ist {where}.", icon=":material/error:"
        )
        return None
    if note:
        container.caption(note)
    return round(typed, decimals)
