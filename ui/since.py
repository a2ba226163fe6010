"""„Seit der letzten Sitzung“ on the shared screen: TOP 0 of meeting mode (and on the meeting tab).

The report is built in ``planning.since``; this module only lays it out in large type.
"""

from __future__ import annotations

from html import escape

import pandas as pd
import streamlit as st

from planning import since
from ui import data as uidata
from ui import state
from ui.frame import Context

#: Rows per table on the shared screen (the paper's first page prints them all).
ROOM_ROWS = 8


@st.cache_data(ttl=60, show_spinner="Vergleich mit der letzten Sitzung …", max_entries=16)
def report(url: str, meeting_id: int, stamp: tuple[object, ...]) -> since.SinceReport:
    """Built once per meeting and data (two plans and the target tables take a few seconds)."""
    return since.since_last_meeting(uidata.engine_for(url), meeting_id)


def _table(frame: pd.DataFrame, rows: int = ROOM_ROWS) -> str:
    head = "".join(f"<th>{escape(str(c))}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in row) + "</tr>"
        for row in frame.head(rows).itertuples(index=False)
    )
    more = f'<p class="since-more">… und {len(frame) - rows} weitere</p>' if len(frame) > rows else ""
    return f'<table class="pa-rank-table since-table"><tr>{head}</tr>{body}</table>{more}'


CSS = """<style>
.since-table td:nth-child(3) { text-align: left; }
.since-box h3 { margin: 0.2rem 0 0.4rem 0; }
.since-more { color: #333; }
.since-group { font-weight: 700; font-size: 1.2rem; margin: 0.6rem 0 0.2rem 0; color: #111; }
.since-target { font-size: 1.2rem; color: #111; margin: 0 0 0.5rem 0; padding-left: 0.6rem;
  border-left: 0.4rem solid #1a9850; }
.since-target.since-missed { border-left-color: #d73027; }
</style>"""


def show(meeting_id: int, stamp: tuple[object, ...]) -> None:
    r = report(uidata.db_url(), meeting_id, stamp)
    st.html(CSS)
    st.markdown(f"### {escape(r.since_label)}")
    if r.previous is None:
        st.info("Für diese Sitzung gibt es keine frühere Sitzung desselben Gremiums.")
    ov = r.orders
    missed = sum(not t.met for t in r.targets)
    c = st.columns(5)
    c[0].metric("Neue Datenstände", len(r.new_versions))
    c[1].metric("Ziele neu verfehlt", missed)
    c[2].metric("Ziele neu erreicht", len(r.targets) - missed)
    c[3].metric("Aufträge überfällig", len(ov.overdue))
    c[4].metric("Aufträge erledigt", len(ov.done_since))
    left, right = st.columns([1.15, 1])
    with left:
        st.markdown("#### Größte Veränderungen gegenüber der letzten Sitzung")
        groups = since.moved_groups(r)
        if not groups:
            st.markdown("Keine: die Zahlen der damals gezeigten Ansichten sind unverändert.")
        for title, frame in groups:
            st.html(f'<p class="since-group">{escape(title)}</p>' + _table(frame))
        st.markdown("#### Neue Datenstände")
        lines = since.version_lines(r)
        st.markdown("\n".join(f"- {escape(x)}" for x in lines) if lines else "Keine neuen Daten.")
    with right:
        years = {(t.year_before, t.year_now) for t in r.targets}
        when = f" ({min(years)[0]} → {min(years)[1]})" if len(years) == 1 else ""
        st.markdown(f"#### Ziele neu verfehlt oder erreicht{when}")
        targets = since.target_table(r)
        if targets.empty:
            st.markdown("Keine Ampel hat gewechselt.")
        for (what, figure), frame in targets.groupby(["Ziel", "Kennzahl"], sort=False):
            now = [v.rsplit(" (", 1)[0] for v in frame["jetzt"]]  # the year is in the section title
            areas = ", ".join(f"{g} ({v})" for g, v in zip(frame["Gebiet"], now, strict=True))
            mark = "since-missed" if what == "neu verfehlt" else "since-met"
            st.html(
                f'<p class="since-target {mark}"><b>{escape(str(what))}: {escape(str(figure))}</b> – '
                f"{escape(areas)}</p>"
            )
        st.markdown("#### Arbeitsaufträge: überfällig und erledigt")
        orders = since.order_table(r)
        if orders.empty:
            st.markdown("Keine.")
        else:
            st.html(_table(orders))


def opening(ctx: Context) -> bool:
    """In meeting mode at TOP 0: show „Seit der letzten Sitzung“ (True) instead of the page."""
    mid, pos = state.get(state.MEETING), state.get(state.AGENDA_POS)
    if not mid or pos is None or int(pos) != 0:
        return False
    show(int(mid), uidata.version_key(ctx.layout.id))
    return True
