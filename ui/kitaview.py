"""The Kita page's plan view: where will U3 and Ü3 places be missing, when, and how many?

Shared plan parts (scenario, year, gap map, ranked table, time series) come from
:mod:`ui.planview`; the page ``pages/kita.py`` puts it beside today's indicators.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from planning import charts
from planning.plan import PLAN_FIGURES
from ui import forecast, state, views
from ui.components import plural
from ui.frame import Context
from ui.planview import (
    KITA_PARAMS,
    TOP_ROWS,
    assumptions,
    balance_metric,
    fmt,
    gap_map,
    map_picker,
    missing_data,
    plan_header,
    ranked_table,
    room_cells,
    room_figures,
    scenario_table,
    timeline,
)


def _kita_metrics(city: pd.Series, year: int, base_year: int, per_row: int) -> None:
    """U3/Ü3 demand and places of the city with their balances and ranges (4 in a row, or 2 × 2)."""
    kind = "Prognose" if year > base_year else "Ist-Kinderzahl"
    cells = [c for _ in range(4 // per_row) for c in st.columns(per_row)]
    cells[0].metric(
        f"U3-Bedarf {year}", fmt(city["u3_demand"]), help=f"{kind}; Bedarfsquoten siehe Annahmen", border=True
    )
    balance_metric(
        cells[1],
        f"U3-Plätze {year}",
        fmt(city["u3_places"]),
        city["u3_gap"],
        help="Krippenplätze, U3-Anteil ungeteilter Plätze, Kindertagespflege",
    )
    cells[2].metric(f"Ü3-Bedarf {year}", fmt(city["ue3_demand"]), help=kind, border=True)
    balance_metric(cells[3], f"Ü3-Plätze {year}", fmt(city["ue3_places"]), city["ue3_gap"])
    forecast.range_caption(
        city,
        [
            ("u3_demand", "U3-Bedarf"),
            ("u3_gap", "Bilanz U3"),
            ("ue3_demand", "Ü3-Bedarf"),
            ("ue3_gap", "Bilanz Ü3"),
        ],
        str(year),
    )


def kita_plan(ctx: Context) -> None:
    """Kita page: where will U3/Ü3 places be missing, when, and how many?"""
    header = plan_header(ctx, "Kita-Jahr (ab 1. August)")
    if header is None:
        return
    scenario, result, year = header
    table = scenario_table(ctx, scenario)
    city = result.aggregate().set_index("year").loc[year]
    room = bool(state.get(state.MEETING))
    if result.table["kita_places"].isna().all():
        missing_data("Kita-Liste (und Kindertagespflege)", "kitas")
        _kita_metrics(city, year, result.base_year, 4)
        return
    if not room:
        _kita_metrics(city, year, result.base_year, 4)
    left, right = st.columns([3, 2], gap="medium")
    with left:
        m1, m2 = st.columns([3, 2], vertical_alignment="center")
        code = map_picker(
            m1, {"kita_shortfall": "U3 + Ü3", "u3_gap": "U3", "ue3_gap": "Ü3"}, "kita_map_figure"
        )
        few = len(ctx.data.kitas) <= views.MAX_DEFAULT_POINTS  # 2.900 dots would cover a big city
        show = m2.toggle("Kitas zeigen", value=few, key="plan_show_kitas", help="auch geplante Kitas")
        figure = PLAN_FIGURES[code]
        gap_map(ctx, table, figure, year, views.facility_points(ctx, show, False))
    with right:
        if room:  # key figures beside the map, so map and list fit the projector's first screen
            room_figures(
                room_cells(
                    city,
                    [
                        (f"U3-Bedarf {year}", "u3_demand"),
                        (f"Bilanz U3 {year}", "u3_gap"),
                        (f"Ü3-Bedarf {year}", "ue3_demand"),
                        (f"Bilanz Ü3 {year}", "ue3_gap"),
                    ],
                )
            )
        this_year = table[table["year"] == year]
        missing = int((this_year[code] < -0.5).sum())
        st.markdown(f"**Platzbilanz {year}** (Plätze − Bedarf) – größte Lücken zuerst")
        ranked_table(
            table,
            year,
            {"u3_gap": "U3", "ue3_gap": "Ü3", "kita_shortfall": "Fehlend (U3 + Ü3)"},
            code,
            ctx.level_name,
            forecast.small_marker(result),
            top=TOP_ROWS,
            all_rows="kita_ranked_all",
        )
        st.caption(
            f"{figure.label_de} negativ (rot in der Karte): {missing} von {len(this_year)} "
            f"{plural(ctx.level_name)}."
        )
    timeline(
        ctx,
        result,
        table,
        year,
        lambda series: series,
        [
            ("u3_demand", "U3-Bedarf", charts.PLAN_COLORS["demand"], "solid"),
            ("u3_places", "U3-Plätze", charts.PLAN_COLORS["places"], "solid"),
            ("ue3_demand", "Ü3-Bedarf", charts.PLAN_COLORS["demand"], "dash"),
            ("ue3_places", "Ü3-Plätze", charts.PLAN_COLORS["places"], "dash"),
        ],
        "Bedarf und Plätze",
        "kita_timeline",
    )
    assumptions(result, KITA_PARAMS, scenario)
