"""The server's own sign-in routes: the sign-in cookie is set and deleted by a response header, so
it can be HttpOnly (no page script reads it) and SameSite=Strict, and Secure over HTTPS.

A Streamlit script cannot send headers. After the password check it stores the finished cookie
value under a one-time ticket (:data:`TICKETS`, :class:`planning.signin.SignInTickets`) and the
page POSTs the ticket to :data:`SIGN_IN_PATH` of the same process; the answer carries the cookie.
"Abmelden" POSTs to :data:`SIGN_OUT_PATH`, whose answer deletes it. Both refuse requests from
other origins.

``serve.py`` mounts the routes (:func:`routes`) on its ``st.App``; a plain ``streamlit run app.py``
has none (:func:`served` is False): then ``ui/auth.py`` keeps a sign-in to the browser tab, and a
server in the network signs nobody in with the built-in accounts.

Behind the proxy (deploy/nginx) uvicorn takes scheme and client from ``X-Forwarded-Proto`` and
``X-Forwarded-For`` only from the addresses in ``FORWARDED_ALLOW_IPS`` (default 127.0.0.1 and ::1):
the nginx on the same computer. So ``request.url.scheme`` is ``https`` exactly when the browser
reached nginx over HTTPS, and a request that only claims so from elsewhere is not believed.
"""

from __future__ import annotations

import functools
import logging
from urllib.parse import urlsplit

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from planning import auth, signin
from planning.config import resolve_db_url
from planning.db import make_engine

#: Tickets issued by this process's scripts, redeemed by this process's route.
TICKETS = signin.SignInTickets()
SIGN_IN_PATH = "/_planungsatlas/anmeldung"
SIGN_OUT_PATH = "/_planungsatlas/abmeldung"
#: A ticket is ~43 characters; anything much longer is not one (read no more).
_MAX_BODY = 256
_log = logging.getLogger("planungsatlas.auth")
_served: list[bool] = []


def base_path() -> str:
    """``server.baseUrlPath`` as ``/pfad`` (empty when the app is served at the root)."""
    from streamlit import config

    base = str(config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


def routes() -> list[Route]:
    """The two routes for ``st.App(..., routes=…)``; from now on :func:`served` is True."""
    if not _served:
        _served.append(True)
    base = base_path()
    return [
        Route(base + SIGN_IN_PATH, sign_in, methods=["POST"]),
        Route(base + SIGN_OUT_PATH, sign_out, methods=["POST"]),
    ]


def served() -> bool:
    """Whether this process serves the routes (started through ``serve.py``)."""
    return bool(_served)


@functools.cache
def _engine(url: str) -> Engine:
    return make_engine(url)


def _generation(username: str) -> int | None:
    return auth.session_generation(_engine(resolve_db_url()), username)


def _same_origin(request: Request) -> bool:
    """The request was sent by a page of this site (``Origin`` = scheme and host of the request).

    Browsers send ``Origin`` with every POST made by ``fetch``; without it the request is refused."""
    origin = request.headers.get("origin", "")
    host = request.headers.get("host", "")
    parts = urlsplit(origin)
    return bool(host) and parts.scheme == request.url.scheme and parts.netloc.lower() == host.lower()


def _answer(cookie: str, max_age: int, request: Request) -> Response:
    secure = request.url.scheme == "https"
    headers = {"Set-Cookie": signin.cookie_header(cookie, max_age, secure), "Cache-Control": "no-store"}
    return Response(status_code=204, headers=headers)


def _refused(reason: str) -> Response:
    return PlainTextResponse(reason, status_code=403, headers={"Cache-Control": "no-store"})


async def sign_in(request: Request) -> Response:
    """Exchange a ticket for the HttpOnly sign-in cookie (204), or refuse (403, German)."""
    if not _same_origin(request):
        _log.warning(
            "Anmelde-Cookie verweigert: Anfrage nicht von dieser Seite (Origin %r)",
            request.headers.get("origin"),
        )
        return _refused("Anmeldung abgelehnt: die Anfrage kommt nicht von dieser Seite.")
    body = await request.body()
    ticket = body[:_MAX_BODY].decode("ascii", "replace").strip() if len(body) <= _MAX_BODY else ""
    cookie = await run_in_threadpool(TICKETS.redeem, ticket, _generation)
    if cookie is None:
        return _refused("Anmeldung abgelehnt: das Anmeldeticket ist unbekannt, verbraucht oder abgelaufen.")
    return _answer(cookie, signin.SESSION_TTL_S, request)


async def sign_out(request: Request) -> Response:
    """Delete the sign-in cookie in this browser (the generation was counted up by the script)."""
    if not _same_origin(request):
        return _refused("Abmeldung abgelehnt: die Anfrage kommt nicht von dieser Seite.")
    return _answer("", 0, request)
