"""Totals in a delivery: rows of upper-level areas or stated total ids (``000``: the city) are checked
against the sum of their parts and left out of the import; a population's age bands must add up to
its delivered total."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from planning.formatting import number
from planning.imports.checked import (
    MAX_PROBLEMS_PER_COLUMN,
    PART_ROWS,
    CheckContext,
    Checked,
    source_column,
)
from planning.imports.problems import Problem, summary_line
from planning.imports.shape import TableShape

#: Kinds whose rows are per area and can contain total rows; the additive value and its keys.
_TOTALS: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "bevoelkerung": ("anzahl", ("jahr", "age_from", "age_to", "geschlecht")),
    "geburten": ("anzahl", ("jahr",)),
    "kindertagespflege": ("plaetze", ("jahr",)),
    "kennzahlen": (None, ("jahr", "kennzahl")),
}


def split_total_rows(c: Checked, ctx: CheckContext, resolved: dict[str, str], shape: TableShape) -> None:
    """Rows of upper-level areas (districts) beside their parts, or of stated total ids (``000``: the
    city), are totals.

    They are checked against the sum of their parts (a warning per mismatch) and left out of the
    import, with one summary line; never reported as unknown areas.
    """
    if c.kind not in _TOTALS or "gebiet_id" not in c.frame.columns:
        return
    data_ids = frozenset(ctx.areas["gebiet_id"]) if ctx.areas is not None else frozenset()
    f = c.frame
    # Upper-level rows are totals only beside rows of their parts (a file of district figures alone
    # is a delivery at that level, kept as it is), and never for Kennzahlen: a district's rate is the
    # office's own figure, not a sum.
    mixed = c.kind != "kennzahlen" and bool(data_ids) and f["gebiet_id"].isin(list(data_ids)).any()
    parts_of = dict(ctx.children) if mixed else {}
    for tid in shape.total_ids:
        parts_of[tid] = data_ids or frozenset(x for x in ctx.area_ids if x not in ctx.children)
    if not parts_of:
        return
    is_total = f["gebiet_id"].isin(list(parts_of)) & ~c.failed_lines.mask(f["_line"].to_numpy())
    if not is_total.any():
        return
    totals, rest = f[is_total], f[~is_total].reset_index(drop=True)
    c.frame = rest
    ids = sorted(set(totals["gebiet_id"]))
    shown_ids = ", ".join(ids[:8]) + (" …" if len(ids) > 8 else "")
    value, keys = _TOTALS[c.kind]
    if shape.skip_totals or value is None:
        c.problems.append(
            Problem(
                "Hinweis",
                f"{len(totals)} Summenzeile(n) (Kennungen {shown_ids}) erkannt und nicht importiert"
                + (" (ohne Vergleich)." if shape.skip_totals else " (Kennzahlen werden nicht summiert)."),
                c.file_name,
                column=source_column(resolved, "gebiet_id"),
            )
        )
        return
    key = [k for k in keys if k in rest.columns]
    member = pd.DataFrame(
        [(tid, gid) for tid in ids for gid in parts_of[tid]], columns=["_total", "gebiet_id"]
    )
    parts = rest.assign(_sex=rest["geschlecht"].fillna("") if "geschlecht" in rest else "").merge(member)
    gkey = ["_total", *[k if k != "geschlecht" else "_sex" for k in key]]
    summed = parts.groupby(gkey, dropna=False).agg(
        _sum=(value, "sum"), _n=("gebiet_id", "nunique"), _na=(value, lambda s: s.isna().any())
    )
    expected = {t: len(parts_of[t]) for t in ids}
    t = totals.assign(
        _total=totals["gebiet_id"], _sex=totals["geschlecht"].fillna("") if "geschlecht" in totals else ""
    )
    merged = t.merge(summed.reset_index(), on=gkey, how="left")
    complete = (merged["_n"] == merged["_total"].map(expected)) & ~merged["_na"].fillna(True).astype(bool)
    complete &= merged[value].notna()
    ok = complete & (merged["_sum"] == merged[value])
    bad = merged[complete & ~ok]
    for row in bad.head(MAX_PROBLEMS_PER_COLUMN).to_dict("records"):
        c.problems.append(
            Problem(
                "Warnung",
                f"Summenzeile „{row['gebiet_id']}“ nennt {number(int(row[value]))}, ihre Teile "
                f"({row['_n']} Gebiete) ergeben {number(int(row['_sum']))}.",
                c.file_name,
                int(row["_line"]),
                source_column(resolved, value),
            )
        )
    if len(bad) > MAX_PROBLEMS_PER_COLUMN:
        c.problems.append(
            summary_line(
                "Warnung",
                len(bad) - MAX_PROBLEMS_PER_COLUMN,
                "abweichende Summenzeilen",
                c.file_name,
                source_column(resolved, value),
            )
        )
    c.problems.append(
        Problem(
            "Hinweis",
            f"{len(totals)} Summenzeile(n) (Kennungen {shown_ids}) erkannt und nicht importiert: "
            f"{int(ok.sum())} stimmen mit der Summe ihrer Teile überein, {len(bad)} weichen ab, "
            f"{int((~complete).sum())} nicht prüfbar (Teile fehlen oder ohne Wert).",
            c.file_name,
            column=source_column(resolved, "gebiet_id"),
        )
    )


def check_population_sums(c: Checked, ctx: CheckContext, resolved: dict[str, str]) -> None:
    """Bands that tile 0+ must add up to the delivered total (warning, the total is kept as delivered).

    Vectorised, and in parts of whole areas: a register extract has millions of rows.
    """
    f = c.frame
    area, _ = pd.factorize(f["gebiet_id"])
    n_parts = len(f) // PART_ROWS + 1
    budget = 10_000  # groups searched for a chain of bands, in all parts together
    found = []
    for k in range(n_parts):
        rows = np.flatnonzero(area % n_parts == k) if n_parts > 1 else slice(None)
        bad, searched = _population_sum_mismatches(f.iloc[rows], budget)
        budget -= searched
        found.append(bad)
    bad = pd.concat(found).sort_values("_line")
    for row in bad.head(MAX_PROBLEMS_PER_COLUMN).to_dict("records"):
        c.problems.append(
            Problem(
                "Warnung",
                f"Die Altersgruppen von {row['gebiet_id']} ({row['jahr']}) ergeben "
                f"{number(int(row['_sum']))} Personen, "
                f"die Summe „insgesamt“ nennt {number(int(row['anzahl']))}.",
                c.file_name,
                int(row["_line"]),
                source_column(resolved, "anzahl"),
            )
        )
    if len(bad) > MAX_PROBLEMS_PER_COLUMN:
        c.problems.append(
            summary_line(
                "Warnung",
                len(bad) - MAX_PROBLEMS_PER_COLUMN,
                "Summen „insgesamt“, die nicht zu ihren Altersgruppen passen",
                c.file_name,
                source_column(resolved, "anzahl"),
            )
        )


def _population_sum_mismatches(frame: pd.DataFrame, budget: int) -> tuple[pd.DataFrame, int]:
    """Total rows of ``frame`` whose bands add up to another number (with ``_sum``), and how many
    groups were searched for a chain of bands (at most ``budget``)."""
    key = ["gebiet_id", "jahr", "_sex"]
    f = frame.assign(_sex=frame["geschlecht"].fillna(""))
    is_total = (f["age_from"] == 0) & f["age_to"].isna()
    totals = f[is_total & f["anzahl"].notna()]
    parts = f[~is_total & f["age_from"].notna()].sort_values([*key, "age_from"])
    if totals.empty or parts.empty:
        return totals.iloc[:0].assign(_sum=0), 0
    prev_end = parts.groupby(key)["age_to"].shift()
    first = ~parts.duplicated(key)
    parts = parts.assign(
        _contig=(first | (parts["age_from"] == prev_end + 1)).fillna(False).astype(bool),
        _known=parts["anzahl"].notna().astype(bool),
        _open=parts["age_to"].isna().astype(bool),
    )
    g = parts.groupby(key)
    tiles = (
        g["_contig"].all()
        & g["_known"].all()
        & (g["age_from"].min() == 0)
        & g["_open"].last()
        & (g["_open"].sum() == 1)
    )
    sums = g["anzahl"].sum()[tiles].rename("_sum")
    # Groups with extra overlapping bands (Flensburg's 0–6 beside unter 18): a chain of bands from 0 to
    # an open band that covers every age once, found per group (few bands each).
    others = [k for k in totals.set_index(key).index.unique() if k not in sums.index]
    if others:
        chained = {}
        by_key = dict(list(parts.groupby(key)))
        for k in others[:budget]:
            grp = by_key.get(k)
            if grp is not None and grp["anzahl"].notna().all():
                found = _chain_sum(list(zip(grp["age_from"], grp["age_to"], grp["anzahl"], strict=True)))
                if found is not None:
                    chained[k] = found
        if chained:
            extra = pd.Series(chained, name="_sum")
            extra.index = pd.MultiIndex.from_tuples(extra.index, names=key)
            sums = pd.concat([sums, extra])
    merged = totals.merge(sums.reset_index(), on=key)
    return merged[merged["_sum"] != merged["anzahl"]], min(len(others), budget)


def _chain_sum(bands: list[tuple[Any, Any, Any]]) -> int | None:
    """The sum of bands that cover 0…open exactly once, skipping overlapping extra bands; None if none."""
    starts: dict[int, list[tuple[Any, Any]]] = {}
    for a, b, n in bands:
        starts.setdefault(int(a), []).append((b, n))

    def walk(age: int, depth: int) -> int | None:
        if depth > 200:
            return None
        for b, n in starts.get(age, []):
            if b is None or pd.isna(b):
                return int(n)
            rest = walk(int(b) + 1, depth + 1)
            if rest is not None:
                return int(n) + rest
        return None

    return walk(0, 0)
