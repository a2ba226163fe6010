"""Plotly figures shared by the app's pages and the decision paper, without Streamlit.

- :mod:`.maps`: areas coloured by an indicator, a traffic light or a balance, facility points;
- :mod:`.trend`: the city's (and one area's) figure over the years;
- :mod:`.plan`: demand against places with ranges, scenarios, Ganztag phase-in, cohort chain,
  backtest errors;
- :mod:`.profile`: the Stadtteilprofil's children by age and the area among its neighbours.

``ui/figures.py`` caches them per content for every session; the paper exports them as images.
"""

from planning.charts.maps import (
    DIVERGING,
    FEW_COLOR,
    KITA_COLOR,
    NO_DATA_COLOR,
    OUTLINE_COLOR,
    SCALES,
    SCHOOL_COLOR,
    SECRET_COLOR,
    SELECTED_COLOR,
    add_points,
    choropleth,
    subset,
)
from planning.charts.plan import (
    PLAN_COLORS,
    SCENARIO_COLORS,
    backtest_errors,
    cohort_chain,
    ganztag_phase,
    plan_timeline,
    range_band,
    scenario_lines,
)
from planning.charts.profile import district_map, pyramid_figure
from planning.charts.trend import city_trend

__all__ = [
    "DIVERGING",
    "FEW_COLOR",
    "KITA_COLOR",
    "NO_DATA_COLOR",
    "OUTLINE_COLOR",
    "PLAN_COLORS",
    "SCALES",
    "SCENARIO_COLORS",
    "SCHOOL_COLOR",
    "SECRET_COLOR",
    "SELECTED_COLOR",
    "add_points",
    "backtest_errors",
    "choropleth",
    "city_trend",
    "cohort_chain",
    "district_map",
    "ganztag_phase",
    "plan_timeline",
    "pyramid_figure",
    "range_band",
    "scenario_lines",
    "subset",
]
