"""The indicator explorer: map + sortable district table + district detail, for any set of domains.

Used by the Lagebild (all domains) and the domain pages (Kita, Schule, Jugendhilfe & Sozialraum),
so every department reads the same figures the same way.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from planning.indicators import DOMAINS, Indicator, available_indicators, format_value, get_indicator
from ui import charts, components, state
from ui import data as uidata
from ui.frame import Context

TABLE_KEY = "district_table"
MAP_KEY = "district_map"


def _pick_indicator(ctx: Context, domains: tuple[str, ...], default: str) -> Indicator | None:
    options = [i for i in available_indicators(ctx.data) if i.domain in domains]
    options.sort(key=lambda i: (DOMAINS.index(i.domain), list(i.code)))
    if not options:
        return None
    codes = [i.code for i in options]
    state.ensure_choice(state.INDICATOR, codes, default)
    st.selectbox(
        "Kennzahl",
        codes,
        key=state.INDICATOR.key,
        format_func=lambda c: f"{get_indicator(c).domain} · {get_indicator(c).label_de}",
        help="Alle Kennzahlen aus dem Kennzahlenregister; Definition unter der Karte.",
    )
    return get_indicator(state.get(state.INDICATOR))


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


def _value_range(table_all: pd.DataFrame) -> tuple[float, float] | None:
    """One colour scale for all years of an indicator, so a colour means the same value in every year."""
    values = table_all["value"].dropna()
    if values.empty:
        return None
    return float(values.min()), float(values.max())


def facility_points(ctx: Context, show_kitas: bool, show_schools: bool) -> dict[str, pd.DataFrame]:
    out: dict[str, pd.DataFrame] = {}
    if show_kitas and not ctx.data.kitas.empty:
        k = ctx.data.kitas
        k = k[k["lon"].notna() & (k["status"] != "geschlossen")]
        info = (
            k["traeger"].fillna("Träger unbekannt")
            + " · "
            + k["places_total"].astype("string").fillna("?")
            + " Plätze"
            + k["status"].map(lambda s: "" if s == "in Betrieb" else f" ({s})")
        )
        out["Kitas"] = pd.DataFrame({"lon": k["lon"], "lat": k["lat"], "name": k["name"], "info": info})
    if show_schools and not ctx.data.schools.empty:
        s = ctx.data.schools
        s = s[s["lon"].notna()]
        info = [
            a if pd.isna(z) else f"{a} · {z:g}-zügig" for a, z in zip(s["schulart"], s["zuege"], strict=True)
        ]
        out["Schulen"] = pd.DataFrame({"lon": s["lon"], "lat": s["lat"], "name": s["name"], "info": info})
    return out


def indicator_explorer(
    ctx: Context,
    domains: tuple[str, ...] = DOMAINS,
    default: str = "versorgung_u3",
    points_default: tuple[bool, bool] = (False, False),
) -> Indicator | None:
    """Indicator selector, map, district table and detail for the context's level and year."""
    c1, c2, c3 = st.columns([3, 1, 1], vertical_alignment="bottom")
    with c1:
        indicator = _pick_indicator(ctx, domains, default)
    if indicator is None:
        st.info("Für diesen Bereich sind noch keine Kennzahlen mit Daten vorhanden.")
        return None
    show_kitas = c2.toggle("Kitas zeigen", value=points_default[0], key="show_kitas")
    show_schools = c3.toggle("Schulen zeigen", value=points_default[1], key="show_schools")

    table_all = uidata.indicator_table(ctx.url, ctx.layout.code, ctx.versions, indicator.code, ctx.level)
    years = sorted(int(y) for y in table_all["year"].dropna().unique())
    year = ctx.year
    if years and year not in years:
        nearest = min(years, key=lambda y: abs(y - ctx.year))
        st.caption(f"Für {ctx.year} liegen zu dieser Kennzahl keine Werte vor; gezeigt wird {nearest}.")
        year = nearest
    names = ctx.data.areas.loc[ctx.data.areas["level"] == ctx.level, ["gebiet_id", "name"]]
    table = names.merge(
        table_all[table_all["year"] == year][["gebiet_id", "value", "numerator", "denominator"]],
        on="gebiet_id",
        how="left",
    )
    ids = table["gebiet_id"].tolist()
    state.ensure_choice(state.DISTRICT, [None, *ids], None)
    selected = state.get(state.DISTRICT)

    geojson, bounds = uidata.map_layer(ctx.url, ctx.layout.code, ctx.versions, ctx.level)
    left, right = st.columns([3, 2], gap="medium")
    with left:
        fig = charts.choropleth(
            geojson,
            bounds,
            table,
            indicator,
            selected=selected,
            points=facility_points(ctx, show_kitas, show_schools),
            value_range=_value_range(table_all),
        )
        st.plotly_chart(
            fig,
            key=MAP_KEY,
            on_select=_on_map_select,
            selection_mode="points",
            config={"displaylogo": False, "scrollZoom": True},
        )
    with right:
        # Name and value only: the beside-the-map table must stay readable at projector size; the ID is in
        # the tooltip and the district selector.
        value_header = f"Wert ({indicator.unit})" if indicator.unit else "Wert"
        # Areas without a value are named below the table instead of showing an empty cell.
        with_value = table[table["value"].notna()]
        shown = pd.DataFrame(
            {ctx.level_name: with_value["name"], value_header: with_value["value"].round(indicator.decimals)}
        )
        styled = shown.style.format({value_header: lambda v: format_value(v, indicator.decimals)})
        row_ids = with_value["gebiet_id"].tolist()
        st.dataframe(
            styled,
            hide_index=True,
            height=min(560, 35 * (len(shown) + 1) + 3),
            key=TABLE_KEY,
            on_select=lambda: _on_table_select(row_ids),
            selection_mode="single-row",
            width="stretch",
        )
        missing = table.loc[table["value"].isna(), "name"].tolist()
        if missing:
            st.caption(f"Keine Daten für {len(missing)} {ctx.level_name}(e): {', '.join(missing)}.")
    _district_detail(ctx, indicator, table, table_all, year, names)
    st.caption(f"**{indicator.label_de}** – {indicator.help_de}")
    return indicator


def _district_detail(
    ctx: Context,
    indicator: Indicator,
    table: pd.DataFrame,
    table_all: pd.DataFrame,
    year: int,
    names: pd.DataFrame,
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
        city = uidata.city_series(ctx.url, ctx.layout.code, ctx.versions, indicator.code)
        city_row = city[city["year"] == year]
        city_text = indicator.format(city_row["value"].iloc[0] if not city_row.empty else None)
        city_missing = int(city_row["missing"].iloc[0]) if not city_row.empty else 0
        if selected is not None:
            row = table[table["gebiet_id"] == selected]
            value = row["value"].iloc[0] if not row.empty else None
            rank = table["value"].rank(ascending=indicator.polarity < 0, method="min")
            pos = rank[table["gebiet_id"] == selected]
            rank_text = (
                f"Rang {int(pos.iloc[0])} von {int(table['value'].notna().sum())}"
                if not pos.empty and pd.notna(pos.iloc[0]) and indicator.polarity != 0
                else None
            )
            st.metric(f"{label[selected]} {year}", indicator.format(value), help=rank_text, border=True)
            if rank_text:
                st.caption(rank_text + (" (1 = günstigster Wert)"))
        st.metric(f"Gesamtstadt {year}", city_text, border=True)
        if city_missing:
            st.caption(f"Gesamtstadt ohne {city_missing} Gebiet(e) ohne Angabe.")
    with c2:
        district = table_all[table_all["gebiet_id"] == selected] if selected is not None else None
        st.plotly_chart(
            charts.city_trend(city, indicator, year, district, label.get(selected) if selected else None),
            config={"displayModeBar": False},
            key="trend",
        )


def page_frame(ctx: Context | None, title: str) -> bool:
    """Title, no-data notice; returns False when there is nothing to show."""
    st.title(title)
    if ctx is None:
        components.no_data_notice()
        return False
    st.caption(f"{ctx.layout.municipality} · {ctx.layout.name} · Ebene {ctx.level_name} · Jahr {ctx.year}")
    return True


def footer(ctx: Context, indicator: Indicator | None, extra: tuple[str, ...] = ()) -> None:
    kinds = ("gebiete", *(indicator.sources if indicator else ()), *extra)
    components.source_footer(uidata.versions_used(ctx.data, kinds))
