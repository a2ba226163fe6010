"""Checks of the typed rows of one delivery: repeated keys, unknown area ids, facility locations
against the areas, Kita places, known schools and indicator codes; :data:`KIND_CHECKS` says which
checks beyond the common ones each data kind gets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from geodata.join import area_of_points
from planning.imports.checked import (
    MAX_PROBLEMS_PER_COLUMN,
    PART_ROWS,
    CheckContext,
    Checked,
    report_rows,
    source_column,
)
from planning.imports.formats import KINDS, KindSpec
from planning.imports.problems import Problem, summary_line
from planning.imports.totals import check_population_sums


def check_duplicates(c: Checked, spec: KindSpec, resolved: dict[str, str]) -> None:
    """A repeated key is an error, once per repeated row; rows that already failed are left out
    (an unreadable age makes rows look alike that are not)."""
    key = [k if k != "alter" else "age_from" for k in spec.key]
    if spec.kind == "bevoelkerung":
        key = [*key, "age_to"]
    key = [k for k in key if k in c.frame.columns]
    candidate = c.frame[key[0]].notna().to_numpy()
    if c.failed_lines:
        candidate = candidate & ~c.failed_lines.mask(c.frame["_line"].to_numpy())
    # Rows with equal keys are found part by part (parts split by the first key's value, so equal keys
    # meet in one part), one integer per row standing for its key: memory follows the part.
    first_key, _ = pd.factorize(c.frame[key[0]])
    n_parts = len(c.frame) // PART_ROWS + 1
    rows_found, firsts = [], []
    for k in range(n_parts):
        part = (
            np.flatnonzero(candidate & (first_key % n_parts == k))
            if n_parts > 1
            else np.flatnonzero(candidate)
        )
        ids = _row_ids(c.frame[key].iloc[part], key)
        dup = pd.Series(ids).duplicated(keep=False).to_numpy()
        if not dup.any():
            continue
        group, _ = pd.factorize(ids[dup])  # numbered in order of each group's first row
        rows = part[dup]
        first_row = np.full(group.max() + 1, len(c.frame))
        np.minimum.at(first_row, group, rows)
        rows_found.append(rows)
        firsts.append(first_row[group])
    rows = np.concatenate(rows_found) if rows_found else np.zeros(0, dtype=np.intp)
    first = np.concatenate(firsts) if firsts else np.zeros(0, dtype=np.intp)
    order = np.lexsort((rows, first))  # group by group in order of their first row, rows in file order
    lines = c.frame["_line"].to_numpy()[rows[order]]
    starts = rows[order] == first[order]
    first_of = c.frame["_line"].to_numpy()[first[order]]
    repeats = np.flatnonzero(~starts)
    shown = len(repeats)
    for at in repeats[:MAX_PROBLEMS_PER_COLUMN]:
        c.problems.append(
            Problem(
                "Fehler",
                f"Doppelte Zeile: dieselbe Kombination ({', '.join(spec.key)}) "
                f"steht schon in Zeile {int(first_of[at])}.",
                c.file_name,
                int(lines[at]),
                source_column(resolved, spec.key[0]),
            )
        )
    c.failed_lines.update(lines[repeats])
    if shown > MAX_PROBLEMS_PER_COLUMN:
        c.problems.append(
            summary_line(
                "Fehler",
                shown - MAX_PROBLEMS_PER_COLUMN,
                "doppelte Zeilen",
                c.file_name,
                source_column(resolved, spec.key[0]),
            )
        )


def _row_ids(frame: pd.DataFrame, columns: list[str]) -> Any:
    """An int64 per row, equal exactly where all ``columns`` are equal (missing equals missing)."""
    ids = np.zeros(len(frame), dtype=np.int64)
    distinct = 1
    for col in columns:
        codes, uniques = pd.factorize(frame[col], use_na_sentinel=False)
        if distinct * (len(uniques) + 1) >= 2**62:  # renumber densely before the product overflows
            ids, kept = pd.factorize(ids)
            distinct = len(kept)
        ids *= len(uniques) + 1
        ids += codes
        del codes
        distinct *= len(uniques) + 1
    return ids


def check_area_ids(c: Checked, ctx: CheckContext, resolved: dict[str, str]) -> None:
    if "gebiet_id" not in c.frame.columns or not ctx.area_ids or c.kind == "gebiete":
        return
    known = ctx.area_ids
    by_int = {k.lstrip("0"): k for k in known}
    ids = c.frame["gebiet_id"]
    unknown = ids.notna() & ~ids.isin(list(known))
    shown = int(unknown.sum())
    for gid, line in zip(ids[unknown][:MAX_PROBLEMS_PER_COLUMN], c.frame["_line"][unknown], strict=False):
        hint = ""
        if str(gid).lstrip("0") in by_int:
            hint = (
                f" Gemeint ist vermutlich „{by_int[str(gid).lstrip('0')]}“: die führenden Nullen sind "
                "verloren gegangen (typisch nach dem Öffnen in Excel). "
                "Die Spalte bitte als Text speichern."
            )
        c.problems.append(
            Problem(
                "Fehler",
                f"Unbekannte Gebietskennung „{gid}“ im aktiven Gebietsstand.{hint}",
                c.file_name,
                int(line),
                source_column(resolved, "gebiet_id"),
            )
        )
    if shown > MAX_PROBLEMS_PER_COLUMN:
        c.problems.append(
            summary_line(
                "Fehler",
                shown - MAX_PROBLEMS_PER_COLUMN,
                "unbekannte Gebietskennungen",
                c.file_name,
                source_column(resolved, "gebiet_id"),
            )
        )


def _check_points(c: Checked, ctx: CheckContext, resolved: dict[str, str]) -> None:
    """Derive missing gebiet_id from coordinates; flag points outside all areas or in another area."""
    f = c.frame
    if ctx.areas is None or ctx.areas.empty:
        return
    has_xy = f["lon"].notna() & f["lat"].notna()
    if not has_xy.any():
        return
    located = area_of_points(f["lon"], f["lat"], ctx.areas)
    name_col = source_column(resolved, "lon")
    outside: list[tuple[int, str]] = []
    elsewhere: list[tuple[int, str]] = []
    for idx in f.index[has_xy]:
        area, given, line = located[idx], f.at[idx, "gebiet_id"], int(f.at[idx, "_line"])
        if pd.isna(area):
            outside.append(
                (
                    line,
                    "Der Standort liegt außerhalb aller Gebiete der Kommune "
                    "(Koordinaten vertauscht oder falsches Koordinatensystem?).",
                )
            )
        elif pd.isna(given):
            f.at[idx, "gebiet_id"] = area
        elif given != area:
            elsewhere.append(
                (
                    line,
                    f"Angegeben ist Gebiet „{given}“, der Standort liegt aber in "
                    f"„{area}“. Übernommen wird die Angabe der Datei.",
                )
            )
    report_rows(c, "Warnung", outside, name_col, "Standorte außerhalb aller Gebiete")
    report_rows(
        c, "Warnung", elsewhere, source_column(resolved, "gebiet_id"), "Standorte in einem anderen Gebiet"
    )
    no_place = f["gebiet_id"].isna() & ~has_xy
    nowhere = "Weder Gebiet noch Koordinaten angegeben: die Einrichtung erscheint in keinem Gebiet."
    report_rows(
        c, "Warnung", [(int(x), nowhere) for x in f.loc[no_place, "_line"]], None, "Einrichtungen ohne Ort"
    )


def _check_kita_places(c: Checked, ctx: CheckContext, resolved: dict[str, str]) -> None:
    f = c.frame
    parts = f["plaetze_u3"].fillna(0) + f["plaetze_ue3"].fillna(0)
    over = f["plaetze_gesamt"].notna() & (parts > f["plaetze_gesamt"])
    u3, ue3 = f["plaetze_u3"].fillna(0), f["plaetze_ue3"].fillna(0)  # an empty part is no crash
    shown = [
        (
            int(line),
            f"U3- und Ü3-Plätze ({int(a)} + {int(b)}) sind mehr als die Plätze insgesamt ({int(total)}).",
        )
        for line, a, b, total in zip(
            f.loc[over, "_line"][:MAX_PROBLEMS_PER_COLUMN],
            u3[over],
            ue3[over],
            f.loc[over, "plaetze_gesamt"],
            strict=False,
        )
    ]
    places = source_column(resolved, "plaetze_gesamt")
    what = "Kitas mit mehr U3- und Ü3-Plätzen als insgesamt"
    report_rows(c, "Warnung", shown, places, what, int(over.sum()))
    closed_before_open = (
        f["eroeffnung_jahr"].notna()
        & f["schliessung_jahr"].notna()
        & (f["schliessung_jahr"] < f["eroeffnung_jahr"])
    )
    first = f.loc[closed_before_open, "_line"][:MAX_PROBLEMS_PER_COLUMN].tolist()
    report_rows(
        c,
        "Fehler",
        [(int(x), "Schließung vor Eröffnung.") for x in first],
        source_column(resolved, "schliessung_jahr"),
        "Kitas mit Schließung vor Eröffnung",
        int(closed_before_open.sum()),
    )


def _check_school_ids(c: Checked, ctx: CheckContext, resolved: dict[str, str]) -> None:
    if not ctx.school_ids:
        c.problems.append(
            Problem(
                "Fehler", "Es gibt noch keine Schulliste: bitte zuerst die Schulen importieren.", c.file_name
            )
        )
        return
    unknown = c.frame[c.frame["schul_id"].notna() & ~c.frame["schul_id"].isin(ctx.school_ids)]
    if len(unknown) > MAX_PROBLEMS_PER_COLUMN:
        c.problems.append(
            summary_line(
                "Fehler",
                len(unknown) - MAX_PROBLEMS_PER_COLUMN,
                "unbekannte Schulnummern",
                c.file_name,
                source_column(resolved, "schul_id"),
            )
        )
    for sid, line in list(zip(unknown["schul_id"], unknown["_line"], strict=True))[:MAX_PROBLEMS_PER_COLUMN]:
        c.problems.append(
            Problem(
                "Fehler",
                f"Schulnummer „{sid}“ steht nicht in der aktiven Schulliste.",
                c.file_name,
                int(line),
                source_column(resolved, "schul_id"),
            )
        )


def _check_indicator_values(c: Checked, ctx: CheckContext, resolved: dict[str, str]) -> None:
    f = c.frame
    nothing = f["wert"].isna() & f["zaehler"].isna()
    empty = "Weder Wert noch Zähler angegeben: die Zeile zählt als „keine Daten“."
    first = f.loc[nothing, "_line"][:MAX_PROBLEMS_PER_COLUMN].tolist()
    shown = [(int(x), empty) for x in first]
    report_rows(
        c,
        "Warnung",
        shown,
        source_column(resolved, "wert"),
        "Zeilen ohne Wert und Zähler",
        int(nothing.sum()),
    )
    bad = f["zaehler"].notna() & f["nenner"].notna() & (f["zaehler"] > f["nenner"]) & (f["nenner"] > 0)
    if int(bad.sum()) > MAX_PROBLEMS_PER_COLUMN:
        c.problems.append(
            summary_line(
                "Warnung",
                int(bad.sum()) - MAX_PROBLEMS_PER_COLUMN,
                "Zeilen mit Zähler größer als Nenner",
                c.file_name,
                source_column(resolved, "zaehler"),
            )
        )
    for line in f.loc[bad, "_line"][:MAX_PROBLEMS_PER_COLUMN]:
        c.problems.append(
            Problem(
                "Warnung",
                "Zähler ist größer als Nenner.",
                c.file_name,
                int(line),
                source_column(resolved, "zaehler"),
            )
        )
    for code in sorted(set(f["kennzahl"].dropna()) & set(ctx.computed_indicators)):
        label, kinds = ctx.computed_indicators[code]
        rows = f.loc[f["kennzahl"] == code, "_line"]
        names = ", ".join(f"{KINDS[k].label_de} ({k})" for k in kinds if k in KINDS)
        c.problems.append(
            Problem(
                "Fehler",
                f"Kennzahl „{code}“ ({label}) wird in der App berechnet, nicht importiert "
                f"({len(rows)} Zeile(n), die erste hier): importierte Werte würden nie verwendet. "
                f"Bitte stattdessen die Daten importieren, aus denen sie berechnet wird: {names}.",
                c.file_name,
                int(rows.iloc[0]),
                source_column(resolved, "kennzahl"),
            )
        )
        c.failed_lines.update(rows.to_numpy())
    if ctx.indicator_codes:
        for code in sorted(set(f["kennzahl"].dropna()) - ctx.indicator_codes):
            c.problems.append(
                Problem(
                    "Hinweis",
                    f"Kennzahl „{code}“ ist nicht im Kennzahlenregister; sie wird "
                    "mit ihrem Code als Bezeichnung übernommen.",
                    c.file_name,
                    column=source_column(resolved, "kennzahl"),
                )
            )


KIND_CHECKS: dict[str, tuple[Callable[[Checked, CheckContext, dict[str, str]], None], ...]] = {
    "bevoelkerung": (check_population_sums,),
    "kitas": (_check_points, _check_kita_places),
    "schulen": (_check_points,),
    "schueler": (_check_school_ids,),
    "kennzahlen": (_check_indicator_values,),
}
