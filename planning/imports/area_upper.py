"""The level above an area file's areas taken from a second area file (profile option ``ober_datei``):
each area goes to the upper area that holds the largest share of it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geodata.io import VectorFileError, read_vector
from geodata.join import containing_upper
from planning.imports.problems import Problem
from planning.imports.validate import normalise_header

#: Below this share of its area inside one upper area, a lower area's assignment is reported.
UPPER_SHARE_CLEAR = 0.9


def upper_from_file(
    out: gpd.GeoDataFrame, upper_file: str, options: dict[str, Any], name: str
) -> list[Problem]:
    """Profile option ``ober_datei``: each area goes to the upper area (second file) holding most of it.

    Fills ``out``'s ``ober_gebiet_id``/``ober_name`` in place (``out`` is this check's own frame).
    ``ober_datei_id``/``ober_datei_name`` name the upper file's columns (else ``gebiet_id``/``name``
    or the like, by header). An area in no upper area is an error; one split between two is a warning.
    """
    path = Path(upper_file)
    label = path.name
    try:
        upper = read_vector(path, label)
    except VectorFileError as exc:
        return [Problem("Fehler", f"Datei der übergeordneten Ebene: {str(exc).split(': ', 1)[-1]}", label)]
    if upper.crs is None:
        return [Problem("Fehler", "Datei der übergeordneten Ebene: kein Koordinatenbezugssystem.", label)]
    columns = [c for c in upper.columns if c != upper.geometry.name]
    by_norm = {normalise_header(c): c for c in columns}

    def column(option: str, guesses: tuple[str, ...]) -> str | None:
        chosen = str(options.get(option) or "").strip()
        if chosen:
            return chosen if chosen in columns else None
        return next((by_norm[g] for g in guesses if g in by_norm), None)

    id_col = column("ober_datei_id", ("ober_gebiet_id", "gebiet_id", "id", "kennung", "nummer"))
    if id_col is None:
        wanted = options.get("ober_datei_id")
        what = (
            f"Die Spalte „{wanted}“ fehlt"
            if wanted
            else "Welche Spalte die Kennung hält, ist nicht angegeben"
        )
        return [
            Problem(
                "Fehler",
                f"Datei der übergeordneten Ebene: {what}. Vorhanden: {', '.join(columns)} "
                "(Profiloption ober_datei_id).",
                label,
            )
        ]
    name_col = column("ober_datei_name", ("ober_name", "name", "bezeichnung"))
    if options.get("ober_datei_name") and name_col is None:
        return [
            Problem(
                "Fehler",
                f"Datei der übergeordneten Ebene: Die Spalte „{options['ober_datei_name']}“ fehlt. "
                f"Vorhanden: {', '.join(columns)}.",
                label,
            )
        ]
    upper = upper.assign(_uid=id_texts(upper[id_col]))
    names = upper.set_index("_uid")[name_col].astype("string") if name_col else None
    found = containing_upper(out, upper, "gebiet_id", "_uid")
    problems: list[Problem] = []
    for line, gid, uid, share, other, other_share in zip(
        out["_line"], found["gebiet_id"], found["_uid"], found["share"], found["second_id"],
        found["second_share"], strict=True,
    ):  # fmt: skip
        if pd.isna(uid):
            problems.append(
                Problem(
                    "Fehler", f"Gebiet „{gid}“ liegt in keinem Gebiet der Datei {label}.", name, int(line)
                )
            )
        elif share < UPPER_SHARE_CLEAR:
            problems.append(
                Problem(
                    "Warnung",
                    f"Gebiet „{gid}“ liegt zu {round(100 * share)} % in „{uid}“ und zu "
                    f"{round(100 * other_share)} % in „{other}“: „{uid}“ zugeordnet (größter Flächenanteil).",
                    name,
                    int(line),
                )
            )
    if any(p.severity == "Fehler" for p in problems):
        return problems
    out["ober_gebiet_id"] = found["_uid"].astype(object).to_numpy()
    if names is not None:
        names = names[~names.index.duplicated()]
        out["ober_name"] = found["_uid"].map(names).astype("string").to_numpy()
    used = found["_uid"].nunique()
    problems.append(
        Problem(
            "Hinweis",
            f"Übergeordnete Ebene aus {label} (Kennung: {id_col}"
            + (f", Name: {name_col}" if name_col else "")
            + f"): {len(out)} Gebiete in {used} von {len(upper)} Gebieten, je nach größtem Flächenanteil.",
            name,
        )
    )
    return problems


def id_texts(series: pd.Series) -> pd.Series:
    """Area ids as text: 101.0 from a numeric column is "101", blanks stripped, empty cells None."""

    def one(v: object) -> str | None:
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            return None
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v).strip()

    return pd.Series([one(v) for v in series], index=series.index, dtype="object")
