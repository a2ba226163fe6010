"""Who acts in this Streamlit session: the sign-in gate, the signed-in person, what they may do.

Three ways an installation runs (:func:`mode`):

- **Anmeldung** (sign-in): users exist in the built-in store or an ``[auth]`` section (OIDC via
  ``st.login``) is configured. Nothing is shown before sign-in; the person's role decides what the
  data layer (:mod:`planning.audit`) lets through.
- **Arbeitsplatz** (one workplace): no users and no identity provider, and both the server and the
  browser are on this computer. Writes are recorded as :data:`WORKPLACE`.
- **Nur lesen** (read only): no users, but the server is reachable from the network (bound to a
  non-loopback address, or reached through a proxy). Nobody may write until users are set up: a
  server in the network never runs in write mode without names attached.

The permission checks themselves live in :mod:`planning.auth`; hiding a form here only saves the
reader a refusal. Outside Streamlit script threads the resolver answers None, so command line and
tests keep acting as :data:`planning.auth.SYSTEM`.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import time
from enum import StrEnum
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from planning import auth, signin
from planning.auth import Permission, Principal
from ui import components, signin_routes
from ui import data as uidata

WORKPLACE = auth.Principal("arbeitsplatz", "Arbeitsplatz ohne Anmeldung", auth.Role.ADMIN)
#: Session-state key of the signed-in person. Not a widget key: the browser cannot set it.
_PRINCIPAL = "_planungsatlas_principal"
_THROTTLE = auth.LoginThrottle()
#: The browser keeps the sign-in in this HttpOnly cookie (signed token, planning.signin).
COOKIE = signin.COOKIE
#: The one-time ticket the page still has to hand to the server's route for the cookie.
_TICKET = "_planungsatlas_cookie_ticket"
#: "Abmelden" was clicked: the page still has to ask the server to delete the cookie.
_CLEAR_COOKIE = "_planungsatlas_cookie_clear"
_SIGNED_OUT = "_planungsatlas_signed_out"
#: Sign-in generation of the session's person (built-in store only; OIDC sessions have none).
_GENERATION = "_planungsatlas_generation"
#: Set anew on each sign-in/out: the generation is then read fresh, not from another moment's cache.
_NONCE = "_planungsatlas_generation_nonce"
#: Without a configured secret, tokens hold for this process only (a restart asks to sign in again).
_PROCESS_SECRET = secrets.token_bytes(32)
_log = logging.getLogger("planungsatlas.auth")


class Mode(StrEnum):
    SIGN_IN = "anmeldung"
    WORKPLACE = "arbeitsplatz"
    READ_ONLY = "nur_lesen"


@st.cache_data(ttl=30, show_spinner=False)
def _users_configured(url: str) -> bool:
    """Whether the user store has active users (cached briefly: a new user counts within 30 s)."""
    return auth.has_users(uidata.engine_for(url))


@st.cache_data(ttl=60, show_spinner=False)
def _secrets() -> Any:
    """``st.secrets`` as a mapping, or an empty dict when there is no secrets.toml.

    Asked several times per run (mode, resolver): read at most once a minute, not parsed each time.
    """
    try:
        return st.secrets.to_dict()
    except Exception:  # no secrets.toml at all (FileNotFoundError / StreamlitSecretNotFoundError)
        return {}


def oidc_configured() -> bool:
    return "auth" in _secrets()


def _group_roles() -> dict[str, str]:
    return dict(_secrets().get("planungsatlas", {}).get("oidc_groups", {}))


def server_address() -> str:
    return str(st.get_option("server.address") or "")


def _client_is_local() -> bool:
    """The browser is on this computer: a loopback peer, not relayed by a reverse proxy.

    Without a real connection (AppTest) there is no peer address: that counts as local."""
    headers = st.context.headers
    for name in ("X-Forwarded-For", "Forwarded", "X-Real-IP"):
        value = headers.get(name)
        if isinstance(value, str) and value.strip():
            return False  # through a reverse proxy: somebody in the network
    ip = st.context.ip_address
    return not isinstance(ip, str) or not ip or auth.is_loopback(ip)


def mode() -> Mode:
    if oidc_configured() or _users_configured(uidata.db_url()):
        return Mode.SIGN_IN
    if auth.is_loopback(server_address()) and _client_is_local():
        return Mode.WORKPLACE
    return Mode.READ_ONLY


def _configured_secret() -> str:
    """``[planungsatlas] session_secret`` or ``PLANUNGSATLAS_SESSION_SECRET`` (empty: none)."""
    configured = _secrets().get("planungsatlas", {}).get("session_secret") or os.environ.get(
        auth.SESSION_SECRET_ENV, ""
    )
    return str(configured or "")


def _session_secret() -> bytes:
    """The configured secret, shared by every app process of an installation, so a sign-in holds
    across processes and restarts; on a workplace-only server without one, a per-process secret."""
    configured = _configured_secret()
    return configured.encode("utf-8") if configured else _PROCESS_SECRET


def network_facing() -> bool:
    """The server is reachable from other computers: bound to a non-loopback address, or this
    request came through a reverse proxy (deploy/: nginx in front of 127.0.0.1)."""
    return not (auth.is_loopback(server_address()) and _client_is_local())


def secret_problem() -> str | None:
    """Why this server must not sign anybody in (German), or None.

    A server in the network needs a real secret for its sign-in cookies (a placeholder or a short
    one lets anybody forge a cookie for Administration); with OIDC, Streamlit's ``cookie_secret``
    likewise. Only a server that nobody else reaches may run with the per-process fallback."""
    if not network_facing():
        return None
    problem = auth.session_secret_problem(_configured_secret())
    if problem is None and oidc_configured():
        problem = auth.session_secret_problem(
            str(_secrets().get("auth", {}).get("cookie_secret", "")), "[auth] cookie_secret in secrets.toml"
        )
    return problem


@st.cache_data(ttl=5, show_spinner=False)
def _generation(url: str, username: str, nonce: int) -> int | None:
    """The user's sign-in generation (None: disabled or unknown), re-read at most every 5 s.

    ``nonce`` counts sign-ins and sign-outs of this session: after one, the value is read fresh."""
    return auth.session_generation(uidata.engine_for(url), username)


def _current_generation(username: str) -> int | None:
    return _generation(uidata.db_url(), username, st.session_state.get(_NONCE, 0))


def _from_cookie() -> Principal | None:
    """The person of a valid sign-in cookie of the user's current generation, else None."""
    if st.session_state.get(_SIGNED_OUT):
        return None  # the cookie of the handshake is still in st.context after "Abmelden"
    token = st.context.cookies.get(COOKIE)
    token = token if isinstance(token, str) else None
    claim = auth.verify_session_token(_session_secret(), token, time.time())
    if claim is None or auth.session_generation(uidata.engine(), claim.username) != claim.generation:
        return None  # forged, expired, signed out since, or the user was disabled
    who = auth.find_user(uidata.engine(), claim.username)
    if who is not None:
        st.session_state[_GENERATION] = claim.generation
        st.session_state[_NONCE] = time.time_ns()  # this session's own 5-second cache entry
    return who


def _post_to_server(path: str, body: str = "") -> None:
    """Have the page POST ``body`` to one of the server's sign-in routes (ui/signin_routes.py).

    The route's answer sets or deletes the HttpOnly cookie; the page's script never holds the
    cookie itself, only a one-time ticket for it."""
    url = json.dumps(signin_routes.base_path() + path)
    script = (
        f"fetch({url}, {{method: 'POST', body: {json.dumps(body)}, credentials: 'same-origin', "
        "cache: 'no-store'}).then((r) => { if (!r.ok) console.warn('Anmelde-Cookie:', r.status); })"
        ".catch((e) => console.warn('Anmelde-Cookie:', e));"  # server gone: the tab stays signed in
    )
    st.html(f"<script>{script}</script>", unsafe_allow_javascript=True)


def cookie_problem() -> str | None:
    """Why this server must not sign anybody in with the built-in accounts (German), or None.

    Without ``serve.py``'s routes the sign-in cookie could only be written by a page script (not
    HttpOnly). A server in the network then signs nobody in; on this computer alone a sign-in holds
    for the browser tab, without a cookie."""
    if signin_routes.served() or not network_facing():
        return None
    return (
        "Dieser Server ist aus dem Netz erreichbar, wurde aber ohne die Anmelde-Routen gestartet "
        "(`streamlit run app.py`). Bitte mit `streamlit run serve.py` starten (`make run`, "
        "deploy/systemd): nur so setzt der Server das Anmelde-Cookie so, dass Skripte es nicht lesen können."
    )


def signed_in() -> Principal | None:
    """The person signed in to this session (built-in store, its cookie, or OIDC), else None.

    A sign-in of the built-in store is re-checked against the user's generation (every 5 s at
    most): after "Abmelden" elsewhere or disabling, open sessions end too."""
    who = st.session_state.get(_PRINCIPAL)
    if isinstance(who, Principal):
        seen = st.session_state.get(_GENERATION)
        if seen is None or _current_generation(who.username) == seen:
            return who
        for key in (_PRINCIPAL, _GENERATION):
            st.session_state.pop(key, None)
        return None
    who = _from_cookie()
    if who is not None:
        st.session_state[_PRINCIPAL] = who
        return who
    if oidc_configured() and st.user.is_logged_in:
        who = auth.oidc_principal(uidata.engine(), st.user.to_dict(), _group_roles())
        st.session_state[_PRINCIPAL] = who
        return who
    return None


def _session_principal() -> Principal | None:
    if get_script_run_ctx(suppress_warning=True) is None:
        return None
    current = mode()
    if current is Mode.WORKPLACE:
        return WORKPLACE
    if current is Mode.READ_ONLY:
        return auth.ANONYMOUS
    return signed_in() or auth.ANONYMOUS


def install() -> None:
    """Register the session resolver (idempotent; app.py calls it on every run)."""
    auth.set_resolver(_session_principal)


def who() -> Principal:
    """The person acting in this run (what the data layer checks)."""
    return auth.current()


def allowed(permission: Permission, department: str | None = None) -> bool:
    return who().can(permission, department)


def explain(permission: Permission) -> None:
    """A quiet note in place of a form the person may not use."""
    person = who()
    what = auth.PERMISSION_LABELS[permission]
    if not person.username:
        st.caption(f":material/lock: Nur lesen: „{what}“ ist ohne Anmeldung nicht möglich.")
    else:
        st.caption(f":material/lock: Nur lesen: {components.plain(person.label)} darf nicht {what}.")


def permitted(permission: Permission) -> bool:
    """True when the person may; otherwise shows :func:`explain` and returns False."""
    if allowed(permission):
        return True
    explain(permission)
    return False


def run_page(page: Any) -> None:
    """Run the page; a write the person may not do shows its German refusal instead of a traceback.

    Forms a person may not use are hidden already; this catches what gets past (a stale form, a
    callback of a button rendered before the role changed)."""
    try:
        page.run()
    except auth.PermissionDenied as exc:
        st.error(str(exc), icon=":material/lock:")


def author_name() -> str | None:
    """The signed-in person's name for comments and records (None: ask for a typed name)."""
    person = signed_in()
    return person.display_name if person is not None else None


# ------------------------------------------------------------------------------ the gate


def gate(sections: dict[str, list[Any]]) -> None:
    """Let the app show its pages, or show the sign-in page and stop this run.

    The navigation is registered (hidden) before the sign-in form, so the form's widgets belong to
    the page of the link; the link (path and filters) survives the sign-in.
    """
    install()
    current = mode()
    if current is Mode.READ_ONLY:
        _warn_read_only_once()
        return
    if current is Mode.WORKPLACE:
        return
    problem = secret_problem()
    if problem is not None:
        _refuse(problem)
    if signed_in() is not None:
        if ticket := st.session_state.pop(_TICKET, None):
            _post_to_server(signin_routes.SIGN_IN_PATH, ticket)
        return
    st.navigation(sections, position="hidden")
    if st.session_state.pop(_CLEAR_COOKIE, None) and signin_routes.served():
        _post_to_server(signin_routes.SIGN_OUT_PATH)
    _sign_in_page()
    st.stop()


def _refuse(problem: str) -> None:
    """A server in the network with a forgeable sign-in serves nothing but the reason."""
    _log.error("Planungsatlas verweigert die Anmeldung: %s", problem)
    st.title("Planungsatlas")
    st.error(f"**Diese Installation ist gesperrt.** {problem}", icon=":material/lock:")
    st.caption(
        "Bitte die Administration verständigen. Ohne sicheres Geheimnis meldet der Server niemanden an."
    )
    st.stop()


_warned: list[bool] = []


def _warn_read_only_once() -> None:
    if not _warned:
        _warned.append(True)
        _log.warning(
            "Planungsatlas läuft NUR LESEND: der Server ist aus dem Netz erreichbar (Adresse %r), "
            "aber es sind keine Benutzer eingerichtet. Benutzer anlegen: python -m planning user add …",
            server_address(),
        )


def read_only_banner() -> None:
    if mode() is Mode.READ_ONLY:
        st.warning(
            "**Nur lesen.** Dieser Server ist aus dem Netz erreichbar, es sind aber keine Benutzer "
            "eingerichtet. Deshalb kann niemand Daten importieren, kommentieren oder beschließen. "
            "Die Administration legt Benutzer an mit `python -m planning user add NAME --rolle …` "
            "oder richtet die Anmeldung über den Identitätsdienst ein (README, Abschnitt Anmeldung).",
            icon=":material/lock:",
        )


def _sign_in_page() -> None:
    _, mid, _ = st.columns([1, 2, 1])
    with mid:
        st.title("Planungsatlas")
        st.markdown("Integrierte Kita- und Schulentwicklungsplanung. Bitte melden Sie sich an.")
        if oidc_configured():
            provider = _secrets().get("planungsatlas", {}).get("oidc_provider")
            if st.button("Mit dem Dienstkonto anmelden", type="primary", icon=":material/badge:"):
                if provider:
                    st.login(provider)
                else:
                    st.login()
            st.caption("Oder mit einem Konto des Planungsatlas:")
        problem = cookie_problem()
        if problem is not None:
            st.error(
                f"**Anmeldung mit Benutzername und Passwort nicht möglich.** {problem}",
                icon=":material/lock:",
            )
            return
        with st.form("anmeldung"):
            username = st.text_input("Benutzername", autocomplete="username")
            password = st.text_input("Passwort", type="password", autocomplete="current-password")
            submitted = st.form_submit_button(
                "Anmelden", type="primary" if not oidc_configured() else "secondary"
            )
        if submitted:
            _try_sign_in(username, password)
        if not signin_routes.served():
            st.caption(
                "Die Anmeldung gilt nur in diesem Browser-Tab: ohne `serve.py` setzt der Server kein "
                "Anmelde-Cookie (nach dem Neuladen bitte erneut anmelden)."
            )
        _demo_accounts()


def _try_sign_in(username: str, password: str) -> None:
    wait = _THROTTLE.locked_for(username)
    if wait > 0:
        st.error(f"Zu viele Fehlversuche für diesen Benutzernamen. Bitte in {wait:.0f} s erneut versuchen.")
        return
    person = auth.authenticate(uidata.engine(), username, password)
    if person is None:
        _THROTTLE.failed(username)
        st.error("Benutzername oder Passwort ist falsch (oder das Konto ist gesperrt).")
        return
    _THROTTLE.succeeded(username)
    generation = auth.session_generation(uidata.engine(), person.username) or 0
    st.session_state[_PRINCIPAL] = person
    st.session_state[_GENERATION] = generation
    st.session_state[_NONCE] = time.time_ns()  # unique: no other session's cached value
    if signin_routes.served():  # the page hands the ticket to the route, which sets the cookie
        token = auth.session_token(_session_secret(), person.username, time.time(), generation=generation)
        st.session_state[_TICKET] = signin_routes.TICKETS.issue(token, person.username, generation)
    st.session_state.pop(_SIGNED_OUT, None)
    st.rerun()


def _demo_accounts() -> None:
    from planning.demo.accounts import DEMO_PASSWORD

    accounts = auth.demo_accounts(uidata.engine())
    if not accounts:
        return
    with st.container(border=True, key="demo_konten"):
        st.markdown(f"**Demo-Konten** – Passwort für alle: `{DEMO_PASSWORD}`")
        st.caption("Nur in der Demo-Kommune: jede Rolle einmal, um zu sehen, wer was darf.")
        rows = [
            {
                "Benutzername": p.username,
                "Name": p.display_name,
                "Rolle": auth.ROLE_LABELS[p.role] + (f" ({p.department})" if p.department else ""),
                "darf": auth.ROLE_SUMMARY[p.role],
            }
            for p in accounts
        ]
        st.dataframe(rows, hide_index=True, width="stretch")


def sidebar_account() -> None:
    """Who is signed in, with "Abmelden" (in the sidebar of every page)."""
    current = mode()
    with st.sidebar:
        if current is Mode.WORKPLACE:
            st.caption(":material/computer: Arbeitsplatz ohne Anmeldung (nur dieser Rechner)")
            return
        if current is Mode.READ_ONLY:
            st.caption(":material/lock: Nur lesen (keine Benutzer eingerichtet)")
            return
        person = signed_in()
        if person is None:
            return
        st.caption(f":material/person: Angemeldet: {components.plain(person.label)}")
        if st.button("Abmelden", key="abmelden", icon=":material/logout:"):
            # Ends this sign-in everywhere: cookies issued before (also copies) no longer sign in.
            auth.end_sessions(uidata.engine(), person.username)
            st.session_state[_NONCE] = time.time_ns()  # unique: no other session's cached value
            st.session_state.pop(_GENERATION, None)
            st.session_state.pop(_PRINCIPAL, None)
            st.session_state[_SIGNED_OUT] = True
            st.session_state[_CLEAR_COOKIE] = True
            if oidc_configured() and st.user.is_logged_in:
                st.logout()
            st.rerun()
