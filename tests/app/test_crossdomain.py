"""Quervergleich: pair table, correlation, quadrants, priority ranking, scatter figure and the page.

The numbers in the unit tests are computed by hand in the docstrings/comments, so a reader can
check them without running the code.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from planning import crossdomain as xd
from planning.indicators import get_indicator
from planning.suppression import GEHEIM, KEINE_DATEN
from tests.conftest import APPTEST_TIMEOUT_S

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
ARMUT = get_indicator("kinderarmut")  # polarity -1, %, 1 decimal
U3 = get_indicator("versorgung_u3")  # polarity +1, %, 1 decimal
EINW = get_indicator("einwohner")  # neutral


@dataclass(frozen=True)
class Ind:
    """A minimal indicator-like object (code, label_de, polarity) for the ranking."""

    code: str
    label_de: str
    polarity: int


def table(
    values: dict[str, float | None], suppressed: set[str] | None = None, year: int = 2025
) -> pd.DataFrame:
    """An indicator table of one year as ``indicator_table`` returns it (names = ids upper-cased)."""
    ids = list(values)
    out = pd.DataFrame(
        {
            "gebiet_id": ids,
            "name": [g.upper() for g in ids],
            "year": year,
            "numerator": pd.array([None] * len(ids), dtype="Float64"),
            "denominator": pd.array([None] * len(ids), dtype="Float64"),
            "value": pd.array([values[g] for g in ids], dtype="Float64"),
        }
    )
    if suppressed is not None:
        out["suppressed"] = [g in suppressed for g in ids]
    return out


# ---------------------------------------------------------------- pair_table


def test_pair_table_status_distinguishes_geheim_from_missing():
    # d is suppressed in x but (against the contract) still holds a value: it must not pass on.
    x = table({"a": 1.0, "b": 2.0, "c": None, "d": 99.9}, suppressed={"d"})
    y = table({"a": 5.0, "b": 6.0, "d": 7.0})  # c absent from y, no suppressed column at all
    before = x.copy()
    p = xd.pair_table(x, y)
    assert list(p.columns) == ["gebiet_id", "name", "x", "y", "x_status", "y_status"]
    assert p.set_index("gebiet_id")["x_status"].to_dict() == {
        "a": "ok",
        "b": "ok",
        "c": KEINE_DATEN,
        "d": GEHEIM,
    }
    assert p.set_index("gebiet_id")["y_status"].to_dict() == {
        "a": "ok",
        "b": "ok",
        "c": KEINE_DATEN,
        "d": "ok",
    }
    assert p.loc[p["gebiet_id"] == "d", "x"].isna().all()  # the secret figure is gone
    assert_frame_equal(x, before)  # input untouched


def test_pair_table_keeps_districts_of_either_side_with_name():
    p = xd.pair_table(table({"a": 1.0}), table({"b": 2.0}))
    assert p["name"].tolist() == ["A", "B"]
    assert p["x_status"].tolist() == ["ok", KEINE_DATEN]
    assert p["y_status"].tolist() == [KEINE_DATEN, "ok"]


def test_pair_table_names_missing_column_in_german():
    with pytest.raises(ValueError, match=r"Spalte.*value"):
        xd.pair_table(table({"a": 1.0}).drop(columns="value"), table({"a": 1.0}))


def test_pair_table_refuses_several_years():
    two = pd.concat([table({"a": 1.0}, year=2024), table({"b": 1.0}, year=2025)])
    with pytest.raises(ValueError, match="mehrere Jahre"):
        xd.pair_table(two, table({"a": 1.0}))


# ---------------------------------------------------------------- correlation


def pairs_of(xs: list[float], ys: list[float]) -> pd.DataFrame:
    ids = [f"g{i}" for i in range(len(xs))]
    return xd.pair_table(table(dict(zip(ids, xs, strict=True))), table(dict(zip(ids, ys, strict=True))))


def test_pearson_on_four_points_by_hand():
    """x = 1,2,3,4 (mean 2.5), y = 2,4,5,9 (mean 5).

    dx = −1.5, −0.5, 0.5, 1.5; dy = −3, −1, 0, 4
    Σ dx·dy = 4.5 + 0.5 + 0 + 6 = 11; Σ dx² = 5; Σ dy² = 9 + 1 + 0 + 16 = 26
    r = 11 / √(5 · 26) = 11 / √130 = 0.964764…
    The ranks of both are 1,2,3,4, so Spearman ρ = 1.
    """
    c = xd.correlation(pairs_of([1, 2, 3, 4], [2, 4, 5, 9]))
    assert c["n"] == 4
    assert c["pearson"] == pytest.approx(11 / math.sqrt(130))
    assert c["spearman"] == pytest.approx(1.0)
    assert c["strength"] == "stark"
    assert c["direction"] == "positiv"
    assert c["reason"] is None


def test_spearman_with_ties_uses_average_ranks():
    """x = 1,2,2,3 → ranks 1, 2.5, 2.5, 4; y = 4,2,3,1 → ranks 4,2,3,1 (both mean 2.5).

    drx = −1.5, 0, 0, 1.5; dry = 1.5, −0.5, 0.5, −1.5
    Σ drx·dry = −2.25 + 0 + 0 − 2.25 = −4.5; Σ drx² = 4.5; Σ dry² = 5
    ρ = −4.5 / √22.5 = −3/√10 = −0.948683…
    """
    c = xd.correlation(pairs_of([1, 2, 2, 3], [4, 2, 3, 1]))
    assert c["spearman"] == pytest.approx(-3 / math.sqrt(10))
    assert c["direction"] == "negativ"


def test_spearman_ignores_an_outlier_that_pearson_feels():
    c = xd.correlation(pairs_of([1, 2, 3, 100], [1, 2, 3, 4]))
    assert c["spearman"] == pytest.approx(1.0)
    assert c["pearson"] < 0.9


@pytest.mark.parametrize(
    ("r", "reading"),
    [
        (0.0, "kein"),
        (0.0999, "kein"),
        (0.1, "schwach"),
        (-0.29, "schwach"),
        (0.3, "mittel"),
        (-0.4999, "mittel"),
        (0.5, "stark"),
        (-1.0, "stark"),
    ],
)
def test_strength_thresholds(r, reading):
    assert xd.strength_de(r) == reading


def test_too_few_pairs_give_no_r_but_a_reason():
    c = xd.correlation(pairs_of([1, 2], [3, 4]))
    assert c["pearson"] is None and c["spearman"] is None and c["strength"] is None
    assert "Zu wenige Gebiete" in (c["reason"] or "")


def test_no_spread_gives_no_r_but_a_reason():
    c = xd.correlation(pairs_of([1, 2, 3], [5, 5, 5]))
    assert c["pearson"] is None
    assert "denselben Wert" in (c["reason"] or "")


def test_correlation_excludes_geheim_and_counts_it_apart_from_missing():
    x = table({"a": 1.0, "b": 2.0, "c": 3.0, "d": 1000.0, "e": None}, suppressed={"d"})
    y = table({"a": 1.0, "b": 2.0, "c": 3.0, "d": -1000.0, "e": 4.0})
    c = xd.correlation(xd.pair_table(x, y))
    assert c["n"] == 3
    assert c["pearson"] == pytest.approx(1.0)  # d would have pulled it negative
    assert (c["excluded_geheim"], c["excluded_missing"]) == (1, 1)


# ---------------------------------------------------------------- quadrants


def test_quadrants_named_by_polarity():
    """X Kinderarmut (higher worse), Y U3 coverage (higher better), city at (20, 40)."""
    x = table({"arm_wenig": 30.0, "arm_gut": 30.0, "reich_wenig": 10.0, "reich_gut": 10.0})
    y = table({"arm_wenig": 30.0, "arm_gut": 50.0, "reich_wenig": 30.0, "reich_gut": 50.0})
    q = xd.quadrants(xd.pair_table(x, y), 20.0, 40.0, -1, 1, x_label="Armut", y_label="U3")
    assert q.set_index("gebiet_id")["quadrant"].to_dict() == {
        "arm_wenig": "ungünstig bei beiden",
        "arm_gut": "nur Armut ungünstig",
        "reich_wenig": "nur U3 ungünstig",
        "reich_gut": "günstig bei beiden",
    }


@pytest.mark.parametrize(("polarity", "side"), [(-1, "günstig"), (1, "günstig"), (0, "unter")])
def test_a_district_on_the_city_line_is_not_beyond_it(polarity, side):
    """Value == city value: never flagged (günstig for ±1, "unter" for neutral)."""
    p = xd.pair_table(table({"a": 20.0}), table({"a": 40.0}))
    q = xd.quadrants(p, 20.0, 40.0, polarity, polarity, x_label="X", y_label="Y")
    assert q["x_side"].iloc[0] == side and q["y_side"].iloc[0] == side
    # a hair beyond the line flips it
    q2 = xd.quadrants(p, 20.0 - 1e-9, 40.0, polarity, polarity)
    assert q2["x_side"].iloc[0] == {-1: "ungünstig", 1: "günstig", 0: "über"}[polarity]


def test_neutral_quadrants_read_ueber_unter_gesamtstadt():
    p = xd.pair_table(table({"a": 30.0, "b": 10.0}), table({"a": 30.0, "b": 50.0}))
    q = xd.quadrants(p, 20.0, 40.0, 0, 1, x_label="Einwohner", y_label="U3")
    assert q["quadrant"].tolist() == [
        "Einwohner über Gesamtstadt, U3 ungünstig",
        "Einwohner unter Gesamtstadt, U3 günstig",
    ]
    q0 = xd.quadrants(p, 20.0, 40.0, 0, 0, x_label="A", y_label="B")
    assert q0["quadrant"].tolist() == ["A über, B unter Gesamtstadt", "A unter, B über Gesamtstadt"]


def test_quadrant_of_unplaceable_districts_says_geheim_or_keine_daten():
    p = xd.pair_table(table({"a": 1.0, "b": 1.0, "c": None}, suppressed={"b"}), table({"a": 1.0, "b": 1.0}))
    q = xd.quadrants(p, 0.0, 0.0, -1, -1)
    assert q.set_index("gebiet_id")["quadrant"].to_dict() == {
        "a": "ungünstig bei beiden",
        "b": GEHEIM,
        "c": KEINE_DATEN,
    }


def test_quadrants_need_the_city_value():
    with pytest.raises(ValueError, match="Gesamtstadt"):
        xd.quadrants(pairs_of([1, 2], [1, 2]), float("nan"), 1.0, -1, 1)


# ---------------------------------------------------------------- priority ranking

POOR = Ind("armut", "Armut", -1)  # higher is worse
CARE = Ind("u3", "U3", 1)  # higher is better


def test_ranking_by_hand():
    """Armut (−1): a 10, b 30, c 20 → percentiles a 0, b 100, c 50.

    U3 (+1, low is bad): a 50, b 20, c 40 → oriented −50, −20, −40 → percentiles a 0, b 100, c 50.
    Scores: b 100, c 50, a 0 → ranks b 1, c 2, a 3; b is in the unfavourable quartile twice.
    """
    r = xd.priority_ranking(
        [(POOR, table({"a": 10.0, "b": 30.0, "c": 20.0})), (CARE, table({"a": 50.0, "b": 20.0, "c": 40.0}))]
    )
    assert r["gebiet_id"].tolist() == ["b", "c", "a"]
    assert r["rank"].tolist() == [1, 2, 3]
    assert r["score"].tolist() == pytest.approx([100.0, 50.0, 0.0])
    assert r["unfavourable"].tolist() == [2, 0, 0]
    assert r["available"].tolist() == [2, 2, 2]
    assert r["complete"].all()
    assert r["value_u3"].tolist() == [20.0, 40.0, 50.0]


def test_ranking_follows_polarity_when_flipped():
    """The same U3 figures read as "higher is worse" cancel Armut: a, b, c all score 50 and share rank 1."""
    flipped = Ind("u3", "U3", -1)
    r = xd.priority_ranking(
        [
            (POOR, table({"a": 10.0, "b": 30.0, "c": 20.0})),
            (flipped, table({"a": 50.0, "b": 20.0, "c": 40.0})),
        ]
    )
    assert r["score"].tolist() == pytest.approx([50.0, 50.0, 50.0])
    assert r["rank"].tolist() == [1, 1, 1]
    assert r["gebiet_id"].tolist() == ["a", "b", "c"]  # ties in id order


def test_unfavourable_quartile_is_percentile_75_and_up():
    """Five values 10…50 → percentiles 0, 25, 50, 75, 100: d and e are in the unfavourable quartile."""
    r = xd.priority_ranking([(POOR, table({"a": 10.0, "b": 20.0, "c": 30.0, "d": 40.0, "e": 50.0}))])
    assert r.set_index("gebiet_id")["pct_armut"].to_dict() == pytest.approx(
        {"a": 0.0, "b": 25.0, "c": 50.0, "d": 75.0, "e": 100.0}
    )
    assert r.set_index("gebiet_id")["unfavourable"].to_dict() == {"a": 0, "b": 0, "c": 0, "d": 1, "e": 1}


def test_suppressed_cell_is_excluded_and_marked_geheim_missing_is_keine_daten():
    """d's Armut is secret (its 999 must not count); e has no U3 row at all.

    Armut over a, b, c, e = 10, 20, 30, 50 → percentiles 0, 33.3, 66.7, 100 (d takes no part).
    U3 over a, b, c, d = 40, 30, 20, 10 (+1: low is bad) → percentiles 0, 33.3, 66.7, 100.
    Scores: a 0, b 33.3, c 66.7, d 100 (U3 only), e 100 (Armut only).
    """
    poor = table({"a": 10.0, "b": 20.0, "c": 30.0, "d": 999.0, "e": 50.0}, suppressed={"d"})
    care = table({"a": 40.0, "b": 30.0, "c": 20.0, "d": 10.0})
    r = xd.priority_ranking([(POOR, poor), (CARE, care)]).set_index("gebiet_id")
    assert r.loc["d", "status_armut"] == GEHEIM
    assert pd.isna(r.loc["d", "value_armut"]) and pd.isna(r.loc["d", "pct_armut"])
    assert r.loc["e", "status_u3"] == KEINE_DATEN
    assert r.loc["e", "status_armut"] == "ok"
    assert r["score"].to_dict() == pytest.approx(
        {"a": 0.0, "b": 100 / 3, "c": 200 / 3, "d": 100.0, "e": 100.0}
    )
    assert r["available"].to_dict() == {"a": 2, "b": 2, "c": 2, "d": 1, "e": 1}
    assert r["complete"].to_dict() == {"a": True, "b": True, "c": True, "d": False, "e": False}
    assert r.loc["d", "rank"] == 1 and r.loc["e", "rank"] == 1


def test_district_without_any_value_is_listed_last_without_rank():
    r = xd.priority_ranking([(POOR, table({"a": 1.0, "b": 2.0, "z": None}))])
    assert r["gebiet_id"].iloc[-1] == "z"
    assert pd.isna(r["rank"].iloc[-1]) and pd.isna(r["score"].iloc[-1])


def test_single_district_with_a_value_sits_in_the_middle():
    r = xd.priority_ranking([(POOR, table({"a": 5.0, "b": None}))]).set_index("gebiet_id")
    assert r.loc["a", "pct_armut"] == 50.0


def test_ranking_refuses_neutral_indicators_in_german():
    with pytest.raises(ValueError, match=r"neutral.*Einwohner:innen"):
        xd.priority_ranking([(POOR, table({"a": 1.0})), (EINW, table({"a": 1.0}))])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (([],), "Keine Kennzahl"),
        (([(POOR, table({"a": 1.0})), (POOR, table({"a": 1.0}))],), "mehrfach"),
        (([(POOR, table({"a": 1.0}).drop(columns="name"))],), r"Spalte.*name"),
        (([(POOR, table({"a": 1.0}))], "zscore"), "Unbekanntes Verfahren"),
    ],
)
def test_ranking_input_errors(args, message):
    with pytest.raises(ValueError, match=message):
        xd.priority_ranking(*args)


def test_ranking_does_not_mutate_its_inputs():
    poor = table({"a": 1.0, "b": 3.0}, suppressed={"b"})
    before = poor.copy()
    xd.priority_ranking([(POOR, poor)])
    assert_frame_equal(poor, before)


def test_ranking_accepts_registry_indicators():
    r = xd.priority_ranking([(ARMUT, table({"a": 10.0, "b": 20.0})), (U3, table({"a": 10.0, "b": 20.0}))])
    assert r["score"].tolist() == pytest.approx([50.0, 50.0])


@pytest.mark.parametrize(
    ("years", "wanted", "nearest"), [([2023, 2025], 2024, 2023), ([2020, 2025], 2024, 2025), ([], 2024, None)]
)
def test_nearest_year_prefers_the_earlier_on_a_tie(years, wanted, nearest):
    assert xd.nearest_year(years, wanted) == nearest


def test_common_year():
    assert xd.common_year([[2024, 2025], [2025]], 2025) == 2025
    assert xd.common_year([[2022, 2023, 2025], [2023, 2024]], 2025) == 2023
    assert xd.common_year([[2024], [2025]], 2025) is None


# ---------------------------------------------------------------- properties

_value = st.one_of(st.none(), st.floats(-1000, 1000, allow_nan=False, allow_subnormal=False))
_cell = st.tuples(_value, st.booleans())


@st.composite
def _two_tables(draw):
    n = draw(st.integers(1, 12))
    ids = [f"g{i:02d}" for i in range(n)]
    cells = [draw(st.lists(_cell, min_size=n, max_size=n)) for _ in range(2)]
    tables = []
    for c in cells:
        t = table(
            {g: v for g, (v, _) in zip(ids, c, strict=True)},
            suppressed={g for g, (_, s) in zip(ids, c, strict=True) if s},
        )
        tables.append(t)
    perm = draw(st.permutations(list(range(n))))
    return tables, perm


@settings(max_examples=40, deadline=None)
@given(_two_tables())
def test_ranking_is_invariant_to_row_order(data):
    (a, b), perm = data
    ranked = xd.priority_ranking([(POOR, a), (CARE, b)])
    shuffled = xd.priority_ranking([(POOR, a.iloc[perm]), (CARE, b.iloc[list(reversed(perm))])])
    assert_frame_equal(ranked, shuffled)


@settings(max_examples=40, deadline=None)
@given(_two_tables())
def test_correlation_is_symmetric(data):
    (a, b), _ = data
    xy = xd.correlation(xd.pair_table(a, b))
    yx = xd.correlation(xd.pair_table(b, a))
    for key in ("n", "strength", "excluded_geheim", "excluded_missing"):
        assert xy[key] == yx[key]
    for key in ("pearson", "spearman"):
        assert (xy[key] is None) == (yx[key] is None)
        if xy[key] is not None:
            assert xy[key] == pytest.approx(yx[key], abs=1e-12)
            assert -1.0 <= xy[key] <= 1.0


# ---------------------------------------------------------------- figure and CSV (ui, no streamlit run)


def _fig_pairs():
    x = table({"a": 30.0, "b": 10.0, "c": 12.5, "d": 77.7, "e": None}, suppressed={"d"})
    y = table({"a": 30.0, "b": 50.0, "c": 45.0, "d": 66.6, "e": 40.0})
    return xd.pair_table(x, y)


def test_scatter_draws_shown_districts_with_german_tooltips_and_city_lines():
    from planning.charts.cross import scatter

    fig = scatter(_fig_pairs(), ARMUT, U3, 20.0, 40.0, selected="b")
    points = [t for t in fig.data if t.customdata is not None]
    drawn = {row[3] for t in points for row in t.customdata}
    assert drawn == {"a", "b", "c"}  # d geheim, e keine Daten: no point
    texts = {row[1] for t in points for row in t.customdata}
    assert "12,5 %" in texts  # German number format via the indicator
    assert {t.name for t in points} == {"ungünstig bei beiden", "günstig bei beiden"}
    dumped = fig.to_json()
    assert "77,7" not in dumped and "77.7" not in dumped and '"D"' not in dumped
    assert fig.layout.xaxis.title.text == "Kinderarmut (SGB II, unter 15) (%)"
    assert fig.layout.yaxis.title.text == "Versorgungsquote U3 (%)"
    lines = [s for s in fig.layout.shapes if s.line.dash == "dash"]
    assert sorted((s.x0, s.y0) for s in lines if s.x0 == s.x1)[0][0] == 20.0
    assert any(s.y0 == s.y1 == 40.0 for s in lines)
    notes = [a.text for a in fig.layout.annotations]
    assert any(n.startswith("Gesamtstadt") for n in notes)
    assert "ungünstig bei beiden" in notes
    assert any(t.name == "Ausgewählt" for t in fig.data)


def test_scatter_labels_only_extremes_and_the_selected_district_when_crowded():
    from planning.charts.cross import LABEL_EXTREMES, scatter

    n = 60
    ids = [f"g{i:02d}" for i in range(n)]
    x = table({g: float(i) for i, g in enumerate(ids)})
    y = table({g: float((i * 7) % n) for i, g in enumerate(ids)})
    fig = scatter(xd.pair_table(x, y), ARMUT, U3, 30.0, 30.0, selected="g30")
    labels = [t for tr in fig.data if tr.text is not None for t in tr.text if t]
    assert len(labels) <= LABEL_EXTREMES + 1
    assert "G30" in labels  # the selected one, although it sits at the centre
    small = scatter(
        xd.pair_table(table({"a": 1.0, "b": 2.0}), table({"a": 1.0, "b": 2.0})), ARMUT, U3, 1.5, 1.5
    )
    assert sorted(t for tr in small.data if tr.text is not None for t in tr.text if t) == ["A", "B"]


def test_ranking_csv_is_german_and_keeps_geheim_apart():
    from planning.crosstables import ranking_csv

    poor = table({"a": 10.25, "b": 20.0, "c": 999.0}, suppressed={"c"})
    care = table({"a": 40.0, "b": 30.0})
    r = xd.priority_ranking([(ARMUT, poor), (U3, care)])
    body = ranking_csv(r, [ARMUT, U3], ["Armut", "U3"], "Planungsraum").decode("utf-8-sig")
    lines = body.splitlines()
    assert lines[0].split(";")[:3] == ["Rang", "Gebiets-ID", "Planungsraum"]
    row_c = next(line for line in lines if line.split(";")[1] == "c").split(";")
    assert GEHEIM in row_c and KEINE_DATEN in row_c and "999" not in body
    assert "10,2" in body or "10,3" in body  # decimal comma


# ---------------------------------------------------------------- AppTest


def _display_values(df_element) -> pd.DataFrame:
    """What a styled st.dataframe shows (AppTest's ``.value`` gives the raw numbers)."""
    from streamlit import dataframe_util

    return dataframe_util.convert_arrow_bytes_to_pandas_df(df_element.proto.arrow_data.styler.display_values)


def _views_script(level: int | None = None):
    """Both views on ``level`` (default: data level) of the only layout, as app.py's frame sets them up."""
    import streamlit as st

    from ui import auth as uiauth
    from ui import crossview
    from ui import data as uidata
    from ui.frame import Context

    uiauth.install()  # who acts, as app.py's gate sets it up (nobody acting may not export)
    lay = uidata.layouts()[0]
    versions = uidata.version_key(lay.id)
    data = uidata.planning_data(uidata.db_url(), lay.code, versions)
    years = tuple(sorted(int(y) for y in data.population["year"].unique()))
    lvl = len(lay.levels) - 1 if level is None else level
    ctx = Context(uidata.db_url(), lay, versions, data, lvl, years[-1], years)
    one, two = st.tabs(["Zwei Kennzahlen vergleichen", "Prioritätenliste"])
    with one:
        crossview.cross_view(ctx)
    with two:
        crossview.ranking_view(ctx)


def test_views_on_tiny_city(tiny_url):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_views_script, default_timeout=APPTEST_TIMEOUT_S)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="quer_x").value == "kinderarmut"
    assert at.selectbox(key="quer_y").value == "versorgung_u3"
    cards = {m.label: m.value for m in at.metric}
    assert cards["Gebiete im Vergleich"] == "3"  # Altstadt, Hafen, Feld in 2025
    assert at.multiselect(key="quer_rang").value == ["kinderarmut", "versorgung_u3"]
    ranking = at.dataframe[-1].value
    assert list(ranking.columns[:4]) == ["Rang", "Planungsraum", "Punktwert", "Ungünstig in"]
    assert len(ranking) == 3
    assert any(b.label == "Prioritätenliste als CSV herunterladen" for b in at.get("download_button"))
    assert "keine Ursache" in " ".join(c.value for c in at.caption)


def test_views_on_the_upper_level_with_too_few_districts(tiny_url):
    """Two Bezirke: no correlation (with the reason), but a scatter and a ranking of both."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_views_script, default_timeout=APPTEST_TIMEOUT_S, kwargs={"level": 0})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert {m.label: m.value for m in at.metric}["Korrelation (Pearson r)"] == "–"
    assert "Zu wenige Gebiete" in " ".join(c.value for c in at.caption)
    assert sorted(at.dataframe[-1].value["Bezirk"]) == ["Nord", "Süd"]


def test_views_show_suppressed_district_as_geheim(tiny_url, monkeypatch):
    """Hafen's child poverty (5 of 10 = 50 %) is flagged secret; its figure must appear nowhere."""
    from streamlit.testing.v1 import AppTest

    from planning import indicators

    real = indicators.indicator_table

    def with_suppression(data, ref, level=None):
        out = real(data, ref, level)
        code = getattr(ref, "code", ref)  # a code or an Indicator
        out["suppressed"] = (out["gebiet_id"] == "0102") & (code == "kinderarmut")
        return out  # the value stays in place on purpose: the views must blank it themselves

    monkeypatch.setattr(indicators, "indicator_table", with_suppression)
    at = AppTest.from_function(_views_script, default_timeout=APPTEST_TIMEOUT_S)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    cards = {m.label: m.value for m in at.metric}
    assert cards["Gebiete im Vergleich"] == "2"
    assert cards["Korrelation (Pearson r)"] == "–"
    captions = " ".join(c.value for c in at.caption)
    assert "1 Gebiet(e) geheim" in captions
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert "Hafen" not in json.dumps(fig, ensure_ascii=False)
    shown = _display_values(at.dataframe[-1])
    hafen = shown[shown["Planungsraum"] == "Hafen"].iloc[0]
    assert hafen["Kinderarmut (SGB II, unter 15) (%)"] == GEHEIM
    assert "geheim" in hafen["Hinweis"]
    column = shown["Kinderarmut (SGB II, unter 15) (%)"]
    assert sorted(column) == ["12,5 %", "20,0 %", GEHEIM]  # Hafen's 50,0 % nowhere


def test_page_runs_through_the_app(tiny_url):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=APPTEST_TIMEOUT_S)
    at.run()
    at.switch_page("pages/querschnitt.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Quervergleich"
    assert [t.label for t in at.tabs] == ["Zwei Kennzahlen vergleichen", "Prioritätenliste"]
    assert at.get("plotly_chart")


def test_page_stays_thin():
    text = (ROOT / "pages" / "querschnitt.py").read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 40
