"""Streamlit parts shared by the plan pages: scenario and plan year, gap map, ranked tables, time
series, assumptions, key figures.

Every view reads one cached :class:`planning.plan.PlanResult` per scenario (shared by all sessions)
and shows the parameters that produced its figures under the charts. The Kita page's view is in
:mod:`ui.kitaview`, the Schule page's in :mod:`ui.schoolview`; tables are shaped in
:mod:`planning.plan_tables`.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from planning import formatting, plan_tables
from planning.formatting import format_value, number
from planning.indicators import Indicator
from planning.map_scale import robust_range
from planning.parameters import GAFOEG_FIRST_YEAR, describe
from planning.plan import PlanResult
from planning.scenarios import BASELINE_NAME, Scenario
from planning.steering import scenario_record
from ui import components, figures, forecast, state, steering, tables, views
from ui import data as uidata
from ui.components import plural
from ui.frame import Context

PLAN_MAP_KEY = "plan_map"
#: Rows of a ranking shown in meeting mode (the worst first, readable from five metres).
ROOM_ROWS = 5
#: Rows of a ranked table beside the map outside the room (about the map's height).
TOP_ROWS = 12

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


school_year = formatting.school_year


def _scenario_options(ctx: Context) -> list[Scenario]:
    """The scenarios to choose from (a saved view's frozen one in place of today's), with the
    shared choice made valid (``szenario`` in the URL; the baseline when it names none)."""
    options = uidata.scenarios(ctx.layout)
    if ctx.frozen_scenario is not None:  # a saved view shows its scenario as it was then
        frozen = ctx.frozen_scenario
        options = [frozen if s.name == frozen.name else s for s in options]
        if frozen.name not in {s.name for s in options}:
            options.append(frozen)
    state.ensure_choice(state.SCENARIO, [s.name for s in options], BASELINE_NAME)
    return options


def _chosen(options: list[Scenario]) -> Scenario:
    return next(s for s in options if s.name == state.get(state.SCENARIO))


def pick_scenario(ctx: Context, key_suffix: str = "", collapsed: bool = False) -> Scenario:
    """Scenario selector (shared in the URL as ``szenario``); the baseline is always there.
    ``collapsed``: without its label line (the slim control bar of a meeting)."""
    options = _scenario_options(ctx)
    st.selectbox(
        "Szenario",
        [s.name for s in options],
        key=state.SCENARIO.key,
        help="Basis = Standardannahmen ohne Maßnahmen. Szenarien legen Sie unter „Szenarien“ an.",
        label_visibility="collapsed" if collapsed else "visible",
    )
    return _chosen(options)


def _plan_key(ctx: Context, scenario: Scenario) -> tuple[str, str, uidata.VersionKey, str, int, str]:
    """What names one scenario's plan in the caches: data version, scenario, revision, content."""
    return (
        ctx.url,
        ctx.layout.code,
        ctx.versions,
        scenario.name,
        scenario.revision,
        frozen_json(ctx, scenario),
    )


def plan_for(ctx: Context, scenario: Scenario) -> PlanResult | None:
    try:
        return uidata.plan_result(*_plan_key(ctx, scenario))
    except ValueError as exc:
        st.warning(f"Keine Bedarfsplanung möglich: {exc}")
        return None


def frozen_json(ctx: Context, scenario: Scenario) -> str:
    """The scenario's content when it comes frozen from a saved view (cache key), else ""."""
    if ctx.frozen_scenario is None or scenario is not ctx.frozen_scenario:
        return ""
    return json.dumps(scenario_record(scenario), sort_keys=True, ensure_ascii=False)


def _plan_years(result: PlanResult) -> list[int]:
    """The plan years to choose from, with the shared choice made valid (``planjahr`` in the URL;
    three years after the base year when it names none)."""
    years = [y for y in result.years if y >= result.base_year]
    state.ensure_choice(state.PLAN_YEAR, years, min(result.base_year + 3, years[-1]))
    return years


def pick_plan_year(result: PlanResult, label: str = "Planjahr", school: bool = False) -> int:
    st.select_slider(
        label,
        options=_plan_years(result),
        key=state.PLAN_YEAR.key,
        format_func=(school_year if school else str),
        help=f"{result.base_year} = letztes beobachtetes Jahr; danach Prognose.",
    )
    return int(state.get(state.PLAN_YEAR))


def level_table(ctx: Context, result: PlanResult) -> pd.DataFrame:
    """The plan on the frame's area level with area names."""
    return plan_tables.level_table(result, ctx.data.areas, ctx.level, ctx.data.data_level)


@st.cache_data(show_spinner=False, max_entries=32)
def _plan_at_level(
    url: str,
    layout_code: str,
    versions: uidata.VersionKey,
    scenario: str,
    revision: int,
    frozen: str,
    level: int,
) -> pd.DataFrame:
    data = uidata.planning_data(url, layout_code, versions)
    result = uidata.plan_result(url, layout_code, versions, scenario, revision, frozen)
    return plan_tables.level_table(result, data.areas, level, data.data_level)


def scenario_table(ctx: Context, scenario: Scenario) -> pd.DataFrame:
    """:func:`level_table` of the scenario's plan, made once per data version, scenario revision
    and level (a merge of the whole plan table, the largest step of a Kita page rerun before)."""
    return _plan_at_level(*_plan_key(ctx, scenario), ctx.level)


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
    *,
    top: int | None = None,
    all_rows: str | None = None,
) -> None:
    """District table for one year, worst balance first (:func:`planning.plan_tables.ranked_frame`).

    ``top``: only the worst ``top`` rows as a plain table (beside the map; in the room always the
    :data:`ROOM_ROWS` worst, large), and with ``all_rows`` (a session key) every row, sortable by
    any column, in a fold built only while open. ``top=None``: the whole sortable table at once
    (inside a page's own fold). A sortable grid beside the map was a tenth of a second of the Kita
    page's drawing (``bench/settled.py``).

    A column without a single figure (no capacity data delivered, say) is named below the table
    instead of filling hundreds of rows with "keine Daten". Shaped and formatted once per content
    of the year's rows (:mod:`ui.tables`), not on every rerun.
    """
    if state.get(state.MEETING):
        shown, numeric, empty = plan_tables.ranked_frame(table, year, columns, sort_by, level_name, small)
        number_table(shown, numeric)
    else:
        ranges = [f"{sort_by}_low", f"{sort_by}_high"]
        needed = dict.fromkeys(["gebiet_id", "name", "year", sort_by, *columns, *ranges])
        part = table.loc[table["year"] == year, [c for c in needed if c in table.columns]]
        small_ids = tuple(sorted(set(small) & set(part["gebiet_id"].tolist())))
        args = (part, year, dict(columns), sort_by, level_name, small_ids)
        styler = tables.styled(_ranked, *args)
        shown = styler.data  # type: ignore[attr-defined]
        empty = [h for h in columns.values() if h not in shown.columns]
        if top is None:
            _sortable(styler, len(shown))
        else:
            st.table(tables.styled(_ranked, *args, top), hide_index=True)
            if len(shown) > top and all_rows:
                fold = st.expander(
                    f"Alle {number(len(shown))} {plural(level_name)} (Tabelle, sortierbar)",
                    key=all_rows,
                    on_change="rerun",
                )
                if fold.open:
                    with fold:
                        _sortable(styler, len(shown))
    if empty:
        st.caption(f"Keine Daten für {year}: {', '.join(empty)}.")


def _sortable(styler: Styler, rows: int) -> None:
    st.dataframe(styler, hide_index=True, height=min(520, 35 * (rows + 1) + 3), width="stretch")


def _ranked(
    part: pd.DataFrame,
    year: int,
    columns: dict[str, str],
    sort_by: str,
    level_name: str,
    small: tuple[str, ...],
    top: int | None = None,
) -> Styler:
    shown, numeric, _ = plan_tables.ranked_frame(part, year, columns, sort_by, level_name, set(small))
    return _whole_numbers(shown if top is None else shown.head(top), tuple(numeric))


def _whole_numbers(shown: pd.DataFrame, numeric: tuple[str, ...]) -> Styler:
    return shown.style.format({c: fmt for c in numeric})


def number_table(shown: pd.DataFrame, numeric: list[str], height: int | None = None) -> None:
    """Whole numbers in German format ("-1.288"), formatted here: the browser would use its own
    locale ("-1,288" in an English one); gaps read "keine Daten", not "None". The numbers stay
    underneath, so a click on a header still sorts by value. Formatted once per content
    (:mod:`ui.tables`), not on every rerun."""
    if state.get(state.MEETING):  # the room reads an HTML table at projector size, the worst first
        top = shown.head(ROOM_ROWS)
        st.table(top.style.format({c: fmt for c in numeric}), hide_index=True)
        if len(shown) > ROOM_ROWS:
            st.caption(f"… und {len(shown) - ROOM_ROWS} weitere (außerhalb der Sitzung als ganze Tabelle).")
        return
    data = tables.styled(_whole_numbers, shown, tuple(numeric))
    st.dataframe(data, hide_index=True, height=height or "auto", width="stretch")


#: Session key of the meeting's folded "Szenario und Jahr ändern" (open or not).
ROOM_CONTROLS_OPEN = "plan_steuerung_offen"


def plan_header(
    ctx: Context, year_label: str, school: bool = False
) -> tuple[Scenario, PlanResult, int] | None:
    """Scenario selector and plan-year slider of a plan page; None (with a notice) without a plan.

    In meeting mode the TOP's saved view fixes scenario and year, so the controls fold away, and
    the fold is built only while open: the TOP's first screen draws no selector it hides.
    """

    def controls() -> tuple[Scenario, PlanResult, int] | None:
        c1, c2 = st.columns([2, 3], vertical_alignment="bottom")
        with c1:
            scenario = pick_scenario(ctx)
        result = plan_for(ctx, scenario)
        if result is None:
            return None
        with c2:
            year = pick_plan_year(result, year_label, school=school)
        forecast.notes(ctx, result)
        return scenario, result, year

    if not state.get(state.MEETING):
        return controls()
    fold = st.expander("Szenario und Jahr ändern", key=ROOM_CONTROLS_OPEN, on_change="rerun")
    if fold.open:
        with fold:
            return controls()
    scenario = _chosen(_scenario_options(ctx))
    result = plan_for(ctx, scenario)
    if result is None:
        return None
    _plan_years(result)
    return scenario, result, int(state.get(state.PLAN_YEAR))


#: Session key of the folded time series on the Kita and Schule pages (open or not).
TIMELINE_OPEN = "plan_timeline_offen"


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
    """District selector and the time series of the city or the chosen district, folded.

    Built and drawn only while open: the second chart was about a fifth of a second of the Kita
    page's drawing in the browser (``bench/settled.py``), for a chart below the first screen. A
    district newly chosen (a click in the map, the meeting bar, a link) opens it.
    """
    gid = state.get(state.DISTRICT)
    if gid is not None and not (table["gebiet_id"] == gid).any():  # a link's area of another level
        state.put(state.DISTRICT, None)
        gid = None
    holder = components.lazy_fold(
        f"Zeitverlauf: {title} – Gesamtstadt oder {ctx.level_name} wählen",
        TIMELINE_OPEN,
        follow=gid,
        icon=":material/show_chart:",
    )
    if holder.open:
        with holder:
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


def room_cells(city: pd.Series, items: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """:func:`room_figures` cells of the city's figures: ``(label, column)`` → label, value, range."""
    return [(label, fmt(city[column]), forecast.spanne(city, column)) for label, column in items]


def balance_metric(cell, label: str, value: str, balance: float | None, help: str | None = None) -> None:  # type: ignore[no-untyped-def]
    """A key figure with its balance (places − demand) beneath, as a number without an arrow."""
    cell.metric(
        label,
        value,
        delta=fmt(balance),
        delta_description="Bilanz (Plätze − Bedarf)",
        delta_arrow="off",
        help=help,
        border=True,
    )
