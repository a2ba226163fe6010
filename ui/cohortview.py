"""The Kohorten page: one birth cohort's children from birth through Kita into primary school and
Ganztag, against places and Züge (figures from :mod:`planning.cohorts`)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from planning.areas import ancestor_map
from planning.cohorts import cohort_chain, school_entry_check
from ui import components, figures, planview
from ui.frame import Context


def cohort_view(ctx: Context) -> None:
    """The same children of one district from birth through Kita into school and Ganztag."""
    c1, c2 = st.columns([2, 3], vertical_alignment="bottom")
    with c1:
        scenario = planview.pick_scenario(ctx)
    result = planview.plan_for(ctx, scenario)
    if result is None:
        return
    table = planview.level_table(ctx, result)
    with c2:
        gid = planview.district_picker(ctx, table, ctx.level_name)
    base = result.base_year
    cohorts_all = list(range(base - 5, result.years[-1] + 1))
    default = [base - 2, base - 1, base]
    cohorts = st.multiselect(
        "Geburtsjahrgänge",
        cohorts_all,
        default=default,
        key="cohorts",
        placeholder="Jahrgänge wählen",
        select_all=False,
        help=f"Vorauswahl: die Kinder, die {base} unter 3 Jahre alt sind (Jahrgänge {base - 2}–{base}).",
    )
    if not cohorts:
        st.info("Bitte mindestens einen Geburtsjahrgang wählen.")
        return
    if gid is None:
        ids = None
        name = "Gesamtstadt"
    else:
        areas = ctx.data.areas
        if ctx.level < ctx.data.data_level:
            mapping = ancestor_map(areas, ctx.data.data_level, ctx.level)
            ids = [k for k, v in mapping.items() if v == gid]
        else:
            ids = [gid]
        name = str(table.loc[table["gebiet_id"] == gid, "name"].iloc[0])
    chain = cohort_chain(result, ids, sorted(cohorts))
    entry = school_entry_check(result, ids, sorted(cohorts))
    st.plotly_chart(
        figures.figure(
            "cohort_chain",
            chain,
            layout={
                "title": {"text": f"{name}: Geburt → U3 → Ü3 → Grundschule und Ganztag", "font": {"size": 16}}
            },
        ),
        config={"displayModeBar": False},
        key="cohort_chart",
    )
    st.caption(
        "Striche an den Punkten: Spanne, in der 8 von 10 früheren Prognosen lagen (Rückrechnung nach "
        "Prognosejahren und Gebietsgröße); beobachtete Jahre ohne Strich."
    )
    if not entry.empty:
        lines = []
        for r in entry.itertuples():
            room = (
                "keine Angabe zur Zügigkeit"
                if pd.isna(r.zuege_available)
                else (
                    "Platz reicht"
                    if r.zuege_available >= r.zuege_needed
                    else f"{planview.fmt(r.zuege_needed - r.zuege_available)} Eingangsklasse(n) fehlen"
                )
            )
            lines.append(
                f"- Jahrgang {r.cohort}: Einschulung {planview.school_year(r.year)}, "
                f"{planview.fmt(r.school_entrants)} Kinder, {planview.fmt(r.zuege_needed)} Eingangsklassen "
                f"nötig, {planview.fmt(r.zuege_available)} Züge vorhanden – **{room}**"
            )
        st.markdown(f"**Ist Platz in der Grundschule? ({components.plain(name)})**\n" + "\n".join(lines))
        st.caption(
            "Eingangsklassen = aufrunden(Einschulungen ÷ Klassenobergrenze); Züge = Grundschulen im Gebiet. "
            "Kinder ohne Grundschule im eigenen Gebiet besuchen eine in der Nachbarschaft: dann die "
            "obere Gebietsebene wählen."
        )
    planview.assumptions(result, planview.SCHOOL_PARAMS, scenario)
