"""The number convention (German ``1.234,5`` or English ``1,234.5``) of every numeric column, decided
from the column's own values, the user's choice or the file's other columns, never guessed."""

from __future__ import annotations

from planning.imports.formats import KindSpec
from planning.imports.problems import Problem
from planning.imports.readers import RawTable
from planning.imports.values import (
    NUMBER_FORMATS,
    ColumnNumbers,
    NumberFormat,
    parse_number,
)

NUMERIC_TYPES = ("int", "year", "float", "lon", "lat")

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
