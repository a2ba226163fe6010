"""Cross-domain analysis (Quervergleich): two indicators side by side, and a priority ranking.

Why: a project group asks questions across departments ("which districts combine high child
poverty, high language-support need and low U3 coverage?"). This module answers them on the
indicator tables of :func:`planning.indicators.indicator_table` for one year (columns
``gebiet_id, name, value``; optional ``suppressed``).

**Small-number protection.** A row with ``suppressed`` true is *geheim*: it takes no part in
correlations, quadrants or scores, its figure is blanked here as well (whatever the table holds),
and it reads :data:`~planning.suppression.GEHEIM`, never "keine Daten". A table without the column
has no suppressed rows.

**Conventions** (documented once, tested in ``tests/test_crossdomain.py``):

- Quadrants are split at the city value (Gesamtstadt). A district *on* the line (value equal to
  the city value) is not beyond it: it counts as *günstig* (polarity ±1) or *unter Gesamtstadt*
  (neutral). "Ungünstig" thus always means strictly worse than the city.
- Correlation strength by |r| (Pearson), after Cohen (1988): below 0.1 "kein", from 0.1 "schwach",
  from 0.3 "mittel", from 0.5 "stark".
- Priority score: per indicator the district's percentile rank among the districts with a value,
  oriented by polarity so that 100 = most unfavourable and 0 = most favourable:
  ``(average rank − 1) ÷ (n − 1) × 100``, i.e. the share of the *other* districts with a more
  favourable value, ties counted half (50 if only one district has a value). The score is the mean
  over the indicators the district has; rank 1 = highest score. "Ungünstig" in the ranking means
  the unfavourable quartile: percentile ≥ 75.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol, TypedDict

import numpy as np
import pandas as pd

from planning.small_base import FEW_CHILDREN
from planning.suppression import GEHEIM, KEINE_DATEN

OK = "ok"
#: Status of a rate on too small a base (see planning.small_base): shown, never ranked.
FEW = FEW_CHILDREN
STATUSES: tuple[str, ...] = (OK, GEHEIM, KEINE_DATEN)

#: Lower bounds of |r| for the German strength reading (Cohen 1988), strongest first.
STRENGTH_THRESHOLDS: tuple[tuple[float, str], ...] = ((0.5, "stark"), (0.3, "mittel"), (0.1, "schwach"))
NO_CORRELATION = "kein"
MIN_PAIRS = 3

BOTH_UNFAVOURABLE = "ungünstig bei beiden"
BOTH_FAVOURABLE = "günstig bei beiden"
#: Percentile from which a district counts as in the unfavourable quartile of an indicator.
UNFAVOURABLE_PERCENTILE = 75.0
METHODS: tuple[str, ...] = ("percentile",)

_TABLE_COLUMNS = ("gebiet_id", "name", "value")


class IndicatorLike(Protocol):
    """What the ranking needs of an indicator (:class:`planning.indicators.Indicator` fits)."""

    @property
    def code(self) -> str: ...

    @property
    def label_de(self) -> str: ...

    @property
    def polarity(self) -> int: ...


class Correlation(TypedDict):
    n: int
    pearson: float | None
    spearman: float | None
    strength: str | None
    direction: str | None
    reason: str | None
    excluded_geheim: int
    excluded_missing: int


def _require(df: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{what}: Spalte(n) fehlen: {', '.join(missing)}")


def _one_year(df: pd.DataFrame, what: str) -> None:
    _require(df, _TABLE_COLUMNS, what)
    if "year" in df.columns:
        years = sorted(int(y) for y in df["year"].dropna().unique())
        if len(years) > 1:
            raise ValueError(f"{what}: Tabelle enthält mehrere Jahre ({', '.join(map(str, years))})")
    dup = df["gebiet_id"][df["gebiet_id"].duplicated()]
    if not dup.empty:
        raise ValueError(f"{what}: Gebiet(e) mehrfach: {', '.join(map(str, dup.unique()))}")


def _suppressed(df: pd.DataFrame) -> pd.Series:
    if "suppressed" not in df.columns:
        return pd.Series(False, index=df.index, dtype=bool)
    return df["suppressed"].astype("boolean").fillna(False).astype(bool)


def _cells(df: pd.DataFrame) -> pd.DataFrame:
    """``gebiet_id, name, value, status`` with a secret figure blanked (never passed on)."""
    secret = _suppressed(df)
    value = pd.to_numeric(df["value"], errors="coerce").astype("float64").mask(secret)
    status = np.where(secret, GEHEIM, np.where(value.isna(), KEINE_DATEN, OK))
    return pd.DataFrame(
        {
            "gebiet_id": df["gebiet_id"].astype("str"),
            "name": df["name"].astype("str"),
            "value": value,
            "status": pd.Series(status, index=df.index, dtype="str"),
        }
    )


def pair_table(x: pd.DataFrame, y: pd.DataFrame) -> pd.DataFrame:
    """Two indicator tables of one year side by side: ``gebiet_id, name, x, y, x_status, y_status``.

    Status is ``ok``, ``geheim`` (suppressed) or ``keine Daten``; a district in only one table has
    ``keine Daten`` in the other. Sorted by ``gebiet_id``.
    """
    _one_year(x, "Kennzahl X")
    _one_year(y, "Kennzahl Y")
    cx = _cells(x).rename(columns={"value": "x", "status": "x_status"})
    cy = _cells(y).rename(columns={"value": "y", "status": "y_status", "name": "name_y"})
    out = cx.merge(cy, on="gebiet_id", how="outer")
    out["name"] = out["name"].fillna(out["name_y"])
    for side in ("x", "y"):
        out[f"{side}_status"] = out[f"{side}_status"].fillna(KEINE_DATEN).astype("str")
        out[side] = out[side].astype("float64")
    cols = ["gebiet_id", "name", "x", "y", "x_status", "y_status"]
    return out[cols].sort_values("gebiet_id").reset_index(drop=True)


def _both_ok(pairs: pd.DataFrame) -> pd.Series:
    _require(pairs, ("x", "y"), "Wertepaare")
    ok = pairs["x"].notna() & pairs["y"].notna()
    for side in ("x", "y"):
        if f"{side}_status" in pairs.columns:
            ok &= pairs[f"{side}_status"] == OK
    return ok


def _pearson(x: np.ndarray, y: np.ndarray) -> float | None:
    dx, dy = x - x.mean(), y - y.mean()
    denom = float(np.sqrt((dx * dx).sum() * (dy * dy).sum()))
    if denom == 0.0:
        return None
    # clip: rounding may push a perfect correlation a hair beyond ±1
    return float(np.clip((dx * dy).sum() / denom, -1.0, 1.0))


def strength_de(r: float) -> str:
    """German reading of |r|: "kein", "schwach", "mittel", "stark" (see :data:`STRENGTH_THRESHOLDS`)."""
    for bound, label in STRENGTH_THRESHOLDS:
        if abs(r) >= bound:
            return label
    return NO_CORRELATION


def correlation(pairs: pd.DataFrame) -> Correlation:
    """Pearson r and Spearman ρ over the districts where both values are shown (status ``ok``).

    Spearman is Pearson on the average ranks (ties share their mean rank). With fewer than
    :data:`MIN_PAIRS` districts, or no spread in one indicator, r and ρ are None and ``reason``
    says why in German.
    """
    ok = _both_ok(pairs)
    secret = pd.Series(False, index=pairs.index)
    for side in ("x", "y"):
        if f"{side}_status" in pairs.columns:
            secret |= pairs[f"{side}_status"] == GEHEIM
    use = pairs[ok]
    result: Correlation = {
        "n": len(use),
        "pearson": None,
        "spearman": None,
        "strength": None,
        "direction": None,
        "reason": None,
        "excluded_geheim": int(secret.sum()),
        "excluded_missing": int((~ok & ~secret).sum()),
    }
    if len(use) < MIN_PAIRS:
        result["reason"] = (
            f"Zu wenige Gebiete mit beiden Werten ({len(use)}; nötig sind mindestens {MIN_PAIRS})."
        )
        return result
    x = use["x"].to_numpy(dtype="float64")
    y = use["y"].to_numpy(dtype="float64")
    r = _pearson(x, y)
    if r is None:
        result["reason"] = "Eine der Kennzahlen hat in allen verglichenen Gebieten denselben Wert."
        return result
    rx = use["x"].astype("float64").rank(method="average").to_numpy()
    ry = use["y"].astype("float64").rank(method="average").to_numpy()
    result["pearson"] = r
    result["spearman"] = _pearson(rx, ry)
    result["strength"] = strength_de(r)
    result["direction"] = "positiv" if r > 0 else ("negativ" if r < 0 else None)
    return result


def _side(value: float, ref: float, polarity: int) -> str:
    """Side of the city line; on the line is never "beyond" (not ungünstig, not über)."""
    if polarity == 0:
        return "über" if value > ref else "unter"
    worse = value > ref if polarity < 0 else value < ref
    return "ungünstig" if worse else "günstig"


def quadrant_label(x_side: str, y_side: str, x_label: str, y_label: str) -> str:
    """German name of a quadrant from the two sides (see :func:`quadrants`)."""
    polar = {"günstig", "ungünstig"}
    if x_side in polar and y_side in polar:
        if x_side == y_side:
            return BOTH_UNFAVOURABLE if x_side == "ungünstig" else BOTH_FAVOURABLE
        return f"nur {x_label if x_side == 'ungünstig' else y_label} ungünstig"

    def part(label: str, side: str) -> str:
        return f"{label} {side}" if side in polar else f"{label} {side} Gesamtstadt"

    if x_side not in polar and y_side not in polar:
        return f"{x_label} {x_side}, {y_label} {y_side} Gesamtstadt"
    return f"{part(x_label, x_side)}, {part(y_label, y_side)}"


def quadrants(
    pairs: pd.DataFrame,
    x_ref: float,
    y_ref: float,
    x_polarity: int,
    y_polarity: int,
    *,
    x_label: str = "X",
    y_label: str = "Y",
) -> pd.DataFrame:
    """A copy of ``pairs`` with ``x_side``, ``y_side`` and ``quadrant`` against the city values.

    Sides are "günstig"/"ungünstig" by polarity, "über"/"unter" for a neutral indicator; a value
    equal to the city value is "günstig" resp. "unter" (never flagged). Quadrants: "ungünstig bei
    beiden", "günstig bei beiden", "nur <x_label> ungünstig", "nur <y_label> ungünstig", or for
    neutral indicators e.g. "<x_label> über Gesamtstadt, <y_label> ungünstig". A district that
    cannot be placed reads "geheim" if one of its values is suppressed, else "keine Daten".
    """
    for name, ref in (("x_ref", x_ref), ("y_ref", y_ref)):
        if ref is None or not np.isfinite(float(ref)):
            raise ValueError(f"Vergleichswert {name} (Gesamtstadt) fehlt")
    for name, pol in (("x_polarity", x_polarity), ("y_polarity", y_polarity)):
        if pol not in (-1, 0, 1):
            raise ValueError(f"{name} muss -1, 0 oder 1 sein, nicht {pol!r}")
    ok = _both_ok(pairs)
    out = pairs.copy()
    x_side = [
        _side(float(v), float(x_ref), x_polarity) if o else None for v, o in zip(out["x"], ok, strict=True)
    ]
    y_side = [
        _side(float(v), float(y_ref), y_polarity) if o else None for v, o in zip(out["y"], ok, strict=True)
    ]
    secret = pd.Series(False, index=out.index)
    for side in ("x", "y"):
        if f"{side}_status" in out.columns:
            secret |= out[f"{side}_status"] == GEHEIM
    labels = [
        quadrant_label(xs, ys, x_label, y_label)
        if xs is not None and ys is not None
        else (GEHEIM if s else KEINE_DATEN)
        for xs, ys, s in zip(x_side, y_side, secret, strict=True)
    ]
    out["x_side"] = pd.Series(x_side, index=out.index, dtype="str")
    out["y_side"] = pd.Series(y_side, index=out.index, dtype="str")
    out["quadrant"] = pd.Series(labels, index=out.index, dtype="str")
    return out


def percentile_unfavourable(values: pd.Series, polarity: int) -> pd.Series:
    """Percentile rank 0–100 with 100 = most unfavourable; NA where the value is NA.

    ``(average rank − 1) ÷ (n − 1) × 100`` over the non-missing values, ranked so that the
    unfavourable end (high values for polarity −1, low for +1) gets the high ranks; 50 for n = 1.
    """
    if polarity not in (-1, 1):
        raise ValueError(f"Polarität muss -1 oder 1 sein, nicht {polarity!r}")
    v = values.astype("float64")
    oriented = v if polarity < 0 else -v
    ranks = oriented.rank(method="average")
    n = int(v.notna().sum())
    if n == 1:
        return ranks.where(ranks.isna(), 50.0)
    return (ranks - 1.0) / max(n - 1, 1) * 100.0


def value_column(code: str) -> str:
    return f"value_{code}"


def status_column(code: str) -> str:
    return f"status_{code}"


def percentile_column(code: str) -> str:
    return f"pct_{code}"


def priority_ranking(
    tables: Sequence[tuple[IndicatorLike, pd.DataFrame]], method: str = "percentile"
) -> pd.DataFrame:
    """Districts ranked by how unfavourable they are on the chosen indicators (one year each).

    Columns: ``gebiet_id, name, rank`` (1 = highest priority; equal scores share the rank; NA
    without any value), ``score`` (mean oriented percentile, 0–100), ``unfavourable`` (indicators
    in the unfavourable quartile), ``available`` (indicators with a value), ``complete``, and per
    indicator code ``value_<code>``, ``status_<code>`` (ok / geheim / keine Daten / zu wenige
    Kinder), ``pct_<code>``. A row marked ``few`` in its table (a rate on too small a base) keeps
    its value but gets no percentile: it neither leads the list nor moves the others. A suppressed
    cell has no value and no percentile; the district is scored on
    the rest and flagged incomplete. Neutral indicators are refused: "ungünstig" is undefined.
    """
    if method not in METHODS:
        raise ValueError(f"Unbekanntes Verfahren '{method}'. Gültig: {', '.join(METHODS)}")
    if not tables:
        raise ValueError("Keine Kennzahl für die Prioritätenliste gewählt")
    codes = [ind.code for ind, _ in tables]
    dup = sorted({c for c in codes if codes.count(c) > 1})
    if dup:
        raise ValueError(f"Kennzahl(en) mehrfach gewählt: {', '.join(dup)}")
    neutral = [ind.label_de for ind, _ in tables if ind.polarity == 0]
    if neutral:
        raise ValueError(
            "Kennzahl(en) ohne Richtung (neutral), für die „ungünstig“ nicht definiert ist: "
            + ", ".join(neutral)
        )
    names: dict[str, str] = {}
    parts: list[pd.DataFrame] = []
    for ind, table in tables:
        _one_year(table, ind.label_de)
        cells = _cells(table)
        # A rate on too small a base (column ``few``, planning.small_base) is shown, not ranked.
        shown = (cells["status"] == OK).to_numpy()
        few = (
            table["few"].astype("boolean").fillna(False).to_numpy(dtype=bool) & shown
            if "few" in table.columns
            else np.zeros(len(cells), dtype=bool)
        )
        ranked_values = cells["value"].mask(few)
        cells = cells.assign(status=cells["status"].mask(few, FEW))
        for gid, name in zip(cells["gebiet_id"], cells["name"], strict=True):
            names.setdefault(gid, name)
        parts.append(
            pd.DataFrame(
                {
                    "gebiet_id": cells["gebiet_id"],
                    value_column(ind.code): cells["value"],
                    status_column(ind.code): cells["status"],
                    percentile_column(ind.code): percentile_unfavourable(ranked_values, ind.polarity),
                }
            ).set_index("gebiet_id")
        )
    ids = sorted(names)
    out = pd.DataFrame(index=pd.Index(ids, name="gebiet_id"))
    for part in parts:
        out = out.join(part, how="left")
    for code in codes:
        out[status_column(code)] = out[status_column(code)].fillna(KEINE_DATEN).astype("str")
    pct = out[[percentile_column(c) for c in codes]].astype("float64")
    available = pct.notna().sum(axis=1).astype("int64")
    score = pct.mean(axis=1, skipna=True)
    # Rank on a rounded score so that equal scores reached by different float sums tie.
    rank = score.round(9).rank(method="min", ascending=False).astype("Int64")
    front = pd.DataFrame(
        {
            "name": pd.Series([names[g] for g in ids], index=out.index, dtype="str"),
            "rank": rank,
            "score": score,
            "unfavourable": (pct >= UNFAVOURABLE_PERCENTILE).sum(axis=1).astype("int64"),
            "available": available,
            "complete": available == len(codes),
        },
        index=out.index,
    )
    result = front.join(out).reset_index()
    order = result.assign(_missing=result["rank"].isna(), _rank=result["rank"].fillna(0).astype("int64"))
    return (
        result.loc[order.sort_values(["_missing", "_rank", "gebiet_id"]).index]
        .reset_index(drop=True)
        .astype({"gebiet_id": "str"})
    )


def nearest_year(years: Iterable[int], wanted: int) -> int | None:
    """The year of ``years`` closest to ``wanted`` (the earlier one on a tie), None if empty."""
    ys = sorted(set(int(y) for y in years))
    return min(ys, key=lambda y: (abs(y - wanted), y)) if ys else None


def common_year(year_sets: Sequence[Iterable[int]], wanted: int) -> int | None:
    """``wanted`` if every indicator has it, else the nearest year all have, else None."""
    sets = [set(int(y) for y in ys) for ys in year_sets]
    if not sets:
        return None
    shared = set.intersection(*sets)
    return nearest_year(shared, wanted)
