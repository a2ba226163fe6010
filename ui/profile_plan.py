"""The Stadtteilprofil's plan sections: Kita, and Schule & Ganztag, each a compact table of a few
plan years with ranges and a small timeline. The figures come from :mod:`planning.profile.plan`
(:func:`~planning.profile.plan.plan_table`); here only the widgets and the colour of a shortfall."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from planning import charts
from planning import profile as prof
from planning.plan import PlanResult
from ui import figures, planview, state, tables

_COLOR = charts.PLAN_COLORS
#: The Kita section: table rows (column, label) and timeline lines (column, label, colour, dash).
KITA_ROWS = [
    ("u3_demand", "U3-Bedarf"),
    ("u3_places", "U3-Plätze"),
    ("u3_gap", "Bilanz U3"),
    ("ue3_demand", "Ü3-Bedarf"),
    ("ue3_places", "Ü3-Plätze"),
    ("ue3_gap", "Bilanz Ü3"),
]
KITA_LINES = [
    ("u3_demand", "U3-Bedarf", _COLOR["demand"], "solid"),
    ("u3_places", "U3-Plätze", _COLOR["places"], "solid"),
    ("ue3_demand", "Ü3-Bedarf", _COLOR["demand"], "dash"),
    ("ue3_places", "Ü3-Plätze", _COLOR["places"], "dash"),
]
#: The school section: as the Kita's; ``capacity`` is the seats of the available entry classes.
SCHOOL_ROWS = [
    ("school_entrants", "Einschulungen"),
    ("zuege_needed", "Eingangsklassen nötig"),
    ("zuege_available", "Züge vorhanden"),
    ("zuege_gap", "Bilanz Eingangsklassen"),
    ("ganztag_demand", "Ganztagsbedarf"),
    ("ganztag_places", "Ganztagsplätze"),
    ("ganztag_gap", "Bilanz Ganztag"),
]
SCHOOL_LINES = [
    ("school_entrants", "Einschulungen", _COLOR["demand"], "solid"),
    ("capacity", "Plätze in Eingangsklassen", _COLOR["places"], "solid"),
    ("ganztag_demand", "Ganztagsbedarf", _COLOR["Ganztag"], "dot"),
    ("ganztag_places", "Ganztagsplätze", _COLOR["places"], "dot"),
]
NO_PLAN = "Für dieses Gebiet gibt es keine Bedarfsplanung."
#: Years before the base year shown in the small timelines (the plan years matter here).
HISTORY_YEARS = 4


def kita_section(result: PlanResult | None, series: pd.DataFrame | None) -> None:
    """Kita: U3 and Ü3 demand, places and balance."""
    st.subheader("Kita", anchor=False)
    if result is None or series is None or series.empty:
        st.info(NO_PLAN)
        return
    _plan_table(series, result, KITA_ROWS, school=False)
    _timeline(series, result, KITA_LINES, "profile_kita_timeline")
    st.caption(
        f"Kita-Jahr ab 1. August; bis {result.base_year} Ist-Kinderzahlen, danach Prognose. "
        "Bilanz = Plätze − Bedarf (rot: Plätze fehlen). Annahmen auf der Seite Kita-Versorgung."
    )


def school_section(result: PlanResult | None, series: pd.DataFrame | None) -> None:
    """Schule & Ganztag: entrants against entry classes, Ganztag demand against places."""
    st.subheader("Schule & Ganztag", anchor=False)
    if result is None or series is None or series.empty:
        st.info(NO_PLAN)
        return
    _plan_table(series, result, SCHOOL_ROWS, school=True)
    size = float(result.params["klassenobergrenze"])
    frame = series.assign(capacity=series["zuege_available"] * size)
    _timeline(frame, result, SCHOOL_LINES, "profile_school_timeline")
    notes = [planview.ganztag_years_note()]
    if series["zuege_available"].isna().all():
        notes.append("Die Schulliste nennt keine Zügigkeit: Züge und Bilanz bleiben leer.")
    if series["ganztag_places"].isna().all():
        notes.append("Die Schulliste nennt keine Ganztagsplätze.")
    notes.append("Kinder zählen am Wohnort, Plätze am Schulstandort.")
    st.caption(" ".join(notes))


def _plan_table(series: pd.DataFrame, result: PlanResult, rows: list[tuple[str, str]], school: bool) -> None:
    years = prof.plan_years(result.years, result.base_year, _plan_year())
    args = (series, tuple(years), tuple(rows), result.base_year, school)
    styler, ranged = _plan_cells(figures.content_key("ui.profile_plan._plan_cells", args), *args)
    st.table(styler, hide_index=True)
    if ranged:
        st.caption("In Klammern: Spanne, in der 8 von 10 früheren Prognosen lagen (Rückrechnung).")


@st.cache_resource(max_entries=256, show_spinner=False)
def _plan_cells(
    key: str,
    _series: pd.DataFrame,
    _years: tuple[int, ...],
    _rows: tuple[tuple[str, str], ...],
    _base_year: int,
    _school: bool,
) -> tuple[Styler, bool]:
    """The area's plan table, built, coloured and rendered once per content (``key``: a digest of
    the other arguments, as :func:`ui.tables.styled` keys), and whether any cell shows a range.
    Shared: never changed after it comes back."""
    table = prof.plan_table(_series, list(_years), list(_rows), _base_year, _school)
    values = table.values

    def colour(v: Any, row_label: str) -> str:
        if "Bilanz" in row_label and pd.notna(v) and v < -0.5:
            return "color: #b91c1c; font-weight: 600"
        return ""

    styler = table.cells.style.apply(
        lambda col: [colour(v, r) for v, r in zip(values[col.name], values["Kennzahl"], strict=True)],
        subset=list(table.cells.columns[1:]),
    )
    return tables.rendered(styler), table.ranged


def _plan_year() -> int | None:
    value = state.get(state.PLAN_YEAR)
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _timeline(
    series: pd.DataFrame, result: PlanResult, lines: list[tuple[str, str, str, str]], key: str
) -> None:
    recent = series[series["year"] >= result.base_year - HISTORY_YEARS]
    fig = figures.figure(
        "plan_timeline",
        recent,
        lines,
        result.base_year,
        "Kinder / Plätze",
        height=300,
        layout={"xaxis": {"dtick": 2, "tickangle": 0}, "legend": {"y": -0.25}},
    )
    st.plotly_chart(fig, config={"displayModeBar": False}, key=key)
