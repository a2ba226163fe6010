"""Parsing cell text with German conventions: decimal comma, thousands dots, "%" signs, markers.

Missing markers (empty, ".", "-", "–", "x", "-9999", "k. A.", "n. v.", "#NV") are *missing*, never
zero. "x" and "." are what German statistical offices print for secret or unknown values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

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


NumberFormat = Literal["de", "en"]
NUMBER_FORMATS: dict[str, str] = {"de": "deutsch (1.234,5)", "en": "englisch (1,234.5)"}

_S = r"^[+-]?"
# Values that can only be German (decimal comma, or thousands dots with more than one group or a comma).
_ONLY_DE = (
    re.compile(_S + r"\d+,\d+$"),
    re.compile(_S + r"\d{1,3}(\.\d{3})+,\d+$"),
    re.compile(_S + r"\d{1,3}(\.\d{3}){2,}$"),
)
_ONLY_EN = (
    re.compile(_S + r"\d+\.\d+$"),
    re.compile(_S + r"\d{1,3}(,\d{3})+\.\d+$"),
    re.compile(_S + r"\d{1,3}(,\d{3}){2,}$"),
    re.compile(_S + r"\d+(\.\d+)?[eE][+-]?\d+$"),
)
# One group of three digits after a single separator, no leading zero: 1.234 / 1,234 (thousands or decimal?).
_AMBIGUOUS_DOT = re.compile(_S + r"[1-9]\d{0,2}\.\d{3}$")
_AMBIGUOUS_COMMA = re.compile(_S + r"[1-9]\d{0,2},\d{3}$")


def number_signal(text: object) -> str | None:
    """What one cell says about the file's convention: ``de``, ``en``, ``dot``/``comma`` (either), None."""
    if not isinstance(text, str) or is_missing(text):
        return None
    t = _SPACES.sub("", text).removesuffix("%")
    if _AMBIGUOUS_DOT.match(t):
        return "dot"
    if _AMBIGUOUS_COMMA.match(t):
        return "comma"
    if any(p.match(t) for p in _ONLY_DE):
        return "de"
    if any(p.match(t) for p in _ONLY_EN):
        return "en"
    return None


EVIDENCE_ROWS = 10


@dataclass(frozen=True)
class ColumnNumbers:
    """The evidence of one column: the first rows (index into the column, at most
    :data:`EVIDENCE_ROWS`) of each kind of value; the check names the first and asks whether any."""

    de: tuple[int, ...] = ()
    en: tuple[int, ...] = ()
    dot: tuple[int, ...] = ()  # 1.234
    comma: tuple[int, ...] = ()  # 1,234

    @classmethod
    def of(cls, cells: Sequence[object] | pd.Series) -> ColumnNumbers:
        """Each distinct cell is judged once (a register extract repeats its values millions of times)."""
        import numpy as np

        column = cells if isinstance(cells, pd.Series) else pd.Series(cells, dtype=object)
        codes, uniques = pd.factorize(column)
        signals = [number_signal(u) for u in uniques]
        rows: dict[str, tuple[int, ...]] = {}
        for kind in ("de", "en", "dot", "comma"):
            ids = [i for i, sig in enumerate(signals) if sig == kind]
            hits = np.flatnonzero(np.isin(codes, ids))[:EVIDENCE_ROWS] if ids else ()
            rows[kind] = tuple(int(i) for i in hits)
        return cls(**rows)

    @property
    def ambiguous(self) -> tuple[int, ...]:
        return tuple(sorted(self.dot + self.comma))

    @property
    def own(self) -> NumberFormat | None:
        """The convention the column itself proves (None: no proof, or contradicting proof)."""
        if self.de and not self.en:
            return "de"
        if self.en and not self.de:
            return "en"
        return None


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
