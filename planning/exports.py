"""Exports of district tables: the same frame for the app's download button and the command line.

``export-table`` and the download on the pages call :func:`district_export`, so a file from a
scheduled job and a planner's download are identical. Small-number protection is applied before
(:func:`planning.indicators.indicator_table` cuts from the protected table) and the export refuses a
table that has not been through it: secret cells read ``geheim``, missing ones stay empty.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pandas as pd

from planning import small_base
from planning.indicators import Indicator, city_series, indicator_table
from planning.repository import PlanningData
from planning.suppression import GEHEIM, GESAMTSTADT, GESAMTSTADT_NAME, export_frame
from planning.targets import Target, lights

#: Column order of a district export (a contract: scripts read these names).
EXPORT_COLUMNS: tuple[str, ...] = (
    "area_id",
    "name",
    "level",
    "year",
    "indicator",
    "value",
    "unit",
    "numerator",
    "denominator",
    "light",
    "note",
)


def district_export(
    data: PlanningData,
    indicator: Indicator,
    year: int,
    level: int | None = None,
    target: Target | None = None,
    min_base: float | None = None,
) -> pd.DataFrame:
    """One indicator for every area of ``level`` (default: data level) in ``year``, plus the city.

    ``value`` is rounded as displayed; ``light`` is the traffic light against ``target`` (empty
    without target, for secret and for missing values, and for a rate on fewer than ``min_base``
    in its denominator – default the parameter ``mindestbasis_quote`` – whose ``note`` then reads
    "zu wenige Kinder"). Raises ``ValueError`` if the indicator has
    no value in ``year`` at all.
    """
    lvl = data.data_level if level is None else level
    table = indicator_table(data, indicator, lvl)
    years = sorted(int(y) for y in table["year"].dropna().unique())
    if year not in years:
        have = ", ".join(map(str, years)) or "keine"
        raise ValueError(
            f"Kennzahl „{indicator.label_de}“ hat für {year} keine Werte. Jahre mit Werten: {have}."
        )
    areas = table[table["year"] == year]
    names = data.areas.loc[data.areas["level"] == lvl, ["gebiet_id", "name"]]
    rows = names.merge(areas.drop(columns="name"), on="gebiet_id", how="left")
    rows["suppressed"] = rows["suppressed"].fillna(False).astype(bool)
    city = city_series(data, indicator)
    city = city[city["year"] == year].assign(gebiet_id=GESAMTSTADT, name=GESAMTSTADT_NAME)
    level_names = data.layout.levels
    out = pd.concat(
        [
            rows.assign(level=level_names[lvl]),
            city.assign(level="Gesamtstadt"),
        ],
        ignore_index=True,
    )
    out["suppressed"] = out["suppressed"].fillna(False).astype(bool)
    out["year"] = year
    out["value"] = out["value"].astype("Float64").round(indicator.decimals)
    # A rate on too small a base keeps its value but gets no light and says why (planning.small_base).
    few = small_base.few_mask(out, indicator, small_base.default_minimum() if min_base is None else min_base)
    out["light"] = lights(out["value"].where(~few), target, indicator.polarity, indicator.decimals)
    out["note"] = [small_base.label(indicator) if f else "" for f in few]
    out = out.rename(columns={"gebiet_id": "area_id"}).assign(indicator=indicator.code, unit=indicator.unit)
    protected = export_frame(
        out[[*EXPORT_COLUMNS, "suppressed"]], columns=("value", "numerator", "denominator")
    )
    protected["light"] = protected["light"].astype(object).where(protected["light"].notna(), "")
    return protected[list(EXPORT_COLUMNS)].reset_index(drop=True)


def notes(data: PlanningData, indicator: Indicator, target: Target | None) -> pd.DataFrame:
    """The "Hinweise" sheet of an XLSX export: definition, source, Stand, protection rule."""
    lines: list[tuple[str, str]] = [
        ("Kennzahl", f"{indicator.label_de} ({indicator.code})"),
        ("Definition", indicator.help_de),
        ("Zähler", indicator.numerator_de or "–"),
        ("Nenner", indicator.denominator_de or "–"),
        ("Einheit", indicator.unit),
        ("Zuständig", indicator.department or "–"),
        ("Gebietsstand", f"{data.layout.name} ({data.layout.municipality})"),
    ]
    for kind in indicator.sources:
        v = data.versions.get(kind)
        if v is not None:
            stand = f"{v.stand:%d.%m.%Y}" if v.stand else "ohne Stichtag"
            lines.append((f"Quelle {kind}", f"{v.label} · {v.source} · Stand {stand} · {v.licence}"))
    if target is not None:
        lines.append(("Zielwert", target.describe(indicator.polarity, indicator.format)))
    rule = indicator.rule
    lines.append(
        (
            "Geheimhaltung",
            rule.hinweis_de if rule is not None else "keine (nicht personenbezogen sensibel)",
        )
    )
    if small_base.applies(indicator):
        lines.append(
            (
                "Mindestbasis",
                f"„{small_base.label(indicator)}“ in der Spalte note: Quote aus weniger als "
                f"{small_base.default_minimum():g} im Nenner – ohne Ampel, in keiner Rangfolge "
                "(Parameter mindestbasis_quote)",
            )
        )
    lines.append(
        ("Leere Zelle", f"keine Daten; „{GEHEIM}“ = aus Gründen des Datenschutzes nicht ausgewiesen")
    )
    return pd.DataFrame(lines, columns=["Angabe", "Inhalt"])


def write_export(frame: pd.DataFrame, path: Path, notes_frame: pd.DataFrame | None = None) -> None:
    """CSV (UTF-8, comma, dot decimals: machine-readable) or XLSX (with a "Hinweise" sheet) by extension."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        path.write_bytes(csv_bytes(frame))
    elif suffix == ".xlsx":
        path.write_bytes(xlsx_bytes(frame, notes_frame))
    else:
        raise ValueError(f"Dateiendung „{path.suffix}“ wird nicht unterstützt: bitte .csv oder .xlsx.")


# --- spreadsheet safety ------------------------------------------------------------------------------
# Text in exports comes from imports and from users (names of Kitas and areas, comments, decisions).
# A cell like "=HYPERLINK(…)" must stay text in Excel and LibreOffice ("CSV/formula injection").

#: A CSV cell starting with one of these is read as a formula by spreadsheet programs (OWASP).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d[\d.,]*|[.,]\d+)([eE][+-]?\d+)?")


def defuse_cell(value: Any) -> Any:
    """``value`` with a leading apostrophe if a spreadsheet would run it as a formula (numbers stay)."""
    if (
        isinstance(value, str)
        and len(value) > 1  # a lone "-" (no data) or "+" is text in every spreadsheet
        and value.startswith(FORMULA_START)
        and not _PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def defused(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` whose text cells (and column names) can never run as a formula in a CSV."""
    text = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c].dtype)]
    out = frame.copy()
    for col in text:
        out[col] = out[col].map(defuse_cell)
    out.columns = [defuse_cell(str(c)) for c in out.columns]
    return out


def csv_bytes(frame: pd.DataFrame, sep: str = ",", bom: bool = False) -> bytes:
    """CSV of ``frame`` with formula-safe text cells; ``bom``: UTF-8 with BOM for a German Excel."""
    return defused(frame).to_csv(sep=sep, index=False).encode("utf-8-sig" if bom else "utf-8")


def _write_sheets(xl: pd.ExcelWriter, sheets: dict[str, pd.DataFrame]) -> None:
    """Write the sheets; every text cell stays text (openpyxl would store "=…" as a live formula)."""
    for name, frame in sheets.items():
        frame.to_excel(xl, sheet_name=name[:31], index=False)
    for ws in xl.book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"


def xlsx_bytes(frame: pd.DataFrame, notes_frame: pd.DataFrame | None = None) -> bytes:
    """The XLSX export in memory (download button)."""
    sheets = {"Tabelle": frame}
    if notes_frame is not None:
        sheets["Hinweise"] = notes_frame
    return workbook_bytes(sheets)


def workbook_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """Several tables as one XLSX, a sheet each (sheet names cut to Excel's 31 characters)."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        _write_sheets(xl, sheets)
    return buf.getvalue()
