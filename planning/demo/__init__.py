"""The demo municipality "Weidenstadt": a complete fictional city written into the database.

Why: planners and developers can try every screen without real data, and tests get golden
figures that catch regressions. Everything is deterministic for a seed (numpy ``default_rng``);
only ``DatasetVersion.imported_at`` carries the current time.

The city tells planning stories on purpose: inner-city areas with few children and many young
adults, Gründerzeit quarters where young families raise child numbers, three Großwohnsiedlungen
that empty and age, suburbs whose school-age cohorts shrink, and the new-build area Sonnenhang
(from 2019) whose child boom outruns its Kitas. The figures hang together: children come from a
cohort-component model (births → age 0, ageing with type-specific net migration and housing
inflows), Kita places and pupils are derived from those children, and the indicators use them as
denominators. Geometry comes from :mod:`geodata.synthetic`.

``generate_demo`` builds all tables as frames (no database); ``build_demo`` writes them. The parts:
:mod:`.profiles` (settlement types), :mod:`.population` (cohort model), :mod:`.housing`,
:mod:`.kitas` (with Kindertagespflege), :mod:`.schools` (with enrollment), :mod:`.indicators`
(Kennzahlen), :mod:`.generate` (assembly) and :mod:`.write` (database and report).
"""

from planning.demo.generate import DemoData, generate_demo
from planning.demo.population import YEARS
from planning.demo.write import (
    LAYOUT_CODE,
    LICENCE,
    MUNICIPALITY,
    SOURCE,
    DemoReport,
    build_demo,
    demo_report,
)

__all__ = [
    "LAYOUT_CODE",
    "LICENCE",
    "MUNICIPALITY",
    "SOURCE",
    "YEARS",
    "DemoData",
    "DemoReport",
    "build_demo",
    "demo_report",
    "generate_demo",
]
