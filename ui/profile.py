"""The Stadtteilprofil view: one area with all domains side by side, on screen and on paper.

Sections: children by age against the city, location with facilities, Kita and school/Ganztag
from the plan, every indicator with city comparison, rank, light and trend, and the development
of key indicators. The figures come from :mod:`planning.profile`; the figure builders here are
plain functions (no streamlit) so tests can inspect them. Tables are static (``st.table``) so they
print completely; a print stylesheet hides the app chrome and keeps sections on one page.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from pandas.io.formats.style import Styler

from geodata.crs import map_view
from planning import charts
from planning import profile as prof
from planning.formatting import format_value, number_range
from planning.indicators import Indicator, available_indicators
from planning.plan import PlanResult
from planning.plot_text import escape, escape_figure
from planning.scenarios import Scenario
from planning.suppression import GEHEIM, KEINE_DATEN
from planning.targets import LIGHT_COLOURS, LIGHT_SYMBOLS
from ui import components, figures, planview, state, steering
from ui import data as uidata
from ui.frame import Context

DISTRICT_COLOR = charts.PLAN_COLORS["district"]
CITY_COLOR = charts.PLAN_COLORS["city"]
#: Rates whose development the profile draws, in this order of preference (the first 4 with a history).
TREND_CODES = (
    "versorgung_u3",
    "versorgung_ue3",
    "kinderarmut",
    "hze_je_1000",
    "kita_erreichbar",
    "anteil_u18",
    "sgb2_quote",
    "sprachfoerderbedarf",
    "ganztag_quote",
    "transferbezug",
    "arbeitslosigkeit",
    "alleinerziehende",
    "jugendarbeitslosigkeit",
    "ohne_abschluss",
)
MAX_TRENDS = 4
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


# ---------------------------------------------------------------- figure builders (no streamlit)


@figures.shared
def pyramid_figure(pyramid: pd.DataFrame, district_name: str, height: int | None = None) -> go.Figure:
    """Children by age: the area's bars against the city's profile (open markers), in % per year of
    age, so a two-year band is not drawn twice as long as a single year."""
    width = (pyramid["age_to"] - pyramid["age_from"] + 1).astype(float)
    d_year = pyramid["district_share"].astype(float) / width
    c_year = pyramid["city_share"].astype(float) / width

    def hover(share: pd.Series, count: pd.Series) -> list[list[str]]:
        return [[format_value(s, 1, "%"), format_value(c, 0)] for s, c in zip(share, count, strict=True)]

    labels = [f"{lab} J." for lab in pyramid["label"]]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            y=labels,
            x=d_year.round(2),
            orientation="h",
            name=district_name,
            marker={"color": DISTRICT_COLOR, "opacity": 0.85},
            customdata=hover(pyramid["district_share"], pyramid["district"]),
            hovertemplate="%{y}: %{customdata[0]} der Kinder (%{customdata[1]})<extra>"
            + escape(district_name)
            + "</extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            y=labels,
            x=c_year.round(2),
            mode="markers",
            name="Gesamtstadt",
            marker={
                "symbol": "line-ns-open",
                "size": 22,
                "color": CITY_COLOR,
                "line": {"width": 4, "color": CITY_COLOR},
            },
            customdata=hover(pyramid["city_share"], pyramid["city"]),
            hovertemplate="%{y}: %{customdata[0]} der Kinder (%{customdata[1]})<extra>Gesamtstadt</extra>",
        )
    )
    bands = bool((width > 1).any())
    fig.update_layout(
        height=height or max(260, 80 + 21 * len(pyramid)),
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        font={"size": 15},
        bargap=0.15,
        xaxis={
            "title": "% der Kinder je Altersjahr" if bands else "% der Kinder",
            "rangemode": "tozero",
            "ticksuffix": " %",
        },
        yaxis={
            "categoryorder": "array",
            "categoryarray": labels,
            "title": None,
            "dtick": 1,
            "tickfont": {"size": 13},
        },
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0},
        separators=",.",
        hovermode="closest",
    )
    return escape_figure(fig)  # names are text, never markup


@figures.shared
def district_map(
    geojson: dict[str, Any] | str,
    bounds: tuple[float, float, float, float],
    district: tuple[str, str],
    neighbours: pd.DataFrame,
    facilities: pd.DataFrame,
    height: int = 360,
    width: int = 560,
) -> go.Figure:
    """The area (filled, dark outline) among its neighbours (outlined) with its Kitas and schools."""
    gid, name = district
    fig = go.Figure()
    for ids, names, fill, line, label in (
        (neighbours["gebiet_id"], neighbours["name"], "#eef1f4", 1.2, "Nachbargebiet"),
        ([gid], [name], "#fde3cf", 4.0, name),
    ):
        if len(ids) == 0:
            continue
        fig.add_trace(
            go.Choroplethmap(
                geojson=charts.subset(geojson, ids),
                locations=list(ids),
                z=[0] * len(ids),
                featureidkey="properties.gebiet_id",
                colorscale=[[0, fill], [1, fill]],
                showscale=False,
                marker={
                    "line": {
                        "color": charts.SELECTED_COLOR if line > 2 else charts.OUTLINE_COLOR,
                        "width": line,
                    }
                },
                customdata=[[n, label] for n in names],
                hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}<extra></extra>",
                showlegend=False,
            )
        )
    located = facilities[facilities["lon"].notna() & facilities["lat"].notna()]
    layers = {}
    for kind, label in (("Kita", "Kitas"), ("Schule", "Schulen")):
        part = located[located["kind"] == kind]
        info = [_facility_info(r) for _, r in part.iterrows()]
        layers[label] = pd.DataFrame(
            {"lon": part["lon"], "lat": part["lat"], "name": part["name"], "info": info}
        )
    charts.add_points(fig, layers, sizes=(10, 13))
    center, zoom = map_view(bounds, width_px=width, height_px=height)
    fig.update_layout(
        map={"style": "white-bg", "center": center, "zoom": zoom},
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        height=height,
        font={"size": 15},
        legend={"orientation": "h", "y": 0.01, "x": 0.01, "bgcolor": "rgba(255,255,255,0.85)"},
        hoverlabel={"font_size": 15},
    )
    return escape_figure(fig)  # names are text, never markup


def _facility_info(row: pd.Series) -> str:
    detail = row["detail"] if isinstance(row["detail"], str) and row["detail"] else "ohne Angabe"
    if row["kind"] == "Kita":
        return f"{detail} · {_count(row['places'])} Plätze"
    zuege = "" if pd.isna(row["zuege"]) else f" · {format_value(row['zuege'], 1).removesuffix(',0')}-zügig"
    return f"{detail}{zuege}"


def _count(v: Any) -> str:
    return "?" if v is None or pd.isna(v) else format_value(float(v), 0)


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
            _kita(result, series)
        with st.container(key="profil_schule", border=True):
            _school(result, series)
    else:
        left, right = st.columns(2, gap="large")
        with left, st.container(key="profil_kita", border=True):
            _kita(result, series)
        with right, st.container(key="profil_schule", border=True):
            _school(result, series)
    with st.container(key="profil_kennzahlen", border=True):
        _indicators(ctx, gid, indicators)
    with st.container(key="profil_kommentare"):
        steering.comments_panel(ctx, None, gid, key="profile_comments")
    with st.container(key="profil_entwicklung", border=True):
        _development(ctx, gid, facts, indicators)
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


def _header(ctx: Context, facts: dict[str, Any], facilities: pd.DataFrame, scenario: Scenario) -> None:
    st.header(f"{components.plain(facts['name'])} ({facts['gebiet_id']})", anchor=False)
    where = " · ".join(f"{lvl} {components.plain(name)}" for lvl, _gid, name in facts["ancestors"])
    parts = [facts["level_name"], *([f"in {where}"] if where else []), f"Jahr {ctx.year}"]
    parts.append(f"Szenario „{components.plain(scenario.name)}“")
    st.markdown(" · ".join(parts))
    residents, children = facts["residents"], facts["children"]
    share = format_value(100 * children / residents, 1, "%") if residents and children is not None else None
    kitas = facilities[facilities["kind"] == "Kita"]
    schools = facilities[facilities["kind"] == "Schule"]
    primary = int((schools["detail"] == "Grundschule").sum())
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
                _fmt_int(len(kitas)),
                f"{_fmt_int(kitas['places'].sum(min_count=1))} genehmigte Plätze laut Kita-Liste",
            ),
            ("Schulen", _fmt_int(len(schools)), f"davon {primary} Grundschule(n)"),
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
    where = " · ".join(f"{lvl} {components.plain(name)}" for lvl, _gid, name in facts["ancestors"])
    parts = [facts["level_name"], *([f"in {where}"] if where else []), f"Jahr {ctx.year}"]
    st.caption(" · ".join([*parts, f"Szenario „{components.plain(scenario.name)}“"]))
    left, right = st.columns([3, 2], gap="medium")
    with left:
        geojson, _ = uidata.map_layer(ctx.url, ctx.layout.code, ctx.versions, ctx.level)
        neighbour_ids, bounds = _extent(ctx.url, ctx.layout.code, ctx.versions, gid)
        areas = ctx.data.areas
        neighbours = areas.loc[areas["gebiet_id"].isin(neighbour_ids), ["gebiet_id", "name"]]
        fig = figures.figure(
            district_map,
            geojson,
            bounds,
            (gid, facts["name"]),
            neighbours,
            facilities,
            height=ROOM_MAP_HEIGHT,
            width=ROOM_MAP_WIDTH,
        )
        st.plotly_chart(fig, config={"staticPlot": True}, key="profile_map")
    with right:
        residents, children = facts["residents"], facts["children"]
        kitas = facilities[facilities["kind"] == "Kita"]
        planview.room_figures(
            [
                (f"Einwohner:innen {ctx.year}", _fmt_int(residents), ""),
                ("Kinder unter 18", _fmt_int(children), ""),
                ("Kitas in Betrieb", _fmt_int(len(kitas)), ""),
                ("Kita-Plätze", _fmt_int(kitas["places"].sum(min_count=1)), ""),
            ]
        )
        profile = _profile_of(ctx, gid, indicators)
        worst = prof.weakest(profile, ROOM_WEAKEST)
        st.markdown(f"**Ungünstigste Kennzahlen im Stadtvergleich** ({ctx.year})")
        if worst.empty:
            st.caption("Keine Kennzahl mit Rang für dieses Gebiet.")
            return
        shown = prof.display_table(worst, {i.code: i for i in indicators}, ctx.year)
        shown = shown[["Kennzahl", "Wert", "Rang"]].assign(
            Wert=lambda t: t["Wert"].str.replace(" ", "\u00a0"),
            Rang=lambda t: t["Rang"].str.replace(" ", "\u00a0"),
        )
        st.table(_styled_indicators(shown, worst), hide_index=True)
        st.caption(
            "Zuerst verfehlte Ziele, dann nach Rang (1 = günstigster Wert). Alle Kennzahlen weiter unten."
        )


#: Meeting screen: the map's size (at least half of a 1920×1080 projector's height).
ROOM_MAP_HEIGHT, ROOM_MAP_WIDTH = 560, 1100
#: Meeting screen: how many of the weakest indicators stand beside the map.
ROOM_WEAKEST = 5


def _children(ctx: Context, gid: str, facts: dict[str, Any]) -> None:
    st.subheader("Kinder im Gebiet", anchor=False)
    pyramid = _pyramid(ctx.url, ctx.layout.code, ctx.versions, gid, ctx.year)
    if pyramid.empty:
        st.info(f"Für {ctx.year} liegen keine Kinderzahlen nach Alter vor.")
        return
    st.plotly_chart(
        figures.figure(pyramid_figure, pyramid, facts["name"]),
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
    geojson, _ = uidata.map_layer(ctx.url, ctx.layout.code, ctx.versions, ctx.level)
    neighbour_ids, bounds = _extent(ctx.url, ctx.layout.code, ctx.versions, gid)
    areas = ctx.data.areas
    neighbours = areas.loc[areas["gebiet_id"].isin(neighbour_ids), ["gebiet_id", "name"]]
    fig = figures.figure(district_map, geojson, bounds, (gid, facts["name"]), neighbours, facilities)
    # Static: MapLibre keeps its drawing buffer only for a static plot, and without it the map
    # prints blank. Names and figures of the facilities are in the table below.
    st.plotly_chart(fig, config={"staticPlot": True}, key="profile_map")
    n_k, n_s = (int((facilities["kind"] == k).sum()) for k in ("Kita", "Schule"))
    st.caption(
        f"{components.plain(facts['name'])} (dunkel umrandet) mit {len(neighbours)} Nachbargebieten; "
        f"Punkte: {n_k} Kitas in Betrieb (schwarz), {n_s} Schulen (lila). Liste unten auf der Seite."
    )


def _plan_table(series: pd.DataFrame, result: PlanResult, rows: list[tuple[str, str]], school: bool) -> None:
    years = prof.plan_years(result.years, result.base_year, _plan_year())
    table = prof.plan_overview(series, years, rows)
    ranges = prof.plan_ranges(series, years, rows)
    label = planview.school_year if school else str
    headers = {str(y): f"{label(y)} (Ist)" if y == result.base_year else label(y) for y in years}
    numeric = list(headers.values())
    values = table.rename(columns=headers)

    def cell(v: Any, span: tuple[float, float] | None) -> str:
        # "keine Daten" on one line, so a capacity the school list lacks does not double the row height
        text = planview.fmt(v).replace(" ", "\u00a0")
        if span is None:
            return text
        return f"{text} ({number_range(*span)})".replace(" ", "\u00a0")

    shown = pd.DataFrame({"Kennzahl": table["Kennzahl"]})
    for y in years:
        shown[headers[str(y)]] = [cell(v, r) for v, r in zip(table[str(y)], ranges[str(y)], strict=True)]

    def colour(v: Any, row_label: str) -> str:
        if "Bilanz" in row_label and pd.notna(v) and v < -0.5:
            return "color: #b91c1c; font-weight: 600"
        return ""

    styler = shown.style
    styler = styler.apply(
        lambda col: [colour(v, r) for v, r in zip(values[col.name], table["Kennzahl"], strict=True)],
        subset=numeric,
    )
    st.table(styler, hide_index=True)
    if any(r is not None for y in years for r in ranges[str(y)]):
        st.caption("In Klammern: Spanne, in der 8 von 10 früheren Prognosen lagen (Rückrechnung).")


def _plan_year() -> int | None:
    value = state.get(state.PLAN_YEAR)
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


#: Years before the base year shown in the small timelines (the plan years matter here).
HISTORY_YEARS = 4


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


def _kita(result: PlanResult | None, series: pd.DataFrame | None) -> None:
    st.subheader("Kita", anchor=False)
    if result is None or series is None or series.empty:
        st.info("Für dieses Gebiet gibt es keine Bedarfsplanung.")
        return
    _plan_table(
        series,
        result,
        [
            ("u3_demand", "U3-Bedarf"),
            ("u3_places", "U3-Plätze"),
            ("u3_gap", "Bilanz U3"),
            ("ue3_demand", "Ü3-Bedarf"),
            ("ue3_places", "Ü3-Plätze"),
            ("ue3_gap", "Bilanz Ü3"),
        ],
        school=False,
    )
    _timeline(
        series,
        result,
        [
            ("u3_demand", "U3-Bedarf", charts.PLAN_COLORS["demand"], "solid"),
            ("u3_places", "U3-Plätze", charts.PLAN_COLORS["places"], "solid"),
            ("ue3_demand", "Ü3-Bedarf", charts.PLAN_COLORS["demand"], "dash"),
            ("ue3_places", "Ü3-Plätze", charts.PLAN_COLORS["places"], "dash"),
        ],
        "profile_kita_timeline",
    )
    st.caption(
        f"Kita-Jahr ab 1. August; bis {result.base_year} Ist-Kinderzahlen, danach Prognose. "
        "Bilanz = Plätze − Bedarf (rot: Plätze fehlen). Annahmen auf der Seite Kita-Versorgung."
    )


def _school(result: PlanResult | None, series: pd.DataFrame | None) -> None:
    st.subheader("Schule & Ganztag", anchor=False)
    if result is None or series is None or series.empty:
        st.info("Für dieses Gebiet gibt es keine Bedarfsplanung.")
        return
    _plan_table(
        series,
        result,
        [
            ("school_entrants", "Einschulungen"),
            ("zuege_needed", "Eingangsklassen nötig"),
            ("zuege_available", "Züge vorhanden"),
            ("zuege_gap", "Bilanz Eingangsklassen"),
            ("ganztag_demand", "Ganztagsbedarf"),
            ("ganztag_places", "Ganztagsplätze"),
            ("ganztag_gap", "Bilanz Ganztag"),
        ],
        school=True,
    )
    size = float(result.params["klassenobergrenze"])
    frame = series.assign(capacity=series["zuege_available"] * size)
    _timeline(
        frame,
        result,
        [
            ("school_entrants", "Einschulungen", charts.PLAN_COLORS["demand"], "solid"),
            ("capacity", "Plätze in Eingangsklassen", charts.PLAN_COLORS["places"], "solid"),
            ("ganztag_demand", "Ganztagsbedarf", charts.PLAN_COLORS["Ganztag"], "dot"),
            ("ganztag_places", "Ganztagsplätze", charts.PLAN_COLORS["places"], "dot"),
        ],
        "profile_school_timeline",
    )
    notes = [planview.ganztag_years_note()]
    if series["zuege_available"].isna().all():
        notes.append("Die Schulliste nennt keine Zügigkeit: Züge und Bilanz bleiben leer.")
    if series["ganztag_places"].isna().all():
        notes.append("Die Schulliste nennt keine Ganztagsplätze.")
    notes.append("Kinder zählen am Wohnort, Plätze am Schulstandort.")
    st.caption(" ".join(notes))


def _styled_indicators(shown: pd.DataFrame, profile: pd.DataFrame) -> Styler:
    def row_style(row: pd.Series) -> list[str]:
        p = profile.loc[row.name]
        styles = []
        for col in shown.columns:
            css = ""
            if col == "Bereich":
                css = "font-weight: 600"
            elif col in ("Wert", "Gesamtstadt") and row[col] == GEHEIM:
                css = "color: #4b5563; font-style: italic"
            elif col == "Wert" and row[col] == KEINE_DATEN:
                css = "color: #6b7280"
            elif col == "Ampel" and isinstance(p["light"], str):
                css = f"color: {LIGHT_COLOURS[p['light']]}; font-weight: 600"
            elif col == "Trend" and p["trend_improved"] is not None and not pd.isna(p["trend_improved"]):
                css = "color: #15803d" if p["trend_improved"] else "color: #b91c1c"
            styles.append(css)
        return styles

    return shown.style.apply(row_style, axis=1)


@st.cache_data(show_spinner=False, max_entries=64)
def _indicator_profile(
    url: str,
    layout_code: str,
    versions: uidata.VersionKey,
    stamp: tuple[Any, ...],
    codes: tuple[str, ...],
    gid: str,
    level: int,
    year: int,
) -> pd.DataFrame:
    """``planning.profile.indicator_profile`` of one area, once per data, register state and year
    (all sessions; about 40 indicator tables are read for it)."""
    data = uidata.planning_data(url, layout_code, versions)
    registry = uidata.registry(url, stamp)
    by_code = {i.code: i for i in available_indicators(data, registry.custom.values())}

    def table(ind: Indicator) -> pd.DataFrame:
        return uidata.indicator_table(url, layout_code, versions, ind.code, level, stamp)

    def city(ind: Indicator) -> pd.DataFrame:
        return uidata.city_series(url, layout_code, versions, ind.code, stamp)

    chosen = [by_code[c] for c in codes if c in by_code]
    return prof.indicator_profile(data, chosen, registry.target, gid, level, year, tables=table, cities=city)


def _profile_of(ctx: Context, gid: str, indicators: list[Indicator]) -> pd.DataFrame:
    """The area's indicator profile for the context's level and year (cached per content)."""
    return _indicator_profile(
        ctx.url,
        ctx.layout.code,
        ctx.versions,
        ctx.registry_stamp,
        tuple(i.code for i in indicators),
        gid,
        ctx.level,
        ctx.year,
    )


def _indicators(ctx: Context, gid: str, indicators: list[Indicator]) -> None:
    st.subheader("Jugendhilfe, Soziales und alle Kennzahlen im Stadtvergleich", anchor=False)
    profile = _profile_of(ctx, gid, indicators)
    without = profile["year"].isna() & (profile["status"] == KEINE_DATEN)
    with_data = profile[~without]
    if with_data.empty:
        st.info(f"Für {ctx.level_name} liegen bis {ctx.year} noch keine Kennzahlen vor.")
        return
    shown = prof.display_table(with_data, {i.code: i for i in indicators}, ctx.year)
    # Short cells stay on one line (also on paper): "27 von 32", "■ Ziel verfehlt", "12,3 %".
    for col in ("Wert", "Gesamtstadt", "Abweichung", "Rang", "Ampel"):
        shown[col] = shown[col].str.replace(" ", "\u00a0")
    st.table(_styled_indicators(shown, with_data), hide_index=True)
    notes = [
        f"Rang: 1 = günstigster Wert; gezählt sind nur {planview.plural(ctx.level_name)} mit gezeigtem "
        "Wert, gleiche Werte teilen sich den Rang; Kennzahlen ohne Richtung haben keinen Rang.",
        f"„{GEHEIM}“: zum Schutz kleiner Zahlen nicht gezeigt und nicht gerankt.",
        "Abweichung vom Gesamtstadtwert in Prozentpunkten (Pp.) bzw. in der Einheit der Kennzahl.",
        f"Ampel ({LIGHT_SYMBOLS['grün']} {LIGHT_SYMBOLS['gelb']} {LIGHT_SYMBOLS['rot']}): gegen den "
        "Zielwert im Kennzahlenregister.",
        "Jahreszahl hinter einer Kennzahl: letzter vorliegender Stand.",
    ]
    if without.any():
        names = ", ".join(components.plain(label) for label in profile.loc[without, "label"])
        notes.append(f"Ohne Werte für {planview.plural(ctx.level_name)} bis {ctx.year}: {names}.")
    st.caption(" ".join(notes))


def _development(ctx: Context, gid: str, facts: dict[str, Any], indicators: list[Indicator]) -> None:
    st.subheader("Entwicklung", anchor=False)
    by_code = {i.code: i for i in indicators}
    chosen: list[tuple[Indicator, pd.DataFrame]] = []
    for code in TREND_CODES:
        ind = by_code.get(code)
        if ind is None or len(chosen) >= MAX_TRENDS:
            continue
        table = uidata.indicator_table(
            ctx.url, ctx.layout.code, ctx.versions, code, ctx.level, ctx.registry_stamp
        )
        own = table[(table["gebiet_id"] == gid) & table["value"].notna() & ~table["suppressed"].astype(bool)]
        if own["year"].nunique() >= 2:
            chosen.append((ind, own))
    if not chosen:
        st.info("Für dieses Gebiet liegen noch keine Zeitreihen über mehrere Jahre vor.")
        return
    cols = st.columns(2, gap="large")
    for i, (ind, own) in enumerate(chosen):
        city = uidata.city_series(ctx.url, ctx.layout.code, ctx.versions, ind.code, ctx.registry_stamp)
        with cols[i % 2]:
            st.markdown(f"**{components.plain(ind.label_de)}** ({components.plain(ind.unit)})")
            fig = figures.figure("city_trend", city, ind, ctx.year, own.sort_values("year"), facts["name"])
            st.plotly_chart(fig, config={"displayModeBar": False}, key=f"profile_trend_{ind.code}")
    st.caption(
        f"{components.plain(facts['name'])} (orange) gegen die Gesamtstadt (blau); "
        "geheime Jahre fehlen in der Linie."
    )


def _facility_table(facilities: pd.DataFrame) -> None:
    st.subheader("Einrichtungen im Gebiet", anchor=False)
    if facilities.empty:
        st.info("Im Gebiet liegen laut Kita- und Schulliste keine Einrichtungen.")
        return
    shown = pd.DataFrame(
        {
            "Art": facilities["kind"],
            "Name": facilities["name"],
            "Träger / Schulart": facilities["detail"].fillna("ohne Angabe"),
            "Kita-Plätze": [("" if pd.isna(v) else _count(v)) for v in facilities["places"]],
            "Züge": [
                (
                    ""
                    if k == "Kita"
                    else "ohne Angabe"
                    if pd.isna(v)
                    else format_value(v, 1).removesuffix(",0")
                )
                for k, v in zip(facilities["kind"], facilities["zuege"], strict=True)
            ],
            "Ganztagsplätze": [
                ("" if k == "Kita" else "ohne Angabe" if pd.isna(v) else _count(v))
                for k, v in zip(facilities["kind"], facilities["ganztag_places"], strict=True)
            ],
        }
    )
    if len(shown) <= STATIC_ROWS:
        st.table(shown, hide_index=True)
    else:
        st.dataframe(shown, hide_index=True, height=420, width="stretch")
        st.caption(f"{len(shown)} Einrichtungen: auf dem Papier erscheinen nur die sichtbaren Zeilen.")
