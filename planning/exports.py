"""Exports of district tables: the same frame for the app's download button and the command line.

``export-table`` and the download on the pages call :func:`district_export`, so a file from a
scheduled job and a planner's download are identical. Small-number protection is applied before
(:func:`planning.indicators.indicator_table` cuts from the protected table) and the export refuses a
table that has not been through it: secret cells read ``geheim``, missing ones stay empty.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

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
)


def district_export(
    data: PlanningData,
    indicator: Indicator,
    year: int,
    level: int | None = None,
    target: Target | None = None,
) -> pd.DataFrame:
    """One indicator for every area of ``level`` (default: data level) in ``year``, plus the city.

    ``value`` is rounded as displayed; ``light`` is the traffic light against ``target`` (empty
    without target, for secret and for missing values). Raises ``ValueError`` if the indicator has
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
    out["light"] = lights(out["value"], target, indicator.polarity, indicator.decimals)
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
    lines.append(
        ("Leere Zelle", f"keine Daten; „{GEHEIM}“ = aus Gründen des Datenschutzes nicht ausgewiesen")
    )
    return pd.DataFrame(lines, columns=["Angabe", "Inhalt"])


def write_export(frame: pd.DataFrame, path: Path, notes_frame: pd.DataFrame | None = None) -> None:
    """CSV (UTF-8, comma, dot decimals: machine-readable) or XLSX (with a "Hinweise" sheet) by extension."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix == ".xlsx":
        with pd.ExcelWriter(path, engine="openpyxl") as xl:
            frame.to_excel(xl, sheet_name="Tabelle", index=False)
            if notes_frame is not None:
                notes_frame.to_excel(xl, sheet_name="Hinweise", index=False)
    else:
        raise ValueError(f"Dateiendung „{path.suffix}“ wird nicht unterstützt: bitte .csv oder .xlsx.")


def xlsx_bytes(frame: pd.DataFrame, notes_frame: pd.DataFrame | None = None) -> bytes:
    """The XLSX export in memory (download button)."""
    import io

    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        frame.to_excel(xl, sheet_name="Tabelle", index=False)
        if notes_frame is not None:
            notes_frame.to_excel(xl, sheet_name="Hinweise", index=False)
    return buf.getvalue()


def workbook_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """Several tables as one XLSX, a sheet each (sheet names cut to Excel's 31 characters)."""
    import io

    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        for name, frame in sheets.items():
            frame.to_excel(xl, sheet_name=name[:31], index=False)
    return buf.getvalue()
