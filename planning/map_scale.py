"""Colour ranges for maps that an outlier cannot wash out, in the app and on paper.

One Planungsraum at 3.290 % stretched Berlin's scale to 0–3.300 %, so the whole city was one
colour. The range runs from the 2nd to the 98th percentile; values beyond take the end colour and
the colour bar says so ("≥ 190 %"). Balances (places minus demand) get a range symmetric about 0,
so white means "balanced", red "places missing" and blue "surplus".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: Percentiles of the colour range (values outside are drawn in the end colour and named so).
LOW_PERCENTILE, HIGH_PERCENTILE = 2.0, 98.0
#: A tail reaching at most this share of the range beyond a percentile is no outlier: kept in full.
REACH = 0.25


@dataclass(frozen=True)
class ColourRange:
    """``low``–``high`` of a colour scale; ``clipped_low``/``clipped_high``: values lie beyond."""

    low: float
    high: float
    clipped_low: bool = False
    clipped_high: bool = False


def robust_range(
    values: Sequence[float] | np.ndarray,
    *,
    symmetric: bool = False,
    low_pct: float = LOW_PERCENTILE,
    high_pct: float = HIGH_PERCENTILE,
) -> ColourRange | None:
    """The colour range of ``values`` (NaN ignored), None without a finite value.

    ``symmetric``: ±(the ``high_pct`` percentile of the absolute values), for balances centred at 0.
    An end is clipped only where the values beyond reach further than :data:`REACH` of the range:
    a scale never hides a tail that is no outlier.
    Small sets (fewer than 1 / (1 − high_pct/100) values, i.e. 50) clip nothing at the top: the
    percentile of 30 values is the highest value anyway.
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return None
    if symmetric:
        a = np.abs(v)
        top = float(np.percentile(a, high_pct, method="higher"))
        if top == 0 or a.max() <= top * (1 + REACH):
            top = float(a.max()) or 1.0
        return ColourRange(-top, top, bool((v < -top).any()), bool((v > top).any()))
    lo = float(np.percentile(v, low_pct, method="lower"))
    hi = float(np.percentile(v, high_pct, method="higher"))
    if hi <= lo:
        lo, hi = float(v.min()), float(v.max())
    # A tail that is no outlier (within REACH of the range) is drawn, not clipped.
    if v.max() - hi <= REACH * (hi - lo):
        hi = float(v.max())
    if lo - v.min() <= REACH * (hi - lo):
        lo = float(v.min())
    if hi <= lo:
        hi = lo + 1.0
    return ColourRange(lo, hi, bool((v < lo).any()), bool((v > hi).any()))


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About ``count`` round tick values inside ``low``–``high`` (both ends included)."""
    span = high - low
    if span <= 0:
        return [low]
    raw = span / max(count - 1, 1)
    magnitude = 10 ** np.floor(np.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = np.ceil(low / step) * step
    inner = [round(float(t), 9) for t in np.arange(first, high + step * 1e-9, step) if low < t < high]
    return [low, *[t for t in inner if abs(t - low) > step / 3 and abs(high - t) > step / 3], high]
