"""Demo accounts of Weidenstadt: one per role, so a new user can try what each role may do.

Their password is common and known: the sign-in page shows it next to each demo account
(``AppUser.is_demo``). A real installation removes them with ``python -m planning user disable``.
"""

from __future__ import annotations

from sqlalchemy import Engine

from planning import auth

#: Shown on the sign-in page; never use a demo database for real figures.
DEMO_PASSWORD = "weidenstadt-demo"

#: (username, display name, role, department)
DEMO_ACCOUNTS: tuple[tuple[str, str, auth.Role, str], ...] = (
    ("verwaltung", "Verwaltung (Demo)", auth.Role.ADMIN, ""),
    ("leitung", "Dr. Hansen, Dezernentin (Demo)", auth.Role.LEITUNG, ""),
    ("jugendamt", "S. Becker, Jugendamt (Demo)", auth.Role.FACHPLANUNG, "Jugendamt"),
    ("schulamt", "M. Weber, Schulamt (Demo)", auth.Role.FACHPLANUNG, "Schulamt"),
    ("lesend", "Gast, nur lesen (Demo)", auth.Role.LESEND, ""),
)


def add_demo_accounts(engine: Engine) -> list[auth.Principal]:
    """Create the demo accounts (all with :data:`DEMO_PASSWORD`); the database must have none yet.

    Part of building the demo: written by the system service."""
    with auth.acting_as(auth.SYSTEM):
        return [
            auth.add_user(engine, name, shown, role, DEMO_PASSWORD, department=dept, demo=True)
            for name, shown, role, dept in DEMO_ACCOUNTS
        ]
