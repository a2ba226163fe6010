"""Indicators (Kennzahlen): what each one is, how it is computed per area and year, and its tables.

Every indicator yields a long table ``gebiet_id, year, numerator, denominator`` on the data level
(the lowest area level). The value is ``scale × numerator ÷ denominator`` for rates and the
numerator itself for counts. Keeping numerator and denominator means upper levels and the city are
aggregated correctly (sum of numerators over sum of denominators, never a mean of rates) and small
numbers can be suppressed later.

- :mod:`.definition`: the :class:`Indicator` record (one place for label, unit, polarity, register);
- :mod:`.catalogue`: the built-in indicators, one entry each (:data:`INDICATORS`), and lookup;
- :mod:`.compute`: how computed indicators are derived from population, Kitas and schools;
- :mod:`.tables`: values per area of any level, the city series and small-number protection.

Pages build their selectors from :data:`INDICATORS`; an unknown code raises a ``KeyError`` that
lists the valid codes.
"""

from planning.areas import ancestor_map
from planning.indicators.catalogue import (
    BUILT_IN,
    INDICATORS,
    available_indicators,
    get_indicator,
    resolve,
)
from planning.indicators.compute import (
    REACH_DETOUR,
    REACH_DISTANCE_M,
    kita_places_by_year,
    primary_enrollment,
    split_places,
)
from planning.indicators.definition import DOMAINS, ComputeFn, Frame, Indicator, IndicatorRef
from planning.indicators.tables import (
    base_table,
    city_series,
    indicator_table,
    protected_table,
    unsuppressed_table,
)

__all__ = [
    "BUILT_IN",
    "DOMAINS",
    "INDICATORS",
    "REACH_DETOUR",
    "REACH_DISTANCE_M",
    "ComputeFn",
    "Frame",
    "Indicator",
    "IndicatorRef",
    "ancestor_map",
    "available_indicators",
    "base_table",
    "city_series",
    "get_indicator",
    "indicator_table",
    "kita_places_by_year",
    "primary_enrollment",
    "protected_table",
    "resolve",
    "split_places",
    "unsuppressed_table",
]
