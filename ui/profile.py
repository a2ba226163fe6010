"""The Stadtteilprofil view: one area with all domains side by side, on screen and on paper.

Sections: children by age against the city, location with facilities, Kita and school/Ganztag
from the plan (:mod:`ui.profile_plan`), every indicator with city comparison, rank, light and
trend, and the development of key indicators (:mod:`ui.profile_indicators`). In a meeting the
first screen is the room's: a large map, the key figures and the weakest indicators. The figures
come from :mod:`planning.profile`, the charts from :mod:`planning.charts.profile`. Tables are
static (``st.table``) so they print completely; a print stylesheet hides the app chrome and keeps
sections on one page.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from planning import profile as prof
from planning.formatting import format_value
from planning.indicators import Indicator, available_indicators
from planning.scenarios import Scenario
from planning.suppression import KEINE_DATEN
from ui import components, figures, planview, state, steering
from ui import data as uidata
from ui.frame import Context
from ui.profile_indicators import development_section, indicators_section, weakest_section
from ui.profile_plan import kita_section, school_section

#: Above this many facilities the table scrolls instead of printing every row.
STATIC_ROWS = 30
PLAN_SOURCES = ("bevoelkerung", "geburten", "kitas", "kindertagespflege", "schulen", "schueler", "wohnbau")

#: Paper: A4 landscape without the app chrome. Streamlit stacks columns when printing; the profile
#: keeps its pairs side by side and scales the page so charts drawn for a screen fit the sheet.
PRINT_CSS = """<style>
@media print {
  @page { size: A4 landscape; margin: 10mm; }
  [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"],
  [data-testid="stDecoration"], [data-testid="stStatusWidget"], [data-testid="stBottom"],
  [data-testid="stSidebarCollapsedControl"], [data-testid="stElementToolbar"],
  .st-key-profil_auswahl, .stButton { display: none !important; }
  html { zoom: 0.65; }
  [data-testid="stMainBlockContainer"] { padding: 0 !important; max-width: 100% !important; }
  [data-testid="stHorizontalBlock"] {
    display: flex !important; flex-direction: row !important; flex-wrap: nowrap !important;
    break-inside: avoid; page-break-inside: avoid;
  }
  [data-testid="stHorizontalBlock"] > [data-testid="stColumn"] {
    display: block !important; flex: 1 1 0 !important; min-width: 0 !important; width: auto !important;
  }
  .st-key-profil_kopf, .st-key-profil_kennzahlen table, .st-key-profil_einrichtungen,
  [data-testid="stPlotlyChart"], tr {
    break-inside: avoid; page-break-inside: avoid;
  }
  .st-key-profil_kennzahlen { break-before: page; }
}
</style>"""

PRINT_BUTTON = """
<div style="display:flex;justify-content:flex-end;align-items:center;gap:.6rem;height:100%">
  <button id="profil-drucken" type="button"
    style="font-size:1rem;padding:.45rem 1.1rem;border:1px solid #1f4e8c;border-radius:.5rem;
           background:#1f4e8c;color:#fff;cursor:pointer">Drucken</button>
</div>
<script>
  // an assignment, not addEventListener: the script may run more than once per render
  document.getElementById("profil-drucken").onclick = () => window.print();
</script>
"""

#: Meeting screen: the map's size (at least half of a 1920×1080 projector's height).
ROOM_MAP_HEIGHT, ROOM_MAP_WIDTH = 560, 1100
#: Meeting screen: how many of the weakest indicators stand beside the map.
ROOM_WEAKEST = 5


# ---------------------------------------------------------------- cached loaders


@st.cache_data(show_spinner=False, max_entries=64)
def _pyramid(url: str, layout: str, versions: uidata.VersionKey, gebiet_id: str, year: int) -> pd.DataFrame:
    return prof.children_pyramid(uidata.planning_data(url, layout, versions), gebiet_id, year)


@st.cache_data(show_spinner=False, max_entries=64)
def _facts(url: str, layout: str, versions: uidata.VersionKey, gebiet_id: str, year: int) -> dict[str, Any]:
    return prof.district_facts(uidata.planning_data(url, layout, versions), gebiet_id, year)


@st.cache_data(show_spinner=False, max_entries=64)
def _facilities(url: str, layout: str, versions: uidata.VersionKey, gebiet_id: str) -> pd.DataFrame:
    return prof.facilities_in(uidata.planning_data(url, layout, versions), gebiet_id)


@st.cache_data(show_spinner=False, max_entries=64)
def _extent(
    url: str, layout: str, versions: uidata.VersionKey, gebiet_id: str
) -> tuple[list[str], tuple[float, float, float, float]]:
    return prof.map_extent(uidata.planning_data(url, layout, versions), gebiet_id)


@st.cache_data(show_spinner=False, max_entries=64)
def _plan_series(
    url: str,
    layout: str,
    versions: uidata.VersionKey,
    scenario: str,
    revision: int,
    gebiet_id: str,
    frozen: str = "",
) -> pd.DataFrame:
    result = uidata.plan_result(url, layout, versions, scenario, revision, frozen)
    return prof.plan_series(result, uidata.planning_data(url, layout, versions), gebiet_id)


# ---------------------------------------------------------------- the view


def profile_view(ctx: Context) -> tuple[str, ...]:
    """Draw the profile of the chosen area; returns the data kinds used (for the source footer)."""
    st.html(PRINT_CSS)
    names = ctx.data.areas.loc[ctx.data.areas["level"] == ctx.level, ["gebiet_id", "name"]]
    if names.empty:
        st.info(f"Für die Ebene {ctx.level_name} gibt es keine Gebiete.")
        return ()
    # In a meeting the room reads title, key figures, a large map and the weakest indicators on the
    # first screen; the choices shrink to one slim bar, printing is not the room's business.
    room = bool(state.get(state.MEETING))
    with st.container(key="profil_auswahl"):
        c1, c2, c3 = st.columns([3, 2, 0.01 if room else 1], vertical_alignment="bottom")
        with c1:
            gid = _pick_district(ctx, names, collapsed=room)
        with c2:
            scenario = planview.pick_scenario(ctx, collapsed=room)
        if not room:
            with c3:
                st.html(PRINT_BUTTON, unsafe_allow_javascript=True)
            st.caption(
                "Drucken: Knopf „Drucken“ oder Strg+P (Querformat). Auswahl, Seitenleiste und Knöpfe "
                "erscheinen nicht auf dem Papier."
            )
    facts = _facts(ctx.url, ctx.layout.code, ctx.versions, gid, ctx.year)
    facilities = _facilities(ctx.url, ctx.layout.code, ctx.versions, gid)
    indicators = available_indicators(ctx.data, ctx.registry.custom.values())
    with st.container(key="profil_kopf"):
        if room:
            _room_head(ctx, gid, facts, facilities, scenario, indicators)
        else:
            _header(ctx, facts, facilities, scenario)
    result = planview.plan_for(ctx, scenario)
    series = (
        _plan_series(
            ctx.url,
            ctx.layout.code,
            ctx.versions,
            scenario.name,
            scenario.revision,
            gid,
            planview.frozen_json(ctx, scenario),
        )
        if result is not None
        else None
    )
    left, right = st.columns(2, gap="large")
    with left, st.container(key="profil_kinder", border=True):
        _children(ctx, gid, facts)
    with right:
        if room:  # the map is on the first screen already; the facilities stand beside the children
            with st.container(key="profil_einrichtungen", border=True):
                _facility_table(facilities)
        else:
            with st.container(key="profil_lage", border=True):
                _location(ctx, gid, facts, facilities)
    if room:  # projector type: each plan table needs the full width
        with st.container(key="profil_kita", border=True):
            kita_section(result, series)
        with st.container(key="profil_schule", border=True):
            school_section(result, series)
    else:
        left, right = st.columns(2, gap="large")
        with left, st.container(key="profil_kita", border=True):
            kita_section(result, series)
        with right, st.container(key="profil_schule", border=True):
            school_section(result, series)
    with st.container(key="profil_kennzahlen", border=True):
        indicators_section(ctx, gid, indicators)
    with st.container(key="profil_kommentare"):
        steering.comments_panel(ctx, None, gid, key="profile_comments")
    with st.container(key="profil_entwicklung", border=True):
        development_section(ctx, gid, facts, indicators)
    if not room:
        with st.container(key="profil_einrichtungen", border=True):
            _facility_table(facilities)
    return (*PLAN_SOURCES, *(s for ind in indicators for s in ind.sources))


def _pick_district(ctx: Context, names: pd.DataFrame, collapsed: bool = False) -> str:
    """District selector on the frame's level, shared with every page (URL ``gebiet``)."""
    ids = names["gebiet_id"].tolist()
    label = dict(zip(names["gebiet_id"], names["name"], strict=True))
    wanted = prof.district_on_level(ctx.data.areas, state.get(state.DISTRICT), ctx.level)
    state.put(state.DISTRICT, wanted if wanted in label else ids[0])
    st.selectbox(
        ctx.level_name,
        ids,
        key=state.DISTRICT.key,
        format_func=lambda g: f"{label[g]} ({g})",
        help="Tippen Sie einen Namen oder eine Nummer. Die Auswahl gilt auch auf den anderen Seiten.",
        label_visibility="collapsed" if collapsed else "visible",
    )
    return str(state.get(state.DISTRICT))


def _fmt_int(value: Any) -> str:
    return KEINE_DATEN if value is None or pd.isna(value) else format_value(float(value), 0)


def _title_line(ctx: Context, facts: dict[str, Any], scenario: Scenario) -> str:
    """ "Planungsraum · in Bezirk Mitte · Jahr 2024 · Szenario „Basis“"."""
    where = " · ".join(f"{lvl} {components.plain(name)}" for lvl, _gid, name in facts["ancestors"])
    parts = [facts["level_name"], *([f"in {where}"] if where else []), f"Jahr {ctx.year}"]
    return " · ".join([*parts, f"Szenario „{components.plain(scenario.name)}“"])


def _header(ctx: Context, facts: dict[str, Any], facilities: pd.DataFrame, scenario: Scenario) -> None:
    st.header(f"{components.plain(facts['name'])} ({facts['gebiet_id']})", anchor=False)
    st.markdown(_title_line(ctx, facts, scenario))
    residents, children = facts["residents"], facts["children"]
    share = format_value(100 * children / residents, 1, "%") if residents and children is not None else None
    counts = prof.facility_counts(facilities)
    components.kpi_row(
        [
            (f"Einwohner:innen {ctx.year}", _fmt_int(residents), f"Stichtag 31.12.{ctx.year}"),
            (
                "Kinder unter 18",
                _fmt_int(children),
                f"{share} der Einwohner:innen" if share else "Anteil nicht berechenbar",
            ),
            (
                "Kitas in Betrieb",
                _fmt_int(counts["kitas"]),
                f"{_fmt_int(counts['places'])} genehmigte Plätze laut Kita-Liste",
            ),
            ("Schulen", _fmt_int(counts["schools"]), f"davon {counts['primary']} Grundschule(n)"),
        ]
    )


def _room_head(
    ctx: Context,
    gid: str,
    facts: dict[str, Any],
    facilities: pd.DataFrame,
    scenario: Scenario,
    indicators: list[Indicator],
) -> None:
    """Meeting screen: title line, then a large map with the key figures and the five weakest
    indicators beside it – all on the projector's first screen."""
    st.subheader(f"{components.plain(facts['name'])} ({facts['gebiet_id']})", anchor=False)
    st.caption(_title_line(ctx, facts, scenario))
    left, right = st.columns([3, 2], gap="medium")
    with left:
        _area_map(ctx, gid, facts, facilities, height=ROOM_MAP_HEIGHT, width=ROOM_MAP_WIDTH)
    with right:
        counts = prof.facility_counts(facilities)
        planview.room_figures(
            [
                (f"Einwohner:innen {ctx.year}", _fmt_int(facts["residents"]), ""),
                ("Kinder unter 18", _fmt_int(facts["children"]), ""),
                ("Kitas in Betrieb", _fmt_int(counts["kitas"]), ""),
                ("Kita-Plätze", _fmt_int(counts["places"]), ""),
            ]
        )
        weakest_section(ctx, gid, indicators, ROOM_WEAKEST)


def _area_map(ctx: Context, gid: str, facts: dict[str, Any], facilities: pd.DataFrame, **size: int) -> int:
    """The area among its neighbours with its facilities; returns the number of neighbours."""
    geojson, _ = uidata.map_layer(ctx.url, ctx.layout.code, ctx.versions, ctx.level)
    neighbour_ids, bounds = _extent(ctx.url, ctx.layout.code, ctx.versions, gid)
    areas = ctx.data.areas
    neighbours = areas.loc[areas["gebiet_id"].isin(neighbour_ids), ["gebiet_id", "name"]]
    fig = figures.figure(
        "district_map", geojson, bounds, (gid, facts["name"]), neighbours, facilities, **size
    )
    # Static: MapLibre keeps its drawing buffer only for a static plot, and without it the map
    # prints blank. Names and figures of the facilities are in the table below.
    st.plotly_chart(fig, config={"staticPlot": True}, key="profile_map")
    return len(neighbours)


def _children(ctx: Context, gid: str, facts: dict[str, Any]) -> None:
    st.subheader("Kinder im Gebiet", anchor=False)
    pyramid = _pyramid(ctx.url, ctx.layout.code, ctx.versions, gid, ctx.year)
    if pyramid.empty:
        st.info(f"Für {ctx.year} liegen keine Kinderzahlen nach Alter vor.")
        return
    st.plotly_chart(
        figures.figure("pyramid_figure", pyramid, facts["name"]),
        config={"displayModeBar": False},
        key="pyramid",
    )
    top = int(pyramid["age_to"].max())
    single = bool((pyramid["age_from"] == pyramid["age_to"]).all())
    st.caption(
        f"Kinder von 0 bis {top} Jahren am 31.12.{ctx.year}: Balken = {components.plain(facts['name'])}, "
        f"Strich = Gesamtstadt, jeweils Anteil an allen Kindern von 0 bis {top}"
        + ("." if single else " je Altersjahr (die Daten haben Altersgruppen).")
    )


def _location(ctx: Context, gid: str, facts: dict[str, Any], facilities: pd.DataFrame) -> None:
    st.subheader("Lage und Einrichtungen", anchor=False)
    n_neighbours = _area_map(ctx, gid, facts, facilities)
    counts = prof.facility_counts(facilities)
    st.caption(
        f"{components.plain(facts['name'])} (dunkel umrandet) mit {n_neighbours} Nachbargebieten; "
        f"Punkte: {counts['kitas']} Kitas in Betrieb (schwarz), {counts['schools']} Schulen (lila). "
        "Liste unten auf der Seite."
    )


def _facility_table(facilities: pd.DataFrame) -> None:
    st.subheader("Einrichtungen im Gebiet", anchor=False)
    if facilities.empty:
        st.info("Im Gebiet liegen laut Kita- und Schulliste keine Einrichtungen.")
        return
    shown = prof.facility_table(facilities)
    if len(shown) <= STATIC_ROWS:
        st.table(shown, hide_index=True)
    else:
        st.dataframe(shown, hide_index=True, height=420, width="stretch")
        st.caption(f"{len(shown)} Einrichtungen: auf dem Papier erscheinen nur die sichtbaren Zeilen.")
