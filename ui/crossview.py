"""Quervergleich: two indicators in one scatter plot, and a priority list over several indicators.

:func:`cross_view` and :func:`ranking_view` draw the tabs of ``pages/querschnitt.py``: widgets and
layout only. The data comes shaped from :mod:`planning.crosstables` (pairs, reference lines,
ranking, CSV), cached here per data version; the figure from :mod:`planning.charts.cross` through
the shared figure cache; the rules (quadrants, correlation, score) from :mod:`planning.crossdomain`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from planning import crossdomain as xd
from planning import crosstables as xt
from planning import small_base
from planning.charts import cross
from planning.formatting import format_value
from planning.indicators import Indicator
from planning.suppression import GEHEIM, KEINE_DATEN
from ui import components, figures, state, tables, views
from ui import data as uidata
from ui.frame import Context

X_KEY, Y_KEY = state.CROSS_X.key, state.CROSS_Y.key  # in the URL as x= and y=
QUADRANT_KEY = "quer_quadrant"
SCATTER_KEY = "quer_scatter"
QUADRANT_TABLE_KEY = "quer_quadrant_table"
RANK_KEY = "quer_rang"
RANK_TABLE_KEY = "quer_rang_table"

DEFAULT_X, DEFAULT_Y = "kinderarmut", "versorgung_u3"
DEFAULT_RANKING = ("kinderarmut", "sprachfoerderbedarf", "versorgung_u3")
ALL_DISTRICTS = xt.ALL_DISTRICTS

figures.shared(cross.scatter)


# ---------------------------------------------------------------- data, cached per data version


def _names(url: str, layout_code: str, versions: uidata.VersionKey, level: int) -> pd.DataFrame:
    areas = uidata.planning_data(url, layout_code, versions).areas
    return areas.loc[areas["level"] == level, ["gebiet_id", "name"]]


@st.cache_data(show_spinner=False, max_entries=64)
def _comparison(
    url: str,
    layout_code: str,
    versions: uidata.VersionKey,
    x_code: str,
    y_code: str,
    level: int,
    year: int,
    stamp: tuple[Any, ...] | None,
) -> xt.Comparison:
    """X against Y on one level (:func:`planning.crosstables.compare`), once per data version."""

    def table(code: str) -> pd.DataFrame:
        return uidata.indicator_table(url, layout_code, versions, code, level, stamp)

    def city(code: str) -> pd.DataFrame:
        return uidata.city_series(url, layout_code, versions, code, stamp)

    names = _names(url, layout_code, versions, level)
    return xt.compare(names, table(x_code), table(y_code), city(x_code), city(y_code), year)


@st.cache_data(show_spinner=False, max_entries=64)
def _ranking(
    url: str,
    layout_code: str,
    versions: uidata.VersionKey,
    codes: tuple[str, ...],
    level: int,
    year: int,
    stamp: tuple[Any, ...] | None,
    level_name: str,
    minimum: float,
    _chosen: tuple[Indicator, ...],
) -> xt.Ranking:
    """The priority list (:func:`planning.crosstables.ranking`), once per data version.

    ``_chosen`` are the indicators of ``codes`` under the register state ``stamp`` (so not hashed).
    """
    tables_all = [uidata.indicator_table(url, layout_code, versions, c, level, stamp) for c in codes]
    names = _names(url, layout_code, versions, level)
    return xt.ranking(names, _chosen, tables_all, year, level_name, minimum)


# ---------------------------------------------------------------- streamlit views


def _options(ctx: Context) -> dict[str, Indicator]:
    """Built-in and added indicators with data, in the order of the other pages' selectors."""
    return {i.code: i for i in views.indicators_with_data(ctx)}


def _ensure(key: str, options: list[str], default: str) -> None:
    if st.session_state.get(key) not in options:
        st.session_state[key] = default if default in options else options[0]


def _select_from_chart() -> None:
    points = st.session_state[SCATTER_KEY].selection.get("points", [])
    for p in points:
        custom = p.get("customdata") or []
        if len(custom) > 3 and custom[3]:
            state.put(state.DISTRICT, custom[3])
            return


def _select_from_table(key: str, ids: list[str]) -> None:
    rows = st.session_state[key].selection.rows
    if rows:
        state.put(state.DISTRICT, ids[rows[0]])


def _styled(shown: pd.DataFrame, columns: dict[str, tuple[Indicator, pd.Series]]) -> Styler:
    """German display of value columns; cells read ``geheim`` or ``keine Daten`` by their status.

    The numbers stay numeric underneath (sorting by a column header works), and a suppressed cell
    holds no number at all.
    """
    styler = shown.style
    for col, (ind, status) in columns.items():
        styler = styler.format(ind.format, subset=[col], na_rep=KEINE_DATEN)
        for label in (GEHEIM, KEINE_DATEN):
            rows = shown.index[(status == label).to_numpy()]
            if len(rows):
                styler = styler.format(lambda _v, t=label: t, subset=pd.IndexSlice[rows, [col]])
        rows = shown.index[(status == xd.FEW).to_numpy()]
        if len(rows):  # shown with its mark; it took no part in the ranking
            styler = styler.format(
                lambda v, i=ind: f"{i.format(v)} ({xd.FEW})", subset=pd.IndexSlice[rows, [col]]
            )
    return styler


def _ranking_styled(shown: pd.DataFrame, columns: dict[str, tuple[Indicator, pd.Series]]) -> Styler:
    """The priority list's display: value cells as :func:`_styled`, rank and score in German."""
    return (
        _styled(shown, columns)
        .format(lambda r: "–" if pd.isna(r) else str(int(r)), subset=["Rang"])
        .format(lambda s: format_value(s, 1), subset=["Punktwert"])
    )


def _selected(ctx: Context) -> str | None:
    ids = ctx.data.areas.loc[ctx.data.areas["level"] == ctx.level, "gebiet_id"].tolist()
    state.ensure_choice(state.DISTRICT, [None, *ids], None)
    selected: str | None = state.get(state.DISTRICT)
    return selected


def cross_view(ctx: Context) -> tuple[Indicator, Indicator] | None:
    """Two indicators across the districts: scatter with city lines, correlation, quadrant table."""
    by_code = _options(ctx)
    codes = list(by_code)
    if len(codes) < 2:
        st.info("Für einen Vergleich braucht es mindestens zwei Kennzahlen mit Daten.")
        return None
    _ensure(X_KEY, codes, DEFAULT_X)
    if st.session_state.get(Y_KEY) not in codes:
        # a different default for Y, so the first view is a real comparison
        rest = [c for c in codes if c != st.session_state[X_KEY]]
        st.session_state[Y_KEY] = DEFAULT_Y if DEFAULT_Y in rest else rest[0]
    c1, c2 = st.columns(2)
    label = {c: f"{i.domain} · {i.label_de}" for c, i in by_code.items()}
    c1.selectbox("Kennzahl X (waagerecht)", codes, key=X_KEY, format_func=label.__getitem__)
    c2.selectbox("Kennzahl Y (senkrecht)", codes, key=Y_KEY, format_func=label.__getitem__)
    x_ind, y_ind = by_code[st.session_state[X_KEY]], by_code[st.session_state[Y_KEY]]
    if x_ind.code == y_ind.code:
        st.caption("X und Y sind dieselbe Kennzahl; für einen Vergleich eine andere wählen.")

    comp = _comparison(
        ctx.url,
        ctx.layout.code,
        ctx.versions,
        x_ind.code,
        y_ind.code,
        ctx.level,
        ctx.year,
        ctx.registry_stamp,
    )
    if comp.year is None:
        st.caption(
            f"Kein gemeinsames Jahr: {x_ind.label_de} aus {comp.x_year or '–'}, "
            f"{y_ind.label_de} aus {comp.y_year or '–'}."
        )
    elif comp.year != ctx.year:
        st.caption(f"Für {ctx.year} liegen nicht beide Kennzahlen vor; verglichen wird {comp.year}.")
    selected = _selected(ctx)
    if comp.ref_label == xt.MEDIAN:
        st.caption("Für die Gesamtstadt fehlt ein Wert; beide Linien liegen am Median der Gebiete.")

    _correlation_cards(comp.correlation)
    st.plotly_chart(
        figures.figure(
            cross.scatter,
            comp.pairs,
            x_ind,
            y_ind,
            comp.x_ref,
            comp.y_ref,
            selected=selected,
            ref_label=comp.ref_label,
        ),
        key=SCATTER_KEY,
        on_select=_select_from_chart,
        selection_mode="points",
        # no mode bar: its button tooltips are English; drag zooms, a double click resets
        config={"displayModeBar": False},
    )
    if comp.x_ref is not None and comp.y_ref is not None:
        _quadrant_table(ctx, comp.pairs, x_ind, y_ind, comp.x_ref, comp.y_ref)
    p = components.plain
    st.caption(
        f"**{p(x_ind.label_de)}** – {p(x_ind.help_de)}  \n**{p(y_ind.label_de)}** – {p(y_ind.help_de)}"
    )
    return x_ind, y_ind


def _correlation_cards(corr: xd.Correlation) -> None:
    strength = corr["strength"]
    reading = "–" if strength is None else strength
    cols = st.columns(4)
    cols[0].metric("Gebiete im Vergleich", str(corr["n"]), border=True)
    cols[1].metric(
        "Korrelation (Pearson r)",
        xt.fmt_number(corr["pearson"], signed=True),
        help="Linearer Zusammenhang, von −1 bis +1.",
        border=True,
    )
    cols[2].metric(
        "Rangkorrelation (Spearman ρ)",
        xt.fmt_number(corr["spearman"], signed=True),
        help="Zusammenhang der Rangfolgen; unempfindlich gegen Ausreißer.",
        border=True,
    )
    cols[3].metric(
        f"Zusammenhang ({corr['direction']})"
        if corr["direction"] and strength != xd.NO_CORRELATION
        else "Zusammenhang",
        reading,
        help="Stärke nach |r|: unter 0,1 kein, ab 0,1 schwach, ab 0,3 mittel, ab 0,5 stark.",
        border=True,
    )
    notes = []
    if corr["reason"]:
        notes.append(corr["reason"])
    if corr["excluded_geheim"]:
        notes.append(f"{corr['excluded_geheim']} Gebiet(e) geheim, nicht einbezogen.")
    if corr["excluded_missing"]:
        notes.append(f"{corr['excluded_missing']} Gebiet(e) ohne Daten.")
    st.caption(
        "Korrelation ist keine Ursache: Ein Zusammenhang über die Gebiete sagt nicht, dass die eine "
        "Kennzahl die andere bewirkt, und nichts über einzelne Familien. " + " ".join(notes)
    )


def _quadrant_table(
    ctx: Context, pairs: pd.DataFrame, x_ind: Indicator, y_ind: Indicator, x_ref: float, y_ref: float
) -> None:
    q = xd.quadrants(
        pairs, x_ref, y_ref, x_ind.polarity, y_ind.polarity, x_label=x_ind.label_de, y_label=y_ind.label_de
    )
    counts = q["quadrant"].value_counts()
    polar = x_ind.polarity != 0 and y_ind.polarity != 0
    choices = cross.ordered_quadrants(([xd.BOTH_UNFAVOURABLE] if polar else []) + q["quadrant"].tolist())
    choices.append(ALL_DISTRICTS)
    _ensure(QUADRANT_KEY, choices, xd.BOTH_UNFAVOURABLE)
    st.selectbox(
        "Gebiete im Quadranten",
        choices,
        key=QUADRANT_KEY,
        format_func=lambda c: f"{c} ({len(q) if c == ALL_DISTRICTS else int(counts.get(c, 0))})",
        help="Lage gegenüber den Linien im Diagramm; ein Gebiet genau auf einer Linie zählt als günstig "
        "(bei Kennzahlen ohne Richtung als „unter“).",
    )
    choice = st.session_state[QUADRANT_KEY]
    part, shown, x_col, y_col = xt.quadrant_rows(q, choice, x_ind, y_ind, ctx.level_name)
    if shown.empty:
        st.caption("Kein Gebiet in diesem Quadranten.")
        return
    ids = part["gebiet_id"].tolist()
    st.dataframe(
        tables.styled(_styled, shown, {x_col: (x_ind, part["x_status"]), y_col: (y_ind, part["y_status"])}),
        hide_index=True,
        width="stretch",
        key=QUADRANT_TABLE_KEY,
        on_select=lambda: _select_from_table(QUADRANT_TABLE_KEY, ids),
        selection_mode="single-row",
    )


def _ranking_choice(ctx: Context, by_code: dict[str, Indicator]) -> list[Indicator]:
    """The indicators of the priority list: a set's directed ones, or picked one by one."""
    codes = list(by_code)
    current = st.session_state.get(RANK_KEY)
    if current is None:
        st.session_state[RANK_KEY] = [c for c in DEFAULT_RANKING if c in codes] or codes[:3]
    else:
        st.session_state[RANK_KEY] = [c for c in current if c in codes]
    sets_with = [k for k in ctx.registry.sets if any(c in codes for c in k.codes)]
    if sets_with:

        def _take_set() -> None:
            chosen = st.session_state.get("quer_rang_set")
            if chosen:
                kset = ctx.registry.set(chosen)
                st.session_state[RANK_KEY] = [c for c in kset.codes if c in codes]

        st.selectbox(
            "Kennzahlen eines Sets übernehmen",
            [None, *[k.name for k in sets_with]],
            key="quer_rang_set",
            format_func=lambda n: "– Set wählen –" if n is None else n,
            on_change=_take_set,
            help="Übernimmt die Kennzahlen des Sets mit Richtung (neutrale bleiben außen vor).",
        )
    st.multiselect(
        "Kennzahlen der Prioritätenliste",
        codes,
        key=RANK_KEY,
        format_func=lambda c: f"{by_code[c].domain} · {by_code[c].label_de}",
        placeholder="Kennzahlen wählen",
        select_all=False,  # its bulk action reads "Select all": the interface speaks German
        help="Nur Kennzahlen mit Richtung (höher = besser oder höher = schlechter); "
        "bei neutralen Kennzahlen ist „ungünstig“ nicht bestimmt.",
    )
    return [by_code[c] for c in st.session_state[RANK_KEY]]


def ranking_view(ctx: Context) -> list[Indicator]:
    """Priority list: districts ranked over the chosen directed indicators, with CSV download."""
    by_code = {c: i for c, i in _options(ctx).items() if i.polarity != 0}
    if not by_code:
        st.info("Es gibt noch keine Kennzahlen mit Richtung (höher = besser oder schlechter).")
        return []
    chosen = _ranking_choice(ctx, by_code)
    if not chosen:
        st.info("Bitte mindestens eine Kennzahl wählen.")
        return []
    r = _ranking(
        ctx.url,
        ctx.layout.code,
        ctx.versions,
        tuple(i.code for i in chosen),
        ctx.level,
        ctx.year,
        ctx.registry_stamp,
        ctx.level_name,
        small_base.default_minimum(),
        tuple(chosen),
    )
    if r.year is None:
        st.caption(
            "Kein gemeinsames Jahr aller Kennzahlen; je Kennzahl das nächstliegende Jahr (in Klammern)."
        )
    elif r.year != ctx.year:
        st.caption(f"Für {ctx.year} liegen nicht alle Kennzahlen vor; verglichen wird {r.year}.")
    ranking = r.ranking
    statuses = {
        h: (ind, ranking[xd.status_column(ind.code)]) for ind, h in zip(chosen, r.headers, strict=True)
    }
    ids = ranking["gebiet_id"].tolist()
    st.dataframe(
        tables.styled(_ranking_styled, r.shown, statuses),
        hide_index=True,
        width="stretch",
        height=min(600, 35 * (len(r.shown) + 1) + 3),
        key=RANK_TABLE_KEY,
        on_select=lambda: _select_from_table(RANK_TABLE_KEY, ids),
        selection_mode="single-row",
        column_config={
            "Punktwert": st.column_config.Column(
                help="Mittel der Perzentilränge: 100 = ungünstigster Wert aller Gebiete, 0 = günstigster"
            ),
            "Ungünstig in": st.column_config.Column(
                help="Kennzahlen, bei denen das Gebiet im ungünstigsten Viertel liegt (Perzentil ≥ 75), "
                "von den Kennzahlen mit Wert"
            ),
        },
    )
    selected = _selected(ctx)
    if selected in ids:
        row = ranking[ranking["gebiet_id"] == selected].iloc[0]
        rank_text = "ohne Rang" if pd.isna(row["rank"]) else f"Rang {int(row['rank'])}"
        ranked = int(ranking["rank"].notna().sum())
        st.caption(f"Ausgewählt: **{components.plain(row['name'])}** – {rank_text} von {ranked}.")
    st.caption(
        f"Punktwert je Gebiet: Mittel über die {len(chosen)} Kennzahlen des Perzentilrangs in ungünstiger "
        "Richtung (Anteil der übrigen Gebiete mit günstigerem Wert; 100 = ungünstigster Wert). Gebiete mit "
        "geheimen oder fehlenden Werten werden über die übrigen Kennzahlen bewertet und sind markiert. "
        "Ein Rang ist ein Hinweis zum Hinsehen, keine Bewertung eines Gebiets."
    )
    if components.may_export():
        st.download_button(
            "Prioritätenliste als CSV herunterladen",
            data=r.csv,
            file_name=f"prioritaetenliste_{r.year if r.year is not None else ctx.year}.csv",
            mime="text/csv",
            key="quer_rang_csv",
            on_click="ignore",
        )
    return chosen
