"""ui.numberfield.decimal_input in AppTest: shows a comma, reads German, refuses and says why."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _script() -> None:
    import streamlit as st

    from ui.numberfield import decimal_input

    got = decimal_input("Zielwert (%)", 45.5, minimum=0, maximum=100, key="ziel")
    st.write(f"Wert: {got!r}")


def _value(at: AppTest) -> str:
    return next(m.value for m in at.markdown if str(m.value).startswith("Wert:"))


def test_decimal_input_shows_german_and_reads_what_is_typed() -> None:
    at = AppTest.from_function(_script).run()
    assert at.text_input(key="ziel").value == "45,5"
    assert _value(at) == "Wert: 45.5"

    at.text_input(key="ziel").set_value("47,25").run()
    assert _value(at) == "Wert: 47.25" and not at.error

    at.text_input(key="ziel").set_value("47.5").run()
    assert _value(at) == "Wert: 47.5"
    assert [c.value for c in at.caption] == ["„47.5“ gelesen als 47,5"]


def test_decimal_input_refuses_ambiguous_and_out_of_range_entries() -> None:
    at = AppTest.from_function(_script).run()
    at.text_input(key="ziel").set_value("1.500").run()
    assert _value(at) == "Wert: None"
    assert "mehrdeutig" in at.error[0].value

    at.text_input(key="ziel").set_value("120").run()
    assert _value(at) == "Wert: None"
    assert at.error[0].value == "Zielwert (%): 120 geht nicht, erlaubt ist zwischen 0 und 100."
