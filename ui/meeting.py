"""Meeting mode (Sitzungsmodus) for the shared screen: large type, high contrast, no sidebar, the
agenda's saved views one step apart, the district under discussion one click away, and comment,
decision and work order recorded on the spot.

The mode lives in the URL (``?sitzung=3&top=2``), so a reload of the shared screen keeps its place.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from functools import partial
from html import escape

import streamlit as st

from planning import auth, pages
from planning import since as since_mod
from planning import steering as sk
from planning.auth import Permission
from planning.db import session_scope
from ui import auth as uiauth
from ui import data as uidata
from ui import state, steering
from ui.frame import Context

#: Every rule applies only while the meeting bar is on the page (``:has``): Streamlit may keep a
#: style element of an earlier run, and leaving meeting mode must bring the sidebar back at once.
_ON = "html:has(.st-key-sitzung_leiste)"
CSS = f"""
<style>
{_ON} [data-testid="stSidebar"], {_ON} [data-testid="stSidebarCollapsedControl"],
{_ON} [data-testid="stExpandSidebarButton"], {_ON} header[data-testid="stHeader"] {{
  display: none !important;
}}
html:has(.st-key-sitzung_leiste) {{ font-size: 19px; }}
{_ON} .stApp {{ background: #ffffff; color: #0b0b0b; }}
{_ON} [data-testid="stMainBlockContainer"] {{ padding-top: 0.8rem; max-width: 100%; }}
{_ON} h1 {{ font-size: 2.3rem !important; }}
{_ON} h2, {_ON} h3 {{ font-size: 1.6rem !important; }}
{_ON} [data-testid="stCaptionContainer"] {{ color: #222 !important; font-size: 1rem !important; }}
{_ON} [data-testid="stMetricValue"] {{ font-size: 2.6rem !important; }}
{_ON} [data-testid="stTable"] td, {_ON} [data-testid="stTable"] th {{
  font-size: 1.25rem !important; color: #111 !important; padding: 0.35rem 0.6rem !important;
}}
{_ON} [data-testid="stMarkdownContainer"] p {{ color: #111; }}
{_ON} .pa-rank-table td, {_ON} .pa-rank-table th {{ font-size: 1.2rem !important; color: #111 !important; }}
.st-key-sitzung_leiste {{ background: #0f2a4a; border-radius: 0.6rem; padding: 0.6rem 1rem; }}
.st-key-sitzung_leiste button, .st-key-sitzung_leiste button:hover,
.st-key-sitzung_leiste button:focus, .st-key-sitzung_leiste button:active {{
  background: #ffffff !important; border-color: #ffffff !important;
}}
.st-key-sitzung_leiste button p, .st-key-sitzung_leiste button span {{
  color: #0f2a4a !important; font-weight: 600;
}}
.st-key-sitzung_leiste button:disabled {{ opacity: 0.35; }}
.st-key-sitzung_leiste [data-testid="stWidgetLabel"] p {{ color: #fff !important; font-size: 0.95rem; }}
.st-key-sitzung_leiste .sitzung-top {{ color: #fff; font-size: 1.7rem; font-weight: 700; line-height: 1.2; }}
.st-key-sitzung_leiste .sitzung-sub {{ color: #e5edf7; font-size: 1rem; }}
.st-key-sitzung_leiste .sitzung-vorschlag {{ color: #fff; font-size: 1.05rem; margin-top: 0.25rem;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }}
.sitzung-ok {{ background: #e7f6ec; border: 2px solid #15803d; color: #0b3d1c; border-radius: 0.6rem;
  padding: 0.7rem 1rem; font-size: 1.35rem; font-weight: 600; }}
</style>
"""


def active_meeting() -> sk.MeetingInfo | None:
    mid = state.get(state.MEETING)
    if not mid:
        return None
    try:
        return sk.get_meeting(uidata.engine(), int(mid))
    except sk.SteeringError:
        stop()
        return None


#: The (meeting, TOP) whose view this session has opened; a link to another TOP opens that one.
_OPENED = "_sitzung_top_geoeffnet"


def follow_link() -> None:
    """A link ``?sitzung=N&top=K`` (or a reload on it) shows TOP K's page, not just its title."""
    mid, pos = state.get(state.MEETING), state.get(state.AGENDA_POS)
    if not mid:
        return
    key = (int(mid), 1 if pos is None else int(pos))
    if st.session_state.get(_OPENED) == key:
        return
    meeting = active_meeting()
    if meeting is None or not meeting.agenda:
        return
    _show(meeting, key[1], mark=False)


#: TOP 0 opens every meeting: „Seit der letzten Sitzung“ (on the Sitzung page, see ``opening``).
OPENING = 0
OPENING_TITLE = since_mod.TITLE


def _show(meeting: sk.MeetingInfo, pos: int, mark: bool = True) -> None:
    """Go to TOP ``pos`` (1-based; 0 = „Seit der letzten Sitzung“): its saved view, and note that it
    was shown (callback)."""
    if not meeting.agenda:
        return
    pos = min(max(pos, OPENING), len(meeting.agenda))
    st.session_state[_OPENED] = (meeting.id, pos)
    st.session_state.pop(steering.FLASH, None)
    state.put(state.AGENDA_POS, pos)
    if pos == OPENING:
        steering.leave_view()
        steering.goto("steuerkreis")
        return
    item = meeting.agenda[pos - 1]
    if mark and uiauth.allowed(
        Permission.DECIDE
    ):  # the minutes are the meeting's record, kept by its members
        sk.mark_shown(uidata.engine(), item.id)
    if item.view is not None:
        steering.open_view(item.view)
    else:
        steering.leave_view()


def start(meeting: sk.MeetingInfo, user: str = "") -> None:
    """Open meeting mode at TOP 0, „Seit der letzten Sitzung“ (callback)."""
    state.put(state.MEETING, meeting.id)
    if meeting.status == "geplant" and uiauth.allowed(Permission.DECIDE):
        with contextlib.suppress(sk.SteeringError):  # the status is a convenience; the meeting runs anyway
            who = uiauth.author_name() or user or "Sitzungsleitung"
            sk.update_meeting(uidata.engine(), meeting.id, meeting.revision, who, status="laufend")
    _show(meeting, OPENING)


def stop() -> None:
    for key in (state.MEETING, state.AGENDA_POS):
        st.session_state.pop(key.key, None)
    steering.leave_view()
    steering.goto("steuerkreis")


def _focus_district() -> None:
    gid = st.session_state.get("sitzung_gebiet")
    if gid:
        state.put(state.DISTRICT, gid)


def _to_profile() -> None:
    _focus_district()
    steering.goto("stadtteilprofil")


def _may(permission: Permission) -> dict[str, object]:
    """Button arguments: disabled, with the reason as help, when the person may not."""
    if uiauth.allowed(permission):
        return {}
    return {"disabled": True, "help": f"Nur mit dem Recht „{auth.PERMISSION_LABELS[permission]}“."}


def frame(ctx: Context | None) -> None:
    """The meeting bar above every page while meeting mode is on."""
    meeting = active_meeting()
    if meeting is None:
        return
    st.html(CSS)
    raw = state.get(state.AGENDA_POS)
    pos = 1 if raw is None else int(raw)
    n = len(meeting.agenda)
    item = meeting.agenda[pos - 1] if 0 < pos <= n else None
    with st.container(key="sitzung_leiste"):
        c_title, c_prev, c_next = st.columns([6, 1, 1], vertical_alignment="center")
        with c_title:
            if pos == OPENING:
                top = f"TOP 0 von {n}: {OPENING_TITLE}"
            else:
                top = f"TOP {pos} von {n}: {item.title}" if item else "Keine Tagesordnungspunkte"
            st.html(
                f'<div class="sitzung-top">{escape(top)}</div>'
                f'<div class="sitzung-sub">{escape(meeting.body)} · {meeting.date:%d.%m.%Y}'
                + (f" · {escape(item.presenter)}" if item and item.presenter else "")
                + "</div>"
                + (
                    f'<div class="sitzung-vorschlag"><b>Beschlussvorschlag:</b> {escape(item.proposal)}</div>'
                    if item and item.proposal
                    else ""
                )
            )
        c_prev.button(
            "◀ Zurück",
            on_click=_show,
            args=(meeting, pos - 1),
            disabled=pos <= OPENING,
            key="top_prev",
            width="stretch",
        )
        c_next.button(
            "Weiter ▶",
            on_click=_show,
            args=(meeting, pos + 1),
            disabled=pos >= n,
            key="top_next",
            width="stretch",
        )
        if ctx is None:
            return
        c_area, c_prof, c_com, c_dec, c_ord, c_agenda, c_end = st.columns(
            [2.4, 1.3, 1.5, 1.4, 1.7, 1.5, 1.1], vertical_alignment="bottom"
        )
        areas = ctx.data.areas.loc[ctx.data.areas["level"] == ctx.level, ["gebiet_id", "name"]].sort_values(
            "name"
        )
        names = dict(zip(areas["gebiet_id"], areas["name"], strict=False))
        current = state.get(state.DISTRICT)
        if st.session_state.get("sitzung_gebiet") not in names or current in names:
            st.session_state["sitzung_gebiet"] = current if current in names else None
        c_area.selectbox(
            f"{ctx.level_name} im Blick",
            list(names),
            format_func=lambda g: names[g],
            index=None,
            placeholder="Gebiet wählen …",
            key="sitzung_gebiet",
            on_change=_focus_district,
        )
        c_prof.button("Profil öffnen", on_click=_to_profile, key="sitzung_profil", width="stretch")
        # the room's records, each a dialog, open to those with the right
        records = (
            (c_com, "Kommentar", ":material/forum:", "sitzung_kommentar", Permission.COMMENT),
            (c_dec, "Beschluss", ":material/gavel:", "sitzung_beschluss", Permission.DECIDE),
            (c_ord, "Arbeitsauftrag", ":material/assignment:", "sitzung_auftrag", Permission.WORK_ORDERS),
        )
        dialogs = {
            Permission.COMMENT: partial(comment_dialog, ctx, meeting),
            Permission.DECIDE: partial(decision_dialog, ctx, meeting, item),
            Permission.WORK_ORDERS: partial(order_dialog, ctx, meeting),
        }
        for column, label, icon, key, permission in records:
            if column.button(label, icon=icon, key=key, width="stretch", **_may(permission)):
                dialogs[permission]()
        with c_agenda.popover("Tagesordnung", width="stretch"):
            st.button(
                f"{'▶ ' if pos == OPENING else ''}TOP 0: {OPENING_TITLE}",
                on_click=_show,
                args=(meeting, OPENING),
                key="top_jump_0",
                width="stretch",
            )
            for entry in meeting.agenda:
                mark = "▶ " if entry.position == pos else ("✓ " if entry.shown_at else "")
                st.button(
                    f"{mark}TOP {entry.position}: {entry.title}",
                    on_click=_show,
                    args=(meeting, entry.position),
                    key=f"top_jump_{entry.id}",
                    width="stretch",
                )
        c_end.button("Beenden", on_click=stop, key="sitzung_ende", width="stretch")
    done = st.session_state.get(steering.FLASH)
    if done:
        st.html(f'<div class="sitzung-ok" role="status">✔ {escape(done)}</div>')


def _subject(ctx: Context) -> tuple[str | None, str | None]:
    code = state.get(state.INDICATOR)
    gid = state.get(state.DISTRICT)
    names = set(ctx.data.areas["gebiet_id"])
    return (code or None), (gid if gid in names else None)


@st.dialog("Kommentar erfassen", width="large")
def comment_dialog(ctx: Context, meeting: sk.MeetingInfo) -> None:
    code, gid = _subject(ctx)
    names = dict(zip(ctx.data.areas["gebiet_id"], ctx.data.areas["name"], strict=False))
    options = steering.comment_scopes(ctx, code, gid, names)
    if not options:
        st.info("Wählen Sie zuerst eine Kennzahl oder ein Gebiet; der Kommentar steht dann daneben.")
        return
    scope = st.radio("Bezieht sich auf", list(options), key="dlg_comment_scope")
    st.caption(
        f"Der Kommentar wird mit dem Jahr {steering.shown_year(ctx)} und dem Datenstand der Ansicht "
        "festgehalten; rücken die Zahlen weiter, steht das dabei."
    )
    text = st.text_area("Interpretation", key="dlg_comment_text")
    dept = steering.department_field("dlg_comment_dept")
    user = steering.user_name("dlg_comment_user")
    if st.button("Kommentar speichern", type="primary", key="dlg_comment_save"):
        steering.save_comment(ctx, text, dept, user, scope=scope, about=options[scope], meeting_id=meeting.id)


@st.dialog("Beschluss erfassen", width="large")
def decision_dialog(ctx: Context, meeting: sk.MeetingInfo, item: sk.AgendaEntry | None = None) -> None:
    basis = steering.describe_state(ctx, state.view_state())
    if item is not None and item.proposal and "dlg_dec_text" not in st.session_state:
        # Recording starts from the prepared proposal; the room changes what it decides otherwise.
        st.session_state["dlg_dec_title"] = item.title
        st.session_state["dlg_dec_text"] = item.proposal
    title = st.text_input("Titel", key="dlg_dec_title")
    text = st.text_area("Beschlusstext", key="dlg_dec_text", height=140)
    if item is not None and item.proposal:
        by = f" ({item.proposal_by})" if item.proposal_by else ""
        st.caption(f"Vorausgefüllt mit dem Beschlussvorschlag zu TOP {item.position}{by}.")
    status = st.selectbox("Status", sk.DECISION_STATUS, key="dlg_dec_status")
    st.caption(
        f"Grundlage: die Ansicht auf dem Bildschirm ({pages.title(ctx.page)}"
        + (f" · {basis}" if basis else "")
        + "). Sie wird mit Datenstand und Szenario festgehalten und bleibt so abrufbar."
    )
    user = steering.user_name("dlg_dec_user")
    if st.button("Beschluss speichern", type="primary", key="dlg_dec_save"):
        try:
            with session_scope(uidata.engine()) as s:
                view = steering.save_current_view(
                    ctx, f"Grundlage: {title.strip() or 'Beschluss'}", user, session=s
                )
                sk.add_decision(
                    uidata.engine(), title, text, user, meeting.id, meeting.date, status, view.id, session=s
                )
        except sk.SteeringError as exc:
            st.error(str(exc))
        else:
            steering.flash(f"Beschluss festgehalten ({status}): „{title.strip()}“ – {text.strip()}")
            st.rerun()


@st.dialog("Arbeitsauftrag erteilen", width="large")
def order_dialog(ctx: Context, meeting: sk.MeetingInfo | None) -> None:
    title = st.text_input("Auftrag", key="dlg_ord_title")
    description = st.text_area("Beschreibung", key="dlg_ord_text")
    c1, c2 = st.columns(2)
    group = c1.selectbox("Beauftragt", sk.GROUPS, key="dlg_ord_group", accept_new_options=True)
    owner = c2.text_input("Verantwortlich", key="dlg_ord_owner")
    due = c1.date_input(
        "Fällig bis",
        value=(meeting.date if meeting else dt.date.today()) + dt.timedelta(days=56),
        format="DD.MM.YYYY",
        key="dlg_ord_due",
    )
    decisions = sk.list_decisions(uidata.engine(), meeting.id if meeting else None)
    labels = {d.id: d.title for d in decisions}
    decision = c2.selectbox(
        "Zu Beschluss",
        [0, *labels],
        index=len(labels) if labels else 0,
        format_func=lambda i: labels.get(i, "– ohne –"),
        key="dlg_ord_decision",
    )
    codes = {i.code: i.label_de for i in ctx.registry.indicators.values()}
    current = state.get(state.INDICATOR)
    indicators = st.multiselect(
        "Kennzahlen",
        list(codes),
        default=[current] if current in codes else [],
        format_func=lambda c: codes[c],
        key="dlg_ord_indicators",
        placeholder="Kennzahlen wählen",
        select_all=False,  # "Select all" is English
    )
    user = steering.user_name("dlg_ord_user")
    if st.button("Auftrag speichern", type="primary", key="dlg_ord_save"):
        try:
            sk.add_work_order(
                uidata.engine(),
                title,
                group or "",
                user,
                owner=owner,
                due=due if isinstance(due, dt.date) else None,
                decision_id=decision or None,
                meeting_id=meeting.id if meeting else None,
                indicators=indicators,
                description=description,
            )
        except sk.SteeringError as exc:
            st.error(str(exc))
        else:
            when = f", fällig {due:%d.%m.%Y}" if isinstance(due, dt.date) else ""
            steering.flash(f"Arbeitsauftrag erteilt an {group or '–'}{when}: „{title.strip()}“")
            st.rerun()
