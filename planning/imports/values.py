"""Parsing cell text with German conventions: decimal comma, thousands dots, "%" signs, markers.

Missing markers (empty, ".", "-", "–", "x", "-9999", "k. A.", "n. v.", "#NV") are *missing*, never
zero. "x" and "." are what German statistical offices print for secret or unknown values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

MISSING_MARKERS = frozenset(
    {
        "",
        ".",
        "-",
        "–",
        "—",
        "x",
        "X",
        "-9999",
        "-9999.0",
        "-9999,0",
        "k.A.",
        "k. A.",
        "n.v.",
        "n. v.",
        "#NV",
        "#N/A",
        "NA",
        "N/A",
        "nan",
        "NaN",
        "None",
        "/",
        "…",
        "...",
    }
)
_THOUSANDS_DOT = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+$")
_THOUSANDS_DOT_DEC = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+,\d+$")
_GERMAN_DEC = re.compile(r"^[+-]?\d+,\d+$")
_PLAIN = re.compile(r"^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$")
_SPACES = re.compile(r"[\s\u00a0\u202f']")


class ValueParseError(ValueError):
    """Text that is not a number; the message is German."""


def is_missing(text: object) -> bool:
    return (
        text is None
        or (isinstance(text, float) and pd.isna(text))
        or text is pd.NA
        or (isinstance(text, str) and text.strip() in MISSING_MARKERS)
    )


def uses_decimal_comma(samples: Iterable[object]) -> bool:
    """Whether the numbers of a column are written the German way (``12,5``, ``1.234,5``)."""
    for s in samples:
        if isinstance(s, str):
            t = _SPACES.sub("", s).rstrip("%")
            if _GERMAN_DEC.match(t) or _THOUSANDS_DOT_DEC.match(t):
                return True
    return False


def parse_number(text: object, decimal_comma: bool = True) -> float | None:
    """A number from cell text; None for missing markers; raises :class:`ValueParseError`."""
    if is_missing(text):
        return None
    if isinstance(text, int | float):
        return float(text)
    t = _SPACES.sub("", str(text)).removesuffix("%")
    if t in MISSING_MARKERS:
        return None
    if decimal_comma:
        if _THOUSANDS_DOT.match(t):
            return float(t.replace(".", ""))
        if _THOUSANDS_DOT_DEC.match(t) or _GERMAN_DEC.match(t):
            return float(t.replace(".", "").replace(",", "."))
    elif "," in t and re.match(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$", t):
        return float(t.replace(",", ""))
    if _PLAIN.match(t):
        return float(t)
    raise ValueParseError(f"„{text}“ ist keine Zahl")


def parse_int(text: object, decimal_comma: bool = True) -> int | None:
    """A whole number (count, year); ``12,0`` is accepted, ``12,5`` is not."""
    value = parse_number(text, decimal_comma)
    if value is None:
        return None
    if not float(value).is_integer():
        raise ValueParseError(f"„{text}“ ist keine ganze Zahl")
    return int(value)


def parse_age(text: object) -> tuple[int, int | None]:
    """An age or age band as inclusive ``(from, to)``; see :mod:`planning.imports.agebands`."""
    from planning.imports.agebands import parse_age_band

    return parse_age_band(text)


_SCHOOL_YEAR = re.compile(r"^\s*(?P<a>\d{4})\s*[/-]\s*(?P<b>\d{2}|\d{4})\s*$")


def parse_school_year(text: object) -> int:
    """The start year of a school year: ``2025/26`` → 2025 (also ``2025/2026``, ``2025-26``, ``2025``)."""
    if is_missing(text):
        raise ValueParseError("Schuljahr fehlt")
    t = str(text).strip()
    if re.fullmatch(r"\d{4}", t):
        return int(t)
    m = _SCHOOL_YEAR.match(t)
    if not m:
        raise ValueParseError(f"„{text}“ ist kein Schuljahr (erwartet z. B. 2025/26)")
    a, b = int(m["a"]), int(m["b"])
    if (b % 100) != (a + 1) % 100:
        raise ValueParseError(f"Schuljahr „{text}“: das zweite Jahr muss auf das erste folgen")
    return a


def format_school_year(start: int) -> str:
    return f"{start}/{(start + 1) % 100:02d}"


_PHONE_OR_NUMBER = re.compile(r"^[+-][\d\s/()\-.,]*$")


def is_formula(text: object) -> bool:
    """Cell text that a spreadsheet would execute (``=HYPERLINK(…)``, ``@SUM``, ``+cmd|…``).

    A leading ``+``/``-`` followed only by digits (a number, a phone number) is harmless.
    """
    if not isinstance(text, str) or not text:
        return False
    if text[0] in "=@\t\r":
        return True
    return text[0] in "+-" and not _PHONE_OR_NUMBER.match(text)
