"""The Schule page's plan view: school entrants, entry classes against Züge, Ganztag demand
against places under the GaFöG phase-in, and the table per primary school.

Shared plan parts (scenario, year, gap map, ranked table, time series) come from
:mod:`ui.planview`; the page ``pages/schule.py`` puts it beside today's indicators.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from planning import charts, plan_tables
from planning.parameters import GAFOEG_FIRST_YEAR
from planning.plan import PLAN_FIGURES, PlanResult
from planning.school_table import per_school, unassigned
from ui import figures, forecast, state, views
from ui.components import plural
from ui.frame import Context
from ui.planview import (
    SCHOOL_PARAMS,
    TOP_ROWS,
    assumptions,
    balance_metric,
    fmt,
    ganztag_years_note,
    gap_map,
    map_picker,
    missing_data,
    number_table,
    plan_header,
    ranked_table,
    room_cells,
    room_figures,
    scenario_table,
    school_year,
    timeline,
)


def _school_overview(result: PlanResult, city: pd.Series, city_all: pd.DataFrame, sy: str) -> None:
    """The school page's key figures and the city's Ganztag phase-in chart (above the map)."""
    cols = st.columns(4)
    cols[0].metric(
        f"Einschulungen {sy}", fmt(city["school_entrants"]), help="6-Jährige × Einschulungsquote", border=True
    )
    cols[1].metric(
        f"Eingangsklassen nötig {sy}",
        fmt(city["zuege_needed"]),
        help=f"aufrunden(Einschulungen ÷ {result.params['klassenobergrenze']}) – stadtweit gerechnet",
        border=True,
    )
    cols[2].metric(
        f"Züge vorhanden {sy}",
        fmt(city["zuege_available"]),
        help="Summe der Zügigkeit aller Grundschulen",
        border=True,
    )
    balance_metric(
        cols[3],
        f"Ganztag: Bedarf / Plätze {sy}",
        f"{fmt(city['ganztag_demand'])} / {fmt(city['ganztag_places'])}",
        city["ganztag_gap"],
    )
    forecast.range_caption(
        city,
        [
            ("school_entrants", "Einschulungen"),
            ("zuege_needed", "Eingangsklassen"),
            ("ganztag_demand", "Ganztagsbedarf"),
            ("ganztag_gap", "Ganztagsbilanz"),
        ],
        sy,
    )
    _ganztag_phase(result, city_all)


def _ganztag_phase(result: PlanResult, city_all: pd.DataFrame) -> None:
    st.markdown(f"**Ganztag nach GaFöG-Stufenplan, Gesamtstadt** – {ganztag_years_note()}")
    shown = city_all[city_all["year"] >= result.base_year - 2]
    st.plotly_chart(
        figures.figure("ganztag_phase", shown, result.base_year, GAFOEG_FIRST_YEAR),
        config={"displayModeBar": False},
        key="ganztag_phase",
    )
    st.caption("Striche an den Balken: " + forecast.BAND_NOTE.removeprefix("Schattiert: "))


def school_plan(ctx: Context) -> None:
    """Schule page: school entrants, entry classes vs Züge, Ganztag demand vs places (GaFöG)."""
    header = plan_header(ctx, "Schuljahr", school=True)
    if header is None:
        return
    scenario, result, year = header
    table = scenario_table(ctx, scenario)
    city_all = result.aggregate()
    city = city_all.set_index("year").loc[year]
    sy = school_year(year)
    room = bool(state.get(state.MEETING))
    maps, missing = plan_tables.school_balances(result.table)
    if missing:
        missing_data(" und ".join(missing) + " (Schulliste)", "schulen")
    if not room or not maps:
        _school_overview(result, city, city_all, sy)
    if not maps:  # nothing to balance: no deficit map, no ranking of gaps
        return
    left, right = st.columns([3, 2], gap="medium")
    with left:
        m1, m2 = st.columns([3, 2], vertical_alignment="center")
        code = map_picker(m1, maps, "school_map_figure")
        show = m2.toggle(
            "Schulen zeigen", value=len(ctx.data.schools) <= views.MAX_DEFAULT_POINTS, key="plan_show_schools"
        )
        figure = PLAN_FIGURES[code]
        gap_map(ctx, table, figure, year, views.facility_points(ctx, False, show))
    with right:
        if room:  # key figures beside the map: map and the worst five on the projector's first screen
            room_figures(
                room_cells(
                    city,
                    [
                        (f"Einschulungen {sy}", "school_entrants"),
                        (f"Bilanz Eingangsklassen {sy}", "zuege_gap"),
                        (f"Ganztagsbedarf {sy}", "ganztag_demand"),
                        (f"Ganztagsbilanz {sy}", "ganztag_gap"),
                    ],
                )
            )
        st.markdown(f"**{figure.label_de} {sy}** – größte Lücken zuerst")
        ranked_table(
            table,
            year,
            {
                "school_entrants": "Einschulungen",
                code: "Bilanz",
            },
            code,
            ctx.level_name,
            forecast.small_marker(result),
            top=TOP_ROWS,  # every row and column: the page's own fold below
        )
        st.caption(
            "Kinder zählen im Gebiet, in dem sie wohnen; Schulplätze im Gebiet der Schule. Auf "
            "Planungsraum-Ebene fehlen deshalb Plätze, wo keine Grundschule liegt – die obere "
            "Ebene (Bezirk) zeigt, ob die Nachbarschaft ausgleicht."
        )
    if room:  # the Ganztag phase-in below the first screen
        _ganztag_phase(result, city_all)
    # Built only while open: hundreds of rows × eight columns are a fifth of the page's server time.
    all_table = st.expander(
        f"Alle {plural(ctx.level_name)}: Schule und Ganztag {sy} (Tabelle)",
        key="school_all_table",
        on_change="rerun",
    )
    with all_table:
        if all_table.open:
            ranked_table(
                table,
                year,
                {
                    "school_entrants": "Einschulungen",
                    "zuege_needed": "Eingangsklassen nötig",
                    "zuege_available": "Züge vorhanden",
                    "classes_needed": "Klassen 1–4 nötig",
                    "classes_available": "Klassen 1–4 vorhanden",
                    "ganztag_demand": "Ganztagsbedarf",
                    "ganztag_places": "Ganztagsplätze",
                    "ganztag_gap": "Ganztagsbilanz",
                },
                code,
                ctx.level_name,
            )
    school_table_expander(ctx, result, year, sy)
    size = result.params["klassenobergrenze"]
    timeline(
        ctx,
        result,
        table,
        year,
        lambda series: series.assign(capacity=series["zuege_available"] * size),
        [
            ("school_entrants", "Einschulungen", charts.PLAN_COLORS["demand"], "solid"),
            (
                "capacity",
                "Plätze in Eingangsklassen (Züge × Obergrenze)",
                charts.PLAN_COLORS["places"],
                "solid",
            ),
            ("ganztag_demand", "Ganztagsbedarf", charts.PLAN_COLORS["Ganztag"], "dot"),
            ("ganztag_places", "Ganztagsplätze", charts.PLAN_COLORS["places"], "dot"),
        ],
        "Einschulungen und Ganztag",
        "school_timeline",
    )
    assumptions(result, SCHOOL_PARAMS, scenario)


def school_table_expander(ctx: Context, result: PlanResult, year: int, sy: str) -> None:
    """Per primary school: entry classes needed vs Züge, Ganztag demand vs places (built while open)."""
    box = st.expander(
        f"Je Grundschule {sy}: Eingangsklassen und Ganztag", key="per_school", on_change="rerun"
    )
    with box:
        if not box.open:
            return
        table = per_school(result, ctx.data.schools, year)
        if table.empty:
            st.info("Keine Grundschulen in der Schulliste – laden unter Daten › Import (Schulen).")
            return
        shown = plan_tables.per_school_frame(table, ctx.data.areas.set_index("gebiet_id")["name"])
        numeric = [c for c in shown.columns if c not in ("Grundschule", "Gebiet", "Spanne Einschulungen")]
        number_table(shown, numeric, height=min(560, 35 * (len(shown) + 1) + 3))
        rest = unassigned(result, ctx.data.schools, year)
        note = (
            "Einzugsbereich = Gebiet der Schule (keine Schulbezirksdaten): Einschulungen und Ganztagsbedarf "
            "des Gebiets nach Zügen auf seine Grundschulen verteilt; jede Schule bildet eigene Klassen "
            f"(aufgerundet, Obergrenze {result.params['klassenobergrenze']})."
        )
        if not rest.empty:
            note += (
                f" {fmt(rest['school_entrants'].sum())} Einschulungen in {len(rest)} "
                f"{plural(ctx.level_name) if len(rest) != 1 else ctx.level_name} ohne eigene Grundschule "
                "sind keiner Schule zugeordnet (dort gehen die Kinder in der Nachbarschaft zur Schule)."
            )
        st.caption(note)
