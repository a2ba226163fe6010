"""Small-number protection (statistische Geheimhaltung): primary and secondary cell suppression.

Why: youth-services and social figures on small areas can identify families. Every figure of a
sensitive indicator passes through :func:`suppress` before it reaches a page, chart, tooltip or
export; suppressed cells read :data:`GEHEIM` there and are never confused with missing data
(:data:`KEINE_DATEN`).

**Cells and totals.** A table holds one row per area and year with ``numerator`` and (for rates)
``denominator``. With a ``hierarchy`` (``gebiet_id, parent_gebiet_id``) every area with children
is a *total*: its numerator is the sum of its children's numerators, likewise the denominator
(exactly as :func:`planning.indicators.indicator_table` aggregates). The city total has the id
:data:`GESAMTSTADT`. :func:`with_totals` adds the rows of all upper levels and the city, so that
their suppression is decided together with the data level. A total that is not a row of the table
is assumed to be published elsewhere: it constrains the suppression but is never suppressed.

**Primary suppression** (:class:`SuppressionRule`): a cell is secret if its count is below
``min_count`` but above zero (default 3, so 1 and 2, as the Federal Employment Agency does: "Zahlenwerte
von 1 oder 2 … werden anonymisiert"; a 0 identifies nobody and is shown unless ``zero_is_secret``) or,
for a rate, if its numerator is below ``min_count`` or its denominator below ``min_denominator``
(default 100, as Destatis maps SGB-II rates only for ≥ 100 residents). A value that cannot be
checked (a delivered rate without numerator or base) is secret too.

**Secondary suppression.** Per year, each total with its contributing children forms a *group*
(``total = Σ children``). The algorithm adds secret cells until both conditions hold, always
choosing the smallest shown cell (numerator, then denominator, then ``gebiet_id``; children before
the total), and repeats until nothing changes (the secret set only grows, so it ends; the
algorithm is :class:`planning.suppression_tree.GroupTree`):

A. No group has exactly one secret member. Otherwise that member is "total minus shown cells".
B. Every sum of secret cells that can be computed as "shown total minus shown cells" — over any
   connected set of groups below a shown total, i.e. across several levels — satisfies the primary
   rule itself (numerators ≥ ``min_count``, denominators ≥ ``min_denominator``). Found by a
   dynamic programme over the tree that yields the smallest such sum under every shown total.

**Guarantees** (per indicator and year, for every row of the table, when every total is a row of
the table or can be suppressed; tested by attacks in ``tests/unit/test_suppression.py``):

1. No secret numerator or denominator is a linear combination of the published figures. Why A
   suffices: see the cells as edges of a graph whose vertices are the groups plus one vertex
   "outside" (a cell runs from the group it totals, or "outside" for a leaf, to the group it
   belongs to, or "outside" for the city). A secret value is determined iff its edge is a bridge of
   the secret subgraph. Without "outside" the groups form a tree, so a bridge would cut off a part
   without "outside" that is a tree, whose leaves are groups with one secret member — excluded by A.
2. No secret value can be pinned down even with the knowledge that counts are non-negative (e.g.
   two secret cells that sum to 0), provided the thresholds are ≥ 1. Why: a secret value that can
   neither rise nor fall along a cycle of secret cells (flow argument) lies on a cut whose other
   secret cells are all 0; then some "shown total minus shown cells" is a non-empty sum of secret
   cells below the threshold (it is 0 or the value itself), which B forbids.
3. Numerators stay protected even when the denominators are public (population counts usually
   are): numerators and denominators form two separate systems with the same secret pattern.

A total that is not a row of the table cannot be suppressed; where it alone would reveal a cell
(an area that is its only part) that cell cannot be protected here — use :func:`with_totals`.

Not covered: an attacker who knows the rule can narrow a secret cell to an interval (e.g. that a
primary cell is 0–2); differencing across indicators with the same numerator, across area layouts
(Gebietsstände) or against other publications; the share's complement (98 of 100). The ``reason``
column says which cells fell below the threshold: it is for audits and must never be displayed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd

from planning.areas import ancestors
from planning.suppression_tree import GroupTree

GEHEIM = "geheim"
KEINE_DATEN = "keine Daten"
#: ``gebiet_id`` of the city total in :func:`with_totals` and :func:`suppress`.
GESAMTSTADT = "gesamtstadt"
GESAMTSTADT_NAME = "Gesamtstadt"
#: ``level`` of the city total row (area levels start at 0).
GESAMTSTADT_LEVEL = -1
PRIMAER = "primär"
SEKUNDAER = "sekundär"
#: The figures that are blanked in a suppressed row.
VALUE_COLUMNS: tuple[str, ...] = ("numerator", "denominator", "value")


@dataclass(frozen=True)
class SuppressionRule:
    """Thresholds of one indicator below which a cell is secret (primary suppression)."""

    #: Counts (and rate numerators) below this are secret; 3 hides 0, 1 and 2.
    min_count: int = 3
    #: Rates whose denominator (base population) is below this are secret; ignored for counts.
    min_denominator: float = 100.0
    #: A value that cannot be checked (delivered without numerator or base) is secret.
    hide_unverifiable: bool = True
    #: Also hide counts of 0 (stricter than the Federal Employment Agency's practice).
    zero_is_secret: bool = False

    def __post_init__(self) -> None:
        if self.min_count < 0 or self.min_denominator < 0:
            raise ValueError("Schwellenwerte der Geheimhaltung dürfen nicht negativ sein.")

    @property
    def hinweis_de(self) -> str:
        """One line for the source footer and export notes."""
        small = f"unter {self.min_count}" if self.zero_is_secret else f"von 1 bis {self.min_count - 1}"
        return (
            f"Geheimhaltung: Fallzahlen {small} und Quoten mit weniger als "
            f"{self.min_denominator:g} Personen in der Bezugsgruppe sind „{GEHEIM}“, ebenso Werte, "
            "aus denen sie sich errechnen ließen."
        )


DEFAULT_RULE = SuppressionRule()


class _HasSensitive(Protocol):
    @property
    def sensitive(self) -> bool: ...


def _require(df: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{what}: Spalte(n) fehlen: {', '.join(missing)}")


def _floats(df: pd.DataFrame, column: str) -> np.ndarray:
    if column not in df.columns:
        return np.full(len(df), np.nan)
    return pd.to_numeric(df[column], errors="coerce").astype("Float64").to_numpy(float, na_value=np.nan)


def _infer_rate(df: pd.DataFrame) -> bool:
    return "denominator" in df.columns and bool(df["denominator"].notna().any())


def _parent_map(hierarchy: pd.DataFrame) -> dict[str, str]:
    """gebiet_id → parent gebiet_id; areas without parent belong to the city."""
    _require(hierarchy, ("gebiet_id", "parent_gebiet_id"), "Gebietshierarchie")
    return {
        str(g): (GESAMTSTADT if pd.isna(p) else str(p))
        for g, p in zip(hierarchy["gebiet_id"], hierarchy["parent_gebiet_id"], strict=True)
    }


def _ancestors(gid: str, parents: dict[str, str]) -> list[str]:
    """Ancestors of ``gid`` from its parent up to and including the city."""
    return ancestors(gid, parents, strict=True, root=GESAMTSTADT)


def _check_ids(ids: pd.Series, parents: dict[str, str]) -> None:
    unknown = sorted({str(g) for g in ids.dropna()} - set(parents) - {GESAMTSTADT})
    if unknown:
        raise ValueError(f"Gebiete fehlen in der Gebietshierarchie: {', '.join(unknown[:10])}")


def with_totals(table: pd.DataFrame, hierarchy: pd.DataFrame, *, scale: float | None = None) -> pd.DataFrame:
    """``table`` (one area level) plus one row per upper area and the city per year.

    Totals sum numerators and denominators over the areas with data, as ``indicator_table`` does
    (for a rate, ``scale`` set, only areas with both count); ``value`` is the numerator for counts,
    ``scale × numerator ÷ denominator`` for rates. Adds ``level`` (city: ``GESAMTSTADT_LEVEL``),
    ``name`` when the hierarchy has names, and ``missing`` (areas without data) on totals. Rows
    without ``gebiet_id`` are kept but belong to no total.
    """
    _require(table, ("gebiet_id", "year", "numerator"), "Tabelle")
    parents = _parent_map(hierarchy)
    _check_ids(table["gebiet_id"], parents)
    ids = [str(g) for g in table["gebiet_id"].dropna().unique()]
    chains = {g: _ancestors(g, parents) for g in ids}
    overlap = sorted(set(ids) & {a for c in chains.values() for a in c})
    if overlap:
        raise ValueError(f"Tabelle mischt Gebietsebenen; schon Summe: {', '.join(overlap[:10])}")

    num, den = _floats(table, "numerator"), _floats(table, "denominator")
    valid = ~np.isnan(num) & (~np.isnan(den) if scale is not None else True)
    work = pd.DataFrame(
        {
            "total_id": table["gebiet_id"].map(lambda g: None if pd.isna(g) else chains[str(g)]),
            "year": table["year"].to_numpy(),
            "numerator": np.where(valid, num, np.nan),
            "denominator": np.where(valid, den, np.nan),
            "missing": (~valid).astype("int64"),
        }
    )
    long = work.dropna(subset=["total_id"]).explode("total_id")
    totals = (
        long.astype({"numerator": float, "denominator": float})
        .groupby(["total_id", "year"], as_index=False, sort=True)
        .sum(min_count=1)
    )
    totals = totals.rename(columns={"total_id": "gebiet_id"}).astype(
        {"numerator": "Float64", "denominator": "Float64", "missing": "Int64"}
    )
    totals["value"] = _value(totals["numerator"], totals["denominator"], scale)

    levels = dict(zip(hierarchy["gebiet_id"].astype(str), hierarchy.get("level", pd.Series()), strict=False))
    names = dict(zip(hierarchy["gebiet_id"].astype(str), hierarchy.get("name", pd.Series()), strict=False))
    levels[GESAMTSTADT], names[GESAMTSTADT] = GESAMTSTADT_LEVEL, GESAMTSTADT_NAME
    totals["level"] = totals["gebiet_id"].map(levels)
    if "name" in hierarchy.columns or "name" in table.columns:
        totals["name"] = totals["gebiet_id"].map(names)
    base = table.copy()
    if "value" not in base.columns:
        base["value"] = _value(base["numerator"], base.get("denominator"), scale)
    base["level"] = base["gebiet_id"].map(lambda g: levels.get(str(g), pd.NA) if pd.notna(g) else pd.NA)
    if "name" in hierarchy.columns and "name" not in base.columns:
        base["name"] = base["gebiet_id"].map(lambda g: names.get(str(g)) if pd.notna(g) else None)
    out = pd.concat(_aligned(base, totals), ignore_index=True)
    out["level"] = out["level"].astype("Int64")
    for col in ("numerator", "denominator", "value"):
        if col in out.columns:
            out[col] = out[col].astype("Float64")
    return out.sort_values(["year", "level", "gebiet_id"], na_position="last").reset_index(drop=True)


def _aligned(a: pd.DataFrame, b: pd.DataFrame) -> list[pd.DataFrame]:
    """Both frames with the union of their columns (NA where missing, in the other frame's dtype).

    Why: ``pd.concat`` of frames with different columns is slow and guesses dtypes.
    """
    out = []
    for this, other in ((a, b), (b, a)):
        extra = {}
        for col in other.columns.difference(this.columns, sort=False):
            try:
                extra[col] = pd.Series(pd.NA, index=this.index, dtype=other[col].dtype)
            except (TypeError, ValueError):
                extra[col] = pd.Series(pd.NA, index=this.index, dtype=object)
        out.append(this.assign(**extra)[list(a.columns.union(b.columns, sort=False))])
    return out


def _value(num: pd.Series, den: pd.Series | None, scale: float | None) -> pd.Series:
    """The numerator for counts, ``scale × numerator ÷ denominator`` (base > 0) for rates."""
    n = num.astype("Float64")
    if scale is None:
        return n
    d = den.astype("Float64") if den is not None else pd.Series(pd.NA, index=num.index, dtype="Float64")
    return n / d.where(d > 0) * scale


def _primary(table: pd.DataFrame, rule: SuppressionRule, rate: bool) -> tuple[np.ndarray, np.ndarray]:
    """Primary-secret rows and rows that take part in the sums (numerator, and base for rates)."""
    num, den = _floats(table, "numerator"), _floats(table, "denominator")
    has_n, has_d = ~np.isnan(num), ~np.isnan(den)
    primary = has_n & (num < rule.min_count) & ((num > 0) | rule.zero_is_secret)
    if rate:
        primary |= has_d & (den < rule.min_denominator)
    if rule.hide_unverifiable and "value" in table.columns:
        checkable = has_n & has_d if rate else has_n
        primary |= table["value"].notna().to_numpy(bool) & ~checkable
    valid = has_n & has_d if rate else has_n
    return primary, valid


def suppress(
    table: pd.DataFrame,
    rule: SuppressionRule = DEFAULT_RULE,
    hierarchy: pd.DataFrame | None = None,
    *,
    is_rate: bool | None = None,
    columns: Sequence[str] = VALUE_COLUMNS,
) -> pd.DataFrame:
    """A copy of ``table`` with ``suppressed`` (bool) and ``reason`` (``PRIMAER``/``SEKUNDAER``).

    ``table`` needs ``gebiet_id, year, numerator`` (and ``denominator`` for rates); its rows may lie
    on several levels of ``hierarchy`` (use :func:`with_totals`), the city row has ``GESAMTSTADT``.
    Without a hierarchy all rows of a year are parts of one published city total. ``is_rate``
    defaults to "the table has denominators". ``columns`` are set to NA in suppressed rows. Raises
    ``ValueError`` if a total in the table is not the sum of its parts in the table.
    """
    _require(table, ("gebiet_id", "year", "numerator"), "Tabelle")
    if table.duplicated(["gebiet_id", "year"]).any():
        raise ValueError("Tabelle enthält Gebiet und Jahr mehrfach.")
    rate = _infer_rate(table) if is_rate is None else is_rate
    primary, valid = _primary(table, rule, rate)
    hidden = primary.copy()
    if hierarchy is not None:
        parents = _parent_map(hierarchy)
        _check_ids(table["gebiet_id"], parents)
    else:
        parents = {str(g): GESAMTSTADT for g in table["gebiet_id"].dropna() if g != GESAMTSTADT}
    num, den = _floats(table, "numerator"), _floats(table, "denominator")
    gids = table["gebiet_id"].to_numpy(object)
    for _, pos in pd.Series(range(len(table))).groupby(table["year"].to_numpy(), sort=True):
        rows = {str(gids[p]): int(p) for p in pos if not pd.isna(gids[p])}
        _suppress_year(rows, parents, num, den, valid, hidden, rate, rule)

    out = table.copy()
    out["suppressed"] = hidden
    reasons = [PRIMAER if p else SEKUNDAER if h else None for p, h in zip(primary, hidden, strict=True)]
    out["reason"] = pd.array(reasons, dtype="string")
    for col in columns:
        if col in out.columns:
            out[col] = out[col].astype("Float64").mask(out["suppressed"])
    return out


def _suppress_year(
    rows: dict[str, int],
    parents: dict[str, str],
    num: np.ndarray,
    den: np.ndarray,
    valid: np.ndarray,
    hidden: np.ndarray,
    rate: bool,
    rule: SuppressionRule,
) -> None:
    """Build the tree of one year (table rows plus implied totals) and write back ``hidden``."""
    chains = {g: _ancestors(g, parents) if g != GESAMTSTADT else [] for g in rows}
    ids = sorted(set(rows) | {a for c in chains.values() for a in c})
    index = {g: i for i, g in enumerate(ids)}
    n_ids = len(ids)
    nv, dv, ok = [0.0] * n_ids, [0.0] * n_ids, [False] * n_ids
    tree = GroupTree(ids, nv, dv, rate)
    parent_of = [-1] * n_ids
    for g, i in index.items():
        if g != GESAMTSTADT:
            parent_of[i] = index[parents[g]]
            tree.depth[i] = len(_ancestors(g, parents))
        if g in rows:
            p = rows[g]
            ok[i], nv[i], dv[i] = bool(valid[p]), float(num[p]), float(den[p]) if rate else 0.0
            tree.hidden[i] = bool(hidden[p])
        else:
            tree.fixed[i] = True  # published elsewhere: may not be suppressed here

    all_kids: list[list[int]] = [[] for _ in range(n_ids)]
    for k in range(n_ids):  # ids are sorted, so every list of children is sorted by gebiet_id
        if parent_of[k] >= 0:
            all_kids[parent_of[k]].append(k)
    for i in sorted(range(n_ids), key=lambda k: -tree.depth[k]):
        kids = [k for k in all_kids[i] if ok[k]]
        if not kids:
            continue
        total_n, total_d = sum(nv[k] for k in kids), sum(dv[k] for k in kids)
        if ids[i] not in rows:
            ok[i], nv[i], dv[i] = True, total_n, total_d
        elif not (
            ok[i]
            and math.isclose(nv[i], total_n, abs_tol=1e-6)
            and math.isclose(dv[i], total_d, abs_tol=1e-6)
        ):
            raise ValueError(
                f"Summe für '{ids[i]}' passt nicht zur Summe der Teilgebiete ({nv[i]} ≠ {total_n})."
            )
        tree.children[i] = kids
    tree.run(rule.min_count, rule.min_denominator)
    for g, p in rows.items():
        if ok[index[g]]:
            hidden[p] = tree.hidden[index[g]]


def cell_text(value: float | None, suppressed: bool, fmt: Callable[[float], str] = str) -> str:
    """How one cell reads on a page: ``geheim``, ``keine Daten`` or the formatted value."""
    if suppressed:
        return GEHEIM
    if value is None or pd.isna(value):
        return KEINE_DATEN
    return fmt(float(value))


def export_frame(
    table: pd.DataFrame,
    columns: Sequence[str] = VALUE_COLUMNS,
    *,
    missing: str = "",
    fmt: Callable[[float], object] | None = None,
) -> pd.DataFrame:
    """A copy for CSV/XLSX export: suppressed cells read ``geheim``, missing ones ``missing``.

    Refuses a table that has not been through :func:`suppress` and drops the internal ``reason``
    and ``suppressed`` columns. ``fmt`` formats the other values (default: unchanged numbers).
    """
    _require(table, ("suppressed",), "Export nur nach der Geheimhaltung")
    secret = table["suppressed"].astype(bool).to_numpy()
    out = table.drop(columns=[c for c in ("suppressed", "reason") if c in table.columns])
    for col in columns:
        if col not in out.columns:
            continue
        cells: list[object] = []
        for value, hide in zip(out[col].astype(object), secret, strict=True):
            if hide:
                cells.append(GEHEIM)
            elif value is None or pd.isna(value):
                cells.append(missing)
            else:
                cells.append(fmt(float(value)) if fmt is not None else value)
        out[col] = pd.Series(cells, index=out.index, dtype=object)
    return out
