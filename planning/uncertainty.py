"""Forecast ranges from the forecast's own past errors (empirical prediction intervals).

The backtest (:mod:`planning.backtest`) gives, for every base year, horizon, age band and area, the
relative error ``e = (forecast − observed) / observed``. The range of a new forecast ``F`` is the
central :data:`NOMINAL` share of those past errors for the same band, horizon and area size:
``observed ∈ [F / (1 + q_hi), F / (1 + q_lo)]`` with ``q_lo``, ``q_hi`` the 10 % and 90 % quantiles
of ``e`` (Wilson, Grossman & Temple on small-area forecast intervals: no distribution is assumed,
errors of small areas are wider, errors grow with the horizon).

Where the past offers too few errors (fewer than :data:`MIN_PAIRS`) the size classes of that band and
horizon are pooled; beyond the longest horizon with enough errors, the quantiles grow in proportion
to the horizon (``q(h) = q(h') · h / h'``). A figure on ages that were never observed as such (e.g.
0–2 where only 0–5 is counted) takes the smallest observed band that contains it.

The intervals' coverage is checked on held-out base years (:func:`holdout_coverage`): the quantiles
for one base year come from the errors of all other base years only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

MAX_AGE = 17

#: Share of outcomes a range should hold.
NOMINAL = 0.8
Q_LO, Q_HI = (1 - NOMINAL) / 2, 1 - (1 - NOMINAL) / 2

#: Fewest past errors a quantile rests on (else size classes are pooled, then horizons scaled): a
#: 10 % quantile needs at least ten values to have one beyond it.
MIN_PAIRS = 10

#: Size classes by children 0–17 in the area (upper bounds inclusive).
SIZE_CLASSES: tuple[tuple[float, str], ...] = (
    (100, "bis 100"),
    (500, "101–500"),
    (2000, "501–2.000"),
    (20000, "2.001–20.000"),
    (np.inf, "über 20.000"),
)
ALL_SIZES = "alle"
LONGEST = 30


def band_label(lo: int, hi: int) -> str:
    return f"{lo}" if lo == hi else f"{lo}–{hi}"


def size_class(children: Iterable[float] | np.ndarray | pd.Series) -> np.ndarray:
    """The size-class label of each count of children 0–17 (NaN → "keine Daten")."""
    values = np.asarray(children, dtype=float)
    out = np.full(values.shape, "keine Daten", dtype=object)
    lower = -np.inf
    for upper, label in SIZE_CLASSES:
        out[(values > lower) & (values <= upper)] = label
        lower = upper
    return out


@dataclass(frozen=True)
class ErrorModel:
    """Quantiles of past relative errors per band, size class and horizon 1…:data:`LONGEST`."""

    #: (lo, hi) → size class (or :data:`ALL_SIZES`) → array [horizon 1..LONGEST, 2] of (q_lo, q_hi)
    curves: dict[tuple[int, int], dict[str, np.ndarray]] = field(default_factory=dict)
    #: what the ranges rest on, in words
    source: str = ""

    @property
    def empty(self) -> bool:
        return not self.curves

    def band_for(self, lo: int, hi: int) -> tuple[int, int] | None:
        """The evaluated band whose errors stand for ages ``lo…hi``."""
        if (lo, hi) in self.curves:
            return (lo, hi)
        containing = [b for b in self.curves if b[0] <= lo and hi <= b[1]]
        if containing:
            return min(containing, key=lambda b: b[1] - b[0])
        overlap = [(min(hi, b[1]) - max(lo, b[0]), b) for b in self.curves if min(hi, b[1]) >= max(lo, b[0])]
        return max(overlap)[1] if overlap else None

    def quantiles(
        self, lo: int, hi: int, horizon: np.ndarray, size: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """``q_lo, q_hi`` per element of ``horizon`` (years ahead, ≥ 1) and ``size`` (children 0–17);
        NaN where there is nothing to go by (horizon < 1, unknown band)."""
        horizon = np.asarray(horizon, dtype=float)
        q_lo = np.full(horizon.shape, np.nan)
        q_hi = np.full(horizon.shape, np.nan)
        band = self.band_for(lo, hi)
        if band is None:
            return q_lo, q_hi
        curves = self.curves[band]
        classes = size_class(np.asarray(size, dtype=float))
        h = np.clip(horizon, 1, LONGEST).astype(int) - 1
        ok = horizon >= 1
        for label in np.unique(classes[ok]):
            curve = curves.get(label, curves[ALL_SIZES])
            sel = ok & (classes == label)
            q_lo[sel] = curve[h[sel], 0]
            q_hi[sel] = curve[h[sel], 1]
        return q_lo, q_hi

    def interval(
        self, value: np.ndarray, lo: int, hi: int, horizon: np.ndarray, size: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Low and high end of the range around the forecast ``value`` (NaN without a range)."""
        q_lo, q_hi = self.quantiles(lo, hi, horizon, size)
        v = np.asarray(value, dtype=float)
        low = v / (1 + np.maximum(q_hi, -0.95))
        high = v / (1 + np.maximum(q_lo, -0.95))
        # Where all past errors had one sign the range would lie beside the forecast; it is widened
        # to hold the forecast itself, so the figure shown is always inside its range.
        return np.fmin(low, v), np.fmax(high, v)


def _curve(known: dict[int, tuple[float, float]]) -> np.ndarray | None:
    """Quantiles over horizons 1..LONGEST from the horizons with enough errors (scaled beyond)."""
    if not known:
        return None
    out = np.empty((LONGEST, 2))
    hs = sorted(known)
    for h in range(1, LONGEST + 1):
        if h in known:
            out[h - 1] = known[h]
            continue
        below = [k for k in hs if k < h]
        ref = below[-1] if below else hs[0]
        out[h - 1] = np.asarray(known[ref]) * h / ref
    # A range never narrows further ahead: what was possible in three years is possible in four.
    out[:, 0] = np.minimum.accumulate(np.minimum(out[:, 0], 0.0))
    out[:, 1] = np.maximum.accumulate(np.maximum(out[:, 1], 0.0))
    return out


def _quantile_table(e: pd.DataFrame, keys: list[str]) -> dict[tuple, dict[int, tuple[float, float]]]:
    """(keys…) → horizon → (q_lo, q_hi), for groups with at least :data:`MIN_PAIRS` errors."""
    grouped = e.groupby([*keys, "horizon"], sort=False)["rel"]
    counts = grouped.size()
    q = grouped.quantile([Q_LO, Q_HI]).unstack()
    q = q[counts.reindex(q.index) >= MIN_PAIRS]
    out: dict[tuple, dict[int, tuple[float, float]]] = {}
    for idx, row in zip(q.index, q.to_numpy(), strict=True):
        *key, h = idx
        out.setdefault(tuple(key), {})[int(h)] = (float(row[0]), float(row[1]))
    return out


def error_model(errors: pd.DataFrame) -> ErrorModel:
    """The :class:`ErrorModel` of a backtest's error rows (``planning.backtest.forecast_errors``)."""
    if errors.empty:
        return ErrorModel()
    e = pd.DataFrame(
        {
            "lo": errors["lo"].to_numpy(dtype=int),
            "hi": errors["hi"].to_numpy(dtype=int),
            "horizon": errors["horizon"].to_numpy(dtype=int),
            "cls": size_class(errors["size"]),
            "rel": ((errors["model"] - errors["observed"]) / errors["observed"]).to_numpy(dtype=float),
        }
    )
    pooled = _quantile_table(e, ["lo", "hi"])
    per_class = _quantile_table(e, ["lo", "hi", "cls"])
    curves: dict[tuple[int, int], dict[str, np.ndarray]] = {}
    for (lo, hi), known in pooled.items():
        curve = _curve(known)
        if curve is None:
            continue
        per = {ALL_SIZES: curve}
        for (lo2, hi2, label), known2 in per_class.items():
            if (lo2, hi2) == (lo, hi) and (c := _curve(known2)) is not None:
                per[str(label)] = c
        curves[(int(lo), int(hi))] = per
    bases = sorted(int(b) for b in errors["base_year"].unique())
    span = f"{bases[0]}–{bases[-1]}" if len(bases) > 1 else f"{bases[0]}"
    source = (
        f"Spanne: {NOMINAL * 100:.0f} % der Rückrechnungsfehler (Basisjahre {span}) nach Prognosejahren "
        "und Gebietsgröße"
    )
    return ErrorModel(curves, source)


def holdout_coverage(errors: pd.DataFrame) -> pd.DataFrame:
    """``errors`` with a column ``covered``: 1.0 where the observed value lies inside the range built
    from the *other* base years' errors, 0.0 outside, NaN where no other base year has errors."""
    covered = np.full(len(errors), np.nan)
    for b in errors["base_year"].unique():
        held = (errors["base_year"] == b).to_numpy()
        model = error_model(errors[~held])
        if model.empty:
            continue
        rows = errors[held]
        for (lo, hi), grp in rows.groupby(["lo", "hi"]):
            if model.band_for(int(lo), int(hi)) != (int(lo), int(hi)):
                continue
            low, high = model.interval(
                grp["model"].to_numpy(), int(lo), int(hi), grp["horizon"].to_numpy(), grp["size"].to_numpy()
            )
            obs = grp["observed"].to_numpy()
            inside = (obs >= low - 1e-9) & (obs <= high + 1e-9)
            ok = ~np.isnan(low)
            idx = np.flatnonzero(held)[rows.index.get_indexer(grp.index)]
            covered[idx[ok]] = inside[ok].astype(float)
    return errors.assign(covered=covered)


def summed_to(errors: pd.DataFrame, parent_of: Mapping[str, str] | None) -> pd.DataFrame:
    """The same forecasts and observations summed per upper area (``parent_of``: area → upper area;
    None: the whole city, ``gebiet_id`` "Stadt"); areas without an upper area are left out."""
    if parent_of is None:
        e = errors.assign(parent="Stadt")
    else:
        e = errors.assign(parent=errors["gebiet_id"].map(parent_of)).dropna(subset=["parent"])
    cols = ["observed", "model", "carry_forward", "ageing", "size"]
    keys = ["base_year", "horizon", "year", "lo", "hi", "parent"]
    return e.groupby(keys, as_index=False)[cols].sum().rename(columns={"parent": "gebiet_id"})


def with_levels(errors: pd.DataFrame, levels: Mapping[str, Mapping[str, str]]) -> pd.DataFrame:
    """Data-level errors plus the same forecasts summed to each upper level and to the city (one row
    per upper area, with its own size), for an error model that also serves aggregated tables."""
    summed = [summed_to(errors, m) for m in [*levels.values(), None]]
    return pd.concat([errors, *(f for f in summed if not f.empty)], ignore_index=True)
