"""Validation of a table against its kind's canonical format, before anything is written.

Turns a :class:`RawTable` (text cells) into a typed frame with the canonical columns plus
``_line`` (the row number the user sees in the file). Every problem names file, row and column in
German and is an error (blocks the import) or a warning (import allowed, flagged). Checks that
need the database (known area IDs, area geometries, known schools) get them through
:class:`CheckContext`, so this module stays pure.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geodata.join import area_of_points
from planning.formatting import number
from planning.imports.agebands import TOTAL_WORDS, parse_age_band
from planning.imports.formats import KINDS, FieldSpec, KindSpec, get_kind
from planning.imports.problems import InputFileError, Problem, Severity, count, summary_line
from planning.imports.readers import RawTable
from planning.imports.shape import TableShape, reshape
from planning.imports.values import (
    NUMBER_FORMATS,
    ColumnNumbers,
    NumberFormat,
    ValueParseError,
    is_formula,
    is_missing,
    parse_int,
    parse_number,
    parse_school_year,
)

MAX_PROBLEMS_PER_COLUMN = 25
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


@dataclass(frozen=True)
class CheckContext:
    """What the database knows: the active layout's areas (data level) and existing schools."""

    area_ids: frozenset[str] = frozenset()
    #: Data-level areas with geometry, any metric CRS; used to place points and check locations.
    areas: gpd.GeoDataFrame | None = None
    school_ids: frozenset[str] = frozenset()
    indicator_codes: frozenset[str] = frozenset()
    #: Indicators the app computes itself: code → (label, data kinds it is computed from).
    computed_indicators: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    #: Upper-level areas → the data-level areas below them (rows of these ids are total rows).
    children: dict[str, frozenset[str]] = field(default_factory=dict)


class LineSet:
    """Lines (as in the file) that already have an error, kept as int64 arrays: when every row of a
    100 MB file fails, 8 bytes a line instead of a Python int in a set (some 60 bytes)."""

    def __init__(self, lines: Any = ()) -> None:
        self._parts: list[Any] = []
        self._sorted = True
        self.update(lines)

    def add(self, line: int) -> None:
        self.update([line])

    def update(self, lines: Any) -> None:
        arr = np.asarray(lines if isinstance(lines, np.ndarray | list) else list(lines), dtype=np.int64)
        if len(arr):
            self._parts.append(arr.ravel())
            self._sorted = False

    def array(self) -> Any:
        """The lines, sorted and unique (an int64 array)."""
        if not self._sorted:
            self._parts = [np.unique(np.concatenate(self._parts))]
            self._sorted = True
        return self._parts[0] if self._parts else np.zeros(0, dtype=np.int64)

    def mask(self, lines: Any) -> Any:
        """Boolean array: which of ``lines`` are in the set (by binary search, no hash table)."""
        arr, lines = self.array(), np.asarray(lines, dtype=np.int64)
        if not len(arr):
            return np.zeros(len(lines), dtype=bool)
        at = np.minimum(np.searchsorted(arr, lines), len(arr) - 1)
        return arr[at] == lines

    def __contains__(self, line: object) -> bool:
        if not isinstance(line, int | np.integer):
            return False
        arr = self.array()
        i = int(np.searchsorted(arr, int(line)))
        return i < len(arr) and bool(arr[i] == line)

    def __len__(self) -> int:
        return len(self.array())

    def __bool__(self) -> bool:
        return bool(self._parts)

    def __iter__(self) -> Any:
        return iter(self.array().tolist())

    def __eq__(self, other: object) -> bool:
        return set(self) == set(other) if isinstance(other, LineSet | set | frozenset) else NotImplemented

    def __repr__(self) -> str:
        return f"LineSet({len(self)} Zeilen)"


@dataclass
class Checked:
    kind: str
    frame: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    file_name: str = ""
    #: Lines (as in the file) that already have an error: later checks do not report them again.
    failed_lines: LineSet = field(default_factory=LineSet)
    #: Set by the check when the delivery is far smaller than the version it replaces
    #: (:class:`planning.imports.shrink.Shrink`): the import then needs a confirmation.
    shrink: Any = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.blocking]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "Warnung"]

    @property
    def error_count(self) -> int:
        """Errors found, including those a summary line "… und N weitere" stands for."""
        return count(self.problems, "Fehler")

    @property
    def warning_count(self) -> int:
        return count(self.problems, "Warnung")

    @property
    def ok(self) -> bool:
        return not self.errors


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
    raw: RawTable,
    kind: str,
    mapping: dict[str, str] | None = None,
    context: CheckContext | None = None,
    number_format: NumberFormat | None = None,
    crs: str | None = None,
    options: dict[str, Any] | None = None,
) -> Checked:
    """Validate and type a table of ``kind``; never raises for bad content, reports it instead.

    ``number_format`` (``de``/``en``) is the user's answer when a column's numbers are ambiguous
    (only values like ``1.234``); without it such a column is an error that asks for the choice.
    ``crs`` is the coordinate system of the ``x``/``y`` columns (e.g. ``EPSG:25832``).
    ``options`` are the mapping profile's options (:mod:`planning.imports.shape`): filters, year,
    wide → long, total rows; ``zahlenformat``/``koordinatensystem`` there when not given directly.
    """
    return check_read(lambda: raw, kind, mapping, context, number_format, crs, options, raw.file_name)


def check_read(
    read: Callable[[], RawTable],
    kind: str,
    mapping: dict[str, str] | None = None,
    context: CheckContext | None = None,
    number_format: NumberFormat | None = None,
    crs: str | None = None,
    options: dict[str, Any] | None = None,
    file_name: str = "",
) -> Checked:
    """:func:`check_table` of the table ``read()`` returns; a file that cannot be read
    (:class:`InputFileError`) comes back as a Checked with its problems.

    Reading here, not in the caller, lets the table's text go as soon as its typed columns are built:
    checking a 100 MB CSV then holds the text or the typed frame at the peak, not both.
    """
    spec = get_kind(kind)
    try:
        raw = read()
    except InputFileError as exc:
        return Checked(kind, pd.DataFrame(columns=list(spec.field_names)), exc.problems, file_name)
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
    # read the table itself, nothing else holds it: see check_read).
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
    _split_total_rows(checked, ctx, resolved, shape)
    _check_duplicates(checked, spec, resolved)
    _check_area_ids(checked, ctx, resolved)
    for extra in _KIND_CHECKS.get(kind, ()):
        extra(checked, ctx, resolved)
    return checked


NUMERIC_TYPES = ("int", "year", "float", "lon", "lat")
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


ASK_FORMAT = (
    "Bitte das Zahlenformat wählen: in der App „Zahlenformat“ über der Vorschau, auf der Kommandozeile "
    "--zahlenformat de oder --zahlenformat en (oder im Zuordnungsprofil speichern)."
)


def decide_number_formats(
    raw: RawTable, spec: KindSpec, resolved: dict[str, str], declared: NumberFormat | None = None
) -> tuple[dict[str, NumberFormat], list[Problem]]:
    """The decimal/thousands convention of every numeric column, from its values, never from a guess.

    A column decides by its own values (``12,5`` or ``1.234,5`` → German, ``6.25`` or ``1,234.5`` →
    English); a column without such values but with ``1.234``/``1,234`` takes the user's choice,
    else the convention the file's other columns prove, else — for whole numbers (counts, years),
    where only one reading is a whole number — that reading; otherwise it is an error that asks.
    The separator and encoding say nothing: Excel writes both conventions with every separator.
    """
    name = raw.file_name
    lines = raw.line_numbers
    typed = {f for f, col in resolved.items() if col in raw.typed_columns}
    evidence = {
        f.name: ColumnNumbers.of(raw.frame[resolved[f.name]])
        for f in spec.fields
        if f.type in NUMERIC_TYPES and f.name in resolved and f.name not in typed
    }
    proven = {ev.own for ev in evidence.values() if ev.own is not None}
    file_format = next(iter(proven)) if len(proven) == 1 else None
    formats: dict[str, NumberFormat] = dict.fromkeys(typed, "en")
    problems: list[Problem] = []
    for fname, ev in evidence.items():
        source = resolved[fname]
        cells = raw.frame[source]
        if ev.de and ev.en:
            i, j = ev.de[0], ev.en[0]
            problems.append(
                Problem(
                    "Fehler",
                    f"Die Spalte mischt deutsche (Zeile {lines[i]}: „{cells.iloc[i]}“) und englische "
                    f"Zahlenschreibweise (Zeile {lines[j]}: „{cells.iloc[j]}“). Bitte einheitlich speichern.",
                    name,
                    lines[i],
                    source,
                )
            )
            formats[fname] = "de"
            continue
        if declared is not None:
            formats[fname] = declared
            continue
        if ev.own is not None or not ev.ambiguous:
            formats[fname] = ev.own or "de"
            continue
        first = ev.ambiguous[0]
        example = cells.iloc[first]
        if file_format is not None:
            formats[fname] = file_format
            problems.append(
                Problem(
                    "Hinweis",
                    f"Werte wie „{example}“ nach der Schreibweise der übrigen Spalten gelesen: "
                    f"{NUMBER_FORMATS[file_format]}, „{example}“ = {_reading(example, file_format)}.",
                    name,
                    column=source,
                )
            )
        elif spec.field(fname).type in ("int", "year") and not (ev.dot and ev.comma):
            formats[fname] = "de" if ev.dot else "en"
            problems.append(
                Problem(
                    "Hinweis",
                    f"„{example}“ ist hier eine ganze Zahl: gelesen als "
                    f"{_reading(example, formats[fname])} (Tausendertrennzeichen).",
                    name,
                    column=source,
                )
            )
        else:
            formats[fname] = "de"
            problems.append(
                Problem(
                    "Fehler",
                    f"Zahlenformat nicht eindeutig: „{example}“ (Zeile {lines[first]}) kann "
                    f"{_reading(example, 'de')} (deutsch) oder {_reading(example, 'en')} (englisch) "
                    f"bedeuten, und die Datei zeigt nicht, welche Schreibweise sie verwendet. {ASK_FORMAT}",
                    name,
                    lines[first],
                    source,
                )
            )
    return formats, problems


def _reading(text: str, fmt: NumberFormat) -> str:
    """The value a reading gives, written without thousands separators (``1234`` or ``1,234``)."""
    value = parse_number(text, fmt == "de") or 0.0
    return str(int(value)) if value.is_integer() else repr(value).replace(".", ",")


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


def _col(resolved: dict[str, str], fld: str) -> str:
    return resolved.get(fld, fld)


#: Kinds whose rows are per area and can contain total rows; the additive value and its keys.
_TOTALS: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "bevoelkerung": ("anzahl", ("jahr", "age_from", "age_to", "geschlecht")),
    "geburten": ("anzahl", ("jahr",)),
    "kindertagespflege": ("plaetze", ("jahr",)),
    "kennzahlen": (None, ("jahr", "kennzahl")),
}


def _split_total_rows(c: Checked, ctx: CheckContext, resolved: dict[str, str], shape: TableShape) -> None:
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
                column=_col(resolved, "gebiet_id"),
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
                f"Summenzeile „{row['gebiet_id']}“ nennt {_de(int(row[value]))}, ihre Teile "
                f"({row['_n']} Gebiete) ergeben {_de(int(row['_sum']))}.",
                c.file_name,
                int(row["_line"]),
                _col(resolved, value),
            )
        )
    if len(bad) > MAX_PROBLEMS_PER_COLUMN:
        c.problems.append(
            summary_line(
                "Warnung",
                len(bad) - MAX_PROBLEMS_PER_COLUMN,
                "abweichende Summenzeilen",
                c.file_name,
                _col(resolved, value),
            )
        )
    c.problems.append(
        Problem(
            "Hinweis",
            f"{len(totals)} Summenzeile(n) (Kennungen {shown_ids}) erkannt und nicht importiert: "
            f"{int(ok.sum())} stimmen mit der Summe ihrer Teile überein, {len(bad)} weichen ab, "
            f"{int((~complete).sum())} nicht prüfbar (Teile fehlen oder ohne Wert).",
            c.file_name,
            column=_col(resolved, "gebiet_id"),
        )
    )


def _check_duplicates(c: Checked, spec: KindSpec, resolved: dict[str, str]) -> None:
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
                _col(resolved, spec.key[0]),
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
                _col(resolved, spec.key[0]),
            )
        )


def _release_arrow_memory() -> None:
    """Give the memory of freed Arrow text back to the system (its allocator keeps it otherwise)."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()


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


def _check_area_ids(c: Checked, ctx: CheckContext, resolved: dict[str, str]) -> None:
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
                _col(resolved, "gebiet_id"),
            )
        )
    if shown > MAX_PROBLEMS_PER_COLUMN:
        c.problems.append(
            summary_line(
                "Fehler",
                shown - MAX_PROBLEMS_PER_COLUMN,
                "unbekannte Gebietskennungen",
                c.file_name,
                _col(resolved, "gebiet_id"),
            )
        )


#: Rows per part of the duplicate and population-sum checks (parts of whole keys or areas): their
#: peak memory follows the part, not the file.
PART_ROWS = 400_000


def _check_population_sums(c: Checked, ctx: CheckContext, resolved: dict[str, str]) -> None:
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
                f"{_de(int(row['_sum']))} Personen, "
                f"die Summe „insgesamt“ nennt {_de(int(row['anzahl']))}.",
                c.file_name,
                int(row["_line"]),
                _col(resolved, "anzahl"),
            )
        )
    if len(bad) > MAX_PROBLEMS_PER_COLUMN:
        c.problems.append(
            summary_line(
                "Warnung",
                len(bad) - MAX_PROBLEMS_PER_COLUMN,
                "Summen „insgesamt“, die nicht zu ihren Altersgruppen passen",
                c.file_name,
                _col(resolved, "anzahl"),
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


def _de(n: int) -> str:
    return number(n)


def _check_points(c: Checked, ctx: CheckContext, resolved: dict[str, str]) -> None:
    """Derive missing gebiet_id from coordinates; flag points outside all areas or in another area."""
    f = c.frame
    if ctx.areas is None or ctx.areas.empty:
        return
    has_xy = f["lon"].notna() & f["lat"].notna()
    if not has_xy.any():
        return
    located = area_of_points(f["lon"], f["lat"], ctx.areas)
    name_col = _col(resolved, "lon")
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
    _report_rows(c, "Warnung", outside, name_col, "Standorte außerhalb aller Gebiete")
    _report_rows(c, "Warnung", elsewhere, _col(resolved, "gebiet_id"), "Standorte in einem anderen Gebiet")
    no_place = f["gebiet_id"].isna() & ~has_xy
    nowhere = "Weder Gebiet noch Koordinaten angegeben: die Einrichtung erscheint in keinem Gebiet."
    _report_rows(
        c, "Warnung", [(int(x), nowhere) for x in f.loc[no_place, "_line"]], None, "Einrichtungen ohne Ort"
    )


def _report_rows(
    c: Checked,
    severity: Severity,
    found: list[tuple[int, str]],
    column: str | None,
    what: str,
    total: int | None = None,
) -> None:
    """One problem per row (line, message) for the first :data:`MAX_PROBLEMS_PER_COLUMN`, then
    "… und N weitere" up to ``total`` (default: all found): a file of a million faulty rows must
    not become a million messages."""
    total = len(found) if total is None else total
    for line, message in found[:MAX_PROBLEMS_PER_COLUMN]:
        c.problems.append(Problem(severity, message, c.file_name, line, column))
    if total > MAX_PROBLEMS_PER_COLUMN:
        c.problems.append(summary_line(severity, total - MAX_PROBLEMS_PER_COLUMN, what, c.file_name, column))


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
    places = _col(resolved, "plaetze_gesamt")
    what = "Kitas mit mehr U3- und Ü3-Plätzen als insgesamt"
    _report_rows(c, "Warnung", shown, places, what, int(over.sum()))
    closed_before_open = (
        f["eroeffnung_jahr"].notna()
        & f["schliessung_jahr"].notna()
        & (f["schliessung_jahr"] < f["eroeffnung_jahr"])
    )
    first = f.loc[closed_before_open, "_line"][:MAX_PROBLEMS_PER_COLUMN].tolist()
    _report_rows(
        c,
        "Fehler",
        [(int(x), "Schließung vor Eröffnung.") for x in first],
        _col(resolved, "schliessung_jahr"),
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
                _col(resolved, "schul_id"),
            )
        )
    for sid, line in list(zip(unknown["schul_id"], unknown["_line"], strict=True))[:MAX_PROBLEMS_PER_COLUMN]:
        c.problems.append(
            Problem(
                "Fehler",
                f"Schulnummer „{sid}“ steht nicht in der aktiven Schulliste.",
                c.file_name,
                int(line),
                _col(resolved, "schul_id"),
            )
        )


def _check_indicator_values(c: Checked, ctx: CheckContext, resolved: dict[str, str]) -> None:
    f = c.frame
    nothing = f["wert"].isna() & f["zaehler"].isna()
    empty = "Weder Wert noch Zähler angegeben: die Zeile zählt als „keine Daten“."
    first = f.loc[nothing, "_line"][:MAX_PROBLEMS_PER_COLUMN].tolist()
    shown = [(int(x), empty) for x in first]
    _report_rows(
        c, "Warnung", shown, _col(resolved, "wert"), "Zeilen ohne Wert und Zähler", int(nothing.sum())
    )
    bad = f["zaehler"].notna() & f["nenner"].notna() & (f["zaehler"] > f["nenner"]) & (f["nenner"] > 0)
    if int(bad.sum()) > MAX_PROBLEMS_PER_COLUMN:
        c.problems.append(
            summary_line(
                "Warnung",
                int(bad.sum()) - MAX_PROBLEMS_PER_COLUMN,
                "Zeilen mit Zähler größer als Nenner",
                c.file_name,
                _col(resolved, "zaehler"),
            )
        )
    for line in f.loc[bad, "_line"][:MAX_PROBLEMS_PER_COLUMN]:
        c.problems.append(
            Problem(
                "Warnung", "Zähler ist größer als Nenner.", c.file_name, int(line), _col(resolved, "zaehler")
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
                _col(resolved, "kennzahl"),
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
                    column=_col(resolved, "kennzahl"),
                )
            )


_KIND_CHECKS: dict[str, tuple[Callable[[Checked, CheckContext, dict[str, str]], None], ...]] = {
    "bevoelkerung": (_check_population_sums,),
    "kitas": (_check_points, _check_kita_places),
    "schulen": (_check_points,),
    "schueler": (_check_school_ids,),
    "kennzahlen": (_check_indicator_values,),
}
