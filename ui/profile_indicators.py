"""The Stadtteilprofil's indicator sections: every indicator of the area against the city (value,
rank, light, trend), the weakest ones for the meeting screen, and the development of key rates.

The table comes from :func:`planning.profile.indicator_profile`, computed once per data, register
state and year for all sessions (:func:`profile_of`); here only the widgets and the cells' colours.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from planning import profile as prof
from planning.indicators import Indicator, available_indicators
from planning.suppression import GEHEIM, KEINE_DATEN
from planning.targets import LIGHT_COLOURS, LIGHT_SYMBOLS
from ui import components, figures, planview
from ui import data as uidata
from ui.frame import Context

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


def styled_indicators(shown: pd.DataFrame, profile: pd.DataFrame) -> Styler:
    """``shown`` (cells of :func:`planning.profile.display_table`) coloured by the rows of ``profile``:
    light, trend, secret and missing values."""

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


def profile_of(ctx: Context, gid: str, indicators: list[Indicator]) -> pd.DataFrame:
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


def indicators_section(ctx: Context, gid: str, indicators: list[Indicator]) -> None:
    """Every indicator of the area in one static table (it prints completely), with the notes."""
    st.subheader("Jugendhilfe, Soziales und alle Kennzahlen im Stadtvergleich", anchor=False)
    profile = profile_of(ctx, gid, indicators)
    without = profile["year"].isna() & (profile["status"] == KEINE_DATEN)
    with_data = profile[~without]
    if with_data.empty:
        st.info(f"Für {ctx.level_name} liegen bis {ctx.year} noch keine Kennzahlen vor.")
        return
    shown = prof.display_table(with_data, {i.code: i for i in indicators}, ctx.year)
    # Short cells stay on one line (also on paper): "27 von 32", "■ Ziel verfehlt", "12,3 %".
    for col in ("Wert", "Gesamtstadt", "Abweichung", "Rang", "Ampel"):
        shown[col] = shown[col].str.replace(" ", "\u00a0")
    st.table(styled_indicators(shown, with_data), hide_index=True)
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


def weakest_section(ctx: Context, gid: str, indicators: list[Indicator], n: int) -> None:
    """Meeting screen, beside the map: the area's ``n`` weakest indicators against the city."""
    profile = profile_of(ctx, gid, indicators)
    worst = prof.weakest(profile, n)
    st.markdown(f"**Ungünstigste Kennzahlen im Stadtvergleich** ({ctx.year})")
    if worst.empty:
        st.caption("Keine Kennzahl mit Rang für dieses Gebiet.")
        return
    shown = prof.display_table(worst, {i.code: i for i in indicators}, ctx.year)
    shown = shown[["Kennzahl", "Wert", "Rang"]].assign(
        Wert=lambda t: t["Wert"].str.replace(" ", "\u00a0"),
        Rang=lambda t: t["Rang"].str.replace(" ", "\u00a0"),
    )
    st.table(styled_indicators(shown, worst), hide_index=True)
    st.caption("Zuerst verfehlte Ziele, dann nach Rang (1 = günstigster Wert). Alle Kennzahlen weiter unten.")


@st.cache_data(show_spinner=False, max_entries=256)
def _histories(
    url: str,
    layout_code: str,
    versions: uidata.VersionKey,
    level: int,
    stamp: tuple[Any, ...],
    codes: tuple[str, ...],
    gid: str,
) -> list[tuple[str, pd.DataFrame]]:
    """The area's series of the first :data:`MAX_TRENDS` of ``codes`` with at least two years, once
    per data, register state and area (every rerun read up to 14 district tables for them)."""
    chosen: list[tuple[str, pd.DataFrame]] = []
    for code in codes:
        if len(chosen) >= MAX_TRENDS:
            break
        own = prof.area_history(uidata.indicator_table(url, layout_code, versions, code, level, stamp), gid)
        if own["year"].nunique() >= 2:
            chosen.append((code, own))
    return chosen


def development_section(ctx: Context, gid: str, facts: dict[str, Any], indicators: list[Indicator]) -> None:
    """The development of up to :data:`MAX_TRENDS` key rates against the city, two per row."""
    st.subheader("Entwicklung", anchor=False)
    by_code = {i.code: i for i in indicators}
    codes = tuple(c for c in TREND_CODES if c in by_code)
    histories = _histories(ctx.url, ctx.layout.code, ctx.versions, ctx.level, ctx.registry_stamp, codes, gid)
    chosen = [(by_code[code], own) for code, own in histories]
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
