"""Indicator sets with traffic lights (Lagebild) and the register editor (Kennzahlen & Ziele)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from planning import small_base
from planning.auth import Permission
from planning.explorer import light_text
from planning.formatting import format_value
from planning.indicators import DOMAINS, Indicator
from planning.registry import SCALES, KennzahlenSet, RegistryError, add_indicator, save_set, save_target
from planning.suppression import GEHEIM, KEINE_DATEN
from planning.targets import GELB, GRUEN, LIGHT_LABELS, LIGHT_SYMBOLS, ROT, Target, change_unit, status_row
from ui import auth as uiauth
from ui import components, state
from ui import data as uidata
from ui.frame import Context
from ui.numberfield import decimal_input
from ui.views import indicators_with_data

SET_KEY = state.INDICATOR_SET.key  # in the URL as set=
OVERVIEW_KEY = "set_overview"


def _on_overview_select(codes: list[str]) -> None:
    rows = st.session_state[OVERVIEW_KEY].selection.rows
    if rows:
        state.put(state.INDICATOR, codes[rows[0]])


def set_overview(ctx: Context) -> None:
    """The chosen indicator set: city value, target, light, trend and district lights per indicator.

    A click on a row opens that indicator in the map below (it becomes the page's indicator).
    """
    sets = ctx.registry.sets
    if not sets:
        st.info("Noch kein Kennzahlenset angelegt (Seite „Kennzahlen & Ziele“).")
        return
    names = [s.name for s in sets]
    if st.session_state.get(SET_KEY) not in names:
        st.session_state[SET_KEY] = names[0]
    c1, c2 = st.columns([2, 3], vertical_alignment="bottom")
    chosen = c1.selectbox("Kennzahlenset", names, key=SET_KEY)
    kset = ctx.registry.set(chosen)
    owner = components.plain(kset.owner or "nicht benannt")
    c2.caption(f"**{components.plain(kset.theme)}**  \nVerantwortlich: {owner}")
    available = tuple(i.code for i in indicators_with_data(ctx))
    rows, codes = _overview_rows(
        ctx.url,
        ctx.layout.code,
        ctx.versions,
        ctx.registry_stamp,
        chosen,
        ctx.level,
        ctx.level_name,
        ctx.year,
        available,
    )
    missing = [c for c in kset.codes if c not in available]
    if not rows:
        st.info("Für die Kennzahlen dieses Sets liegen keine Daten vor.")
        return
    frame = pd.DataFrame(rows)
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        key=OVERVIEW_KEY,
        on_select=lambda: _on_overview_select(codes),
        selection_mode="single-row",
        column_config={
            "Kennzahl": st.column_config.TextColumn(width="medium"),
            "Hinweis": st.column_config.TextColumn(width="medium"),
            f"{GRUEN} / {GELB} / {ROT}": st.column_config.TextColumn(
                help=f"Anzahl {ctx.level_name}e je Ampelfarbe"
            ),
        },
    )
    st.caption(
        f"Ampel gegen den Zielwert: {LIGHT_SYMBOLS[GRUEN]} {LIGHT_LABELS[GRUEN]}, "
        f"{LIGHT_SYMBOLS[GELB]} {LIGHT_LABELS[GELB]}, {LIGHT_SYMBOLS[ROT]} {LIGHT_LABELS[ROT]}. "
        "Trend: Veränderung gegenüber dem Vorjahr (Pp. = Prozentpunkte). "
        "Zeile anklicken: Kennzahl unten auf der Karte."
        + (f" Ohne Daten: {', '.join(missing)}." if missing else "")
    )


@st.cache_data(show_spinner=False, max_entries=64)
def _overview_rows(
    url: str,
    layout_code: str,
    versions: uidata.VersionKey,
    stamp: tuple[object, ...],
    set_name: str,
    level: int,
    level_name: str,
    year: int,
    available: tuple[str, ...],
) -> tuple[list[dict[str, str]], list[str]]:
    """The set overview's lines, computed once per data, register state, set, level and year
    (lights and trends of every indicator of the set: the Lagebild's costliest part otherwise)."""
    registry = uidata.registry(url, stamp)
    rows, codes = [], []
    for code in registry.set(set_name).codes:
        if code not in available:
            continue
        ind = registry.indicator(code)
        target = registry.target(code)
        table = small_base.mark(
            uidata.indicator_table(url, layout_code, versions, code, level, stamp),
            ind,
            small_base.default_minimum(),
        )
        city = uidata.city_series(url, layout_code, versions, code, stamp)
        shown_year = _year_for(table, year)
        st_row = status_row(ind.polarity, ind.decimals, target, table, city, shown_year)
        rows.append(_overview_line(ind, target, st_row, shown_year, year, level_name))
        codes.append(code)
    return rows, codes


def _year_for(table: pd.DataFrame, wanted: int) -> int:
    years = sorted(int(y) for y in table.loc[table["value"].notna() | table["suppressed"], "year"].unique())
    if not years or wanted in years:
        return wanted
    earlier = [y for y in years if y <= wanted]
    return earlier[-1] if earlier else years[0]


def _overview_line(
    ind: Indicator, target: Target | None, row: dict[str, object], year: int, wanted: int, level_name: str
) -> dict[str, str]:
    if row["city_secret"]:
        city = GEHEIM
    elif row["city_value"] is None:
        city = KEINE_DATEN
    else:
        city = ind.format(row["city_value"])  # type: ignore[arg-type]
    trend = row["city_trend"]
    unit = change_unit(ind.unit)
    trend_text = (
        trend.text(lambda v: format_value(v, ind.decimals, unit), short=True)  # type: ignore[attr-defined]
        if trend is not None
        else ""
    )
    counts = f"{row[GRUEN]} / {row[GELB]} / {row[ROT]}" if target is not None else "–"
    notes = []
    if row["worse"]:
        notes.append(f"{row['worse']} schlechter als im Vorjahr")
    if row["secret"]:
        notes.append(f"{row['secret']} {GEHEIM}")
    if row["missing"]:
        notes.append(f"{row['missing']} ohne Daten")
    if row.get("few"):
        notes.append(f"{row['few']} {small_base.label(ind)} (ohne Ampel)")
    return {
        "Kennzahl": ind.label_de + (f" ({year})" if year != wanted else ""),
        "Gesamtstadt": city,
        "Ziel": target.describe(ind.polarity, ind.format) if target else "kein Zielwert",
        "Ampel": light_text(row["city_light"]) if target else "",
        "Trend": trend_text,
        f"{GRUEN} / {GELB} / {ROT}": counts,
        "Hinweis": ", ".join(notes),
    }


# --------------------------------------------------------------------------- register editor


def user_field() -> str:
    """One name field for the whole register page (outside the forms, so it is kept across them).

    Signed in, the person's name is used; a reader gets no field (nothing to save)."""
    if (signed := uiauth.author_name()) is not None or not uiauth.allowed(Permission.PLAN):
        return signed or ""
    return st.text_input(
        "Ihr Name (für die Änderungshistorie)",
        key="register_user",
        help="Zielwerte und Sets tragen den Namen dessen, der sie zuletzt geändert hat.",
    ).strip()


def register_table(ctx: Context) -> None:
    """All indicators with definition, source department, protection and target."""
    rows = []
    for ind in ctx.registry.indicators.values():
        t = ctx.registry.target(ind.code)
        rows.append(
            {
                "Bereich": ind.domain,
                "Kennzahl": ind.label_de,
                "Kürzel": ind.code,
                "Einheit": ind.unit,
                "Zähler": ind.numerator_de,
                "Nenner": ind.denominator_de or "–",
                "Richtung": {1: "höher = günstiger", -1: "höher = ungünstiger", 0: "neutral"}[ind.polarity],
                "Zuständig": ind.department,
                "Geheimhaltung": (
                    f"unter {ind.min_count} Fällen"
                    + (f" oder Nenner unter {ind.min_denominator:g}" if ind.is_rate else "")
                    if ind.sensitive
                    else "–"
                ),
                "Zielwert": t.describe(ind.polarity, ind.format) if t else "–",
                "Sets": ", ".join(s.name for s in ctx.registry.sets if ind.code in s.codes),
                "Herkunft": "hinzugefügt" if ind.custom else ("berechnet" if ind.compute else "importiert"),
            }
        )
    frame = pd.DataFrame(rows).sort_values(["Bereich", "Kennzahl"], key=lambda s: s.map(_domain_order))
    st.dataframe(frame, hide_index=True, width="stretch", height=min(640, 35 * (len(frame) + 1) + 3))


def _domain_order(value: object) -> object:
    return DOMAINS.index(value) if value in DOMAINS else value


def target_editor(ctx: Context, user: str) -> None:
    if not uiauth.permitted(Permission.PLAN):
        return
    inds = ctx.registry.indicators
    codes = [c for c, i in inds.items() if i.polarity != 0 or ctx.registry.target(c)]
    code = st.selectbox("Kennzahl", codes, format_func=lambda c: f"{inds[c].domain} · {inds[c].label_de}")
    ind = inds[code]
    current = ctx.registry.target(code)
    st.caption(
        {
            1: "Höher ist günstiger: grün ab dem Zielwert, gelb bis Zielwert − Toleranz.",
            -1: "Höher ist ungünstiger: grün bis zum Zielwert, gelb bis Zielwert + Toleranz.",
        }.get(ind.polarity, "")
    )
    with st.form(f"target_{code}"):
        c1, c2 = st.columns(2)
        value = decimal_input(
            f"Zielwert ({ind.unit})",
            float(current.target) if current else 0.0,
            decimals=4,
            key=f"target_value_{code}",
            container=c1,
        )
        tol = decimal_input(
            f"Toleranz ({ind.unit})",
            float(current.tolerance) if current else 0.0,
            minimum=0.0,
            decimals=4,
            key=f"target_tolerance_{code}",
            container=c2,
        )
        note = st.text_input("Begründung / Beschluss", value=current.note if current else "")
        if st.form_submit_button("Zielwert speichern", type="primary"):
            if not user:
                st.error("Bitte oben Ihren Namen angeben.")
                return
            if value is None or tol is None:
                st.error("Nicht gespeichert: bitte zuerst Zielwert und Toleranz berichtigen.")
                return
            try:
                saved = save_target(
                    uidata.engine(),
                    Target(code, value, tol, note, revision=current.revision if current else 0),
                    user,
                )
            except (RegistryError, ValueError) as exc:
                st.error(str(exc))
                return
            rule = saved.describe(ind.polarity, ind.format)
            st.success(f"Gespeichert: {components.plain(ind.label_de)} – {rule}.")


def set_editor(ctx: Context, user: str) -> None:
    if not uiauth.permitted(Permission.PLAN):
        return
    inds = ctx.registry.indicators
    options = ["– neues Set –", *[s.name for s in ctx.registry.sets]]
    pick = st.selectbox("Set bearbeiten", options, key="set_edit_pick")
    current = None if pick == options[0] else ctx.registry.set(pick)
    with st.form(f"set_{pick}"):
        name = st.text_input("Name", value=current.name if current else "", disabled=current is not None)
        theme = st.text_input("Thema", value=current.theme if current else "")
        owner = st.text_input("Verantwortlich (Gruppe / Amt)", value=current.owner if current else "")
        codes = st.multiselect(
            "Kennzahlen (in dieser Reihenfolge)",
            list(inds),
            default=list(current.codes) if current else [],
            format_func=lambda c: f"{inds[c].domain} · {inds[c].label_de}",
            placeholder="Kennzahlen wählen",
            select_all=False,  # "Select all" is English
        )
        if st.form_submit_button("Set speichern", type="primary"):
            if not user:
                st.error("Bitte oben Ihren Namen angeben.")
                return
            kset = KennzahlenSet(
                name=current.name if current else name,
                theme=theme,
                owner=owner,
                codes=tuple(codes),
                revision=current.revision if current else 0,
            )
            try:
                save_set(uidata.engine(), kset, user)
            except RegistryError as exc:
                st.error(str(exc))
                return
            st.success(f"Kennzahlenset „{components.plain(kset.name)}“ gespeichert.")


def indicator_form(user: str) -> None:
    """Add an imported indicator: its values then arrive through the Kennzahlen import."""
    if not uiauth.permitted(Permission.PLAN):
        return
    with st.form("new_indicator"):
        c1, c2, c3 = st.columns([2, 1, 1])
        label = c1.text_input("Bezeichnung", placeholder="z. B. Schulabsentismus")
        code = c2.text_input("Kürzel (für den Import)", placeholder="schulabsentismus")
        domain = c3.selectbox("Bereich", DOMAINS, index=DOMAINS.index("Jugendhilfe"))
        c1, c2, c3, c4 = st.columns(4)
        scale_label = c1.selectbox("Maßstab", list(SCALES))
        unit = c2.text_input("Einheit", value="%")
        decimals = c3.number_input("Nachkommastellen", 0, 3, 1)
        polarity = c4.selectbox(
            "Richtung",
            [-1, 0, 1],
            format_func=lambda p: {1: "höher = günstiger", -1: "höher = ungünstiger", 0: "neutral"}[p],
        )
        numerator = st.text_input("Zähler (was wird gezählt?)")
        denominator = st.text_input("Nenner (Bezugsgröße; leer bei Anzahl)")
        c1, c2 = st.columns(2)
        department = c1.text_input("Zuständig (liefert die Zahl)", placeholder="Jugendamt")
        definition = c2.text_input("Definition / Quelle")
        c1, c2, c3 = st.columns(3)
        sensitive = c1.checkbox("Personenbezogen sensibel (Geheimhaltung)", value=True)
        min_count = c2.number_input("Mindestfallzahl", 1, 50, 3)
        min_den = c3.number_input("Mindest-Bezugsgröße", 0, 10000, 100)
        if st.form_submit_button("Kennzahl anlegen", type="primary"):
            if not user:
                st.error("Bitte oben Ihren Namen angeben.")
                return
            ind = Indicator(
                code=code,
                label_de=label,
                unit=unit if SCALES[scale_label] is not None or unit != "%" else "",
                domain=domain,
                help_de=definition,
                polarity=int(polarity),
                scale=SCALES[scale_label],
                decimals=int(decimals),
                sensitive=sensitive,
                numerator_de=numerator,
                denominator_de=denominator,
                department=department,
                min_count=int(min_count),
                min_denominator=float(min_den),
            )
            try:
                saved = add_indicator(uidata.engine(), ind, user)
            except RegistryError as exc:
                st.error(str(exc))
                return
            st.success(
                f"Kennzahl „{saved.label_de}“ angelegt. Werte kommen über den Import „Kennzahlen“ "
                f"mit der Kennzahl „{saved.code}“."
            )
