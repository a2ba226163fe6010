"""The Stadtteilprofil: every domain of one area on one page (children, Kita, school, indicators).

Pure functions on :class:`~planning.repository.PlanningData` for any area level: an upper area is
the sum of the data-level areas below it. One module per section of the page; this package
re-exports their public names, so callers write ``from planning import profile as prof``:

- :mod:`~planning.profile.areas`: the area's level, its data-level areas, upper areas, key figures;
- :mod:`~planning.profile.children`: children by age against the city (the pyramid);
- :mod:`~planning.profile.indicators`: every indicator with city value, rank, light and trend,
  the weakest ones for the meeting screen, the German display table;
- :mod:`~planning.profile.facilities`: Kitas and schools in the area, the map extent;
- :mod:`~planning.profile.plan`: the area's plan and its compact table of plan years.

The figures drawn from these are in :mod:`planning.charts.profile`.
"""

from planning.profile.areas import MAX_CHILD_AGE, area_level, data_areas, district_facts, district_on_level
from planning.profile.children import children_pyramid
from planning.profile.facilities import (
    facilities_in,
    facility_counts,
    facility_info,
    facility_layers,
    facility_table,
    map_extent,
)
from planning.profile.indicators import (
    OK,
    PROFILE_COLUMNS,
    Tables,
    Targets,
    area_history,
    display_table,
    format_change,
    indicator_profile,
    rank_of,
    weakest,
)
from planning.profile.plan import PlanTable, plan_overview, plan_ranges, plan_series, plan_table, plan_years

__all__ = [
    "MAX_CHILD_AGE",
    "OK",
    "PROFILE_COLUMNS",
    "PlanTable",
    "Tables",
    "Targets",
    "area_history",
    "area_level",
    "children_pyramid",
    "data_areas",
    "display_table",
    "district_facts",
    "district_on_level",
    "facilities_in",
    "facility_counts",
    "facility_info",
    "facility_layers",
    "facility_table",
    "format_change",
    "indicator_profile",
    "map_extent",
    "plan_overview",
    "plan_ranges",
    "plan_series",
    "plan_table",
    "plan_years",
    "rank_of",
    "weakest",
]
