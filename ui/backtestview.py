"""The Prognosegüte page: the forecast from earlier years against what was observed, beside the two
forecasts anybody could make by hand (figures from :mod:`planning.backtest`)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from planning.formatting import format_value, number, percent
from ui import components, figures, tables
from ui import data as uidata
from ui.frame import Context


def _horizon_table(horizons: list[dict[str, Any]]) -> pd.DataFrame:
    h = pd.DataFrame(horizons)
    out = pd.DataFrame(
        {
            "Jahre voraus": h["horizon"].map(lambda v: f"+{v}"),
            "Vergleiche": h["areas"].map(number),
            "Prognose": h["mape"].map(percent),
            "Fortschreibung ohne Änderung": h["mape_carry_forward"].map(percent),
            "Alterung ohne Wanderung": h["mape_ageing"].map(percent),
            "Verzerrung": h["bias"].map(lambda v: percent(v, signed=True)),
            "Gesamtstadt": h["city_error"].map(lambda v: percent(v, signed=True)),
        }
    )
    if "coverage" in h:
        out["in der Spanne"] = h["coverage"].map(lambda v: percent(v, 0, missing="–"))
    return out


def backtest_view(ctx: Context) -> None:
    """How good is the forecast? From every earlier year, beside the two forecasts anyone could make."""
    years = sorted({int(y) for y in ctx.data.population["year"].unique()})
    if len(years) < 2:
        st.info(
            "Für eine Rückrechnung braucht es Kinderzahlen aus mindestens zwei Jahren. Ältere "
            "Bevölkerungsstände lassen sich unter Daten › Import laden."
        )
        return
    ALL = "alle"
    choice = st.segmented_control(
        "Basisjahr",
        [ALL, *years[:-1]],
        default=ALL,
        key="backtest_base",
        format_func=lambda y: "jedes Basisjahr (gepoolt)" if y == ALL else str(y),
    )
    base = None if choice in (None, ALL) else int(choice)
    try:
        result = uidata.backtest_result(ctx.url, ctx.layout.code, ctx.versions, base)
    except ValueError as exc:
        st.warning(str(exc))
        return
    horizons = result["horizons"]
    if not horizons:
        st.info("Keine Kinderzahlen 0–17 zum Vergleich.")
        return
    h = pd.DataFrame(horizons)
    wins = int(((h["mape"] <= h["mape_carry_forward"]) & (h["mape"] <= h["mape_ageing"])).sum())
    bases = result["base_years"]
    span = f"{bases[0]}" if len(bases) == 1 else f"{bases[0]}–{bases[-1]}"
    cols = st.columns(3)
    first = horizons[0]
    cols[0].metric(
        "Fehler 1 Jahr voraus",
        percent(first["mape"]),
        delta=number(first["mape"] - first["mape_carry_forward"], 1, signed=True)
        + " Prozentpunkte gegenüber „ohne Änderung“",
        delta_color="inverse",
        delta_arrow="off",
        help="Mittlerer absoluter Fehler der Kinder 0–17 je Gebiet",
        border=True,
    )
    cols[1].metric(
        "Besser als beide einfachen Verfahren",
        f"{wins} von {len(h)} Jahren voraus",
        help="Fortschreibung ohne Änderung und Alterung ohne Wanderung, auf denselben Gebieten",
        border=True,
    )
    cov = result["coverage"]
    cols[2].metric(
        "Spanne trifft",
        percent(cov["observed"], 0, missing="–"),
        help="Anteil der später beobachteten Werte innerhalb der 80-%-Spanne (Spanne jeweils aus den "
        "anderen Basisjahren berechnet); Soll: etwa 80 %",
        border=True,
    )
    st.plotly_chart(
        figures.figure("backtest_errors", h[[c for c in h.columns if c != "base_years"]]),
        config={"displayModeBar": False},
        key="backtest_chart",
    )
    st.markdown(f"**Kinder 0–17 je {components.plain(ctx.data.layout.levels[-1])}** (Basisjahre {span})")
    st.dataframe(_horizon_table(horizons), hide_index=True, width="stretch")
    st.caption(
        f"Prognose: {result['model']} Verglichen auf denselben Gebieten mit: "
        f"{result['baselines']['carry_forward']} {result['baselines']['ageing']} Datengrundlage: "
        f"{result['method']}"
    )
    with st.expander("Nach Altersgruppe, Gebietsgröße und Ebene"):
        for band in result["bands"]:
            if band["band"] == "0–17":
                continue
            st.markdown(f"**Altersgruppe {band['band']}**")
            st.dataframe(_horizon_table(band["horizons"]), hide_index=True, width="stretch")
        for size in result["size_classes"]:
            st.markdown(f"**Gebiete mit {size['size_class']} Kindern**")
            st.dataframe(_horizon_table(size["horizons"]), hide_index=True, width="stretch")
        for level in result["levels"]:
            st.markdown(f"**Summe je {components.plain(level['level'])}**")
            st.dataframe(_horizon_table(level["horizons"]), hide_index=True, width="stretch")
    if result["warnings"]:
        with st.expander(f"⚠ {len(result['warnings'])} Hinweis(e) zu den Daten"):
            st.markdown("\n".join(f"- {components.plain(w)}" for w in result["warnings"]))
    errors = tables.styled(_district_errors, ctx.url, ctx.layout.code, ctx.versions, base)
    if errors is not None:
        with st.expander("Fehler je Gebiet (Mittel über die Basisjahre, größte zuerst)"):
            st.dataframe(errors, hide_index=True, width="stretch")


def _district_errors(
    url: str, layout_code: str, versions: uidata.VersionKey, base: int | None
) -> Styler | None:
    """The error per area and horizon, largest first: built and formatted once per data and base
    year (11,008 areas: 1.2 s on every rerun when it was built in the page)."""
    result = uidata.backtest_result(url, layout_code, versions, base)
    d = pd.DataFrame(result["districts"])
    if d.empty:
        return None
    names = uidata.planning_data(url, layout_code, versions).areas.set_index("gebiet_id")["name"]
    wide = d.pivot_table(index="gebiet_id", columns="horizon", values="error", aggfunc="mean").round(1)
    wide.columns = [f"+{c} J. (%)" for c in wide.columns]
    wide.insert(0, "Gebiet", wide.index.map(names))
    last = wide.columns[-1]
    wide = wide.reindex(wide[last].abs().sort_values(ascending=False).index)
    return wide.style.format({c: lambda v: format_value(v, 1) for c in wide.columns[1:]})
