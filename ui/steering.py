"""Streamlit glue of the steering process: saved views (snapshots), comments beside the figures.

Comments are written in one place for every form (:func:`comment_scopes`, :func:`save_comment`,
:func:`department_field`): the panel beside a figure, its replies and the meeting's dialog.

A saved view is opened by a link (``?ansicht=12``) or from the agenda: its URL parameters are
applied, its page is opened and the frame loads the dataset versions it pinned (see ``app.py``).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from planning import comment_basis
from planning import steering as sk
from planning.auth import Permission
from planning.db import session_scope, write_generation
from planning.repository import VersionInfo, list_versions
from planning.steering import View
from ui import auth as uiauth
from ui import components, state
from ui import data as uidata
from ui.frame import Context

_APPLIED = "_applied_view"  # id of the saved view whose parameters were applied in this session
_GOTO = "_goto_page"  # page to open on the next run (set in callbacks, followed in app.py)
USER = "steering_user"  # the name a planner typed once per session


@st.cache_data(show_spinner=False, max_entries=256)
def _view(url: str, view_id: int) -> View:
    """Saved views never change, so one read per id is enough."""
    return sk.get_view(uidata.engine_for(url), view_id)


#: What was just recorded (comment, decision, work order, status): confirmed on the next run, as a
#: large box in the meeting bar (until the next TOP) or as a toast.
FLASH = "_recorded"


def flash(text: str) -> None:
    st.session_state[FLASH] = text


def show_flash(meeting_mode: bool) -> None:
    """Outside meeting mode, the last recording as a toast (the meeting bar shows its own box)."""
    if meeting_mode or FLASH not in st.session_state:
        return
    st.toast(st.session_state.pop(FLASH), icon=":material/check_circle:", duration="long")


def goto(page: str) -> None:
    """Open ``page`` on the next run (usable in callbacks, where ``st.switch_page`` is not)."""
    st.session_state[_GOTO] = page


def pending_page() -> str | None:
    return st.session_state.pop(_GOTO, None)


def open_view(view: View) -> None:
    """Show a saved view: its parameters, its page, its pinned data (callback-safe)."""
    state.apply_view_state(view.state)
    state.carry_to(view.page)
    state.put(state.SNAPSHOT, view.id)
    st.session_state[_APPLIED] = view.id
    goto(view.page)


def open_view_button(column: Any, view: View, label: str, key: str, help: str | None = None) -> None:
    """A button in ``column`` that opens the saved ``view`` (its data versions and scenario)."""
    column.button(label, key=key, on_click=open_view, args=(view,), help=help, width="stretch")


def leave_view() -> None:
    """Back to the current data (the filters stay as they are)."""
    st.session_state.pop(state.SNAPSHOT.key, None)
    st.session_state.pop(_APPLIED, None)


def pinned_view() -> View | None:
    """The saved view this session shows, applying it once when it came in by a link."""
    view_id = state.get(state.SNAPSHOT)
    if not view_id:
        return None
    try:
        view = _view(uidata.db_url(), int(view_id))
    except sk.SteeringError as exc:
        st.warning(str(exc))
        leave_view()
        return None
    if st.session_state.get(_APPLIED) != view.id:
        open_view(view)
        st.session_state.pop(_GOTO, None)  # a link already opened its page
    return view


def user_name(key: str = "steering_user_field") -> str:
    """The signed-in person's name, or a name field shared by all steering forms of the session."""
    if (signed := uiauth.author_name()) is not None:
        st.caption(f"Wird gespeichert als: **{components.plain(signed)}**")
        return signed
    if key not in st.session_state and st.session_state.get(USER):
        st.session_state[key] = st.session_state[USER]
    name = st.text_input("Ihr Name", key=key, help="Steht bei Kommentar, Beschluss und Auftrag.").strip()
    if name:
        st.session_state[USER] = name
    return name


def department_index() -> int:
    """Preselect the signed-in person's department in "Fachamt" (Leitung: Dezernat)."""
    person = uiauth.signed_in()
    if person is None:
        return 0
    wanted = person.department or ("Dezernat" if person.role.value == "leitung" else "")
    return sk.DEPARTMENTS.index(wanted) if wanted in sk.DEPARTMENTS else 0


def department_field(key: str) -> str | None:
    """The "Fachamt" choice of a comment: the person's own preselected, another may be typed."""
    return st.selectbox("Fachamt", sk.DEPARTMENTS, index=department_index(), key=key, accept_new_options=True)


def current_scenario(ctx: Context) -> Any:
    """The scenario the view uses (frozen when it comes from a saved view), or None."""
    name = state.get(state.SCENARIO)
    if not name:
        return None
    if ctx.frozen_scenario is not None and ctx.frozen_scenario.name == name:
        return ctx.frozen_scenario
    return next((s for s in uidata.scenarios(ctx.layout) if s.name == name), None)


def describe_state(ctx: Context, params: dict[str, str]) -> str:
    """A German one-liner of a view's filters, e.g. for agenda rows and banners."""
    parts = []
    if code := params.get(state.INDICATOR.param):
        try:
            parts.append(ctx.indicator(code).label_de)
        except KeyError:
            parts.append(code)
    if (
        (lvl := params.get(state.LEVEL.param)) is not None
        and lvl.isdigit()
        and int(lvl) < len(ctx.layout.levels)
    ):
        parts.append(f"Ebene {ctx.layout.levels[int(lvl)]}")
    if year := params.get(state.YEAR.param):
        parts.append(f"Jahr {year}")
    if gid := params.get(state.DISTRICT.param):
        names = ctx.data.areas.set_index("gebiet_id")["name"]
        parts.append(str(names.get(gid, gid)))
    if scen := params.get(state.SCENARIO.param):
        parts.append(f"Szenario {scen}")
    if part := params.get(state.DOMAIN_VIEW.param):
        parts.append(part)
    return " · ".join(parts)


def save_current_view(ctx: Context, title: str, user: str, session: Any = None) -> View:
    """Freeze what is on screen now (page, filters, versions, scenario)."""
    view = sk.save_view(
        uidata.engine(),
        ctx.layout.id,
        title,
        ctx.page or "lagebild",
        state.view_state(),
        dict(ctx.versions),
        current_scenario(ctx),
        user,
        session=session,
    )
    return view  # what is on screen stays as it is (the current data); the link reopens the snapshot


def view_banner(ctx: Context) -> None:
    """Tell that a saved view is shown with the data of its day, and how to get today's."""
    view = ctx.view
    if view is None:
        return
    active = uidata.version_key(ctx.layout.id)
    newer = [
        ctx.data.versions[k].label if k in ctx.data.versions else k
        for k, vid in active
        if view.versions.get(k) != vid
    ]
    text = (
        f"**Gespeicherte Ansicht „{components.plain(view.title)}“** vom {view.created_at:%d.%m.%Y} "
        f"({components.plain(view.created_by)}): Zahlen mit dem Datenstand von damals"
    )
    if ctx.frozen_scenario is not None:
        text += f", Szenario „{components.plain(ctx.frozen_scenario.name)}“ mit den Annahmen von damals"
    text += "."
    if newer:
        text += " Inzwischen gibt es neuere Daten."
    if state.get(state.MEETING):  # one slim line in the room; today's data one click away
        c1, c2 = st.columns([6, 1], vertical_alignment="center")
        c1.caption(text)
        c2.button("Aktuelle Daten", on_click=leave_view, key="leave_view", width="stretch")
        return
    c1, c2 = st.columns([5, 1], vertical_alignment="center")
    c1.info(text, icon=":material/history:")
    c2.button("Aktuelle Daten zeigen", on_click=leave_view, key="leave_view", width="stretch")


@st.cache_data(ttl=15, show_spinner=False)
def open_meetings(url: str) -> dict[int, str]:
    """Meetings not yet closed, for "Ansicht speichern" beside every page title.

    Read at most every 15 s instead of on every rerun of every page (each meeting with its agenda
    is several queries); a meeting created in this process clears it at once (``.clear()``)."""
    return {m.id: m.label for m in sk.list_meetings(uidata.engine_for(url)) if m.status != "abgeschlossen"}


def save_view_popover(ctx: Context) -> None:
    """ "Ansicht speichern" beside every page title: a snapshot, optionally onto an agenda."""
    if not uiauth.allowed(Permission.COMMENT):
        return  # a reader sees the figures; saving a view is a write
    with (
        st.popover("Ansicht speichern", icon=":material/bookmark_add:"),
        st.form("save_view_form", border=False),
    ):
        title = st.text_input("Titel der Ansicht", placeholder="z. B. U3-Versorgung nach Planungsraum")
        labels = open_meetings(uidata.db_url())
        target = st.selectbox(
            "Auf die Tagesordnung von",
            [0, *labels],
            format_func=lambda i: labels.get(i, "– keiner Sitzung –"),
        )
        user = user_name("save_view_user")
        if st.form_submit_button("Speichern", type="primary"):
            try:
                with session_scope(uidata.engine()) as s:
                    view = save_current_view(ctx, title, user, session=s)
                    if target:
                        sk.add_agenda_item(uidata.engine(), target, view.title, view.id, session=s)
            except sk.SteeringError as exc:
                st.error(str(exc))
            else:
                where = f" und auf die Tagesordnung „{labels[target]}“ gesetzt" if target else ""
                link = view.link(components.base_url())  # the address the browser used, not :8501
                st.success(f"Ansicht Nr. {view.id} gespeichert{where}. Link: {link}")


# ---------------------------------------------------------------- comments


def shown_year(ctx: Context) -> int:
    """The year the page shows: the plan year on the planning parts, else the frame's year."""
    planning_part = ctx.page == "szenarien" or (
        ctx.page in ("kita", "schule") and state.get(state.DOMAIN_VIEW) in (None, "", "Bedarfsplanung")
    )
    plan_year = state.get(state.PLAN_YEAR) if planning_part else None
    return int(plan_year) if plan_year else int(ctx.year)


def comment_binding(ctx: Context) -> dict[str, Any]:
    """What a new comment is bound to: the year and the dataset versions on screen."""
    return {"year": shown_year(ctx), "versions": dict(ctx.versions)}


@st.cache_data(ttl=30, show_spinner=False)
def _known_versions(url: str, layout_id: int, generation: int) -> dict[int, VersionInfo]:
    """Every version of a layout; ``generation`` (planning.db.write_generation) renews it after a write."""
    return {v.id: v for v in list_versions(uidata.engine_for(url), layout_id)}


def basis_line(ctx: Context, c: sk.CommentInfo) -> str:
    """ "(bezieht sich auf 2024, Datenstand … – Zahlen inzwischen fortgeschrieben: …)" or ""."""
    kinds: tuple[str, ...] = ()
    if c.indicator_code:
        try:
            kinds = ctx.indicator(c.indicator_code).sources
        except KeyError:
            kinds = ()
    known = _known_versions(ctx.url, ctx.layout.id, write_generation())
    b = comment_basis.basis(c, known, kinds, shown_year(ctx), dict(ctx.versions))
    if b is None:
        return ""
    return components.plain(b.about) + (f" · :orange[**{components.plain(b.moved)}**]" if b.moved else "")


def _thread_md(ctx: Context, c: sk.CommentInfo, names: dict[str, str]) -> str:
    subject = []
    if c.indicator_code:
        try:
            subject.append(ctx.indicator(c.indicator_code).label_de)
        except KeyError:
            subject.append(c.indicator_code)
    if c.gebiet_id:
        subject.append(names.get(c.gebiet_id, c.gebiet_id))
    head = f"**{components.plain(c.department)}** · {components.plain(c.author)} · {c.created_at:%d.%m.%Y}"
    basis = basis_line(ctx, c)
    return (
        f"{head}  \n_{components.plain(' × '.join(subject))}_"
        + (f"  \n{basis}" if basis else "")
        + f"  \n{components.plain(c.text)}"
    )


def comments_panel(
    ctx: Context, indicator: str | None = None, gebiet_id: str | None = None, key: str = "comments"
) -> None:
    """Interpretations beside a figure: threads with replies, resolve, and a form for a new one."""
    if not indicator and not gebiet_id:
        return
    engine = uidata.engine()
    threads = sk.comments_about(engine, ctx.layout.id, indicator, gebiet_id)
    open_n = sum(not t.resolved for t in threads)
    names = dict(zip(ctx.data.areas["gebiet_id"], ctx.data.areas["name"], strict=False))
    label = f"Kommentare der Fachämter ({open_n} offen)" if threads else "Kommentare der Fachämter"
    with st.expander(label, expanded=bool(open_n), icon=":material/forum:"):
        for t in threads:
            with st.container(border=True, key=f"{key}_thread_{t.id}"):
                st.markdown(("✅ erledigt · " if t.resolved else "") + _thread_md(ctx, t, names))
                for r in t.replies:
                    st.markdown(
                        f"↳ **{components.plain(r.department)}** · {components.plain(r.author)} · "
                        f"{r.created_at:%d.%m.%Y}: {components.plain(r.text)}"
                    )
                if uiauth.allowed(Permission.COMMENT):
                    _thread_actions(ctx, t, key)
        if uiauth.permitted(Permission.COMMENT):
            with st.popover("Neuer Kommentar", icon=":material/add_comment:"):
                _new_comment_form(ctx, indicator, gebiet_id, names, key)


def _thread_actions(ctx: Context, t: sk.CommentInfo, key: str) -> None:
    with (
        st.popover("Antworten / erledigen", icon=":material/reply:"),
        st.form(f"{key}_reply_{t.id}", border=False),
    ):
        text = st.text_area("Antwort", key=f"{key}_reply_text_{t.id}")
        dept = department_field(f"{key}_reply_dept_{t.id}")
        user = user_name(f"{key}_reply_user_{t.id}")
        c1, c2 = st.columns(2)
        reply = c1.form_submit_button("Antworten")
        toggle = c2.form_submit_button("Wieder öffnen" if t.resolved else "Als erledigt markieren")
        if reply:
            save_comment(ctx, text, dept, user, parent_id=t.id)
        if toggle:
            try:
                sk.resolve_thread(uidata.engine(), t.id, user, resolved=not t.resolved, revision=t.revision)
            except sk.SteeringError as exc:
                st.error(str(exc))
            else:
                st.rerun()


def _new_comment_form(
    ctx: Context, indicator: str | None, gebiet_id: str | None, names: dict[str, str], key: str
) -> None:
    scopes = comment_scopes(ctx, indicator, gebiet_id, names, detailed=True)
    with st.form(f"{key}_new", clear_on_submit=True, border=False):
        scope = st.radio("Bezieht sich auf", list(scopes), horizontal=True, key=f"{key}_scope")
        text = st.text_area(
            "Interpretation", key=f"{key}_text", placeholder="Was bedeutet die Zahl? Was wissen Sie dazu?"
        )
        c1, c2 = st.columns(2)
        with c1:
            dept = department_field(f"{key}_dept")
        with c2:
            user = user_name(f"{key}_user")
        if st.form_submit_button("Kommentar speichern", type="primary"):
            meeting = state.get(state.MEETING) or None
            save_comment(ctx, text, dept, user, scope=scope, about=scopes[scope], meeting_id=meeting)


def comment_scopes(
    ctx: Context, indicator: str | None, gebiet_id: str | None, names: dict[str, str], detailed: bool = False
) -> dict[str, tuple[str | None, str | None]]:
    """What a new comment may be about, by its label, most specific first: the area × the indicator,
    the indicator, the area (``detailed``: "(ganze Stadt)" and "(allgemein)" say which)."""
    label = ctx.indicator(indicator).label_de if indicator else ""
    name = names.get(gebiet_id, gebiet_id) if gebiet_id else ""
    city, general = (" (ganze Stadt)", " (allgemein)") if detailed else ("", "")
    scopes: dict[str, tuple[str | None, str | None]] = {}
    if indicator and gebiet_id:
        scopes[f"{name} × {label}"] = (indicator, gebiet_id)
    if indicator:
        scopes[f"Kennzahl „{label}“{city}"] = (indicator, None)
    if gebiet_id:
        scopes[f"Gebiet {name}{general}"] = (None, gebiet_id)
    return scopes


def save_comment(
    ctx: Context,
    text: str,
    dept: str | None,
    user: str,
    *,
    scope: str = "",
    about: tuple[str | None, str | None] = (None, None),
    meeting_id: int | None = None,
    parent_id: int | None = None,
) -> None:
    """Save a comment about ``about`` (indicator, area; its label ``scope``), or a reply to
    ``parent_id``, with the view's year and versions; then a confirmation and a rerun, or the
    reason it was refused."""
    code, gid = about
    try:
        sk.add_comment(
            uidata.engine(),
            ctx.layout.id,
            text,
            dept or "",
            user,
            code,
            gid,
            meeting_id=meeting_id,
            parent_id=parent_id,
            **comment_binding(ctx),
        )
    except sk.SteeringError as exc:
        st.error(str(exc))
    else:
        what = "Antwort" if parent_id else "Kommentar"
        where = f"{scope}, " if scope else ""
        flash(f"{what} festgehalten ({where}{dept or 'ohne Fachamt'}): „{text.strip()}“")
        st.rerun()
