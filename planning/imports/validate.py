"""Validation of a table against its kind's canonical format, before anything is written.

Turns a :class:`RawTable` (text cells) into a typed frame with the canonical columns plus
``_line`` (the row number the user sees in the file). Every problem names file, row and column in
German and is an error (blocks the import) or a warning (import allowed, flagged). Checks that
need the database (known area IDs, area geometries, known schools) get them through
:class:`CheckContext`, so this module stays pure.

Here: matching headers to fields, parsing every cell, the typed frame and the order of the checks.
The checks themselves: :mod:`~planning.imports.totals` (total rows, age bands against their total),
:mod:`~planning.imports.row_checks` (keys, area ids, locations, per-kind checks); the number
convention of each column: :mod:`~planning.imports.number_formats`; :class:`Checked` and
:class:`CheckContext` live in :mod:`~planning.imports.checked` and are importable from here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from planning.imports.agebands import TOTAL_WORDS, parse_age_band
from planning.imports.checked import MAX_PROBLEMS_PER_COLUMN, CheckContext, Checked, LineSet
from planning.imports.formats import FieldSpec, KindSpec, get_kind
from planning.imports.number_formats import decide_number_formats
from planning.imports.problems import InputFileError, Problem, summary_line
from planning.imports.readers import RawTable
from planning.imports.row_checks import KIND_CHECKS, check_area_ids, check_duplicates
from planning.imports.shape import TableShape, reshape
from planning.imports.totals import split_total_rows
from planning.imports.values import (
    NumberFormat,
    ValueParseError,
    is_formula,
    is_missing,
    parse_int,
    parse_number,
    parse_school_year,
)

SEX_WORDS = {
    "m": "m",
    "männlich": "m",
    "maennlich": "m",
    "w": "w",
    "weiblich": "w",
    "f": "w",
    "d": "d",
    "divers": "d",
}


def normalise_header(text: str) -> str:
    """``"Plätze U3 "`` → ``"plaetze_u3"``: how a header is matched to a canonical field name."""
    t = text.strip().lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        t = t.replace(a, b)
    t = unicodedata.normalize("NFKD", t).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", t).strip("_")


def resolve_columns(
    raw: RawTable, spec: KindSpec, mapping: dict[str, str] | None
) -> tuple[dict[str, str], list[Problem]]:
    """Map canonical field → source column; report missing required fields and unknown mappings."""
    problems: list[Problem] = []
    columns = list(raw.frame.columns)
    resolved: dict[str, str] = {}
    if mapping:
        for source, target in mapping.items():
            if target not in spec.field_names:
                problems.append(
                    Problem(
                        "Fehler",
                        f"Zuordnung auf unbekanntes Feld „{target}“ (Felder: {', '.join(spec.field_names)}).",
                        raw.file_name,
                        column=source,
                    )
                )
            elif source not in columns:
                problems.append(
                    Problem(
                        "Fehler",
                        f"Die Zuordnung erwartet die Spalte „{source}“ für „{target}“, "
                        "die Datei hat sie nicht.",
                        raw.file_name,
                        column=source,
                    )
                )
            else:
                resolved[target] = source
    by_norm = {normalise_header(c): c for c in columns}
    for f in spec.fields:
        if f.name not in resolved and f.name in by_norm and by_norm[f.name] not in resolved.values():
            resolved[f.name] = by_norm[f.name]
    missing = [f.name for f in spec.fields if f.required and f.name not in resolved]
    if missing:
        problems.append(
            Problem(
                "Fehler",
                f"Pflichtspalte(n) fehlen: {', '.join(missing)}. Gefundene Spalten: {', '.join(columns)}. "
                "Bitte die Spalten zuordnen (Zuordnungsprofil) oder die Vorlage verwenden.",
                raw.file_name,
            )
        )
    unused = [c for c in columns if c not in resolved.values()]
    if unused and not missing:
        problems.append(Problem("Hinweis", f"Nicht verwendete Spalten: {', '.join(unused)}.", raw.file_name))
    return resolved, problems


def _parser(f: FieldSpec, decimal_comma: bool) -> Callable[[Any], Any]:
    if f.type in ("int", "year"):
        return lambda v: parse_int(v, decimal_comma)
    if f.type in ("float", "lon", "lat"):
        return lambda v: parse_number(v, decimal_comma)
    if f.type == "schuljahr":
        return parse_school_year
    if f.type == "age":
        return parse_age_band
    if f.type == "sex":

        def sex(v: Any) -> str:
            key = str(v).strip().lower()
            if key in TOTAL_WORDS:
                return ""
            if key not in SEX_WORDS:
                raise ValueParseError(f"„{v}“ ist kein Geschlecht (m, w, d oder leer)")
            return SEX_WORDS[key]

        return sex
    return lambda v: str(v).strip()


def _parse_cell(cell: Any, parse: Callable[[Any], Any], f: FieldSpec) -> tuple[Any, str | None]:
    if is_missing(cell):
        return None, None
    try:
        value = parse(cell)
    except ValueParseError as exc:
        return None, str(exc)
    if f.type in ("text", "id") and is_formula(value):
        return None, (
            f"„{value}“ sieht aus wie eine Tabellenformel; solche Einträge werden aus "
            "Sicherheitsgründen nicht übernommen"
        )
    return value, None


def check_table(
    table: RawTable | Callable[[], RawTable],
    kind: str,
    mapping: dict[str, str] | None = None,
    context: CheckContext | None = None,
    number_format: NumberFormat | None = None,
    crs: str | None = None,
    options: dict[str, Any] | None = None,
    file_name: str = "",
) -> Checked:
    """Validate and type a table of ``kind``; never raises for bad content, reports it instead.

    ``table`` is the table or a function that reads it: a file that cannot be read
    (:class:`InputFileError`) comes back as a Checked with its problems (named ``file_name``). Reading
    here, not in the caller, lets the table's text go as soon as its typed columns are built:
    checking a 100 MB CSV then holds the text or the typed frame at the peak, not both.
    ``number_format`` (``de``/``en``) is the user's answer when a column's numbers are ambiguous
    (only values like ``1.234``); without it such a column is an error that asks for the choice.
    ``crs`` is the coordinate system of the ``x``/``y`` columns (e.g. ``EPSG:25832``).
    ``options`` are the mapping profile's options (:mod:`planning.imports.shape`): filters, year,
    wide → long, total rows; ``zahlenformat``/``koordinatensystem`` there when not given directly.
    """
    spec = get_kind(kind)
    try:
        raw = table if isinstance(table, RawTable) else table()
    except InputFileError as exc:
        return Checked(kind, pd.DataFrame(columns=list(spec.field_names)), exc.problems, file_name)
    del table
    ctx = context or CheckContext()
    name = raw.file_name
    options = options or {}
    number_format = number_format or options.get("zahlenformat")
    crs = crs or options.get("koordinatensystem")
    try:
        shape = TableShape.from_options(options)
    except ValueError as exc:
        return Checked(
            kind,
            pd.DataFrame(columns=[*spec.field_names, "_line"]),
            [Problem("Fehler", str(exc), name)],
            name,
        )
    raw, shape_problems = reshape(raw, spec, shape)
    problems: list[Problem] = [*raw.notes, *shape_problems]
    if any(p.blocking for p in shape_problems):
        return Checked(kind, pd.DataFrame(columns=[*spec.field_names, "_line"]), problems, name)
    resolved, col_problems = resolve_columns(raw, spec, mapping)
    problems += col_problems
    if any(p.blocking for p in col_problems):
        return Checked(kind, pd.DataFrame(columns=[*spec.field_names, "_line"]), problems, name)
    if raw.frame.empty:
        problems.append(Problem("Fehler", "Die Tabelle hat keine Datenzeilen.", name))
        return Checked(kind, pd.DataFrame(columns=[*spec.field_names, "_line"]), problems, name)

    lines = np.asarray(raw.line_numbers, dtype=np.int64)
    formats, format_problems = decide_number_formats(raw, spec, resolved, number_format)
    problems += format_problems
    failed_lines = LineSet()
    out: dict[str, pd.Series] = {}
    ages: tuple[list[Any], Any] | None = None
    # From here on the table's text is held column by column, each let go once typed (when the check
    # read the table itself, nothing else holds it: see check_table).
    n_rows = len(raw.frame)
    text = {f: raw.frame[col] for f, col in resolved.items()}
    all_origins = raw.column_origins
    del raw
    for f in spec.fields:
        if f.name not in resolved:
            out[f.name] = _typed([None], np.zeros(n_rows, dtype=np.intp), f.type)
            continue
        source = resolved[f.name]
        origins = all_origins.get(source)
        parse = _parser(f, formats.get(f.name, "de") == "de")
        # Each distinct cell is parsed and judged once (register extracts repeat years, ages and
        # ids millions of times); rows only index into the results. Position len(uniques): empty.
        codes, uniques = pd.factorize(text.pop(f.name))
        _release_arrow_memory()
        codes[codes < 0] = len(uniques)
        values: list[Any] = []
        messages: list[str | None] = []
        missing: list[bool] = []
        for cell in [*uniques, None]:
            value, problem = _parse_cell(cell, parse, f)
            is_gap = False
            if problem is None and value is None and f.required:
                if f.type in ("int", "float"):
                    is_gap = True  # a count may be unknown: kept as missing, never 0
                else:
                    problem = "Pflichtwert fehlt"
            if problem is None and isinstance(value, int | float) and f.type not in ("age",):
                if f.minimum is not None and value < f.minimum:
                    problem = (
                        "negativer Wert" if f.minimum == 0 else f"Wert {value:g} kleiner als {f.minimum:g}"
                    )
                elif f.maximum is not None and value > f.maximum:
                    problem = f"Wert {value:g} größer als {f.maximum:g}"
            if problem is None and f.type == "lon" and value is not None and not -180 <= value <= 180:
                problem = f"Längengrad {value:g} außerhalb von −180…180{OTHER_CRS}"
            if problem is None and f.type == "lat" and value is not None and not -90 <= value <= 90:
                problem = f"Breitengrad {value:g} außerhalb von −90…90{OTHER_CRS}"
            values.append(None if problem is not None else value)
            messages.append(problem)
            missing.append(is_gap)
        bad = np.flatnonzero(np.array([m is not None for m in messages])[codes])
        failed_lines.update(lines[bad])
        for i in bad[:MAX_PROBLEMS_PER_COLUMN]:
            column = origins[i] if origins else source
            problems.append(Problem("Fehler", messages[codes[i]], name, int(lines[i]), column))  # type: ignore[arg-type]
        if len(bad) > MAX_PROBLEMS_PER_COLUMN:
            problems.append(
                summary_line(
                    "Fehler", len(bad) - MAX_PROBLEMS_PER_COLUMN, "Fehler in dieser Spalte", name, source
                )
            )
        gaps = np.flatnonzero(np.array(missing)[codes])
        if len(gaps):
            shown_lines = ", ".join(map(str, lines[gaps[:15]].tolist())) + (" …" if len(gaps) > 15 else "")
            problems.append(
                Problem(
                    "Warnung",
                    f"{len(gaps)} Zeile(n) ohne Wert (Zeilen {shown_lines}); "
                    "sie werden als „keine Daten“ übernommen, nicht als 0.",
                    name,
                    column=source,
                )
            )
        if f.type == "age":
            ages = (values, codes)
        out[f.name] = _typed(values, codes, f.type)
    del codes, uniques, origins, text
    _release_arrow_memory()
    frame = pd.DataFrame(out)
    del out
    frame["_line"] = lines
    if spec.kind == "bevoelkerung":
        frame.pop("alter")
        values, codes = ages if ages is not None else ([None], np.zeros(len(frame), dtype=np.intp))
        frame["age_from"] = _whole_numbers([a[0] if isinstance(a, tuple) else None for a in values], codes)
        frame["age_to"] = _whole_numbers([a[1] if isinstance(a, tuple) else None for a in values], codes)
        frame["geschlecht"] = frame["geschlecht"].replace({"": None})
    if "x" in frame.columns:
        _xy_to_lonlat(frame, problems, resolved, crs, name, failed_lines)
    checked = Checked(kind, frame, problems, name, failed_lines)
    split_total_rows(checked, ctx, resolved, shape)
    check_duplicates(checked, spec, resolved)
    check_area_ids(checked, ctx, resolved)
    for extra in KIND_CHECKS.get(kind, ()):
        extra(checked, ctx, resolved)
    return checked


OTHER_CRS = (
    " – Koordinaten eines anderen Systems (z. B. UTM)? Dann die Spalten als x/y zuordnen und das "
    "Koordinatensystem angeben"
)


def _xy_to_lonlat(
    frame: pd.DataFrame,
    problems: list[Problem],
    resolved: dict[str, str],
    crs: str | None,
    name: str,
    failed_lines: LineSet,
) -> None:
    """Fill ``lon``/``lat`` from ``x``/``y`` in the stated CRS; without a CRS: an error, never a guess."""
    has = frame["x"].notna() & frame["y"].notna()
    if not has.any():
        return
    if not crs:
        problems.append(
            Problem(
                "Fehler",
                "Koordinaten x/y ohne Koordinatensystem: bitte angeben (z. B. EPSG:25832 für UTM 32, "
                "EPSG:25833 für UTM 33, EPSG:31467 für Gauß-Krüger 3) – in der App unter "
                "„Koordinatensystem“, auf der Kommandozeile mit --koordinatensystem.",
                name,
                int(frame.loc[has, "_line"].iloc[0]),
                resolved.get("x"),
            )
        )
        failed_lines.update(frame.loc[has, "_line"].to_numpy())
        return
    from pyproj.exceptions import CRSError

    from planning.imports.points import xy_to_lonlat

    try:
        lon, lat = xy_to_lonlat(frame["x"], frame["y"], crs)
    except (CRSError, ValueError):
        problems.append(
            Problem("Fehler", f"Unbekanntes Koordinatensystem „{crs}“ (erwartet z. B. EPSG:25832).", name)
        )
        return
    outside = has & ~(lon.between(-180, 180) & lat.between(-90, 90)).fillna(False)
    for line in frame.loc[outside, "_line"][:MAX_PROBLEMS_PER_COLUMN]:
        problems.append(
            Problem("Fehler", f"Koordinaten passen nicht zu {crs}.", name, int(line), resolved.get("x"))
        )
    frame["lon"] = frame["lon"].fillna(lon.where(~outside))
    frame["lat"] = frame["lat"].fillna(lat.where(~outside))


def _typed(values: list[Any], codes: Any, ftype: str) -> pd.Series:
    """Nullable typed column of ``values[codes]``: counts and years Int64, measures Float64,
    everything else objects (each row points to one shared object per distinct value)."""
    if ftype in ("int", "year"):
        return pd.Series(pd.array(values, dtype="Int64").take(codes))
    if ftype in ("float", "lon", "lat"):
        return pd.Series(pd.array(values, dtype="Float64").take(codes))
    distinct = np.empty(len(values), dtype=object)
    distinct[:] = values  # element by element: tuples (age bands) stay single objects
    return pd.Series(distinct[codes], dtype="object")


def _whole_numbers(values: list[int | None], codes: Any) -> Any:
    """``values[codes]`` as pandas would type the list: int64, or float64 with NaN where None."""
    used = np.zeros(len(values), dtype=bool)
    used[np.unique(codes)] = True
    if any(v is None for v, u in zip(values, used, strict=True) if u):
        return np.array([np.nan if v is None else v for v in values], dtype=np.float64)[codes]
    return np.array([0 if v is None else v for v in values], dtype=np.int64)[codes]


def _release_arrow_memory() -> None:
    """Give the memory of freed Arrow text back to the system (its allocator keeps it otherwise)."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
