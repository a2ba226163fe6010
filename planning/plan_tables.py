"""The plan pages' tables, shaped for display (pure, no streamlit).

- :func:`level_table`: the plan on an area level with the areas' names;
- :func:`ranked_frame`: one year's areas, worst balance first, whole numbers, German headers and
  the range of the sorted figure;
- :func:`school_balances`: which balance maps the school page can draw with the data loaded;
- :func:`per_school_frame`: the per-school table (entry classes and Ganztag).

``ui/planview.py`` and the Kita and Schule views show them; the figures come from
:mod:`planning.plan` and :mod:`planning.school_table`.
"""

from __future__ import annotations

from collections.abc import Mapping, Set

import pandas as pd

from planning.formatting import number, number_range
from planning.plan import PlanResult, at_level

#: The school page's balance maps by column, in the order of its picker.
SCHOOL_BALANCES: dict[str, str] = {
    "zuege_gap": "Eingangsklassen",
    "class_gap": "Klassen 1–4",
    "ganztag_gap": "Ganztag",
}


def spanne(row: pd.Series | Mapping[str, object], column: str, decimals: int = 0) -> str:
    """``"980 bis 1.090"`` for a forecast year, "" for an observed year or without a range; a range
    whose ends meet is that one value (``"0"``: no area ever short), never a blank that reads as
    missing."""
    low, high = row.get(f"{column}_low"), row.get(f"{column}_high")
    if low is None or high is None or pd.isna(low) or pd.isna(high):
        return ""
    if round(float(low), decimals) == round(float(high), decimals):  # type: ignore[arg-type]
        return number(low, decimals)  # type: ignore[arg-type]
    return number_range(low, high, decimals)  # type: ignore[arg-type]


def level_table(result: PlanResult, areas: pd.DataFrame, level: int, data_level: int) -> pd.DataFrame:
    """The plan on ``level`` (summed up from ``data_level``) with the areas' names; a new frame."""
    table = at_level(result, areas, level, data_level)
    names = areas.loc[areas["level"] == level, ["gebiet_id", "name"]]
    return names.merge(table, on="gebiet_id", how="inner")


def ranked_frame(
    table: pd.DataFrame,
    year: int,
    columns: Mapping[str, str],
    sort_by: str,
    level_name: str,
    small: Set[str] = frozenset(),
) -> tuple[pd.DataFrame, list[str], list[str]]:
    """One year's areas, worst ``sort_by`` first: the display frame, its numeric headers and the
    headers of ``columns`` without a single figure (named below the table instead of shown).

    Values are rounded to whole numbers; beside the sorted figure its range ("Spanne …") in
    forecast years; areas too small for a reliable forecast (``small``) are marked in the name.
    """
    missing = [c for c in ("gebiet_id", "name", "year", sort_by, *columns) if c not in table.columns]
    if missing:
        raise ValueError(f"Plantabelle ohne Spalte(n): {', '.join(dict.fromkeys(missing))}")
    part = table[table["year"] == year].sort_values(sort_by)
    marks = part["gebiet_id"].map(lambda g: " · zu klein" if g in small else "")
    shown = pd.DataFrame({level_name: part["name"] + marks})
    empty = []
    for col, header in columns.items():
        values = part[col].astype(float).round(0)
        if values.isna().all() and not part.empty:
            empty.append(header)
        else:
            shown[header] = values
            if col == sort_by and f"{col}_low" in part:
                ranges = [spanne(r, col) for r in part[[f"{col}_low", f"{col}_high"]].to_dict("records")]
                if any(ranges):
                    shown[f"Spanne {header}"] = ranges
    numeric = [h for h in columns.values() if h in shown]
    return shown, numeric, empty


def school_balances(table: pd.DataFrame) -> tuple[dict[str, str], list[str]]:
    """The balance maps the school page can draw, and what is missing for the others.

    Without Zügigkeit there is no class balance, without Ganztag places no Ganztag balance.
    """
    maps = dict(SCHOOL_BALANCES)
    missing = []
    if table["zuege_available"].isna().all():
        missing.append("Züge der Grundschulen")
        maps = {k: v for k, v in maps.items() if k == "ganztag_gap"}
    if table["ganztag_places"].isna().all():
        missing.append("Ganztagsplätze")
        maps.pop("ganztag_gap")
    return maps, missing


def per_school_frame(table: pd.DataFrame, area_names: pd.Series) -> pd.DataFrame:
    """The per-school table (``planning.school_table.per_school``) with German headers.

    ``area_names`` maps gebiet_id → name; an area without a name shows its id.
    """
    return pd.DataFrame(
        {
            "Grundschule": table["name"].astype(str),
            "Gebiet": table["gebiet_id"].map(area_names).fillna(table["gebiet_id"]).astype(str),
            "Züge": table["zuege"],
            "Einschulungen (Anteil)": table["school_entrants"],
            "Eingangsklassen nötig": table["entry_classes"],
            "Bilanz Eingangsklassen": table["entry_balance"],
            "Spanne Einschulungen": [
                spanne(r, "school_entrants")
                for r in table[["school_entrants_low", "school_entrants_high"]].to_dict("records")
            ],
            "Ganztagsplätze": table["ganztag_places"],
            "Ganztagsbedarf (Anteil)": table["ganztag_demand"],
            "Bilanz Ganztag": table["ganztag_balance"],
        }
    )
