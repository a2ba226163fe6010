"""Streamlit views of the Szenarien page: compare scenarios and edit one (parameters and measures).

The cohort chain is :mod:`ui.cohortview`, the forecast backtest :mod:`ui.backtestview`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pandas as pd
import streamlit as st

from planning.areas import ancestor_map
from planning.auth import Permission
from planning.formatting import number
from planning.parameters import PARAMETERS, SCENARIO_GROUPS, Parameter, format_parameter
from planning.plan import PLAN_FIGURES, compare
from planning.scenarios import (
    BASELINE_NAME,
    MEASURE_KINDS,
    Measure,
    Scenario,
    ScenarioError,
    delete_scenario,
    save_scenario,
)
from ui import auth as uiauth
from ui import components, figures, forecast, planview, state
from ui import data as uidata
from ui.frame import Context
from ui.numberfield import decimal_input

COMPARE_FIGURES = (
    "kita_shortfall",  # missing U3 + missing Ü3: a surplus of one age group never nets a gap
    "u3_gap",
    "ue3_gap",
    "zuege_gap",
    "ganztag_gap",
    "school_entrants",
    "u3_demand",
)


def compare_view(ctx: Context) -> None:
    """Scenarios side by side: timeline (city or district), difference map and district table."""
    options = uidata.scenarios(ctx.layout)
    names = [s.name for s in options]
    default = names[:2] if len(names) > 1 else names
    c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
    chosen = c1.multiselect(
        "Szenarien vergleichen",
        names,
        default=default,
        max_selections=4,
        key="compare_scenarios",
        placeholder="Szenarien wählen",
        select_all=False,  # its bulk action reads "Select all": the interface speaks German
        help="Das erste ist der Bezug für die Differenzkarte (meist „Basis“).",
    )
    code = c2.selectbox(
        "Kennzahl", COMPARE_FIGURES, key="compare_figure", format_func=lambda c: PLAN_FIGURES[c].label_de
    )
    if not chosen:
        st.info("Bitte mindestens ein Szenario wählen.")
        return
    by_name = {s.name: s for s in options}
    results = [planview.plan_for(ctx, by_name[n]) for n in chosen]
    if any(r is None for r in results):
        return
    plans = [r for r in results if r is not None]
    figure = PLAN_FIGURES[code]
    base = plans[0]
    year = planview.pick_plan_year(base, "Planjahr (Kita- und Schuljahr ab 1. August)")
    areas = ctx.data.areas
    parent = ancestor_map(areas, ctx.data.data_level, ctx.level) if ctx.level < ctx.data.data_level else None
    side = compare(plans, code, parent)
    names_at_level = areas.loc[areas["level"] == ctx.level, ["gebiet_id", "name"]]
    side = names_at_level.merge(side, on="gebiet_id")
    city = compare(plans, code, city=True)
    gid = planview.district_picker(ctx, side)
    series = city if gid is None else side[side["gebiet_id"] == gid]
    label = "Gesamtstadt" if gid is None else str(series["name"].iloc[0])
    st.plotly_chart(
        figures.figure(
            "scenario_lines",
            series,
            chosen,
            base.base_year,
            figure.unit,
            year,
            layout={"title": {"text": f"{label}: {figure.label_de}", "font": {"size": 16}}},
        ),
        config={"displayModeBar": False},
        key="compare_lines",
    )
    st.caption(forecast.BAND_NOTE)
    this_year = side[side["year"] == year]
    if len(chosen) > 1:
        other = chosen[1]
        diff = this_year.assign(value=this_year[other] - this_year[chosen[0]])
        left, right = st.columns([3, 2], gap="medium")
        with left:
            st.markdown(
                f"**Unterschied {year}: „{components.plain(other)}“ minus „{components.plain(chosen[0])}“** "
                f"({figure.label_de})"
            )
            geojson, bounds = uidata.map_layer(ctx.url, ctx.layout.code, ctx.versions, ctx.level)
            diff_figure = replace(PLAN_FIGURES[code], label_de=f"Differenz {figure.label_de}")
            st.plotly_chart(
                figures.figure(
                    "choropleth",
                    geojson,
                    bounds,
                    diff[["gebiet_id", "name", "value"]],
                    diff_figure,
                    selected=gid,
                    diverging=True,
                    height=460,
                ),
                config={"displayModeBar": False, "scrollZoom": True},
                key="compare_map",
            )
        with right:
            changed = diff[diff["value"].abs() >= 0.5].sort_values("value")
            if changed.empty:
                st.info(
                    f"Bei „{figure.label_de}“ unterscheiden sich die Szenarien {year} in keinem Gebiet. "
                    "Die Maßnahmen stehen unter der Karte – bitte die passende Kennzahl wählen."
                )
            else:
                what = ctx.level_name if len(changed) == 1 else planview.plural(ctx.level_name)
                st.markdown(f"**{len(changed)} {what} {'ändert' if len(changed) == 1 else 'ändern'} sich**")
                short = pd.DataFrame(
                    {ctx.level_name: changed["name"], "Differenz": changed["value"].astype(float).round(0)}
                )
                st.dataframe(
                    short.style.format({"Differenz": lambda v: number(v, signed=True)}),
                    hide_index=True,
                    width="stretch",
                    height=min(420, 35 * (len(short) + 1) + 3),
                )
        with st.expander(f"Alle {planview.plural(ctx.level_name)} {year}: Werte je Szenario"):
            _compare_table(this_year, chosen, ctx.level_name)
    else:
        _compare_table(this_year, chosen, ctx.level_name)
    for sc in (by_name[n] for n in chosen if n != BASELINE_NAME):
        changes = sc.describe_changes()
        st.caption(
            f"**{components.plain(sc.name)}:** "
            + (components.plain("; ".join(changes)) if changes else "keine Änderungen")
        )


def _compare_table(frame: pd.DataFrame, chosen: list[str], level_name: str) -> None:
    shown = pd.DataFrame({level_name: frame["name"]})
    for name in chosen:
        shown[name] = frame[name].astype(float).round(0)
    if len(chosen) > 1:
        shown["Differenz"] = (frame[chosen[1]] - frame[chosen[0]]).astype(float).round(0)
    planview.number_table(shown, list(shown.columns[1:]), height=min(460, 35 * (len(shown) + 1) + 3))


# ---------------------------------------------------------------- editor

NEW = "+ Neues Szenario"
#: Session keys: the scenario just saved (the editor opens it next) and its confirmation.
SAVED_AS, SAVED_MESSAGE = "_scenario_saved_as", "_scenario_saved_message"
MEASURE_COLUMNS = {
    "kind": "Maßnahme",
    "gebiet_id": "Gebiet",
    "year": "ab Jahr",
    "u3": "U3-Plätze ±",
    "ue3": "Ü3-Plätze ±",
    "zuege": "Züge ±",
    "places": "Ganztagsplätze ±",
    "projekt_id": "Wohnbauprojekt",
    "delay": "Verschiebung (Jahre)",
    "units": "Wohnungen",
    "note": "Notiz",
}


#: What :func:`_param_input` returns for a number that cannot be read (the field says why): the
#: scenario is then not saved, rather than saved with the default in its place.
INVALID = object()


def _param_input(p: Parameter, current: Any, key: str) -> Any:
    label = f"{p.label}" + (f" ({p.unit})" if p.unit and p.kind not in ("quote", "choice") else "")
    help_text = f"{p.help} Quelle: {p.source}. Standard: {format_parameter(p, p.default)}."
    if p.kind == "choice":
        return st.selectbox(label, p.choices, index=p.choices.index(current), key=key, help=help_text)
    if p.kind == "quote":
        if current is None:
            on = st.checkbox(f"{p.label} selbst festlegen", value=False, key=key + "_on", help=help_text)
            if not on:
                return None
            current = 1.0
        pct = decimal_input(
            f"{p.label} (%)",
            round(float(current) * 100, 1),
            minimum=float(p.minimum or 0) * 100,
            maximum=float(p.maximum or 1) * 100,
            decimals=2,
            key=key,
            help=help_text,
        )
        return INVALID if pct is None else round(pct / 100, 4)
    if p.kind == "int":
        # whole numbers count in steps of one and never show a decimal point
        return int(
            st.number_input(
                label,
                min_value=int(p.minimum or 0),
                max_value=int(p.maximum or 10_000),
                value=int(current),
                step=1,
                key=key,
                help=help_text,
            )
        )
    if p.kind == "float":
        value = decimal_input(
            label,
            float(current),
            minimum=float(p.minimum or 0),
            maximum=float(p.maximum or 1e6),
            decimals=4,
            key=key,
            help=help_text,
        )
        return INVALID if value is None else value
    return current  # profiles: edited as a table below


#: Changes of Zügigkeit as German text ("+1,5"): a number column would print "1.5" in an English
#: browser, and half Züge are the finest step anyway.
ZUEGE_STEPS = [number(z / 2, 0 if z % 2 == 0 else 1, signed=True) for z in range(-12, 13)]


def _zuege_text(value: float | None) -> str | None:
    if value is None or pd.isna(value) or float(value) == 0:
        return None
    return number(float(value), 0 if float(value).is_integer() else 1, signed=True)


def _zuege_value(text: object) -> float:
    if not isinstance(text, str) or not text.strip():
        return 0.0
    return float(text.replace(".", "").replace(",", ".").replace("−", "-"))


def _measures_frame(measures: tuple[Measure, ...], area_label: dict[str, str]) -> pd.DataFrame:
    rows = [
        {
            "kind": MEASURE_KINDS[m.kind],
            "gebiet_id": area_label.get(m.gebiet_id or ""),
            "year": m.year,
            "u3": m.u3,
            "ue3": m.ue3,
            "zuege": _zuege_text(m.zuege),
            "places": m.places,
            "projekt_id": m.projekt_id,
            "delay": m.delay,
            "units": m.units,
            "note": m.note,
        }
        for m in measures
    ]
    return pd.DataFrame(rows, columns=list(MEASURE_COLUMNS)).astype(
        {
            "year": "Int64",
            "u3": "Int64",
            "ue3": "Int64",
            "places": "Int64",
            "delay": "Int64",
            "units": "Int64",
        }
    )


def _measures_from(frame: pd.DataFrame, label_area: dict[str, str]) -> tuple[Measure, ...]:
    kind_of = {v: k for k, v in MEASURE_KINDS.items()}
    out = []
    for i, r in enumerate(frame.itertuples(index=False), start=1):
        if pd.isna(r.kind):
            continue
        num = lambda v, d=0: d if pd.isna(v) else v  # noqa: E731
        try:
            out.append(
                Measure(
                    kind=kind_of[r.kind],
                    gebiet_id=label_area.get(r.gebiet_id) if isinstance(r.gebiet_id, str) else None,
                    year=None if pd.isna(r.year) else int(r.year),
                    u3=int(num(r.u3)),
                    ue3=int(num(r.ue3)),
                    zuege=_zuege_value(r.zuege),
                    places=int(num(r.places)),
                    projekt_id=r.projekt_id if isinstance(r.projekt_id, str) and r.projekt_id else None,
                    delay=int(num(r.delay)),
                    units=int(num(r.units)),
                    note=str(r.note) if isinstance(r.note, str) else "",
                )
            )
        except (TypeError, ValueError) as exc:
            raise ScenarioError(f"Maßnahme in Zeile {i}: {exc}") from None
    return tuple(out)


def editor_view(ctx: Context) -> None:
    """Create, change and delete scenarios (parameter changes + measures)."""
    if not uiauth.permitted(Permission.PLAN):
        return
    stored = [s for s in uidata.scenarios(ctx.layout) if s.name != BASELINE_NAME]
    if (saved_as := st.session_state.pop(SAVED_AS, None)) is not None:
        # After a save the editor holds the stored scenario (its new revision): saving again is
        # an update, never a conflict with oneself.
        st.session_state["edit_scenario"] = saved_as
    choice = st.selectbox("Szenario bearbeiten", [NEW, *(s.name for s in stored)], key="edit_scenario")
    if (message := st.session_state.pop(SAVED_MESSAGE, None)) is not None:
        st.success(message, icon=":material/check_circle:")
    current = next((s for s in stored if s.name == choice), Scenario(name=""))
    areas = ctx.data.areas[ctx.data.areas["level"] == ctx.data.data_level]
    area_label = {g: f"{g} {n}" for g, n in zip(areas["gebiet_id"], areas["name"], strict=True)}
    label_area = {v: k for k, v in area_label.items()}
    housing = ctx.data.table("wohnbau")
    projects = sorted(housing["projekt_id"].dropna().astype(str)) if not housing.empty else []
    values = current.resolved_params()
    with st.form(f"scenario_form_{choice}", border=True):
        c1, c2 = st.columns([1, 2])
        name = c1.text_input("Name", value=current.name, max_chars=120)
        description = c2.text_input("Beschreibung", value=current.description)
        st.markdown("**Annahmen** (nur Abweichungen vom Standard werden gespeichert)")
        new_values: dict[str, Any] = {}
        tabs = st.tabs(list(SCENARIO_GROUPS))
        for group, tab in zip(SCENARIO_GROUPS, tabs, strict=True):
            with tab:
                cols = st.columns(3)
                params = [p for p in PARAMETERS if p.group == group and p.kind != "profile"]
                for i, p in enumerate(params):
                    with cols[i % 3]:
                        new_values[p.key] = _param_input(p, values[p.key], f"p_{choice}_{p.key}")
        st.markdown("**Maßnahmen** – eine Zeile je Maßnahme; leere Felder zählen als 0")
        edited = st.data_editor(
            _measures_frame(current.measures, area_label),
            num_rows="dynamic",
            width="stretch",
            key=f"measures_{choice}",
            column_config={
                "kind": st.column_config.SelectboxColumn(
                    MEASURE_COLUMNS["kind"],
                    options=list(MEASURE_KINDS.values()),
                    required=True,
                    width="large",
                ),
                # Wide enough for "0405 Sonnenhang" (it was cut to 90 px).
                "gebiet_id": st.column_config.SelectboxColumn(
                    MEASURE_COLUMNS["gebiet_id"], options=list(area_label.values()), width="large"
                ),
                "projekt_id": st.column_config.SelectboxColumn(
                    MEASURE_COLUMNS["projekt_id"], options=projects, width="medium"
                ),
                # "%d": whole numbers without a separator whatever the browser's language ("2028").
                "year": st.column_config.NumberColumn(
                    MEASURE_COLUMNS["year"], step=1, format="%d", min_value=2000, max_value=2100
                ),
                **{
                    k: st.column_config.NumberColumn(v, step=1, format="%d")
                    for k, v in MEASURE_COLUMNS.items()
                    if k in ("u3", "ue3", "places", "delay", "units")
                },
                "zuege": st.column_config.SelectboxColumn(MEASURE_COLUMNS["zuege"], options=ZUEGE_STEPS),
                "note": st.column_config.TextColumn(MEASURE_COLUMNS["note"], width="medium"),
            },
            placeholder="",  # an empty cell stays empty (Streamlit would print "None")
        )
        user = uiauth.author_name() or st.text_input(
            "Ihr Name (für die Änderungshistorie)", key="editor_user"
        )
        saved = st.form_submit_button("Szenario speichern", type="primary")
    if saved:
        changes = {
            k: v for k, v in new_values.items() if v != next(p.default for p in PARAMETERS if p.key == k)
        }
        changes |= {k: v for k, v in current.params.items() if k == "kinder_je_wohnung"}
        try:
            if any(v is INVALID for v in new_values.values()):
                raise ScenarioError(
                    "Nicht gespeichert: bitte zuerst die rot markierten Annahmen berichtigen."
                )
            if not user.strip():
                raise ScenarioError("Bitte Ihren Namen angeben: Änderungen an Szenarien tragen einen Namen.")
            scenario = Scenario(
                name=name,
                description=description,
                params=changes,
                measures=_measures_from(edited, label_area),
                revision=current.revision if name.strip() == current.name else 0,
            )
            result = save_scenario(
                uidata.engine(), ctx.layout.id, scenario, user.strip(), set(area_label), set(projects)
            )
        except ScenarioError as exc:
            st.error(str(exc), icon=":material/error:")
        else:
            state.put(state.SCENARIO, result.name)
            st.session_state[SAVED_AS] = result.name
            st.session_state[SAVED_MESSAGE] = (
                f"Szenario „{components.plain(result.name)}“ gespeichert (Version {result.revision})."
            )
            st.rerun()  # reopen the editor on the stored scenario and its new revision
    if current.id is not None:
        with st.expander("Szenario löschen"):
            sure = st.checkbox(f"„{current.name}“ endgültig löschen", key=f"del_{choice}")
            if st.button("Löschen", disabled=not sure, key=f"del_btn_{choice}"):
                delete_scenario(uidata.engine(), ctx.layout.id, current.name)
                st.success(f"Szenario „{components.plain(current.name)}“ gelöscht.")


# ---------------------------------------------------------------- cohort chain


# ---------------------------------------------------------------- backtest
