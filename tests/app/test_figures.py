"""Shared figures (ui/figures.py): one figure per content for all sessions, never a stale one."""

from __future__ import annotations

import dataclasses

import pandas as pd
import plotly.graph_objects as go
import pytest

from planning import charts
from planning.indicators import get_indicator
from ui import figures


def _series(last: float = 44.0) -> pd.DataFrame:
    return pd.DataFrame({"year": [2022, 2023, 2024], "value": [40.0, 42.5, last]})


@pytest.fixture(autouse=True)
def _fresh_cache():
    figures._build.clear()
    yield
    figures._build.clear()


def test_equal_content_gives_the_same_shared_figure():
    ind = get_indicator("versorgung_u3")
    first = figures.figure("city_trend", _series(), ind, 2024)
    again = figures.figure("city_trend", _series(), ind, 2024)  # new frame, same values
    assert again is first
    assert first.to_json() == charts.city_trend(_series(), ind, 2024).to_json()


def test_new_values_filters_or_definitions_give_a_new_figure():
    ind = get_indicator("versorgung_u3")
    first = figures.figure("city_trend", _series(), ind, 2024)
    changed = figures.figure("city_trend", _series(last=45.0), ind, 2024)
    assert changed is not first
    assert list(changed.data[0].y) == [40.0, 42.5, 45.0]
    assert figures.figure("city_trend", _series(), ind, 2023) is not first
    renamed = dataclasses.replace(ind, label_de="Betreuungsquote U3")
    assert figures.figure("city_trend", _series(), renamed, 2024) is not first


def test_layout_changes_are_part_of_the_cached_figure():
    ind = get_indicator("versorgung_u3")
    plain = figures.figure("city_trend", _series(), ind, 2024)
    titled = figures.figure("city_trend", _series(), ind, 2024, layout={"title": {"text": "Nord"}})
    assert titled is not plain
    assert titled.layout.title.text == "Nord"
    assert plain.layout.title.text != "Nord"  # the shared figure was not changed


def test_a_shared_figure_is_serialised_once_and_as_a_fresh_one():
    """st.plotly_chart reads a figure through to_dict(): made once per shared figure, same content."""
    import plotly.io as pio

    ind = get_indicator("versorgung_u3")
    shared = figures.figure("city_trend", _series(), ind, 2024, layout={"title": {"text": "Nord"}})
    fresh = charts.city_trend(_series(), ind, 2024)
    fresh.update_layout(title={"text": "Nord"})
    assert isinstance(shared, go.Figure)
    assert shared.to_dict() is shared.to_dict()  # kept, not a new deep copy per rerun
    assert pio.to_json(shared.to_dict(), validate=False) == pio.to_json(fresh.to_dict(), validate=False)
    assert shared.to_json() == fresh.to_json()


def test_only_registered_builders():
    def rogue() -> go.Figure:
        return go.Figure()

    with pytest.raises(ValueError, match="nicht als geteiltes Diagramm"):
        figures.figure(rogue)
    with pytest.raises(ValueError, match="nicht als geteiltes Diagramm"):
        figures.figure("Figure")
    shared = figures.shared(rogue)
    assert isinstance(figures.figure(shared), go.Figure)


@pytest.mark.parametrize("rows", [1, figures.PICKLE_ROWS + 1])  # pickled, and pandas' row hashes
def test_the_content_key_sees_columns_index_dtypes_and_values(rows):
    frame = pd.DataFrame({"year": range(2024, 2024 + rows), "value": 1.0, "name": "Mitte"})
    key = figures.content_key(frame)
    assert figures.content_key(frame.copy()) == key
    # the same content built again (new objects, as every rerun builds it)
    rebuilt = pd.DataFrame({"year": list(range(2024, 2024 + rows)), "value": [1.0] * rows})
    assert figures.content_key(rebuilt.assign(name="".join(["Mit", "te"]))) == key
    assert figures.content_key(frame.rename(columns={"value": "wert"})) != key
    assert figures.content_key(frame.set_axis(range(7, 7 + rows))) != key
    assert figures.content_key(frame.astype({"value": "float32"})) != key
    assert figures.content_key(frame.assign(value=[1.5] * rows)) != key
    changed = frame.copy()
    changed.loc[rows - 1, "name"] = "Nord"  # one cell of the last row
    assert figures.content_key(changed) != key
    assert figures.content_key(frame["value"]) != figures.content_key(frame["value"].rename("wert"))
    assert figures.content_key((1, "a")) != figures.content_key(["1", "a"])
    with pytest.raises(TypeError, match="ohne Inhaltsschlüssel"):
        figures.content_key(object())
