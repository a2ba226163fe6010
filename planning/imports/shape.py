"""Tables as cities publish them, brought into the canonical long form by the mapping profile.

A profile (Zuordnungsprofil) holds, besides the column mapping, *options* that say how the city's
table is laid out; they are saved with the profile, so next year's file imports in one step:

- ``filter``: keep only rows where a column has a given value (``{"Tabelle": "Alter"}``: one table
  of a long file that holds several) or any value (``{"Merkmal": "*"}``);
- ``jahr``: a fixed year for a file without a year column; ``jahr_aus_dateiname``: the year is the
  one four-digit year in the file name (``bev_2012.csv``);
- ``breit``: a wide table (``alter``: one column per age band, ``jahr``: one column per year) is
  turned into rows; ``breit_spalten`` names the columns, otherwise every column whose header is an
  age band (or a year) is taken;
- ``kennzahl``: a fixed indicator code for a Kennzahlen file without a code column;
- ``summen_ids``: ids of total rows that are no area (``000`` for the city); rows of upper-level
  areas (districts ``001``–``009``) are recognised by themselves. Total rows are checked against
  the sum of their parts (a warning on mismatch) and not imported; ``summenzeilen: ueberspringen``
  skips them without the check (one summary line).

:data:`OPTIONS` is the registry of every option (the import guide is generated from it).
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, overload

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from planning.imports.agebands import parse_age_band
from planning.imports.formats import KindSpec
from planning.imports.problems import Problem
from planning.imports.readers import RAW_TEXT, RawTable
from planning.imports.values import ValueParseError


@dataclass(frozen=True)
class Option:
    key: str
    example: str
    help_de: str
    cli: str = ""


OPTIONS: tuple[Option, ...] = (
    Option(
        "zahlenformat",
        '"de"',
        "Schreibweise der Zahlen, wenn die Datei sie nicht zeigt: de oder en.",
        "--zahlenformat",
    ),
    Option(
        "koordinatensystem",
        '"EPSG:25832"',
        "Koordinatensystem der Spalten x/y (Kitas, Schulen).",
        "--koordinatensystem",
    ),
    Option("sheet", '"Tabelle1"', "Tabellenblatt einer Excel-Datei.", "--sheet"),
    Option(
        "source", '"Amt für Statistik"', "Quelle, die jeder Datenstand aus diesem Profil trägt.", "--source"
    ),
    Option("licence", '"dl-de/by-2-0"', "Lizenz, die jeder Datenstand aus diesem Profil trägt.", "--licence"),
    Option(
        "filter",
        '{"Tabelle": "Alter"}',
        "Nur Zeilen behalten, in denen die Spalte diesen Wert hat (`*`: irgendeinen Wert) – z. B. eine "
        "Tabelle aus einer langen Datei mit mehreren Tabellen.",
        "--filter SPALTE=WERT",
    ),
    Option("jahr", "2012", "Fester Stichtagsjahrgang für eine Datei ohne Jahresspalte.", "--jahr"),
    Option(
        "jahr_aus_dateiname",
        "true",
        "Das Jahr ist die eine vierstellige Jahreszahl im Dateinamen (z. B. `bevoelkerung_2012.csv`).",
        "--jahr-aus-dateiname",
    ),
    Option(
        "breit",
        '"alter"',
        "Breite Tabelle in Zeilen umformen: `alter` (eine Spalte je Altersgruppe) oder `jahr` (eine "
        "Spalte je Jahr); die Zellen werden zu `anzahl` (Kennzahlen: `wert`, Kindertagespflege: `plaetze`).",
        "--breit alter|jahr",
    ),
    Option(
        "breit_spalten",
        '["unter 3", "3 bis u. 6"]',
        "Die umzuformenden Spalten; ohne Angabe jede Spalte, deren Kopf eine Altersgruppe "
        "(bzw. ein Jahr) ist.",
        "--breit-spalten A,B",
    ),
    Option(
        "kennzahl",
        '"kinderarmut"',
        "Nur Kennzahlen: ein fester Kennzahl-Code für eine Datei ohne Kennzahl-Spalte (z. B. eine breite "
        "Tabelle mit einer Spalte je Jahr für eine Kennzahl).",
        "--kennzahl CODE",
    ),
    Option(
        "summen_ids",
        '["000"]',
        "Kennungen von Summenzeilen, die kein Gebiet sind (z. B. `000` für die Stadt): sie werden mit der "
        "Summe aller Gebiete verglichen und nicht importiert. Zeilen übergeordneter Gebiete (Stadtbezirke) "
        "neben den Zeilen ihrer Teile werden von selbst erkannt und mit deren Summe verglichen.",
        "--summen-ids 000",
    ),
    Option(
        "summenzeilen",
        '"ueberspringen"',
        "`pruefen` (Standard): Summenzeilen mit der Summe der Teile vergleichen (Warnung bei Abweichung); "
        "`ueberspringen`: ohne Vergleich auslassen (eine Zeile im Prüfbericht).",
        "--summenzeilen pruefen|ueberspringen",
    ),
    Option(
        "ober_aus_praefix",
        "2",
        "Nur Gebiete: die übergeordnete Ebene aus den ersten N Zeichen der Kennung bilden "
        "(z. B. `0101` → `01`).",
        "--ober-aus-praefix N",
    ),
    Option(
        "ober_datei",
        '"stadtbezirke.zip"',
        "Nur Gebiete: die übergeordnete Ebene aus einer zweiten Gebietsdatei (z. B. Stadtbezirke): jedes "
        "Gebiet kommt in das Gebiet dieser Datei, in dem der größte Teil seiner Fläche liegt (unter 90 % "
        "eine Warnung, außerhalb aller ein Fehler). Auf der Import-Seite: zweite Datei hochladen.",
        "--ober-datei DATEI",
    ),
    Option(
        "ober_datei_id",
        '"BEZ_NR"',
        "Spalte der zweiten Gebietsdatei mit der Kennung der übergeordneten Gebiete (ohne Angabe: eine "
        "Spalte gebiet_id, id oder kennung).",
        "--ober-datei-id SPALTE",
    ),
    Option(
        "ober_datei_name",
        '"BEZ_NAME"',
        "Spalte der zweiten Gebietsdatei mit dem Namen der übergeordneten Gebiete (ohne Angabe: eine "
        "Spalte name oder bezeichnung, sonst die Kennung).",
        "--ober-datei-name SPALTE",
    ),
)
OPTION_KEYS = frozenset(o.key for o in OPTIONS)
#: The field a wide table's cells go to, per kind.
WIDE_VALUE = {
    "bevoelkerung": "anzahl",
    "geburten": "anzahl",
    "kindertagespflege": "plaetze",
    "kennzahlen": "wert",
}
_YEAR_IN_NAME = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


@dataclass(frozen=True)
class TableShape:
    """The layout options of a profile that reshape the table before the check."""

    filters: tuple[tuple[str, str], ...] = ()
    year: int | None = None
    year_from_file_name: bool = False
    wide: str | None = None
    wide_columns: tuple[str, ...] = ()
    total_ids: tuple[str, ...] = ()
    skip_totals: bool = False
    indicator: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_options(cls, options: dict[str, Any] | None) -> TableShape:
        o = options or {}
        unknown = sorted(set(o) - OPTION_KEYS)
        if unknown:
            raise ValueError(
                f"Unbekannte Profiloption(en): {', '.join(unknown)}. Gültig: {', '.join(sorted(OPTION_KEYS))}"
            )
        wide = o.get("breit") or None
        if wide not in (None, "alter", "jahr"):
            raise ValueError(f"Profiloption breit: „{wide}“ – erwartet alter oder jahr.")
        totals = o.get("summenzeilen") or "pruefen"
        if totals not in ("pruefen", "ueberspringen"):
            raise ValueError(f"Profiloption summenzeilen: „{totals}“ – erwartet pruefen oder ueberspringen.")
        year = o.get("jahr")
        if year not in (None, "") and not str(year).strip().isdigit():
            raise ValueError(f"Profiloption jahr: „{year}“ ist keine Jahreszahl.")
        return cls(
            filters=tuple((str(k), str(v)) for k, v in (o.get("filter") or {}).items()),
            year=int(year) if year not in (None, "") else None,
            year_from_file_name=bool(o.get("jahr_aus_dateiname")),
            wide=wide,
            wide_columns=tuple(o.get("breit_spalten") or ()),
            total_ids=tuple(str(x) for x in (o.get("summen_ids") or ())),
            skip_totals=totals == "ueberspringen",
            indicator=str(o["kennzahl"]).strip() if str(o.get("kennzahl") or "").strip() else None,
        )

    @property
    def active(self) -> bool:
        return bool(self.filters or self.year or self.year_from_file_name or self.wide or self.indicator)


def reshape(raw: RawTable, spec: KindSpec, shape: TableShape) -> tuple[RawTable, list[Problem]]:
    """Apply filters, the year and wide → long; problems are German and name the file (and column)."""
    if not shape.active:
        return raw, []
    name = raw.file_name
    frame = raw.frame
    # Line numbers stay an int64 array and columns stay as read (categories when the check reads):
    # a wide table of 100 MB becomes millions of rows, never a Python object per row.
    lines = np.asarray(raw.line_numbers, dtype=np.int64)
    problems: list[Problem] = []
    for column, value in shape.filters:
        if column not in frame.columns:
            return raw, [_missing_column(column, frame, name, "Filter")]
        cells = frame[column]
        keep = cells.notna() if value == "*" else cells.astype("string").str.strip().eq(value).fillna(False)
        problems.append(
            Problem(
                "Hinweis",
                f"Filter „{column} = {value}“: {int(keep.sum())} von {len(frame)} Zeilen behalten.",
                name,
                column=column,
            )
        )
        kept = keep.to_numpy(dtype=bool)
        frame = frame[kept]
        lines = lines[kept]
    year = shape.year
    if shape.year_from_file_name:
        found = sorted(set(_YEAR_IN_NAME.findall(name)))
        if len(found) != 1:
            what = "keine Jahreszahl" if not found else f"mehrere Jahreszahlen ({', '.join(found)})"
            return raw, [
                Problem(
                    "Fehler",
                    f"Das Jahr soll aus dem Dateinamen kommen, aber der Name enthält {what}. Bitte die Datei "
                    "umbenennen (z. B. bevoelkerung_2012.csv) oder das Jahr angeben (--jahr).",
                    name,
                )
            ]
        year = int(found[0])
        problems.append(Problem("Hinweis", f"Jahr {year} aus dem Dateinamen.", name))
    origins = dict(raw.column_origins)
    if shape.wide:
        value_field = WIDE_VALUE.get(spec.kind)
        if value_field is None:
            return raw, [Problem("Fehler", f"Breite Tabellen gibt es bei {spec.label_de} nicht.", name)]
        columns = list(dict.fromkeys(shape.wide_columns)) or [
            c for c in frame.columns if _is_wide_header(c, shape.wide)
        ]
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            return raw, [_missing_column(missing[0], frame, name, "breit_spalten")]
        if not columns:
            return raw, [
                Problem(
                    "Fehler",
                    f"Keine Spalte, deren Kopf {_WHAT[shape.wide]} ist "
                    f"(Spalten: {', '.join(frame.columns)}). Bitte die Spalten angeben (breit_spalten).",
                    name,
                )
            ]
        for c in columns:
            if shape.wide == "alter":
                try:
                    parse_age_band(c)
                except ValueParseError as exc:
                    return raw, [Problem("Fehler", f"Spaltenkopf: {exc}", name, column=c)]
        frame = _melt(frame, columns, shape.wide, value_field)
        origins[value_field] = Blocks(tuple(columns), len(lines))
        lines = np.tile(lines, len(columns))
        problems.append(
            Problem(
                "Hinweis",
                f"Breite Tabelle: {len(columns)} Spalten ({_few(columns)}) "
                f"als {shape.wide} in Zeilen umgeformt.",
                name,
            )
        )
    if year is not None:
        frame = frame.assign(jahr=_constant(str(year), len(frame)))
    if shape.indicator:
        if spec.kind != "kennzahlen":
            return raw, [Problem("Fehler", "Einen festen Kennzahl-Code gibt es nur bei Kennzahlen.", name)]
        frame = frame.assign(kennzahl=_constant(shape.indicator, len(frame)))
        problems.append(
            Problem("Hinweis", f"Kennzahl „{shape.indicator}“ für alle Zeilen (Profiloption).", name)
        )
    frame = frame.reset_index(drop=True)
    frame = frame.reset_index(drop=True)
    numbers = array("q")
    numbers.frombytes(lines.astype(np.int64).tobytes())
    return replace(raw, frame=frame, line_numbers=numbers, column_origins=origins), problems


class Blocks(Sequence[str]):
    """The source column of every row of a melted wide table: ``names[0]`` for the first ``size``
    rows, then ``names[1]`` … (what a tuple per row would say, without a pointer per row)."""

    def __init__(self, names: tuple[str, ...], size: int) -> None:
        self.names, self.size = names, size

    def __len__(self) -> int:
        return len(self.names) * self.size

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[str]: ...
    def __getitem__(self, i: int | slice) -> str | Sequence[str]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self.names[int(i) // self.size]


def _constant(text: str, n: int) -> pd.Categorical:
    """A column of one text for ``n`` rows: one byte a row."""
    return pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=[text])


def _melt(frame: pd.DataFrame, columns: list[str], wide: str, value_field: str) -> pd.DataFrame:
    """Wide → long, block by block (all rows for the first wide column, then the next …): the kept
    columns are repeated by position, the header column is a category, and the cells keep their
    dtype (category codes when the check reads; a union of categories, never objects)."""
    n, k = len(frame), len(columns)
    rows = np.tile(np.arange(n), k)
    out = {c: frame[c].take(rows).reset_index(drop=True) for c in frame.columns if c not in columns}
    out[wide] = pd.Categorical.from_codes(np.repeat(np.arange(k, dtype=np.int32), n), categories=columns)
    cells = [frame[c] for c in columns]
    try:
        if not all(isinstance(c.dtype, pd.CategoricalDtype) for c in cells):
            raise TypeError("not all categorical")
        out[value_field] = union_categoricals(cells, ignore_order=True)
    except TypeError:  # text as read (not compact), or categories of different types
        out[value_field] = pd.concat([c.astype(RAW_TEXT) for c in cells], ignore_index=True)
    return pd.DataFrame(out, index=pd.RangeIndex(n * k))


_WHAT = {"alter": "eine Altersgruppe", "jahr": "ein Jahr"}


def _few(items: list[str], n: int = 6) -> str:
    return ", ".join(items[:n]) + (" …" if len(items) > n else "")


def _is_wide_header(header: str, wide: str) -> bool:
    if wide == "jahr":
        return bool(re.fullmatch(r"\s*(19|20)\d{2}\s*", str(header)))
    try:
        parse_age_band(header)
    except ValueParseError:
        return False
    return not str(header).strip().isdigit() or len(str(header).strip()) <= 3


def _missing_column(column: str, frame: pd.DataFrame, name: str, option: str) -> Problem:
    return Problem(
        "Fehler",
        f"Profiloption {option}: die Spalte „{column}“ fehlt (Spalten: {', '.join(frame.columns)}).",
        name,
        column=column,
    )
