"""One-time sign-in tickets and the cookie header (planning.signin; no Streamlit, no server).

The ticket is what a page script may hold instead of the cookie: the server's route exchanges it
once, within a minute, for the HttpOnly cookie, and only while the user's sign-in generation is
the one it was issued in.
"""

from __future__ import annotations

import pytest

from planning import auth, signin


class Clock:
    """A hand-moved monotonic clock."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def _generations(**current: int | None):
    return lambda username: current.get(username)


def test_a_ticket_gives_its_cookie_once():
    tickets = signin.SignInTickets(clock=Clock())
    ticket = tickets.issue("cookie-wert", "planung", 3)
    assert len(ticket) >= 40  # 32 random bytes, URL-safe
    assert tickets.redeem(ticket, _generations(planung=3)) == "cookie-wert"
    assert tickets.redeem(ticket, _generations(planung=3)) is None  # used
    assert len(tickets) == 0


def test_tickets_are_unrelated_to_each_other():
    tickets = signin.SignInTickets(clock=Clock())
    first = tickets.issue("a", "planung", 0)
    second = tickets.issue("b", "planung", 0)
    assert first != second
    assert tickets.redeem(second, _generations(planung=0)) == "b"
    assert tickets.redeem(first, _generations(planung=0)) == "a"


@pytest.mark.parametrize(("waited", "valid"), [(0, True), (59.9, True), (60.1, False), (3_600, False)])
def test_a_ticket_expires_after_a_minute(waited, valid):
    clock = Clock()
    tickets = signin.SignInTickets(clock=clock)
    ticket = tickets.issue("cookie-wert", "planung", 0)
    clock.now += waited
    assert (tickets.redeem(ticket, _generations(planung=0)) == "cookie-wert") is valid
    assert tickets.redeem(ticket, _generations(planung=0)) is None  # gone either way


@pytest.mark.parametrize(
    ("current", "why"),
    [(4, "signed out in the meantime"), (None, "disabled in the meantime"), (2, "older generation")],
)
def test_a_ticket_of_another_generation_is_refused_and_used_up(current, why):
    tickets = signin.SignInTickets(clock=Clock())
    ticket = tickets.issue("cookie-wert", "planung", 3)
    assert tickets.redeem(ticket, _generations(planung=current)) is None, why
    assert tickets.redeem(ticket, _generations(planung=3)) is None  # no second try


def test_a_tampered_or_foreign_ticket_is_unknown():
    tickets = signin.SignInTickets(clock=Clock())
    ticket = tickets.issue("cookie-wert", "planung", 0)
    other_process = signin.SignInTickets(clock=Clock())
    assert other_process.redeem(ticket, _generations(planung=0)) is None  # issued elsewhere
    changed = ticket[:-1] + ("A" if ticket[-1] != "A" else "B")
    for wrong in (changed, ticket + "x", ticket[:-1], ticket.upper(), "", None, "cookie-wert"):
        assert tickets.redeem(wrong, _generations(planung=0)) is None
    assert tickets.redeem(ticket, _generations(planung=0)) == "cookie-wert"  # the real one still works


def test_the_store_stays_bounded_and_forgets_expired_tickets():
    clock = Clock()
    tickets = signin.SignInTickets(max_tickets=3, clock=clock)
    oldest = tickets.issue("1", "u", 0)
    for value in "234":
        tickets.issue(value, "u", 0)
    assert len(tickets) == 3
    assert tickets.redeem(oldest, _generations(u=0)) is None  # made room for the newest
    clock.now += signin.TICKET_TTL_S + 1
    tickets.issue("5", "u", 0)
    assert len(tickets) == 1  # the expired ones went on the next issue


@pytest.mark.parametrize("secure", [False, True])
def test_the_cookie_header_is_httponly_and_strict(secure):
    header = signin.cookie_header("wert", signin.SESSION_TTL_S, secure)
    parts = [p.strip() for p in header.split(";")]
    assert parts[0] == f"{signin.COOKIE}=wert"
    assert {"Path=/", f"Max-Age={8 * 3600}", "HttpOnly", "SameSite=Strict"} <= set(parts)
    assert ("Secure" in parts) is secure
    deleted = [p.strip() for p in signin.cookie_header("", 0, secure).split(";")]
    assert deleted[0] == f"{signin.COOKIE}=" and "Max-Age=0" in deleted and "HttpOnly" in deleted


def test_the_cookie_names_stay_importable_from_planning_auth():
    """planning.auth keeps the names it had before the split (CLI, app and tests use auth.…)."""
    for name in ("session_token", "verify_session_token", "session_secret_problem", "SESSION_SECRET_ENV"):
        assert getattr(auth, name) is getattr(signin, name)
