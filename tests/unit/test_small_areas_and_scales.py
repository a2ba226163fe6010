"""Small areas don't lead rankings, and maps tell the truth (issue 22, items 2 and 3).

Unit layer on hand-built frames; golden layer on the demo city (Weidenstadt), where the industrial
area 0303 (3 children under 3) and the forest 0305 (2) used to head the ranking with 0,0 %.
"""

from __future__ import annotations

import io
import itertools

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from PIL import Image
from shapely.geometry import box

from planning import small_base
from planning.indicators import INDICATORS
from planning.map_scale import nice_ticks, robust_range
from planning.paper import images
from planning.paper.print_map import (
    BALANCED_COLOR,
    GAP_REDS,
    SURPLUS_BLUES,
    diverging_breaks,
    static_map,
)
from planning.parameters import get_parameter
from planning.profile import rank_of

U3 = INDICATORS["versorgung_u3"]


def _rates() -> pd.DataFrame:
    """Four areas of one year: W (3 children, 0 %), X (40, 50 %), Y (200, 30 %), Z secret."""
    return pd.DataFrame(
        {
            "gebiet_id": ["W", "X", "Y", "Z"],
            "value": [0.0, 50.0, 30.0, np.nan],
            "numerator": [0.0, 20.0, 60.0, np.nan],
            "denominator": [3.0, 40.0, 200.0, np.nan],
            "suppressed": [False, False, False, True],
        }
    )


# --- the threshold and the mark ---------------------------------------------------------------------


def test_threshold_is_a_documented_parameter_with_a_source():
    p = get_parameter(small_base.PARAMETER)
    assert p.default == 20 and p.source and "zu wenige Kinder" in p.help
    assert small_base.default_minimum() == 20.0


@pytest.mark.parametrize(
    ("code", "minimum", "expected"),
    [
        ("versorgung_u3", 20, [True, False, False, False]),  # only W; the secret Z is out anyway
        ("versorgung_u3", 50, [True, True, False, False]),
        ("versorgung_u3", 0, [False] * 4),  # 0 switches the rule off
        ("versorgung_u3", None, [False] * 4),
        ("kinder_u3", 20, [False] * 4),  # a count has no base
        ("zuege_auslastung", 20, [False] * 4),  # Züge × 4 are not people
    ],
)
def test_few_mask(code, minimum, expected):
    assert small_base.few_mask(_rates(), INDICATORS[code], minimum).tolist() == expected


def test_few_mask_refuses_a_rate_table_without_denominator():
    with pytest.raises(ValueError, match="denominator"):
        small_base.few_mask(_rates().drop(columns="denominator"), U3, 20)


def test_labels():
    assert small_base.label(U3) == "zu wenige Kinder"
    assert small_base.label(INDICATORS["sgb2_quote"]) == "zu kleine Bezugsgruppe"


def test_a_marked_area_gets_no_rank_and_does_not_push_others_down():
    table = small_base.mark(_rates(), U3, 20)
    assert rank_of(table, "W", 1, 1) == (None, 2)
    assert rank_of(table, "Y", 1, 1) == (2, 2)  # X first; W (0 %) is not counted below Y
    unmarked = _rates()
    assert rank_of(unmarked, "W", 1, 1) == (3, 3)  # without the mark W would rank last, i.e. lead "worst"


# --- colour ranges ------------------------------------------------------------------------------------


def test_robust_range_is_not_washed_out_by_one_outlier():
    values = np.r_[np.linspace(20, 190, 541), 3290.0]  # Berlin: one Planungsraum at 3.290 %
    r = robust_range(values)
    assert r is not None and r.high < 200 and r.clipped_high and not r.clipped_low
    plain = robust_range(np.linspace(20, 190, 30))
    assert plain is not None and (plain.low, plain.high) == (20.0, 190.0)
    assert not plain.clipped_low and not plain.clipped_high


def test_symmetric_range_is_centred_at_zero():
    r = robust_range(np.r_[np.linspace(-40, 30, 99), -900.0], symmetric=True)
    assert r is not None and r.low == -r.high and r.high <= 40 and r.clipped_low
    assert robust_range([np.nan]) is None


def test_nice_ticks_keep_both_ends():
    ticks = nice_ticks(-116.0, 116.0)
    assert ticks[0] == -116.0 and ticks[-1] == 116.0 and 0.0 in ticks


# --- app map ---------------------------------------------------------------------------------------------


def _geojson(ids: list[str]) -> dict:
    features = [
        {
            "type": "Feature",
            "properties": {"gebiet_id": g},
            "geometry": box(i * 0.01, 0, (i + 1) * 0.01, 0.01).__geo_interface__,
        }
        for i, g in enumerate(ids)
    ]
    return {"type": "FeatureCollection", "features": features}


def test_app_map_draws_small_bases_apart_and_clips_the_scale():
    from planning import charts

    table = small_base.mark(_rates().assign(name=["Wald", "Xdorf", "Ystadt", "Zgeheim"]), U3, 20)
    fig = charts.choropleth(_geojson(list(table["gebiet_id"])), (0, 0, 0.04, 0.01), table, U3)
    few = [t for t in fig.data if t.name and t.name.startswith("zu wenige Kinder")]
    assert len(few) == 1 and list(few[0].locations) == ["W"]
    assert "0,0 %" in few[0].customdata[0][1]
    value = next(
        t for t in fig.data if t.type == "choroplethmap" and t.showscale is not False and t.z is not None
    )
    assert list(value.locations) == ["X", "Y"]  # W is in no colour class
    ticktext = list(value.colorbar.ticktext)
    assert all("." not in t for t in ticktext), ticktext  # German decimals: a comma, never a point


def test_app_balance_map_is_red_for_missing_places_and_centred():
    from planning import charts
    from planning.plan_figures import PLAN_FIGURES

    gap = PLAN_FIGURES["kita_gap"]
    table = pd.DataFrame(
        {"gebiet_id": ["A", "B", "C"], "name": ["A", "B", "C"], "value": [-116.0, -5.0, 20.0]}
    )
    fig = charts.choropleth(_geojson(["A", "B", "C"]), (0, 0, 0.03, 0.01), table, gap, diverging=True)
    trace = next(t for t in fig.data if t.z is not None and len(t.z) == 3)
    assert trace.zmin == -trace.zmax
    low, high = trace.colorscale[0][1], trace.colorscale[-1][1]
    assert low == "#b2182b" and high == "#2166ac"  # the most negative balance is the strongest red


# --- paper map -------------------------------------------------------------------------------------------


def _strip(values: list[float]) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    ids = [f"P{i}" for i in range(len(values))]
    areas = gpd.GeoDataFrame(
        {"gebiet_id": ids, "name": [f"Gebiet {i}" for i in range(len(values))]},
        geometry=[
            box(500_000 + i * 1000, 6_000_000, 500_000 + (i + 1) * 1000, 6_001_000)
            for i in range(len(values))
        ],
        crs=25832,
    )
    return areas, pd.DataFrame({"gebiet_id": ids, "value": values, "suppressed": False})


def test_diverging_breaks_split_at_zero():
    limits, _, negative = diverging_breaks([-116, -100, -60, -20, -5, 0, 3, 10, 40, 80])
    assert 0.0 in limits and negative >= 2
    assert limits[negative] == 0.0 and all(a < b for a, b in itertools.pairwise(limits))


def test_diverging_breaks_single_surplus_prints_whole_places():
    """One area with a surplus of 14.99 places (demand is fractional): the class is 0 – 15 and the
    whole map prints without decimals, not "−300,00 – −200,00" (seen in the demo paper's Ganztag map)."""
    limits, decimals, negative = diverging_breaks([-280.4, -220.0, -128.2, -112.0, -58.6, -57.1, 14.99])
    assert decimals == 0 and limits[negative:] == [0.0, 15.0]
    limits, decimals, _ = diverging_breaks([-0.372, 0.5, 0.9])
    assert limits[0] == -0.38 and decimals == 2


def test_paper_balance_map_gives_the_largest_gap_the_strongest_red():
    areas, values = _strip([-116.0, -60.0, -5.0, 0.0, 12.0, 40.0])
    fig = static_map(areas, values, unit="Plätze", diverging=True, labels=["P0"])
    classes = [t for t in fig.data if t.type == "scatter" and t.fill == "toself"]
    worst = next(t for t in classes if np.nanmin(np.asarray(t.x, dtype=float)) == 500_000)
    assert worst.fillcolor == GAP_REDS[0]  # −116 is the darkest red, not the palest blue
    mild = next(t for t in classes if np.nanmin(np.asarray(t.x, dtype=float)) == 502_000)
    assert mild.fillcolor in GAP_REDS and mild.fillcolor != GAP_REDS[0]
    surplus = next(t for t in classes if np.nanmin(np.asarray(t.x, dtype=float)) == 505_000)
    assert surplus.fillcolor in SURPLUS_BLUES
    assert "rot = Plätze fehlen" in fig.layout.legend.title.text
    names = [t for t in fig.data if t.name == "Namen"]
    assert names and list(names[0].text) == ["Gebiet 0"]


def test_paper_balance_map_without_surplus_calls_zero_balanced_not_blue():
    """A shortfall (missing places only, never positive): 0 is "ausgeglichen" in a neutral colour,
    and the legend does not promise a blue surplus that no area has."""
    areas, values = _strip([-116.0, -60.0, -5.0, 0.0, 0.0])
    fig = static_map(areas, values, unit="Plätze", diverging=True)
    classes = [t for t in fig.data if t.type == "scatter" and t.fill == "toself"]
    zero = next(t for t in classes if np.nanmin(np.asarray(t.x, dtype=float)) == 503_000)
    assert zero.fillcolor == BALANCED_COLOR and "ausgeglichen" in zero.name
    assert not any(t.fillcolor in SURPLUS_BLUES for t in classes)
    assert "Überhang" not in fig.layout.legend.title.text
    worst = next(t for t in classes if np.nanmin(np.asarray(t.x, dtype=float)) == 500_000)
    assert worst.fillcolor == GAP_REDS[0]


def test_paper_map_keeps_small_bases_out_of_the_classes():
    areas, values = _strip([0.0, 35.0, 50.0, 60.0])
    values["few"] = [True, False, False, False]
    fig = static_map(areas, values, unit="%", higher_is_better=True)
    few = [t for t in fig.data if t.type == "scatter" and t.name == "zu wenige Kinder (nicht eingereiht)"]
    assert len(few) == 1
    labels = [t.name for t in fig.data if t.type == "scatter" and t.fill == "toself"]
    assert not any(label.startswith("0 ") or label.startswith("0,0") for label in labels), labels


def test_printed_balance_map_is_red_where_the_gap_is_largest():
    """The pixel in the middle of the area with the largest gap is red in the PNG (kaleido)."""
    areas, values = _strip([-116.0, -60.0, -5.0, 0.0, 12.0, 40.0])
    fig = static_map(areas, values, unit="Plätze", diverging=True)
    fig.update_layout(showlegend=False, margin={"l": 0, "r": 0, "t": 0, "b": 0})
    try:
        png = images.figure_png(fig, 600, 100, scale=1)
    except images.ExportError as exc:  # no browser on this machine
        pytest.skip(str(exc))
    img = Image.open(io.BytesIO(png)).convert("RGB")
    r, g, b = img.getpixel((50, 50))  # the first of six 100 px squares
    assert r > 150 and g < 60 and b < 70, (r, g, b)


def test_set_overview_counts_no_light_for_a_small_base():
    from planning.targets import ROT, Target, status_row

    table = small_base.mark(_rates().assign(year=2025), U3, 20)
    city = pd.DataFrame({"year": [2025], "value": [35.0]})
    target = Target(code=U3.code, target=40.0, tolerance=5.0)
    row = status_row(1, 1, target, table, city, 2025)
    assert row[ROT] == 1 and row["few"] == 1  # Y (30 %) is red; W (0 %, 3 children) is not
    assert row["missing"] == 0 and row["secret"] == 1


def test_priority_list_does_not_rank_a_small_base():
    from planning import crossdomain as xd

    table = small_base.mark(_rates().assign(year=2025, name=["W", "X", "Y", "Z"]), U3, 20)
    ranking = xd.priority_ranking([(U3, table)]).set_index("gebiet_id")
    assert pd.isna(ranking.loc["W", "rank"])  # 0 % on 3 children would have been rank 1
    assert ranking.loc["W", xd.status_column(U3.code)] == "zu wenige Kinder"
    assert ranking.loc["W", xd.value_column(U3.code)] == 0.0  # still shown
    assert ranking.loc["Y", "rank"] == 1  # 30 % on 200 children leads


def _darkness(colour: str) -> float:
    """0 (white) … 255 (black) from "#rrggbb" or "rgb(r, g, b)"."""
    if colour.startswith("#"):
        rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    else:
        rgb = [float(x) for x in colour[colour.index("(") + 1 : -1].split(",")]
    return 255 - (0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2])


@pytest.mark.parametrize("higher_is_better", [True, False])
def test_paper_rate_map_gives_the_least_favourable_class_the_strongest_colour(higher_is_better):
    """Same rule as the app: dark = ungünstiger, for a rate where low is bad (U3 places) and for one
    where high is bad (child poverty); the legend says so."""
    areas, values = _strip([10.0, 20.0, 30.0, 40.0, 50.0, 60.0])
    fig = static_map(areas, values, unit="%", higher_is_better=higher_is_better)
    classes = [t for t in fig.data if t.type == "scatter" and t.fill == "toself"]
    lowest = next(t for t in classes if np.nanmin(np.asarray(t.x, dtype=float)) == 500_000)
    highest = next(t for t in classes if np.nanmax(np.asarray(t.x, dtype=float)) == 506_000)
    worst, best = (lowest, highest) if higher_is_better else (highest, lowest)
    assert _darkness(worst.fillcolor) == max(_darkness(t.fillcolor) for t in classes)
    assert _darkness(best.fillcolor) < _darkness(worst.fillcolor) - 60
    assert fig.layout.legend.title.text == "dunkler = ungünstiger"


def test_paper_rate_map_clips_an_outlier_and_names_it_in_the_legend():
    """Berlin's Planungsraum at 3.290 %: the classes end near the 98th percentile, the area keeps the
    top class's colour, is outlined, and the legend counts it with its value."""
    areas, values = _strip([*np.linspace(20, 190, 59).round(1).tolist(), 3290.0])
    fig = static_map(areas, values, unit="%", higher_is_better=False)
    classes = [t.name for t in fig.data if t.type == "scatter" and t.fill == "toself"]
    assert "3.300" not in " ".join(classes) and "3.290" not in " ".join(classes), classes
    legend = [t.name for t in fig.data if t.type == "bar"]
    clipped = [name for name in legend if name.startswith(">")]
    assert len(clipped) == 1 and "1 Gebiet" in clipped[0] and "bis 3.290 %" in clipped[0], legend
    outline = next(t for t in fig.data if t.type == "scatter" and t.name == clipped[0])
    assert np.nanmin(np.asarray(outline.x, dtype=float)) == 500_000 + 59 * 1000  # the outlier only


def test_app_colour_scale_is_strongest_at_the_worst_value_and_counts_clipped_areas():
    from planning import charts

    ids = [f"P{i}" for i in range(60)]
    table = pd.DataFrame({"gebiet_id": ids, "name": ids, "value": [*np.linspace(20, 60, 59).tolist(), 900.0]})
    fig = charts.choropleth(_geojson(ids), (0, 0, 0.6, 0.01), table, U3)  # U3 rate: low is bad
    trace = next(t for t in fig.data if t.z is not None and len(t.z) == 60)
    assert _darkness(trace.colorscale[0][1]) > _darkness(trace.colorscale[-1][1]) + 100  # low = dark
    assert trace.zmax < 900
    assert list(trace.colorbar.ticktext)[-1].startswith("≥ ")
    assert "(1 Gebiet darüber)" in list(trace.colorbar.ticktext)[-1]
    poverty = INDICATORS["kinderarmut"]
    assert poverty.polarity == -1
    fig = charts.choropleth(_geojson(ids), (0, 0, 0.6, 0.01), table, poverty)
    trace = next(t for t in fig.data if t.z is not None and len(t.z) == 60)
    assert _darkness(trace.colorscale[-1][1]) > _darkness(trace.colorscale[0][1]) + 100  # high = dark
