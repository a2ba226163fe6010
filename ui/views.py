"""The indicator explorer: map + sortable district table + district detail, for any set of domains;
and every page's title line (:func:`page_frame`) and source footer (:func:`footer`).

Used by the Lagebild (all domains) and the domain pages (Kita, Schule, Jugendhilfe & Sozialraum),
so every department reads the same figures the same way. The tables are shaped in
:mod:`planning.explorer`; the detail below the map is :mod:`ui.district_detail`.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import streamlit as st

from planning import explorer, pages, small_base
from planning import indicators as ind
from planning.auth import Permission
from planning.indicators import DOMAINS, Indicator, available_indicators
from planning.map_scale import robust_range
from planning.profile import district_on_level
from planning.suppression import GEHEIM
from planning.targets import lights, trends
from ui import auth as uiauth
from ui import components, figures, state, steering
from ui import data as uidata
from ui.district_detail import district_detail
from ui.frame import Context

TABLE_KEY = "district_table"
MAP_KEY = "district_map"


def indicators_with_data(ctx: Context, domains: tuple[str, ...] = DOMAINS) -> list[Indicator]:
    """Built-in and added indicators that have data, in domain order."""
    options = [i for i in available_indicators(ctx.data, ctx.registry.custom.values()) if i.domain in domains]
    options.sort(key=lambda i: (DOMAINS.index(i.domain), list(i.code)))
    return options


def _pick_indicator(ctx: Context, domains: tuple[str, ...], default: str) -> Indicator | None:
    options = indicators_with_data(ctx, domains)
    if not options:
        return None
    by_code = {i.code: i for i in options}
    codes = list(by_code)
    state.ensure_choice(state.INDICATOR, codes, default)
    st.selectbox(
        "Kennzahl",
        codes,
        key=state.INDICATOR.key,
        format_func=lambda c: f"{by_code[c].domain} · {by_code[c].label_de}",
        help="Alle Kennzahlen aus dem Kennzahlenregister; Definition unter der Karte.",
    )
    return by_code[state.get(state.INDICATOR)]


def _on_table_select(ids: list[str]) -> None:
    rows = st.session_state[TABLE_KEY].selection.rows
    if rows:
        state.put(state.DISTRICT, ids[rows[0]])


def _on_map_select() -> None:
    points = st.session_state[MAP_KEY].selection.get("points", [])
    for p in points:
        # choropleth points carry the area id as "location"; our traces also put it in customdata[2]
        custom = p.get("customdata") or []
        gid = p.get("location") or (custom[2] if len(custom) > 2 else None)
        if gid:
            state.put(state.DISTRICT, gid)
            return


def _value_range(table_all: pd.DataFrame) -> tuple[float, float, bool, bool] | None:
    """One colour scale for all years of an indicator, so a colour means the same value in every year:
    2nd to 98th percentile, rates on too small a base left out (one outlier would wash out the city)."""
    rankable = table_all[small_base.rankable(table_all)] if "few" in table_all else table_all
    r = robust_range(rankable["value"].astype(float).to_numpy())
    return None if r is None else (r.low, r.high, r.clipped_low, r.clipped_high)


#: Facility layers start switched on only up to this many points: a big city's 2,900 Kitas would
#: cover the map and triple what every rerun sends (the toggle still shows them).
MAX_DEFAULT_POINTS = 400
#: Up to this many areas the interactive table stands beside the map; above it an excerpt of the
#: ranking (head and tail) does, and the full table opens below on demand.
MAX_TABLE_BESIDE_MAP = 60
EXCERPT_HEAD, EXCERPT_TAIL = 8, 8
#: The district table's downloads, in the order of ``uidata.export_files``: label, suffix, type.
EXPORT_FORMATS = (
    ("Tabelle als CSV", "csv", "text/csv"),
    ("Tabelle als Excel", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
)


def facility_points(ctx: Context, show_kitas: bool, show_schools: bool) -> dict[str, pd.DataFrame]:
    """The Kita and school layers for the map (built once per loaded data)."""
    out: dict[str, pd.DataFrame] = {}
    if show_kitas and not ctx.data.kitas.empty:
        out["Kitas"] = ctx.data.derived(("map_points", "Kitas"), lambda: explorer.kita_points(ctx.data.kitas))
    if show_schools and not ctx.data.schools.empty:
        out["Schulen"] = ctx.data.derived(
            ("map_points", "Schulen"), lambda: explorer.school_points(ctx.data.schools)
        )
    return out


def _unsuppressed(indicator: Indicator) -> bool:
    """The "ungeschwärzt" switch, for those who may see this sensitive indicator's small numbers."""
    if not indicator.sensitive or not uiauth.allowed(Permission.SEE_UNSUPPRESSED, indicator.department):
        return False
    if state.get(state.MEETING):
        return False  # the shared screen of a meeting always shows the protected figures
    on = st.toggle(
        "Ungeschwärzt zeigen (vertraulich)",
        key="ungeschwaerzt",
        help="Zeigt auch Werte unter der Geheimhaltungsschwelle – nur Ihnen, mit dem Recht „geheime Werte "
        "ungeschwärzt sehen“. Downloads, Vorlagen und alle anderen sehen weiter „geheim“.",
    )
    if on:
        st.warning(
            "**Vertraulich:** ungeschwärzte Werte. Die mit „vertraulich“ markierten Zahlen sind sonst "
            "geheim – nicht weitergeben, nicht abfotografieren, nicht auf den gemeinsamen Bildschirm.",
            icon=":material/visibility:",
        )
    return bool(on)


def indicator_explorer(
    ctx: Context,
    domains: tuple[str, ...] = DOMAINS,
    default: str | None = None,
    points_default: tuple[bool, bool] = (False, False),
) -> Indicator | None:
    """Indicator selector, map, district table and detail for the context's level and year; the
    selector opens on ``default`` or the page's default indicator (:mod:`planning.pages`)."""
    c1, c2, c3 = st.columns([3, 1, 1], vertical_alignment="bottom")
    with c1:
        indicator = _pick_indicator(ctx, domains, default or pages.default_indicator(ctx.page))
    if indicator is None:
        st.info("Für diesen Bereich sind noch keine Kennzahlen mit Daten vorhanden.")
        return None
    few = (len(ctx.data.kitas) <= MAX_DEFAULT_POINTS, len(ctx.data.schools) <= MAX_DEFAULT_POINTS)
    show_kitas = c2.toggle("Kitas zeigen", value=points_default[0] and few[0], key="show_kitas")
    show_schools = c3.toggle("Schulen zeigen", value=points_default[1] and few[1], key="show_schools")
    target = ctx.registry.target(indicator.code)

    if _unsuppressed(indicator):
        # Checked in planning on every call; held per loaded data there, never in a shared page cache.
        table_all = ind.unsuppressed_table(ctx.data, indicator, ctx.level)
    else:
        table_all = uidata.indicator_table(
            ctx.url, ctx.layout.code, ctx.versions, indicator.code, ctx.level, ctx.registry_stamp
        )
    min_base = small_base.default_minimum()
    table_all = small_base.mark(table_all, indicator, min_base)
    year = explorer.nearest_year((int(y) for y in table_all["year"].dropna().unique()), ctx.year)
    if year != ctx.year:
        st.caption(f"Für {ctx.year} liegen zu dieser Kennzahl keine Werte vor; gezeigt wird {year}.")
    names = ctx.data.areas.loc[ctx.data.areas["level"] == ctx.level, ["gebiet_id", "name"]]
    table = explorer.year_table(names, table_all, year)
    # A rate on too small a base gets no light (its value is shown, marked).
    table_lights = lights(table["value"].where(~table["few"]), target, indicator.polarity, indicator.decimals)
    ids = table["gebiet_id"].tolist()
    current = state.get(state.DISTRICT)
    if current is not None and current not in ids:
        # A district of another level (from a link or another page) opens its area on this level.
        state.put(state.DISTRICT, district_on_level(ctx.data.areas, current, ctx.level))
    state.ensure_choice(state.DISTRICT, [None, *ids], None)
    selected = state.get(state.DISTRICT)

    geojson, bounds = uidata.map_layer(ctx.url, ctx.layout.code, ctx.versions, ctx.level)
    use_lights = False
    if target is not None:
        use_lights = (
            st.segmented_control(
                "Kartendarstellung",
                ["Werte", "Ampel"],
                default="Werte",
                key="map_style",
                help=target.describe(indicator.polarity, indicator.format),
            )
            == "Ampel"
        )
    left, right = st.columns([3, 2], gap="medium")
    with left:
        fig = figures.figure(
            "choropleth",
            geojson,
            bounds,
            table,
            indicator,
            selected=selected,
            points=facility_points(ctx, show_kitas, show_schools),
            value_range=_value_range(table_all),
            lights=table_lights if use_lights else None,
        )
        st.plotly_chart(
            fig,
            key=MAP_KEY,
            on_select=_on_map_select,
            selection_mode="points",
            # plotly's toolbar speaks only English (Streamlit bundles no "de" locale): hidden;
            # the wheel zooms, a double click resets the view.
            config={"displayModeBar": False, "scrollZoom": True},
        )
    with right:
        # Name, value (and light and trend where a target exists): the beside-the-map table must stay
        # readable at projector size; the ID is in the tooltip and the district selector.
        # Areas without a value are named below the table instead of showing an empty cell; secret ones
        # stay in the table as "geheim" (sorted last), so nobody reads them as missing. The meeting
        # room discusses the problems: there the least favourable value comes first.
        worst_first = bool(state.get(state.MEETING)) and indicator.polarity != 0
        shown_rows = explorer.ranked_rows(table, indicator.polarity, worst_first)
        tr = trends(table_all, year, indicator.polarity, indicator.decimals)
        shown = explorer.ranking_table(
            indicator,
            shown_rows,
            ctx.level_name,
            lights=table_lights if target is not None else None,
            arrows=dict(zip(tr["gebiet_id"], tr["arrow"], strict=True)) if not tr.empty else None,
        )
        row_ids = shown_rows["gebiet_id"].tolist()
        # In meeting mode always the large HTML excerpt: the room cannot read the grid's small cells.
        dense = len(shown) > MAX_TABLE_BESIDE_MAP or bool(state.get(state.MEETING))
        if dense:
            _ranking_excerpt(
                shown,
                shown_rows["suppressed"].to_numpy(dtype=bool),
                ctx.level_name,
                indicator.polarity,
                shown_rows["few"].to_numpy(dtype=bool),
                worst_first=worst_first,
            )
        elif not shown.empty:  # an empty grid prints Streamlit's English "empty" under the caption
            _district_grid(shown, row_ids, indicator)
        missing = table.loc[table["value"].isna() & ~table["suppressed"], "name"].tolist()
        if missing:
            st.caption(
                f"Keine Daten für {len(missing)} {ctx.level_name}(e): {components.plain(', '.join(missing))}."
            )
        if n_few := int(table["few"].sum()):
            st.caption(small_base.note(indicator, min_base, n_few))
        _downloads(ctx, indicator, year)
        if table["suppressed"].any():
            rule = indicator.rule
            st.caption(
                f"„{GEHEIM}“: aus Datenschutzgründen nicht ausgewiesen. " + (rule.hinweis_de if rule else "")
            )
    if dense:
        # Hundreds of rows: the full, sortable table (a click in it picks the area) is built only
        # while open; the map, the excerpt beside it and the detail below come first.
        full = st.expander(
            f"Alle {components.plural(ctx.level_name)} als Tabelle "
            f"({len(shown)} Zeilen, sortierbar, Klick wählt das Gebiet)",
            key="explorer_all_table",
            on_change="rerun",
            icon=":material/table_rows:",
        )
        with full:
            if full.open:
                _district_grid(shown, row_ids, indicator)
    district_detail(ctx, indicator, table, table_all, year, names, target)
    st.caption(f"**{components.plain(indicator.label_de)}** – {components.plain(indicator.help_de)}")
    district = state.get(state.DISTRICT)
    known = set(names["gebiet_id"])
    steering.comments_panel(
        ctx, indicator.code, district if district in known else None, key="explorer_comments"
    )
    return indicator


def _district_grid(shown: pd.DataFrame, row_ids: list[str], indicator: Indicator) -> None:
    """The district table as an interactive grid: sortable, and a click on a row picks the area."""
    st.dataframe(
        shown,
        hide_index=True,
        height=min(560, 35 * (len(shown) + 1) + 3),
        key=TABLE_KEY,
        on_select=lambda: _on_table_select(row_ids),
        selection_mode="single-row",
        width="stretch",
        column_config={"Wert": st.column_config.TextColumn("Wert", width="small", help=indicator.label_de)},
    )


def _ranking_excerpt(
    shown: pd.DataFrame,
    secret: np.ndarray,
    level_name: str,
    polarity: int,
    few: np.ndarray | None = None,
    worst_first: bool = False,
) -> None:
    """Beside the map of a dense layout: the head and tail of the ranking, readable at projector size.

    Same order and columns as the full table (best first, or ``worst_first`` in a meeting; too small
    bases and secret ones are left out and counted); hundreds of rows would neither be read in a
    meeting nor come up as fast as the map.
    """
    few = np.zeros(len(shown), dtype=bool) if few is None else few
    part = explorer.excerpt(shown, secret | few, EXCERPT_HEAD, EXCERPT_TAIL)
    esc = html.escape

    def rows(frame: pd.DataFrame, first: int) -> list[str]:
        return [
            f"<tr><td class='pa-rank'>{first + i}</td>{''.join(f'<td>{esc(str(v))}</td>' for v in row)}</tr>"
            for i, row in enumerate(frame.itertuples(index=False))
        ]

    body = rows(part.head, 1)
    if part.skipped:
        body.append(
            f'<tr class="pa-gap"><td colspan="{len(shown.columns) + 1}">⋯ {part.skipped} weitere ⋯</td></tr>'
        )
        body += rows(part.tail, len(part.head) + part.skipped + 1)
    head = "".join(f"<th>{esc(str(c))}</th>" for c in shown.columns)
    order = explorer.ranking_order(polarity, worst_first)
    note = f"{order} · {part.ranked} {esc(components.plural(level_name))} mit Wert"
    if int(few.sum()):
        note += f", {int(few.sum())} mit zu kleiner Basis (nicht eingereiht)"
    if int(secret.sum()):
        note += f", {int(secret.sum())} geheim (nicht eingereiht)"
    note += " · alle in der Tabelle unten"
    st.html(
        f"""<style>
.pa-rank-table {{ width: 100%; border-collapse: collapse; font-size: 1rem; }}
.pa-rank-table th {{ text-align: left; font-weight: 600; border-bottom: 2px solid #cbd5e1;
  padding: 0.3rem 0.5rem; }}
.pa-rank-table td {{ padding: 0.25rem 0.5rem; border-bottom: 1px solid #e5e7eb; }}
.pa-rank-table td:nth-child(3) {{ text-align: right; white-space: nowrap; }}
.pa-rank-table td.pa-rank {{ color: #4b5563; text-align: right; width: 2.5rem; }}
.pa-rank-table tr.pa-gap td {{ text-align: center; color: #4b5563; font-style: italic; }}
</style>
<table class="pa-rank-table"><thead><tr><th>Nr.</th>{head}</tr></thead>
<tbody>{"".join(body)}</tbody></table>
<p style="color:#4b5563; font-size:0.9rem; margin:0.3rem 0 0">{note}</p>"""
    )


def _downloads(ctx: Context, indicator: Indicator, year: int) -> None:
    """The district table as CSV and XLSX: the very frame ``python -m planning export-table`` writes."""
    if not components.may_export():
        return
    args = (ctx.url, ctx.layout.code, ctx.versions, indicator.code, year, ctx.level, ctx.registry_stamp)
    name = f"{indicator.code}_{year}_{ctx.level_name.lower()}"
    # Built when clicked, not on every rerun: a rerun neither builds a workbook nor sends one along
    # (the browser would fetch both files with the page, beside the map).
    for i, (column, (label, suffix, mime)) in enumerate(zip(st.columns(2), EXPORT_FORMATS, strict=True)):
        column.download_button(
            label,
            lambda i=i: uidata.export_files(*args)[i],
            file_name=f"{name}.{suffix}",
            mime=mime,
            icon=":material/download:",
            width="stretch",
            # no rerun after the download: a rerun re-registers both buttons' deferred files, and a
            # click on the other one meanwhile asked for a revoked file and silently did nothing
            on_click="ignore",
        )


def page_frame(ctx: Context | None, slug: str) -> bool:
    """Title (with "Ansicht speichern"), no-data notice; returns False when there is nothing to show.
    ``slug``: the page (its title comes from :mod:`planning.pages`)."""
    title = pages.title(slug)
    if ctx is None:
        st.title(title)
        components.no_data_notice()
        return False
    if state.get(state.MEETING):  # the meeting bar carries the TOP's title; the room needs the figures
        return True
    c1, c2 = st.columns([4, 1.2], vertical_alignment="bottom")
    c1.title(title)
    with c2:
        steering.save_view_popover(ctx)
    p = components.plain
    st.caption(
        f"{p(ctx.layout.municipality)} · {p(ctx.layout.name)} · Ebene {ctx.level_name} · Jahr {ctx.year}"
    )
    return True


def footer(ctx: Context, indicator: Indicator | None, extra: tuple[str, ...] = ()) -> None:
    kinds = ("gebiete", *(indicator.sources if indicator else ()), *extra)
    components.source_footer(uidata.versions_used(ctx.data, kinds))
