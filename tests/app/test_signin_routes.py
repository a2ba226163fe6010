"""The server's sign-in routes (ui/signin_routes.py) over HTTP, against a real SQLite user store.

A ticket issued after the password check is exchanged once for an HttpOnly, SameSite=Strict
cookie (Secure over HTTPS); requests of other sites, used, unknown and stale tickets get a German
refusal and no cookie. The routes run in Starlette's test client, mounted as serve.py mounts them;
the browser flow is tests/e2e/test_signin_cookie.py.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():  # Starlette 1.x asks for httpx2; the installed httpx still works
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from planning import auth, signin
from planning.db import make_engine, migrate
from ui import signin_routes

PASSWORD = "richtig-langes-passwort"
SECRET = b"k" * 16 + b"0123456789abcdef"
HTTP, HTTPS = "http://planung.stadt.test", "https://planung.stadt.test"


@pytest.fixture
def store(tmp_path, monkeypatch) -> Iterator:
    url = f"sqlite:///{tmp_path / 'routes.db'}"
    engine = make_engine(url)
    migrate(engine)
    auth.add_user(engine, "planung", "P. Lan", "fachplanung", PASSWORD, department="Jugendamt")
    monkeypatch.setenv("PLANUNGSATLAS_DB_URL", url)
    monkeypatch.setattr(signin_routes, "_served", [])  # routes() below marks it; undone after
    yield engine
    engine.dispose()


def _client(base_url: str = HTTP) -> TestClient:
    return TestClient(Starlette(routes=signin_routes.routes()), base_url=base_url)


def _ticket(engine) -> str:
    """What ui/auth.py does after a right password: the signed cookie value under a ticket."""
    generation = auth.session_generation(engine, "planung")
    token = auth.session_token(SECRET, "planung", 1_000, generation=generation)
    return signin_routes.TICKETS.issue(token, "planung", generation)


def _sign_in(client: TestClient, ticket: str, origin: str | None):
    headers = {"Origin": origin} if origin else {}
    return client.post(signin_routes.SIGN_IN_PATH, content=ticket, headers=headers)


def _cookie_parts(response) -> list[str]:
    return [p.strip() for p in response.headers["set-cookie"].split(";")]


def test_routes_make_the_app_served(store):
    assert not signin_routes.served()
    _client()
    assert signin_routes.served()


@pytest.mark.parametrize(("base", "secure"), [(HTTP, False), (HTTPS, True)])
def test_a_ticket_becomes_an_httponly_strict_cookie_once(store, base, secure):
    client = _client(base)
    ticket = _ticket(store)
    answer = _sign_in(client, ticket, base)
    assert answer.status_code == 204
    parts = _cookie_parts(answer)
    name, _, value = parts[0].partition("=")
    assert name == signin.COOKIE
    claim = auth.verify_session_token(SECRET, value, now=1_001)
    assert claim == auth.SessionClaim("planung", auth.session_generation(store, "planung"))
    assert {"HttpOnly", "SameSite=Strict", "Path=/", f"Max-Age={signin.SESSION_TTL_S}"} <= set(parts)
    assert ("Secure" in parts) is secure
    assert answer.headers["cache-control"] == "no-store"

    again = _sign_in(client, ticket, base)  # a copy of the ticket (history, a log) is worth nothing
    assert again.status_code == 403 and "set-cookie" not in again.headers
    assert "Anmeldeticket ist unbekannt, verbraucht oder abgelaufen" in again.text


@pytest.mark.parametrize(
    "origin",
    [
        None,
        "http://angreifer.example",
        "https://planung.stadt.test",
        "http://planung.stadt.test:8080",
        "null",
    ],
)
def test_requests_from_other_sites_are_refused(store, origin):
    """No Origin, another host, another scheme or port: not sent by a page of this site."""
    client = _client(HTTP)
    ticket = _ticket(store)
    answer = _sign_in(client, ticket, origin)
    assert answer.status_code == 403 and "set-cookie" not in answer.headers
    assert "kommt nicht von dieser Seite" in answer.text
    assert client.post(signin_routes.SIGN_OUT_PATH, headers={"Origin": origin or ""}).status_code == 403
    assert _sign_in(client, ticket, HTTP).status_code == 204  # the refused request did not use it up


def test_unknown_and_oversized_tickets_are_refused(store):
    client = _client()
    ticket = _ticket(store)
    for wrong in ("", ticket[:-2], ticket + "A" * 300, "x" * 10_000):
        answer = _sign_in(client, wrong, HTTP)
        assert answer.status_code == 403 and "set-cookie" not in answer.headers


@pytest.mark.parametrize("how", ["abmelden", "sperren"])
def test_a_ticket_dies_when_the_user_signs_out_or_is_disabled_before_it_is_used(store, how):
    ticket = _ticket(store)
    with auth.acting_as(auth.SYSTEM):
        if how == "abmelden":
            auth.end_sessions(store, "planung")
        else:
            auth.set_active(store, "planung", False)
    answer = _sign_in(_client(), ticket, HTTP)
    assert answer.status_code == 403 and "set-cookie" not in answer.headers


@pytest.mark.parametrize(("base", "secure"), [(HTTP, False), (HTTPS, True)])
def test_sign_out_deletes_the_cookie(store, base, secure):
    answer = _client(base).post(signin_routes.SIGN_OUT_PATH, headers={"Origin": base})
    assert answer.status_code == 204
    parts = _cookie_parts(answer)
    assert parts[0] == f"{signin.COOKIE}=" and "Max-Age=0" in parts and "HttpOnly" in parts
    assert ("Secure" in parts) is secure


@pytest.mark.parametrize(("peer", "secure"), [("127.0.0.1", True), ("10.0.0.7", False)])
def test_https_is_believed_only_from_the_proxy_on_this_computer(store, peer, secure):
    """uvicorn (as Streamlit starts it: proxy headers on, FORWARDED_ALLOW_IPS default 127.0.0.1)
    takes the scheme from X-Forwarded-Proto only when nginx on this computer sent it."""
    app = ProxyHeadersMiddleware(Starlette(routes=signin_routes.routes()), trusted_hosts="127.0.0.1,::1")
    client = TestClient(app, base_url=HTTP, client=(peer, 40_000))
    origin = HTTPS if secure else HTTP  # the page's own origin as the browser sees it
    answer = client.post(
        signin_routes.SIGN_IN_PATH,
        content=_ticket(store),
        headers={"Origin": origin, "X-Forwarded-Proto": "https", "X-Forwarded-For": "192.0.2.1"},
    )
    assert answer.status_code == 204
    assert ("Secure" in _cookie_parts(answer)) is secure
