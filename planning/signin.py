"""A sign-in that outlasts a reload: the signed cookie, its secret, and the one-time tickets that
let the server (not a script in the page) set it.

The cookie (``planungsatlas_anmeldung``) holds :func:`session_token`: user, expiry and the user's
sign-in generation, signed with the installation's secret. "Abmelden" and disabling the user count
the generation up (:func:`planning.auth.end_sessions`), which ends every cookie issued before.

Streamlit scripts cannot send response headers, so after the password check the script asks
:class:`SignInTickets` for a ticket: a random, single-use key, valid for :data:`TICKET_TTL_S`
seconds, for the finished cookie value. The page hands the ticket to the server's own route
(``ui/signin_routes.py``), which answers with ``Set-Cookie: …; HttpOnly; SameSite=Strict`` (and
``Secure`` over HTTPS): page scripts never see the cookie. Tickets live in the memory of the app
process that issued them; in any other process (a replay elsewhere) they are unknown.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

#: Environment variable with the secret that signs sign-in cookies (same for every app process).
SESSION_SECRET_ENV = "PLANUNGSATLAS_SESSION_SECRET"
#: A working day: the signed-in browser keeps its sign-in across reloads and new tabs this long.
SESSION_TTL_S = 8 * 3600
#: HMAC-SHA256 keys shorter than this are guessable offline from one cookie.
MIN_SECRET_BYTES = 32
#: How to make a good secret (named in every refusal).
MAKE_SECRET = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'
#: Words of placeholders in templates (deploy/planungsatlas.env.example, secrets.toml.example).
_PLACEHOLDER_WORDS = (
    "zufall",
    "einsetzen",
    "beispiel",
    "example",
    "changeme",
    "change-me",
    "placeholder",
    "platzhalter",
    "mindestens",
    "geheimnis",
    "secret",
    "…",
    "xxxx",
)


def session_secret_problem(secret: str | bytes | None, where: str = SESSION_SECRET_ENV) -> str | None:
    """Why ``secret`` must not sign cookies of a server in the network (German), or None if fine.

    Refused: missing, shorter than :data:`MIN_SECRET_BYTES` bytes, a placeholder of a template, or
    made of very few different characters (``aaaa…``). Anyone who knows or guesses the secret can
    sign a cookie for any user, Administration included.
    """
    raw = secret.encode("utf-8") if isinstance(secret, str) else (secret or b"")
    text = raw.decode("utf-8", "replace").strip()
    how = (
        f"Ein neues Geheimnis erzeugen mit: {MAKE_SECRET} – in {where} eintragen (für alle App-Prozesse "
        "dasselbe) und die App neu starten."
    )
    if not text:
        return f"Das Geheimnis für die Anmelde-Cookies ({where}) fehlt. {how}"
    if len(raw) < MIN_SECRET_BYTES:
        return (
            f"Das Geheimnis für die Anmelde-Cookies ({where}) ist zu kurz: {len(raw)} Bytes, "
            f"mindestens {MIN_SECRET_BYTES}. {how}"
        )
    folded = text.casefold()
    if any(word in folded for word in _PLACEHOLDER_WORDS):
        return (
            f"Das Geheimnis für die Anmelde-Cookies ({where}) ist der Platzhalter aus der Vorlage; "
            f"mit ihm kann jeder eine Anmeldung fälschen. {how}"
        )
    if len(set(text)) < 12:
        return (
            f"Das Geheimnis für die Anmelde-Cookies ({where}) ist nicht zufällig (nur {len(set(text))} "
            f"verschiedene Zeichen). {how}"
        )
    return None


@dataclass(frozen=True)
class SessionClaim:
    """What a valid sign-in cookie says: the user and the sign-in generation it was issued in."""

    username: str
    generation: int


def session_token(
    secret: bytes, username: str, now: float, ttl_s: int = SESSION_TTL_S, generation: int = 0
) -> str:
    """A signed, expiring token naming ``username`` (the browser keeps it as a cookie).

    ``name.expiry.generation.signature``, the signature an HMAC-SHA256 over the rest with the
    server's secret; nothing secret is inside, and it cannot be forged or prolonged without the
    secret. ``generation`` is the user's :func:`session_generation`: "Abmelden" and disabling count
    it up, which ends every token issued before.
    """
    name = base64.urlsafe_b64encode(username.encode("utf-8")).decode("ascii").rstrip("=")
    payload = f"{name}.{int(now) + ttl_s}.{int(generation)}"
    mac = hmac.new(secret, payload.encode("ascii"), hashlib.sha256).hexdigest()
    return f"{payload}.{mac}"


def verify_session_token(secret: bytes, token: str | None, now: float) -> SessionClaim | None:
    """User and generation of a valid, unexpired token, else None (tampered, expired, malformed).

    Whether the generation is still the user's is checked against the database by the caller."""
    if not token or token.count(".") != 3:
        return None
    name, expiry, generation, mac = token.split(".")
    payload = f"{name}.{expiry}.{generation}".encode("ascii", "replace")
    expected = hmac.new(secret, payload, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(mac.encode("utf-8"), expected.encode("ascii")):
        return None  # bytes: a cookie may carry any characters, compare_digest takes only ASCII str
    if not expiry.isdigit() or int(expiry) < now or not generation.isdigit():
        return None
    try:
        username = base64.urlsafe_b64decode(name + "=" * (-len(name) % 4)).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    return SessionClaim(username, int(generation))


# --- the cookie, set by the server ----------------------------------------------------------------

#: Name of the sign-in cookie.
COOKIE = "planungsatlas_anmeldung"
#: Seconds a sign-in ticket may wait for its route (the page sends it right after the sign-in).
TICKET_TTL_S = 60
#: At most this many tickets wait at once (a flood of sign-ins cannot grow the store without bound).
MAX_TICKETS = 10_000


def cookie_header(value: str, max_age: int, secure: bool) -> str:
    """The ``Set-Cookie`` value of the sign-in cookie (``max_age`` 0 with an empty value: delete).

    HttpOnly: no page script can read it; SameSite=Strict: no other site's page sends it along;
    Secure when the browser reached the server over HTTPS."""
    parts = [f"{COOKIE}={value}", "Path=/", f"Max-Age={int(max_age)}", "HttpOnly", "SameSite=Strict"]
    if secure:
        parts.append("Secure")
    return "; ".join(parts)


@dataclass(frozen=True)
class _Ticket:
    cookie: str
    username: str
    generation: int
    expires: float


class SignInTickets:
    """One-time tickets for a sign-in cookie, kept in this process's memory.

    :meth:`issue` (in the Streamlit script, after the password check) stores the finished cookie
    value under a random ticket; :meth:`redeem` (in the server route) hands it out once: a ticket
    is gone after its first use, whether it was still valid or not.
    """

    def __init__(
        self,
        ttl_s: float = TICKET_TTL_S,
        max_tickets: int = MAX_TICKETS,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.ttl_s, self.max_tickets, self._clock = ttl_s, max_tickets, clock
        self._tickets: dict[str, _Ticket] = {}
        self._lock = threading.Lock()

    def issue(self, cookie: str, username: str, generation: int) -> str:
        """A new ticket for ``cookie``, the sign-in of ``username`` in ``generation``."""
        ticket = secrets.token_urlsafe(32)
        now = self._clock()
        with self._lock:
            for key in [k for k, t in self._tickets.items() if t.expires < now]:
                del self._tickets[key]
            while len(self._tickets) >= self.max_tickets:  # the oldest make room
                del self._tickets[next(iter(self._tickets))]
            self._tickets[ticket] = _Ticket(cookie, username, int(generation), now + self.ttl_s)
        return ticket

    def redeem(self, ticket: str | None, generation_of: Callable[[str], int | None]) -> str | None:
        """The cookie value of a valid ticket, once; else None (unknown, used, expired, or the
        user's generation moved on since: signed out or disabled in the meantime).

        ``generation_of`` answers the user's current sign-in generation (None: disabled/unknown)."""
        if not ticket:
            return None
        with self._lock:
            found = self._tickets.pop(ticket, None)
        if found is None or found.expires < self._clock():
            return None
        if generation_of(found.username) != found.generation:
            return None
        return found.cookie

    def __len__(self) -> int:
        with self._lock:
            return len(self._tickets)
