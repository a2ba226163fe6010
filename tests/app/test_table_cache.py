"""Styled tables rendered once per content (ui/tables.py): Streamlit receives exactly what a fresh
Styler gives, equal content shares one rendering, other content gets its own."""

from __future__ import annotations

import pandas as pd
import pytest
from pandas.io.formats.style import Styler
from streamlit.elements.lib.pandas_styler_utils import marshall_styler
from streamlit.proto.ArrowData_pb2 import ArrowData

from planning.formatting import format_value
from ui import tables


def _german(frame: pd.DataFrame) -> Styler:
    return frame.style.format(lambda v: format_value(v, 1), subset=["Wert"], na_rep="keine Daten")


def _frame(last: float = 1288.25) -> pd.DataFrame:
    return pd.DataFrame({"Gebiet": ["Nord", "Süd", "Mitte"], "Wert": [12.5, None, last]})


def _display(styler: Styler) -> tuple[bytes, str]:
    proto = ArrowData()
    marshall_styler(proto, styler, "t")
    return proto.styler.display_values, proto.styler.styles


@pytest.fixture(autouse=True)
def _fresh_cache():
    tables._build.clear()
    yield
    tables._build.clear()


def test_streamlit_gets_the_display_values_of_a_fresh_styler_every_time():
    shared = tables.styled(_german, _frame())
    fresh = _display(_german(_frame()))
    assert _display(shared) == fresh
    assert _display(shared) == fresh  # the second rendering reads the kept one
    assert b"1.288,2" in fresh[0] and b"keine Daten" in fresh[0]


def test_equal_content_shares_one_rendering_other_content_gets_its_own():
    first = tables.styled(_german, _frame())
    assert tables.styled(_german, _frame()) is first  # a new frame with the same values
    other = tables.styled(_german, _frame(last=7.0))
    assert other is not first
    assert b"7,0" in _display(other)[0] and b"7,0" not in _display(first)[0]


def test_other_renderings_still_work():
    shared = tables.styled(_german, _frame())
    assert "1.288,2" in shared.to_html()
