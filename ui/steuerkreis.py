"""The page "Sitzung & Beschlüsse": meetings with their agenda of saved views, meeting mode, the
decision paper (PDF/PPTX) and minutes (Excel), decisions with their snapshot, work orders for the
next meeting, all comments, and the saved views.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd
import streamlit as st

from planning import pages
from planning import steering as sk
from planning.auth import Permission
from planning.formatting import local_stamp
from planning.paper.build import record_tables
from ui import auth as uiauth
from ui import components, meeting, paper_export, since, steering
from ui import data as uidata
from ui.frame import Context


def _default_meeting(meetings: list[sk.MeetingInfo]) -> int:
    """The next meeting that is not closed, else the newest."""
    today = dt.date.today()
    upcoming = [m for m in meetings if m.status != "abgeschlossen" and m.date >= today]
    if upcoming:
        return min(upcoming, key=lambda m: m.date).id
    return meetings[0].id


def meetings_tab(ctx: Context) -> None:
    engine = uidata.engine()
    meetings = sk.list_meetings(engine)
    if uiauth.allowed(Permission.DECIDE):
        with st.expander("Neue Sitzung anlegen", icon=":material/add:", expanded=not meetings):
            _new_meeting_form()
    if not meetings:
        st.info(
            "Noch keine Sitzung. Legen Sie eine an und setzen Sie gespeicherte Ansichten "
            "auf die Tagesordnung."
        )
        return
    by_id = {m.id: m for m in meetings}
    if st.session_state.get("sk_meeting") not in by_id:
        st.session_state["sk_meeting"] = _default_meeting(meetings)
    chosen = st.selectbox("Sitzung", list(by_id), format_func=lambda i: by_id[i].label, key="sk_meeting")
    m = by_id[chosen]
    st.markdown(
        f"### {components.plain(m.body)} · {m.date:%d.%m.%Y}\n"
        f"{components.plain(m.location) or 'Ort offen'} · Status: **{m.status}** · "
        f"Tagesordnung „{components.plain(m.name)}“"
    )
    c1, c2, c3, c4 = st.columns(4)
    c1.button(
        "Sitzungsmodus starten",
        type="primary",
        icon=":material/co_present:",
        on_click=meeting.start,
        args=(m, st.session_state.get(steering.USER, "")),
        disabled=not m.agenda,
        key="sk_start",
        width="stretch",
    )
    stem = f"{m.date:%Y-%m-%d}_{m.name}".replace(" ", "_")
    requested = [
        fmt for col, fmt in zip((c2, c3), paper_export.EXPORTS, strict=True) if paper_export.button(col, fmt)
    ]
    with c4:
        components.excel_button(
            record_tables(engine, m.id, components.base_url()),
            f"{stem}_Protokoll.xlsx",
            "sk_minutes_xlsx",
            "Protokoll (Excel)",
        )
    for fmt in requested:
        paper_export.build(m, fmt, stem)
    paper_export.downloads(m)
    st.caption(
        "Die Vorlage enthält je TOP Karte, Tabelle und Verlauf mit Quelle und Stand (Geheimhaltung wie in "
        "der App), die Kommentare der Fachämter, Beschlüsse, Arbeitsaufträge und das Protokoll."
    )
    if st.toggle("Seit der letzten Sitzung zeigen (TOP 0)", key="sk_since"):
        since.show(m.id, uidata.version_key(ctx.layout.id))
    st.subheader("Tagesordnung")
    _agenda(ctx, m)
    _add_item_form(ctx, m)
    st.subheader("Arbeitsaufträge zur Sitzung")
    _order_overview(sk.order_overview(engine, m))
    st.subheader("Protokoll")
    _minutes(ctx, m)


def _new_meeting_form() -> None:
    with st.form("sk_new_meeting", clear_on_submit=True):
        c1, c2 = st.columns(2)
        name = c1.text_input("Name der Tagesordnung", placeholder="z. B. Steuerkreis März 2027")
        date = c2.date_input("Datum", value=dt.date.today() + dt.timedelta(days=28), format="DD.MM.YYYY")
        body = c1.text_input("Gremium", value="Steuerkreis Bildung und Betreuung")
        location = c2.text_input("Ort")
        user = steering.user_name("sk_new_meeting_user")
        if st.form_submit_button("Sitzung anlegen", type="primary"):
            try:
                created = sk.create_meeting(uidata.engine(), name, date, user, body, location)
            except sk.SteeringError as exc:
                st.error(str(exc))
            else:
                steering.open_meetings.clear()
                st.session_state["sk_meeting"] = created.id
                st.rerun()


def _agenda(ctx: Context, m: sk.MeetingInfo) -> None:
    if not m.agenda:
        st.info(
            "Noch keine Punkte. Speichern Sie auf einer Seite eine Ansicht („Ansicht speichern“) "
            "und setzen Sie sie hier auf."
        )
    for item in m.agenda:
        with st.container(border=True, key=f"sk_top_{item.id}"):
            c1, c2, c_prop, c3, c4, c5 = st.columns([7, 1.3, 2, 0.6, 0.6, 0.6], vertical_alignment="center")
            shown = f" · gezeigt {sk.local_time(item.shown_at):%d.%m.%Y %H:%M} Uhr" if item.shown_at else ""
            what = ""
            if item.view is not None:
                page = pages.title(item.view.page)
                what = f"{page} · {steering.describe_state(ctx, item.view.state)}"
            c1.markdown(
                f"**TOP {item.position}: {components.plain(item.title)}**"
                + (f" — {components.plain(item.presenter)}" if item.presenter else "")
                + (f"  \n{components.plain(what)}{shown}" if what or shown else "")
                + (f"  \n_{components.plain(item.note)}_" if item.note else "")
                + (f"  \n**Beschlussvorschlag:** {components.plain(item.proposal)}" if item.proposal else "")
            )
            if item.view is not None:
                steering.open_view_button(c2, item.view, "Öffnen", f"sk_open_{item.id}")
            if not uiauth.allowed(Permission.DECIDE):
                continue
            with c_prop:
                _proposal_form(item)
            c3.button(
                "▲",
                key=f"sk_up_{item.id}",
                on_click=sk.move_agenda_item,
                args=(uidata.engine(), item.id, -1),
                help="nach oben",
            )
            c4.button(
                "▼",
                key=f"sk_down_{item.id}",
                on_click=sk.move_agenda_item,
                args=(uidata.engine(), item.id, 1),
                help="nach unten",
            )
            c5.button(
                "✕",
                key=f"sk_del_{item.id}",
                on_click=sk.remove_agenda_item,
                args=(uidata.engine(), item.id),
                help="von der Tagesordnung nehmen",
            )


def _proposal_form(item: sk.AgendaEntry) -> None:
    """The TOP's Beschlussvorschlag, prepared before the meeting (saved against its revision)."""
    with (
        st.popover("Beschlussvorschlag", icon=":material/edit_note:", width="stretch"),
        st.form(f"sk_prop_{item.id}", border=False),
    ):
        text = st.text_area(
            f"Beschlussvorschlag zu TOP {item.position}",
            value=item.proposal,
            height=160,
            placeholder="Der Steuerkreis beschließt …",
        )
        user = steering.user_name(f"sk_prop_user_{item.id}")
        if st.form_submit_button("Vorschlag speichern", type="primary"):
            try:
                sk.set_proposal(uidata.engine(), item.id, item.revision, user, text)
            except sk.SteeringError as exc:
                st.error(str(exc))
            else:
                steering.flash(f"Beschlussvorschlag zu TOP {item.position} gespeichert: „{text.strip()}“")
                st.rerun()


def _add_item_form(ctx: Context, m: sk.MeetingInfo) -> None:
    views = sk.list_views(uidata.engine(), ctx.layout.id)
    if not views or not uiauth.allowed(Permission.DECIDE):
        return
    labels = {v.id: f"Nr. {v.id}: {v.title} ({v.created_at:%d.%m.%Y}, {v.created_by})" for v in views}
    with (
        st.expander("Punkt hinzufügen", icon=":material/playlist_add:"),
        st.form(f"sk_add_item_{m.id}", clear_on_submit=True),
    ):
        vid = st.selectbox("Gespeicherte Ansicht", list(labels), format_func=lambda i: labels[i])
        title = st.text_input("Titel des TOP (leer = Titel der Ansicht)")
        c1, c2 = st.columns(2)
        presenter = c1.text_input("Berichterstattung", placeholder="z. B. Jugendamt")
        note = c2.text_input("Hinweis")
        if st.form_submit_button("Auf die Tagesordnung"):
            view = next(v for v in views if v.id == vid)
            try:
                sk.add_agenda_item(uidata.engine(), m.id, title.strip() or view.title, vid, note, presenter)
            except sk.SteeringError as exc:
                st.error(str(exc))
            else:
                st.rerun()


def order_frame(orders: tuple[sk.WorkOrderInfo, ...] | list[sk.WorkOrderInfo], on: dt.date) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Nr.": o.id,
                "Auftrag": o.title,
                "Beauftragt": o.group,
                "Verantwortlich": o.owner,
                "Fällig": o.due.strftime("%d.%m.%Y") if o.due else "–",
                "Status": ("überfällig · " if o.overdue(on) else "") + o.status,
                "Beschluss": o.decision_title or "",
            }
            for o in orders
        ],
        columns=["Nr.", "Auftrag", "Beauftragt", "Verantwortlich", "Fällig", "Status", "Beschluss"],
    )


def _order_overview(ov: sk.OrderOverview) -> None:
    since = ov.since.strftime("%d.%m.%Y") if ov.since else "Beginn"
    c1, c2, c3 = st.columns(3)
    c1.metric("Offen", len(ov.open))
    c2.metric(f"Überfällig am {ov.on:%d.%m.%Y}", len(ov.overdue))
    c3.metric(f"Erledigt seit {since}", len(ov.done_since))
    rows = list(dict.fromkeys([*ov.overdue, *ov.open, *ov.done_since]))
    if rows:
        st.dataframe(order_frame(rows, ov.on), hide_index=True, width="stretch")


def _minutes(ctx: Context, m: sk.MeetingInfo) -> None:
    rec = sk.meeting_record(uidata.engine(), m.id)
    shown = [f"TOP {a.position} {a.title}" for a in rec.shown]
    st.markdown(
        f"**Gezeigt:** {components.plain('; '.join(shown)) if shown else '–'}  \n"
        f"**Beschlossen:** {len(rec.decisions)} · **Beauftragt:** {len(rec.orders)} · "
        f"**Kommentare in der Sitzung:** {len(rec.comments)}"
    )
    for d in rec.decisions:
        st.markdown(f"- Beschluss **{components.plain(d.title)}** ({d.status}): {components.plain(d.text)}")
    for o in rec.orders:
        due = f", fällig {o.due:%d.%m.%Y}" if o.due else ""
        st.markdown(f"- Auftrag **{components.plain(o.title)}** an {components.plain(o.group)}{due}")
    if not uiauth.permitted(Permission.DECIDE):
        if m.minutes:
            st.markdown(f"**Protokollnotizen:** {components.plain(m.minutes)}")
        return
    with st.form(f"sk_minutes_{m.id}"):
        text = st.text_area("Protokollnotizen", value=m.minutes, height=120)
        status = st.selectbox(
            "Status der Sitzung", sk.MEETING_STATUS, index=sk.MEETING_STATUS.index(m.status)
        )
        user = steering.user_name("sk_minutes_user")
        if st.form_submit_button("Protokoll speichern"):
            try:
                sk.update_meeting(uidata.engine(), m.id, m.revision, user, status=status, minutes=text)
            except sk.SteeringError as exc:
                st.error(str(exc))
            else:
                steering.open_meetings.clear()
                st.rerun()


def decisions_tab(ctx: Context) -> None:
    engine = uidata.engine()
    decisions = sk.list_decisions(engine)
    names = {m.id: m.label for m in sk.list_meetings(engine)}
    if not decisions:
        st.info("Noch keine Beschlüsse. Im Sitzungsmodus mit „Beschluss“ erfassen.")
        return
    frame = pd.DataFrame(
        [
            {
                "Datum": d.date.strftime("%d.%m.%Y"),
                "Sitzung": names.get(d.meeting_id or 0, ""),
                "Beschluss": d.title,
                "Text": d.text,
                "Status": d.status,
                "Grundlage": d.view.link(components.base_url()) if d.view else "",
            }
            for d in decisions
        ]
    )
    components.excel_button({"Beschlüsse": frame}, "Beschluesse.xlsx", "sk_dec_xlsx")
    if uiauth.permitted(Permission.DECIDE):
        _decision_status_form({d.id: d for d in decisions})
    for d in decisions:
        with st.container(border=True, key=f"sk_dec_{d.id}"):
            c1, c2, c3 = st.columns([6, 2, 2], vertical_alignment="center")
            c1.markdown(
                f"**{components.plain(d.title)}** · {d.date:%d.%m.%Y} · "
                f"{components.plain(names.get(d.meeting_id or 0, ''))}  \n"
                f"{components.plain(d.text)}"
            )
            c2.markdown(f"Status: **{d.status}**")
            if d.view is not None:
                steering.open_view_button(
                    c3,
                    d.view,
                    "Grundlage öffnen",
                    f"sk_dec_open_{d.id}",
                    help="Zeigt die Ansicht mit dem Datenstand und Szenario von damals.",
                )


def _decision_status_form(by_id: dict[int, sk.DecisionInfo]) -> None:
    _status_form(
        "sk_decision",
        "Beschluss",
        {i: f"{d.date:%d.%m.%Y}: {d.title}" for i, d in by_id.items()},
        sk.DECISION_STATUS,
        lambda i, user, status: sk.update_decision(uidata.engine(), i, by_id[i].revision, user, status),
        lambda i, status: f"Beschluss „{by_id[i].title}“: Status jetzt „{status}“",
    )


def _status_form(
    key: str,
    label: str,
    choices: dict[int, str],
    statuses: tuple[str, ...],
    save: Callable[[int, str, str], object],
    done: Callable[[int, str], str],
) -> None:
    """Set one record's status under the name typed beside it; a change somebody saved since the
    page was read is refused with their name (:class:`planning.steering.SteeringError`)."""
    with st.form(f"{key}_status"):
        c1, c2, c3 = st.columns([3, 1.5, 1.5])
        chosen = c1.selectbox(label, list(choices), format_func=choices.__getitem__)
        status = c2.selectbox("Neuer Status", statuses)
        with c3:
            user = steering.user_name(f"{key}_user")
        if st.form_submit_button("Status ändern"):
            try:
                save(chosen, user, status)
            except sk.SteeringError as exc:
                st.error(str(exc))
            else:
                steering.flash(done(chosen, status))
                st.rerun()


def orders_tab(ctx: Context) -> None:
    engine = uidata.engine()
    orders = sk.list_work_orders(engine)
    ov = sk.order_overview(engine, on=dt.date.today())
    may = uiauth.allowed(Permission.WORK_ORDERS)
    if may and st.button("Neuer Arbeitsauftrag", icon=":material/add_task:", key="sk_new_order"):
        meeting.order_dialog(ctx, None)
    _order_overview(ov)
    if not orders:
        return
    st.markdown("**Alle Arbeitsaufträge**")
    frame = order_frame(orders, dt.date.today())
    st.dataframe(frame, hide_index=True, width="stretch")
    components.excel_button({"Arbeitsaufträge": frame}, "Arbeitsauftraege.xlsx", "sk_orders_xlsx")
    if not may:
        uiauth.explain(Permission.WORK_ORDERS)
        return
    by_id = {o.id: o for o in orders}
    _status_form(
        "sk_order",
        "Auftrag",
        {i: f"Nr. {i}: {o.title}" for i, o in by_id.items()},
        sk.ORDER_STATUS,
        lambda i, user, status: sk.update_work_order(engine, i, by_id[i].revision, user, status=status),
        lambda i, status: f"Arbeitsauftrag Nr. {i} „{by_id[i].title}“: Status jetzt „{status}“",
    )


def comments_tab(ctx: Context) -> None:
    threads = sk.comments_about(uidata.engine(), ctx.layout.id)
    if not threads:
        st.info(
            "Noch keine Kommentare. Sie stehen neben Karte und Tabelle jeder Kennzahl und im Stadtteilprofil."
        )
        return
    names = dict(zip(ctx.data.areas["gebiet_id"], ctx.data.areas["name"], strict=False))

    def label(code: str | None) -> str:
        if not code:
            return ""
        try:
            return ctx.indicator(code).label_de
        except KeyError:
            return code

    frame = pd.DataFrame(
        [
            {
                "Datum": local_stamp(c.created_at, time=False),
                "Fachamt": c.department,
                "Autor": c.author,
                "Kennzahl": label(c.indicator_code),
                "Gebiet": names.get(c.gebiet_id or "", c.gebiet_id or ""),
                "Kommentar": c.text,
                "Antworten": len(c.replies),
                "Status": "erledigt" if c.resolved else "offen",
            }
            for c in threads
        ]
    )
    only_open = st.toggle("Nur offene", value=True, key="sk_comments_open")
    shown = frame[frame["Status"] == "offen"] if only_open else frame
    st.dataframe(shown, hide_index=True, width="stretch")
    components.excel_button({"Kommentare": frame}, "Kommentare.xlsx", "sk_comments_xlsx")


def views_tab(ctx: Context) -> None:
    views = sk.list_views(uidata.engine(), ctx.layout.id)
    if not views:
        st.info("Noch keine gespeicherten Ansichten: auf jeder Seite oben rechts „Ansicht speichern“.")
        return
    for v in views[:50]:
        with st.container(border=True, key=f"sk_view_{v.id}"):
            c1, c2 = st.columns([6, 1], vertical_alignment="center")
            page = pages.title(v.page)
            c1.markdown(
                f"**Nr. {v.id}: {components.plain(v.title)}** · {local_stamp(v.created_at, time=False)} · "
                f"{components.plain(v.created_by)}  \n"
                f"{page} · {components.plain(steering.describe_state(ctx, v.state))}  \n"
                f"`{v.link(components.base_url())}`"
            )
            steering.open_view_button(c2, v, "Öffnen", f"sk_view_open_{v.id}")
