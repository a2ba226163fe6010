"""The indicator explorer: map + sortable district table + district detail, for any set of domains.

Used by the Lagebild (all domains) and the domain pages (Kita, Schule, Jugendhilfe & Sozialraum),
so every department reads the same figures the same way.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import streamlit as st

from planning import indicators as ind
from planning import pages, small_base
from planning.auth import Permission
from planning.formatting import format_value, number
from planning.indicators import DOMAINS, Indicator, available_indicators
from planning.map_scale import robust_range
from planning.suppression import GEHEIM, KEINE_DATEN
from planning.targets import LIGHT_LABELS, LIGHT_SYMBOLS, Target, change_unit, lights, trends
from ui import auth as uiauth
from ui import components, figures, state, steering
from ui import data as uidata
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


def light_text(light: object) -> str:
    """ "● Ziel erreicht" etc.; empty when there is no light."""
    if light is None or pd.isna(light):
        return ""
    return f"{LIGHT_SYMBOLS[str(light)]} {light!s}"


def value_texts(indicator: Indicator, table: pd.DataFrame) -> list[str]:
    """Formatted values, "geheim" for protected cells and "keine Daten" for missing ones."""
    secret = table["suppressed"] if "suppressed" in table.columns else pd.Series(False, index=table.index)
    return [
        GEHEIM if bool(s) else (KEINE_DATEN if pd.isna(v) else indicator.format(float(v)))
        for v, s in zip(table["value"], secret, strict=True)
    ]


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


def facility_points(ctx: Context, show_kitas: bool, show_schools: bool) -> dict[str, pd.DataFrame]:
    """The Kita and school layers for the map (built once per loaded data)."""
    out: dict[str, pd.DataFrame] = {}
    if show_kitas and not ctx.data.kitas.empty:
        out["Kitas"] = ctx.data.derived(("map_points", "Kitas"), lambda: _kita_points(ctx))
    if show_schools and not ctx.data.schools.empty:
        out["Schulen"] = ctx.data.derived(("map_points", "Schulen"), lambda: _school_points(ctx))
    return out


def _kita_points(ctx: Context) -> pd.DataFrame:
    k = ctx.data.kitas
    k = k[k["lon"].notna() & (k["status"] != "geschlossen")]
    info = (
        k["traeger"].fillna("Träger unbekannt")
        + " · "
        + k["places_total"].astype("string").fillna("?")
        + " Plätze"
        + k["status"].map(lambda s: "" if s == "in Betrieb" else f" ({s})")
    )
    return pd.DataFrame({"lon": k["lon"], "lat": k["lat"], "name": k["name"], "info": info})


def _school_points(ctx: Context) -> pd.DataFrame:
    s = ctx.data.schools
    s = s[s["lon"].notna()]
    info = [a if pd.isna(z) else f"{a} · {z:g}-zügig" for a, z in zip(s["schulart"], s["zuege"], strict=True)]
    return pd.DataFrame({"lon": s["lon"], "lat": s["lat"], "name": s["name"], "info": info})


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
    years = sorted(int(y) for y in table_all["year"].dropna().unique())
    year = ctx.year
    if years and year not in years:
        nearest = min(years, key=lambda y: abs(y - ctx.year))
        st.caption(f"Für {ctx.year} liegen zu dieser Kennzahl keine Werte vor; gezeigt wird {nearest}.")
        year = nearest
    names = ctx.data.areas.loc[ctx.data.areas["level"] == ctx.level, ["gebiet_id", "name"]]
    table = names.merge(
        table_all[table_all["year"] == year][
            ["gebiet_id", "value", "numerator", "denominator", "suppressed", "few"]
            + (["confidential"] if "confidential" in table_all else [])
        ],
        on="gebiet_id",
        how="left",
    )
    table["suppressed"] = table["suppressed"].fillna(False).astype(bool)
    table["few"] = table["few"].fillna(False).astype(bool)
    # A rate on too small a base gets no light (its value is shown, marked).
    table_lights = lights(table["value"].where(~table["few"]), target, indicator.polarity, indicator.decimals)
    ids = table["gebiet_id"].tolist()
    current = state.get(state.DISTRICT)
    if current is not None and current not in ids:
        # A district of another level (from a link or another page) opens its area on this level.
        from planning.profile import district_on_level

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
        value_header = "Wert"  # the unit stands with each value ("50,0 %", "2,2 je 1.000")
        # Areas without a value are named below the table instead of showing an empty cell; secret ones
        # stay in the table as "geheim" (sorted last), so nobody reads them as missing.
        shown_rows = table[table["value"].notna() | table["suppressed"]]
        # Rates on too small a base follow the ranked areas (marked), secret ones come last. The
        # meeting room discusses the problems: there the least favourable value comes first.
        worst_first = bool(state.get(state.MEETING)) and indicator.polarity != 0
        shown_rows = shown_rows.assign(_secret=shown_rows["suppressed"]).sort_values(
            ["_secret", "few", "value"],
            ascending=[True, True, indicator.polarity > 0 if worst_first else indicator.polarity < 0],
        )
        texts = value_texts(indicator, shown_rows)
        area_names = shown_rows["name"].astype(str)
        area_names = area_names.where(~shown_rows["few"], area_names + " · " + small_base.label(indicator))
        if "confidential" in shown_rows:  # the name column is wide enough for the mark, the value not
            secret = shown_rows["confidential"].fillna(False).astype(bool)
            area_names = area_names.where(~secret, area_names + " · vertraulich")
        shown = pd.DataFrame({ctx.level_name: area_names.to_numpy(), value_header: texts})
        if target is not None:
            shown["Ampel"] = [light_text(v) for v in table_lights.reindex(shown_rows.index)]
        tr = trends(table_all, year, indicator.polarity, indicator.decimals)
        if not tr.empty:
            arrows = dict(zip(tr["gebiet_id"], tr["arrow"], strict=True))
            shown["Trend"] = [arrows.get(g, "") for g in shown_rows["gebiet_id"]]
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
            _district_grid(shown, row_ids, indicator, value_header)
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
                _district_grid(shown, row_ids, indicator, value_header)
    _district_detail(ctx, indicator, table, table_all, year, names, target)
    st.caption(f"**{components.plain(indicator.label_de)}** – {components.plain(indicator.help_de)}")
    district = state.get(state.DISTRICT)
    known = set(names["gebiet_id"])
    steering.comments_panel(
        ctx, indicator.code, district if district in known else None, key="explorer_comments"
    )
    return indicator


def _district_grid(shown: pd.DataFrame, row_ids: list[str], indicator: Indicator, value_header: str) -> None:
    """The district table as an interactive grid: sortable, and a click on a row picks the area."""
    st.dataframe(
        shown,
        hide_index=True,
        height=min(560, 35 * (len(shown) + 1) + 3),
        key=TABLE_KEY,
        on_select=lambda: _on_table_select(row_ids),
        selection_mode="single-row",
        width="stretch",
        column_config={
            value_header: st.column_config.TextColumn(value_header, width="small", help=indicator.label_de)
        },
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
    open_rows = shown[~secret & ~few]
    if len(open_rows) > EXCERPT_HEAD + EXCERPT_TAIL:
        parts = [open_rows.iloc[:EXCERPT_HEAD], None, open_rows.iloc[-EXCERPT_TAIL:]]
        skipped = len(open_rows) - EXCERPT_HEAD - EXCERPT_TAIL
    else:
        parts, skipped = [open_rows], 0
    esc = html.escape
    head = "".join(f"<th>{esc(str(c))}</th>" for c in shown.columns)
    body = []
    position = 0
    for part in parts:
        if part is None:
            body.append(
                f'<tr class="pa-gap"><td colspan="{len(shown.columns) + 1}">⋯ {skipped} weitere ⋯</td></tr>'
            )
            position += skipped
            continue
        for row in part.itertuples(index=False):
            position += 1
            cells = "".join(f"<td>{esc(str(v))}</td>" for v in row)
            body.append(f"<tr><td class='pa-rank'>{position}</td>{cells}</tr>")
    order = (
        "Ungünstigster Wert zuerst"
        if polarity and worst_first
        else "Günstigster Wert zuerst"
        if polarity
        else "Höchster Wert zuerst"
    )
    note = f"{order} · {len(open_rows)} {esc(components.plural(level_name))} mit Wert"
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
    c1, c2 = st.columns(2)
    # Built when clicked, not on every rerun: a rerun neither builds a workbook nor sends one along
    # (the browser would fetch both files with the page, beside the map).
    c1.download_button(
        "Tabelle als CSV",
        lambda: uidata.export_files(*args)[0],
        file_name=f"{name}.csv",
        mime="text/csv",
        icon=":material/download:",
        width="stretch",
    )
    c2.download_button(
        "Tabelle als Excel",
        lambda: uidata.export_files(*args)[1],
        file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
        width="stretch",
    )


def _metric_text(indicator: Indicator, row: pd.DataFrame) -> str:
    if row.empty:
        return KEINE_DATEN
    if "suppressed" in row.columns and bool(row["suppressed"].iloc[0]):
        return GEHEIM
    return indicator.format(row["value"].iloc[0])


def _light_delta(
    indicator: Indicator, target: Target | None, series: pd.DataFrame, year: int
) -> tuple[str | None, str]:
    """``st.metric`` delta (change against the previous year) and its colour by polarity.

    The text starts with an ASCII sign because ``st.metric`` reads the direction from it and draws
    its own arrow; green means "better" whichever way the indicator counts.
    """
    from planning.targets import trend

    t = trend(series, year, indicator.polarity, indicator.decimals)
    if t is None:
        return None, "off"
    unit = change_unit(indicator.unit)
    if t.arrow == "→":
        return f"unverändert gegenüber {t.previous_year}", "off"
    sign = "+" if t.change > 0 else "-"
    text = f"{sign}{format_value(abs(t.change), indicator.decimals, unit)} gegenüber {t.previous_year}"
    colour = "off" if t.improved is None else ("normal" if (t.change > 0) == bool(t.improved) else "inverse")
    return text, colour


def _arrow(delta: str | None) -> str:
    """No arrow beside "unverändert" (Streamlit would draw "↑" for a text without a sign)."""
    return "off" if delta and delta.startswith("unverändert") else "auto"


def _district_detail(
    ctx: Context,
    indicator: Indicator,
    table: pd.DataFrame,
    table_all: pd.DataFrame,
    year: int,
    names: pd.DataFrame,
    target: Target | None = None,
) -> None:
    label = dict(zip(names["gebiet_id"], names["name"], strict=True))
    c1, c2 = st.columns([1, 3], vertical_alignment="top")
    with c1:
        st.selectbox(
            f"{ctx.level_name} auswählen",
            [None, *names["gebiet_id"]],
            key=state.DISTRICT.key,
            format_func=lambda g: "– Gesamtstadt –" if g is None else f"{label[g]} ({g})",
            placeholder="– Gesamtstadt –",
            help="Auch per Klick in Karte oder Tabelle.",
        )
        selected = state.get(state.DISTRICT)
        city = uidata.city_series(ctx.url, ctx.layout.code, ctx.versions, indicator.code, ctx.registry_stamp)
        city_row = city[city["year"] == year]
        city_missing = int(city_row["missing"].iloc[0]) if not city_row.empty else 0
        if selected is not None:
            row = table[table["gebiet_id"] == selected]
            # Same rule as the Stadtteilprofil: secret districts take no part (a rank would narrow
            # their hidden value), ties on the displayed value share the rank.
            from planning.profile import rank_of

            pos, n_shown = rank_of(table, selected, indicator.polarity, indicator.decimals)
            rank_text = f"Rang {pos} von {n_shown}" if pos is not None else None
            delta, colour = _light_delta(
                indicator, target, table_all[table_all["gebiet_id"] == selected], year
            )
            st.metric(
                f"{label[selected]} {year}",
                _metric_text(indicator, row),
                delta=delta,
                delta_color=colour,  # type: ignore[arg-type]
                delta_arrow=_arrow(delta),
                help=rank_text,
                border=True,
            )
            if rank_text:
                st.caption(rank_text + " (1 = günstigster Wert)")
            elif "few" in row and bool(row["few"].any()):
                base = number(float(row["denominator"].iloc[0]))
                st.caption(f"{small_base.label(indicator)} ({base} im Nenner): ohne Rang und Ampel.")
        delta, colour = _light_delta(indicator, target, city, year)
        st.metric(
            f"Gesamtstadt {year}",
            _metric_text(indicator, city_row),
            delta=delta,
            delta_color=colour,  # type: ignore[arg-type]
            delta_arrow=_arrow(delta),
            border=True,
        )
        if target is not None:
            from planning.targets import light

            city_light = light(
                None if city_row.empty else city_row["value"].iloc[0],
                target,
                indicator.polarity,
                indicator.decimals,
            )
            st.caption(
                target.describe(indicator.polarity, indicator.format)
                + (
                    f" · Gesamtstadt: {light_text(city_light)} ({LIGHT_LABELS[city_light]})"
                    if city_light
                    else ""
                )
            )
        if city_missing:
            st.caption(f"Gesamtstadt ohne {city_missing} Gebiet(e) ohne Angabe.")
    with c2:
        district = table_all[table_all["gebiet_id"] == selected] if selected is not None else None
        st.plotly_chart(
            figures.figure(
                "city_trend", city, indicator, year, district, label.get(selected) if selected else None
            ),
            config={"displayModeBar": False},
            key="trend",
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
