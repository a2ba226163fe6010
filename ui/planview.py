"""Streamlit views of the plan: Kita gap, school and Ganztag, scenario comparison, cohort chain.

Every view reads one cached :class:`planning.plan.PlanResult` per scenario (shared by all sessions)
and shows the parameters that produced its figures under the charts.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable

import pandas as pd
import streamlit as st

from planning import charts
from planning.formatting import format_value
from planning.indicators import Indicator
from planning.map_scale import robust_range
from planning.parameters import GAFOEG_FIRST_YEAR, describe
from planning.plan import PLAN_FIGURES, PlanResult, at_level
from planning.scenarios import BASELINE_NAME, Scenario
from planning.school_table import per_school, unassigned
from planning.steering import scenario_record
from ui import components, figures, forecast, state, steering, views
from ui import data as uidata
from ui.components import plural
from ui.frame import Context

PLAN_MAP_KEY = "plan_map"
#: Rows of a ranking shown in meeting mode (the worst first, readable from five metres).
ROOM_ROWS = 5

KITA_PARAMS = (
    "bedarfsquote_u1",
    "bedarfsquote_1",
    "bedarfsquote_2",
    "bedarfsquote_ue3",
    "anteil_6_in_kita",
    "u3_anteil_gemischt",
    "tagespflege_u3_anteil",
    "kita_puffer",
    "prognose_jahre",
    "stuetzzeitraum",
    "geburtenvariante",
)
SCHOOL_PARAMS = (
    "klassenobergrenze",
    "einschulungsquote",
    "ganztag_bedarfsquote",
    "ganztag_quote_ohne_anspruch",
    "prognose_jahre",
    "stuetzzeitraum",
    "geburtenvariante",
)


def fmt(value: float | None) -> str:
    return format_value(None if value is None or pd.isna(value) else round(float(value)), 0)


def school_year(year: int) -> str:
    return f"{year}/{str(year + 1)[-2:]}"


def pick_scenario(ctx: Context, key_suffix: str = "", collapsed: bool = False) -> Scenario:
    """Scenario selector (shared in the URL as ``szenario``); the baseline is always there.
    ``collapsed``: without its label line (the slim control bar of a meeting)."""
    options = uidata.scenarios(ctx.layout)
    if ctx.frozen_scenario is not None:  # a saved view shows its scenario as it was then
        frozen = ctx.frozen_scenario
        options = [frozen if s.name == frozen.name else s for s in options]
        if frozen.name not in {s.name for s in options}:
            options.append(frozen)
    names = [s.name for s in options]
    state.ensure_choice(state.SCENARIO, names, BASELINE_NAME)
    st.selectbox(
        "Szenario",
        names,
        key=state.SCENARIO.key,
        help="Basis = Standardannahmen ohne Maßnahmen. Szenarien legen Sie unter „Szenarien“ an.",
        label_visibility="collapsed" if collapsed else "visible",
    )
    return next(s for s in options if s.name == state.get(state.SCENARIO))


def plan_for(ctx: Context, scenario: Scenario) -> PlanResult | None:
    try:
        return uidata.plan_result(
            ctx.url,
            ctx.layout.code,
            ctx.versions,
            scenario.name,
            scenario.revision,
            frozen_json(ctx, scenario),
        )
    except ValueError as exc:
        st.warning(f"Keine Bedarfsplanung möglich: {exc}")
        return None


def frozen_json(ctx: Context, scenario: Scenario) -> str:
    """The scenario's content when it comes frozen from a saved view (cache key), else ""."""
    if ctx.frozen_scenario is None or scenario is not ctx.frozen_scenario:
        return ""
    return json.dumps(scenario_record(scenario), sort_keys=True, ensure_ascii=False)


def pick_plan_year(result: PlanResult, label: str = "Planjahr", school: bool = False) -> int:
    years = [y for y in result.years if y >= result.base_year]
    state.ensure_choice(state.PLAN_YEAR, years, min(result.base_year + 3, years[-1]))
    st.select_slider(
        label,
        options=years,
        key=state.PLAN_YEAR.key,
        format_func=(school_year if school else str),
        help=f"{result.base_year} = letztes beobachtetes Jahr; danach Prognose.",
    )
    return int(state.get(state.PLAN_YEAR))


def level_table(ctx: Context, result: PlanResult) -> pd.DataFrame:
    """The plan on the frame's area level with area names."""
    areas = ctx.data.areas
    table = at_level(result, areas, ctx.level, ctx.data.data_level)
    names = areas.loc[areas["level"] == ctx.level, ["gebiet_id", "name"]]
    return names.merge(table, on="gebiet_id", how="inner")


def assumptions(result: PlanResult, keys: tuple[str, ...], scenario: Scenario) -> None:
    """Which parameters (and measures) produced the figures on this page."""
    rows = describe(result.params, keys)
    lines = [f"- {label}: **{value}**" + (" (geändert)" if changed else "") for label, value, changed in rows]
    derived = result.derived
    lines.append(
        f"- Einschulungsquote verwendet: **{format_value(derived['einschulungsquote'] * 100, 1, '%')}** "
        f"({derived['einschulungsquote_quelle']})"
    )
    measures = [m.describe() for m in scenario.measures]
    with st.expander(f"Annahmen dieser Zahlen (Szenario „{components.plain(scenario.name)}“)"):
        st.markdown("\n".join(lines))
        if measures:
            st.markdown("**Maßnahmen:**\n" + "\n".join(f"- {components.plain(m)}" for m in measures))
        if derived.get("kitas_ohne_gebiet"):
            st.caption(f"{derived['kitas_ohne_gebiet']} Kita(s) ohne Gebietszuordnung sind nicht enthalten.")


def _symmetric_range(values: pd.Series) -> tuple[float, float, bool, bool] | None:
    """±98th percentile of the balances of all plan years: one outlier does not wash out the rest."""
    r = robust_range(values.astype(float).to_numpy(), symmetric=True)
    return None if r is None else (r.low, r.high, r.clipped_low, r.clipped_high)


def gap_map(
    ctx: Context,
    table: pd.DataFrame,
    figure: Indicator,
    year: int,
    points: dict[str, pd.DataFrame] | None = None,
) -> None:
    """Diverging map of a balance (red = missing) with one colour scale across all plan years."""
    geojson, bounds = uidata.map_layer(ctx.url, ctx.layout.code, ctx.versions, ctx.level)
    shown = table[table["year"] == year][["gebiet_id", "name", figure.code]].rename(
        columns={figure.code: "value"}
    )
    fig = figures.figure(
        "choropleth",
        geojson,
        bounds,
        shown,
        figure,
        selected=state.get(state.DISTRICT),
        points=points,
        value_range=_symmetric_range(table[figure.code]),
        diverging=True,
        height=620 if state.get(state.MEETING) else 520,
    )
    st.plotly_chart(
        fig,
        key=PLAN_MAP_KEY,
        on_select=lambda: _on_plan_map_select(),
        selection_mode="points",
        config={"displayModeBar": False, "scrollZoom": True},
    )


def _on_plan_map_select() -> None:
    for p in st.session_state[PLAN_MAP_KEY].selection.get("points", []):
        custom = p.get("customdata") or []
        gid = p.get("location") or (custom[2] if len(custom) > 2 else None)
        if gid:
            state.put(state.DISTRICT, gid)
            return


def map_picker(col, options: dict[str, str], key: str) -> str:  # type: ignore[no-untyped-def]
    """Which balance the map shows; a click on the active option keeps it (never empty)."""
    first = next(iter(options))
    choice = col.segmented_control(
        "Karte",
        list(options),
        default=first,
        key=key,
        format_func=options.__getitem__,
        label_visibility="collapsed",
    )
    return choice or first


def district_picker(ctx: Context, table: pd.DataFrame, label: str | None = None) -> str | None:
    # One row per area, as plain lists: the plan table has a row per area and year, and zipping
    # pandas string arrays walks them element by element (a fifth of the Szenarien page's rerun).
    areas = table.drop_duplicates("gebiet_id")
    names = dict(zip(areas["gebiet_id"].tolist(), areas["name"].tolist(), strict=True))
    state.ensure_choice(state.DISTRICT, [None, *names], None)
    st.selectbox(
        label or f"{ctx.level_name} für die Zeitreihe",
        [None, *names],
        key=state.DISTRICT.key,
        format_func=lambda g: "– Gesamtstadt –" if g is None else f"{names[g]} ({g})",
        placeholder="– Gesamtstadt –",
        help="Auch per Klick in die Karte.",
    )
    return state.get(state.DISTRICT)


def series_for(result: PlanResult, table: pd.DataFrame, gid: str | None) -> tuple[pd.DataFrame, str]:
    if gid is None:
        return result.aggregate(), "Gesamtstadt"
    part = table[table["gebiet_id"] == gid]
    return part, str(part["name"].iloc[0]) if not part.empty else gid


def ranked_table(
    table: pd.DataFrame,
    year: int,
    columns: dict[str, str],
    sort_by: str,
    level_name: str,
    small: set[str] | frozenset[str] = frozenset(),
) -> None:
    """District table for one year, worst balance first, whole numbers, German headers; the range
    ("Spanne") of the sorted figure beside it in forecast years; areas too small for a reliable
    forecast marked.

    A column without a single figure (no capacity data delivered, say) is named below the table
    instead of filling hundreds of rows with "keine Daten".
    """
    part = table[table["year"] == year].sort_values(sort_by)
    marks = part["gebiet_id"].map(lambda g: " · zu klein" if g in small else "")
    shown = pd.DataFrame({level_name: part["name"] + marks})
    empty = []
    for col, header in columns.items():
        values = part[col].astype(float).round(0)
        if values.isna().all() and not part.empty:
            empty.append(header)
        else:
            shown[header] = values
            if col == sort_by and f"{col}_low" in part:
                ranges = [
                    forecast.spanne(r, col) for r in part[[f"{col}_low", f"{col}_high"]].to_dict("records")
                ]
                if any(ranges):
                    shown[f"Spanne {header}"] = ranges
    numeric = [h for h in columns.values() if h in shown]
    number_table(shown, numeric, height=min(520, 35 * (len(shown) + 1) + 3))
    if empty:
        st.caption(f"Keine Daten für {year}: {', '.join(empty)}.")


def number_table(shown: pd.DataFrame, numeric: list[str], height: int | None = None) -> None:
    """Whole numbers in German format ("-1.288"), formatted here: the browser would use its own
    locale ("-1,288" in an English one); gaps read "keine Daten", not "None". The numbers stay
    underneath, so a click on a header still sorts by value."""
    if state.get(state.MEETING):  # the room reads an HTML table at projector size, the worst first
        top = shown.head(ROOM_ROWS)
        st.table(top.style.format({c: fmt for c in numeric}), hide_index=True)
        if len(shown) > ROOM_ROWS:
            st.caption(f"… und {len(shown) - ROOM_ROWS} weitere (außerhalb der Sitzung als ganze Tabelle).")
        return
    data = shown.style.format({c: fmt for c in numeric})
    st.dataframe(data, hide_index=True, height=height or "auto", width="stretch")


def plan_header(
    ctx: Context, year_label: str, school: bool = False
) -> tuple[Scenario, PlanResult, int] | None:
    """Scenario selector and plan-year slider of a plan page; None (with a notice) without a plan."""
    room = bool(state.get(state.MEETING))
    # In meeting mode the TOP's saved view fixes scenario and year: the controls fold away.
    holder = st.expander("Szenario und Jahr ändern") if room else st.container()
    with holder:
        c1, c2 = st.columns([2, 3], vertical_alignment="bottom")
        with c1:
            scenario = pick_scenario(ctx)
        result = plan_for(ctx, scenario)
        if result is None:
            return None
        with c2:
            year = pick_plan_year(result, year_label, school=school)
        if room:
            forecast.notes(ctx, result)
    if not room:
        forecast.notes(ctx, result)
    return scenario, result, year


def timeline(
    ctx: Context,
    result: PlanResult,
    table: pd.DataFrame,
    year: int,
    derive: Callable[[pd.DataFrame], pd.DataFrame],
    lines: list[tuple[str, str, str, str]],
    title: str,
    key: str,
) -> None:
    """District selector and the time series of the city or the chosen district."""
    gid = district_picker(ctx, table)
    series, name = series_for(result, table, gid)
    st.plotly_chart(
        figures.figure(
            "plan_timeline",
            derive(series),
            lines,
            result.base_year,
            "Kinder / Plätze",
            year,
            layout={"title": {"text": f"{name}: {title}", "font": {"size": 16}}},
        ),
        config={"displayModeBar": False},
        key=key,
    )
    st.caption(forecast.BAND_NOTE)
    if gid:
        steering.comments_panel(ctx, None, gid, key=f"{key}_comments")


def domain_page(
    ctx: Context,
    plan_view: Callable[[Context], None],
    plan_sources: tuple[str, ...],
    domains: tuple[str, ...],
    points: tuple[bool, bool],
) -> None:
    """A domain page (Kita, Schule): the plan view, or today's indicators one click away."""
    parts = ["Bedarfsplanung", "Ist-Kennzahlen"]
    state.ensure_choice(state.DOMAIN_VIEW, parts, parts[0])
    if state.get(state.MEETING):  # the TOP's view chose the part; no tab bar in the room
        view = state.get(state.DOMAIN_VIEW)
    else:
        view = st.segmented_control("Ansicht", parts, key=state.DOMAIN_VIEW.key, label_visibility="collapsed")
    if view == "Ist-Kennzahlen":
        indicator = views.indicator_explorer(ctx, domains=domains, points_default=points)
        views.footer(ctx, indicator)
    else:
        plan_view(ctx)
        views.footer(ctx, None, plan_sources)


def ganztag_years_note() -> str:
    g = GAFOEG_FIRST_YEAR
    return (
        f"Rechtsanspruch (GaFöG): Klasse 1 ab {school_year(g)}, je Jahr eine Klasse mehr, "
        f"Klassen 1–4 ab {school_year(g + 3)}."
    )


def missing_data(what: str, kind: str) -> None:
    """A domain without data: said in words with the way to load it; no map, no deficit."""
    from planning.imports.formats import KINDS  # the Datenart's name as the Import page lists it

    st.info(
        f"Keine Daten geladen: {what}. Ohne sie zeigt diese Seite den Bedarf, aber keine Plätze und keine "
        f"Bilanz (fehlende Daten sind nie 0). Laden unter Daten › Import, Datenart „{KINDS[kind].label_de}“.",
        icon=":material/database_off:",
    )
    st.page_link("pages/import.py", label="Zum Import", icon=":material/upload_file:")


def room_figures(cells: list[tuple[str, str, str]]) -> None:
    """Key figures for the meeting screen: two per row, large, dark, tight; each with its range."""
    items = "".join(
        f'<div class="room-fig"><div class="room-label">{html.escape(label)}</div>'
        f'<div class="room-value{" room-neg" if value.startswith("-") else ""}">{html.escape(value)}</div>'
        + (f'<div class="room-span">Spanne {html.escape(span)}</div>' if span else "")
        + "</div>"
        for label, value, span in cells
    )
    st.html(
        "<style>.room-figs{display:grid;grid-template-columns:1fr 1fr;gap:.5rem 1rem;margin-bottom:.6rem}"
        ".room-fig{border-left:6px solid #0f2a4a;padding:.2rem .7rem}.room-label{font-size:20px;color:#111}"
        ".room-value{font-size:44px;font-weight:700;line-height:1.1;color:#0b0b0b}"
        ".room-neg{color:#b91c1c}.room-span{font-size:20px;color:#1f2937}</style>"
        f'<div class="room-figs">{items}</div>'
    )


def _kita_metrics(city: pd.Series, year: int, base_year: int, per_row: int) -> None:
    """U3/Ü3 demand and places of the city with their balances and ranges (4 in a row, or 2 × 2)."""
    kind = "Prognose" if year > base_year else "Ist-Kinderzahl"
    cells = [c for _ in range(4 // per_row) for c in st.columns(per_row)]
    cells[0].metric(
        f"U3-Bedarf {year}", fmt(city["u3_demand"]), help=f"{kind}; Bedarfsquoten siehe Annahmen", border=True
    )
    cells[1].metric(
        f"U3-Plätze {year}",
        fmt(city["u3_places"]),
        delta=fmt(city["u3_gap"]),
        delta_description="Bilanz (Plätze − Bedarf)",
        delta_arrow="off",
        delta_color="normal",
        help="Krippenplätze, U3-Anteil ungeteilter Plätze, Kindertagespflege",
        border=True,
    )
    cells[2].metric(f"Ü3-Bedarf {year}", fmt(city["ue3_demand"]), help=kind, border=True)
    cells[3].metric(
        f"Ü3-Plätze {year}",
        fmt(city["ue3_places"]),
        delta=fmt(city["ue3_gap"]),
        delta_description="Bilanz (Plätze − Bedarf)",
        delta_arrow="off",
        border=True,
    )
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
    table = level_table(ctx, result)
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
                [
                    (f"U3-Bedarf {year}", fmt(city["u3_demand"]), forecast.spanne(city, "u3_demand")),
                    (f"Bilanz U3 {year}", fmt(city["u3_gap"]), forecast.spanne(city, "u3_gap")),
                    (f"Ü3-Bedarf {year}", fmt(city["ue3_demand"]), forecast.spanne(city, "ue3_demand")),
                    (f"Bilanz Ü3 {year}", fmt(city["ue3_gap"]), forecast.spanne(city, "ue3_gap")),
                ]
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
    cols[3].metric(
        f"Ganztag: Bedarf / Plätze {sy}",
        f"{fmt(city['ganztag_demand'])} / {fmt(city['ganztag_places'])}",
        delta=fmt(city["ganztag_gap"]),
        delta_description="Bilanz (Plätze − Bedarf)",
        delta_arrow="off",
        border=True,
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
    table = level_table(ctx, result)
    city_all = result.aggregate()
    city = city_all.set_index("year").loc[year]
    sy = school_year(year)
    room = bool(state.get(state.MEETING))
    maps = {"zuege_gap": "Eingangsklassen", "class_gap": "Klassen 1–4", "ganztag_gap": "Ganztag"}
    missing = []
    if result.table["zuege_available"].isna().all():  # no Zügigkeit loaded: no class balance
        missing.append("Züge der Grundschulen")
        maps = {k: v for k, v in maps.items() if k == "ganztag_gap"}
    if result.table["ganztag_places"].isna().all():  # no Ganztag places loaded: no Ganztag balance
        missing.append("Ganztagsplätze")
        maps.pop("ganztag_gap")
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
                [
                    (
                        f"Einschulungen {sy}",
                        fmt(city["school_entrants"]),
                        forecast.spanne(city, "school_entrants"),
                    ),
                    (
                        f"Bilanz Eingangsklassen {sy}",
                        fmt(city["zuege_gap"]),
                        forecast.spanne(city, "zuege_gap"),
                    ),
                    (
                        f"Ganztagsbedarf {sy}",
                        fmt(city["ganztag_demand"]),
                        forecast.spanne(city, "ganztag_demand"),
                    ),
                    (f"Ganztagsbilanz {sy}", fmt(city["ganztag_gap"]), forecast.spanne(city, "ganztag_gap")),
                ]
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
        names = ctx.data.areas.set_index("gebiet_id")["name"]
        shown = pd.DataFrame(
            {
                "Grundschule": table["name"].astype(str),
                "Gebiet": table["gebiet_id"].map(names).fillna(table["gebiet_id"]).astype(str),
                "Züge": table["zuege"],
                "Einschulungen (Anteil)": table["school_entrants"],
                "Eingangsklassen nötig": table["entry_classes"],
                "Bilanz Eingangsklassen": table["entry_balance"],
                "Spanne Einschulungen": [
                    forecast.spanne(r, "school_entrants")
                    for r in table[["school_entrants_low", "school_entrants_high"]].to_dict("records")
                ],
                "Ganztagsplätze": table["ganztag_places"],
                "Ganztagsbedarf (Anteil)": table["ganztag_demand"],
                "Bilanz Ganztag": table["ganztag_balance"],
            }
        )
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
