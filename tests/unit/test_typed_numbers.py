"""Numbers typed into a field (planning.formatting.parse_typed_number): German first, never guessed."""

from __future__ import annotations

import pytest

from planning.formatting import TypedNumberError, parse_typed_number, typed_number_text


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("45,5", 45.5),
        ("45", 45.0),
        (" 45 ", 45.0),
        ("-3,25", -3.25),
        ("1.234,5", 1234.5),
        ("12.345.678", 12_345_678.0),
        ("50 %", 50.0),
        ("1\u202f234,5", 1234.5),
    ],
)
def test_german_entries_are_read_without_a_note(text: str, value: float) -> None:
    assert parse_typed_number(text) == (value, None)


@pytest.mark.parametrize(("text", "value", "shown"), [("45.5", 45.5, "45,5"), ("0.125", 0.125, "0,125")])
def test_a_decimal_point_is_read_and_said(text: str, value: float, shown: str) -> None:
    typed, note = parse_typed_number(text)
    assert typed == value
    assert note == f"„{text}“ gelesen als {shown}"


def test_a_point_before_three_digits_is_refused_as_ambiguous() -> None:
    with pytest.raises(TypedNumberError, match=r"mehrdeutig: 1\.500 oder 1,5"):
        parse_typed_number("1.500")


@pytest.mark.parametrize("text", ["", "abc", "4,5,6", "1.2.3", "45,"])
def test_what_is_no_number_gets_a_german_message(text: str) -> None:
    with pytest.raises(TypedNumberError, match="Zahl"):
        parse_typed_number(text)


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [(45.5, 2, "45,5"), (50.0, 2, "50"), (1234.5, 1, "1234,5"), (-1e-9, 2, "0")],
)
def test_the_field_shows_a_comma_and_no_thousands_dots(value: float, decimals: int, text: str) -> None:
    assert typed_number_text(value, decimals) == text
    if value:
        assert parse_typed_number(text)[0] == pytest.approx(round(value, decimals))
