"""German number, age band and school-year parsing (hand-picked cases from real municipal files)."""

from __future__ import annotations

import pytest

from planning.imports.agebands import parse_age_band
from planning.imports.values import (
    ValueParseError,
    is_formula,
    parse_int,
    parse_number,
    parse_school_year,
    uses_decimal_comma,
)


@pytest.mark.parametrize(
    ("text", "comma", "expected"),
    [
        ("1.374", True, 1374.0),  # Flensburg tab_9: thousands dot
        ("35,5%", True, 35.5),
        ("53,40%", True, 53.4),
        ("1.234,5", True, 1234.5),
        ("12", True, 12.0),
        ("  7 ", True, 7.0),
        ("1 234", True, 1234.0),
        ("-9999", True, None),  # Berlin MSS missing marker
        (".", True, None),
        ("x", True, None),
        ("", True, None),
        ("k. A.", True, None),
        ("1.5", False, 1.5),
        ("1,234.5", False, 1234.5),
        ("6.25", True, 6.25),  # a plain decimal point is still read when it is no thousands pattern
    ],
)
def test_parse_number(text, comma, expected):
    assert parse_number(text, comma) == expected


@pytest.mark.parametrize("text", ["zwölf", "12a", "1,2,3", "=1+1"])
def test_parse_number_refuses_text(text):
    with pytest.raises(ValueParseError, match="keine Zahl"):
        parse_number(text)


def test_parse_int_refuses_fractions_but_accepts_whole_decimals():
    assert parse_int("12,0") == 12
    with pytest.raises(ValueParseError, match="ganze Zahl"):
        parse_int("12,5")


def test_decimal_comma_detection():
    assert uses_decimal_comma(["12", "35,5%", None])
    assert not uses_decimal_comma(["12", "1.374", "7"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4", (4, 4)),
        ("3-5", (3, 5)),
        ("3 bis unter 6", (3, 5)),
        ("3 bis 5", (3, 5)),
        ("unter 3", (0, 2)),
        ("18+", (18, None)),
        ("65 und älter", (65, None)),
        ("0 - 2", (0, 2)),
    ],
)
def test_parse_age(text, expected):
    assert parse_age_band(text) == expected


@pytest.mark.parametrize("text", ["5-3", "drei", "", "3 bis unter 3"])
def test_parse_age_refuses(text):
    with pytest.raises(ValueParseError):
        parse_age_band(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2025/26", 2025), ("2025/2026", 2025), ("2025-26", 2025), ("1999/00", 1999), ("2025", 2025)],
)
def test_parse_school_year(text, expected):
    assert parse_school_year(text) == expected


def test_school_year_must_be_consecutive():
    with pytest.raises(ValueParseError, match="folgen"):
        parse_school_year("2025/27")


@pytest.mark.parametrize(
    ("text", "formula"),
    [
        ('=HYPERLINK("http://x")', True),
        ("@SUM(A1)", True),
        ("+49 461 123", False),
        ("+cmd|' /C calc'!A0", True),
        ("-12", False),
        ("Kita Sonnenschein", False),
    ],
)
def test_formula_detection(text, formula):
    assert is_formula(text) is formula
