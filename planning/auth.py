"""Who may do what: roles, permissions, the acting person, and the built-in user store.

Permissions are checked here, in the data layer, not by hiding buttons: every ORM write goes
through :mod:`planning.audit`, which asks :func:`current` who is acting and refuses the flush when
that person's role lacks the permission for the changed table. A page, a URL parameter or a
manipulated session state cannot reach a write around it.

Who is acting: :func:`acting_as` sets it for a block; without it a registered resolver is asked
(the app registers one that answers with the session's signed-in person inside Streamlit script
threads). Identity fails closed: when neither names anybody, :func:`current` is :data:`NOBODY`, who
may not write anything, and :mod:`planning.audit` refuses every write statement sent without an
actor. The command line, migrations, the demo build and scheduled jobs open
``acting_as(SYSTEM)`` explicitly and are named in the audit trail as the system service.

The user store (table ``app_user``) serves installations without an identity provider: bcrypt
hashes, created with ``python -m planning user add``. With OIDC (``st.login``) the identity
provider signs people in and the store only maps them to roles. The sign-in cookie, its secret
and the one-time tickets that let the server set it are :mod:`planning.signin`.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from enum import StrEnum

import bcrypt
from sqlalchemy import Engine, select, update

from planning.models import AppUser
from planning.sessions import compare_and_set, concurrent_edit_message, session_scope

# The sign-in cookie, its secret and the one-time tickets live in planning.signin; these names
# stay importable from here (the CLI, the app and the tests use them as auth.…).
from planning.signin import (  # noqa: F401
    MAKE_SECRET,
    MIN_SECRET_BYTES,
    SESSION_SECRET_ENV,
    SESSION_TTL_S,
    SessionClaim,
    session_secret_problem,
    session_token,
    verify_session_token,
)


class Permission(StrEnum):
    IMPORT = "import"  # data imports, Gebietsstände, activating versions, mapping profiles
    PLAN = "plan"  # scenarios and parameters, indicator register, targets, indicator sets
    COMMENT = "comment"  # comments and saved views
    DECIDE = "decide"  # meetings, agendas, decisions
    WORK_ORDERS = "work_orders"  # work orders and their status
    EXPORT = "export"  # CSV/Excel downloads, decision papers
    SEE_UNSUPPRESSED = "see_unsuppressed"  # sensitive figures below the thresholds
    ADMINISTER = "administer"  # users, the audit trail


class Role(StrEnum):
    ADMIN = "admin"
    LEITUNG = "leitung"
    FACHPLANUNG = "fachplanung"
    LESEND = "lesend"


ROLE_LABELS: dict[Role, str] = {
    Role.ADMIN: "Administration",
    Role.LEITUNG: "Leitung",
    Role.FACHPLANUNG: "Fachplanung",
    Role.LESEND: "Lesend",
}

PERMISSION_LABELS: dict[Permission, str] = {
    Permission.IMPORT: "Daten importieren",
    Permission.PLAN: "Szenarien, Parameter und Ziele bearbeiten",
    Permission.COMMENT: "kommentieren und Ansichten speichern",
    Permission.DECIDE: "Sitzungen und Beschlüsse erfassen",
    Permission.WORK_ORDERS: "Arbeitsaufträge erfassen und fortschreiben",
    Permission.EXPORT: "exportieren (Tabellen, Vorlagen)",
    Permission.SEE_UNSUPPRESSED: "geheime Werte ungeschwärzt sehen",
    Permission.ADMINISTER: "Benutzer und Änderungsprotokoll verwalten",
}

#: What each role may, in a few words (sign-in page, README).
ROLE_SUMMARY: dict[Role, str] = {
    Role.ADMIN: "alles, auch Benutzer und Änderungsprotokoll",
    Role.LEITUNG: "planen, kommentieren, beschließen, beauftragen, exportieren",
    Role.FACHPLANUNG: "importieren, planen, kommentieren, beauftragen, exportieren",
    Role.LESEND: "nur lesen",
}

_ALL = frozenset(Permission)
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: _ALL,
    Role.LEITUNG: _ALL - {Permission.IMPORT, Permission.ADMINISTER},
    # Unsuppressed values only of the own department's indicators (see Principal.can).
    Role.FACHPLANUNG: frozenset(
        {
            Permission.IMPORT,
            Permission.PLAN,
            Permission.COMMENT,
            Permission.WORK_ORDERS,
            Permission.EXPORT,
            Permission.SEE_UNSUPPRESSED,
        }
    ),
    Role.LESEND: frozenset(),
}


class PermissionDenied(PermissionError):
    """The acting person may not do this; the message is German and names person and right."""


class UserError(ValueError):
    """A user record cannot be saved or found; German message."""


@dataclass(frozen=True)
class Principal:
    """The acting person: ``username`` (unique), ``display_name``, ``role``, ``department``."""

    username: str
    display_name: str
    role: Role
    department: str = ""

    def can(self, permission: Permission, department: str | None = None) -> bool:
        """True when the role grants ``permission``; unsuppressed values of a department's
        indicator only for Leitung and Administration, or Fachplanung of that department."""
        if permission not in ROLE_PERMISSIONS[self.role]:
            return False
        if permission is Permission.SEE_UNSUPPRESSED and self.role is Role.FACHPLANUNG:
            mine = self.department.strip().casefold()
            return bool(mine) and department is not None and department.strip().casefold() == mine
        return True

    @property
    def label(self) -> str:
        dept = f", {self.department}" if self.department else ""
        return f"{self.display_name} ({ROLE_LABELS[self.role]}{dept})"


#: Command line, scheduled jobs, the demo build: named as such in the audit trail. Never a default:
#: only an explicit ``acting_as(SYSTEM)`` acts as it.
SYSTEM = Principal("system", "Systemdienst (Kommandozeile)", Role.ADMIN)
#: Inside the app before anybody signed in: may read public figures, nothing else.
ANONYMOUS = Principal("", "nicht angemeldet", Role.LESEND)
#: Nobody set as acting (no ``acting_as`` block, no signed-in session): may read, never write.
NOBODY = Principal("", "niemand (keine handelnde Person gesetzt)", Role.LESEND)
#: Refusal of a write without an actor (a programming error: the caller forgot ``acting_as``).
NO_ACTOR_MESSAGE = (
    "Schreiben verweigert: keine handelnde Person gesetzt. In der App bitte anmelden; Skripte und "
    "geplante Aufgaben handeln ausdrücklich als Systemdienst (python -m planning …)."
)

_current: ContextVar[Principal | None] = ContextVar("planungsatlas_principal", default=None)
_resolver: Callable[[], Principal | None] | None = None


def set_resolver(resolver: Callable[[], Principal | None] | None) -> None:
    """Who acts when no :func:`acting_as` block is open (the app: the session's signed-in person).

    The resolver returns None outside its context (e.g. not in a Streamlit script thread); then
    nobody acts (:data:`NOBODY`: reading only).
    """
    global _resolver
    _resolver = resolver


def actor() -> Principal | None:
    """The person set as acting (``acting_as`` block, else the resolver), or None: nobody."""
    principal = _current.get()
    if principal is not None:
        return principal
    if _resolver is not None:
        return _resolver()
    return None


def current() -> Principal:
    """The acting person; :data:`NOBODY` (may not write) when none is set. Never an administrator
    by default: a code path that forgets to set the actor is refused, not let through."""
    return actor() or NOBODY


@contextlib.contextmanager
def acting_as(principal: Principal) -> Iterator[Principal]:
    """Everything in the block is done by ``principal`` (checked and recorded as theirs)."""
    token = _current.set(principal)
    try:
        yield principal
    finally:
        _current.reset(token)


def require(permission: Permission, department: str | None = None, what: str = "") -> Principal:
    """The acting person, or ``PermissionDenied`` when the role lacks ``permission``."""
    who = current()
    if not who.can(permission, department):
        action = what or PERMISSION_LABELS[permission]
        if who is NOBODY:
            raise PermissionDenied(NO_ACTOR_MESSAGE)
        raise PermissionDenied(
            f"Keine Berechtigung: {who.label} darf nicht {action}."
            if who.username
            else f"Bitte anmelden: ohne Anmeldung ist „{action}“ nicht möglich."
        )
    return who


# --- user store ------------------------------------------------------------------------------------

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,79}$")
MIN_PASSWORD_LENGTH = 10
#: bcrypt reads at most 72 bytes; a longer password would be cut silently, so it is refused.
MAX_PASSWORD_BYTES = 72


def parse_role(value: str) -> Role:
    """``admin`` / ``Administration``, ``leitung``, ``fachplanung``, ``lesend`` (any case)."""
    key = (value or "").strip().casefold()
    for role, label in ROLE_LABELS.items():
        if key in (role.value, label.casefold()):
            return role
    known = ", ".join(r.value for r in Role)
    raise UserError(f"Unbekannte Rolle „{value}“. Möglich: {known}.")


def _check_password(password: str) -> bytes:
    raw = password.encode("utf-8")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"Das Passwort ist zu kurz (mindestens {MIN_PASSWORD_LENGTH} Zeichen).")
    if len(raw) > MAX_PASSWORD_BYTES:
        raise UserError(f"Das Passwort ist zu lang (höchstens {MAX_PASSWORD_BYTES} Bytes).")
    return raw


def _principal(row: AppUser) -> Principal:
    return Principal(row.username, row.display_name, Role(row.role), row.department or "")


def add_user(
    engine: Engine,
    username: str,
    display_name: str,
    role: Role | str,
    password: str,
    department: str = "",
    demo: bool = False,
) -> Principal:
    """Create a user with a bcrypt-hashed password; refuses duplicates and weak input (German).

    ``demo`` marks an account of the demo city, whose password the sign-in page shows.
    """
    name = (username or "").strip().lower()
    if not _USERNAME.fullmatch(name):
        raise UserError(
            f"Ungültiger Benutzername „{username}“: 2–80 Zeichen, Kleinbuchstaben, Ziffern, . _ @ -."
        )
    role = role if isinstance(role, Role) else parse_role(role)
    shown = (display_name or "").strip() or name
    dept = (department or "").strip()
    if role is Role.FACHPLANUNG and not dept:
        raise UserError("Fachplanung braucht eine Abteilung (z. B. Jugendamt, Schulamt).")
    digest = bcrypt.hashpw(_check_password(password), bcrypt.gensalt()).decode("ascii")
    with session_scope(engine) as s:
        if s.scalars(select(AppUser).where(AppUser.username == name)).first() is not None:
            raise UserError(f"Den Benutzernamen „{name}“ gibt es schon.")
        row = AppUser(
            username=name,
            display_name=shown,
            role=role.value,
            department=dept,
            password_hash=digest,
            is_demo=demo,
        )
        s.add(row)
        s.flush()
        return _principal(row)


#: Compared against when the user does not exist, so both cases take the same time.
_DUMMY_HASH = bcrypt.hashpw(b"planungsatlas-dummy", bcrypt.gensalt())


def authenticate(engine: Engine, username: str, password: str) -> Principal | None:
    """The active user with this name and password, else None (same effort either way)."""
    name = (username or "").strip().lower()
    with session_scope(engine) as s:
        row = s.scalars(select(AppUser).where(AppUser.username == name)).first()
        stored = row.password_hash.encode("ascii") if row is not None else _DUMMY_HASH
        raw = password.encode("utf-8")[:MAX_PASSWORD_BYTES]
        ok = bcrypt.checkpw(raw, stored)
        if row is None or not row.active or not ok:
            return None
        return _principal(row)


def list_users(engine: Engine) -> list[tuple[Principal, bool]]:
    """Every user with ``active``, sorted by username."""
    with session_scope(engine) as s:
        rows = s.scalars(select(AppUser).order_by(AppUser.username)).all()
        return [(_principal(r), bool(r.active)) for r in rows]


def set_active(engine: Engine, username: str, active: bool) -> None:
    """Disable (or enable again) a user; users are never deleted (the audit trail names them)."""
    with (
        compare_and_set(lambda: UserError(concurrent_edit_message(f"Der Benutzer „{username}“"))),
        session_scope(engine) as s,
    ):
        row = s.scalars(select(AppUser).where(AppUser.username == username.strip().lower())).first()
        if row is None:
            raise UserError(f"Den Benutzer „{username}“ gibt es nicht.")
        row.active = active
        row.revision += 1
        if not active:
            row.session_generation += 1  # every sign-in cookie of the user stops working


def session_generation(engine: Engine, username: str) -> int | None:
    """The sign-in generation of an active user of the store, else None (unknown or disabled)."""
    name = (username or "").strip().lower()
    with session_scope(engine) as s:
        row = s.execute(
            select(AppUser.session_generation, AppUser.active).where(AppUser.username == name)
        ).first()
        return int(row.session_generation) if row is not None and row.active else None


def end_sessions(engine: Engine, username: str) -> None:
    """ "Abmelden": count up the user's sign-in generation, so every cookie issued before (on any
    device, also a copied one) no longer signs in. One statement; needs an acting person (the
    one signing out), no administration right, and changes nothing else of the user."""
    name = (username or "").strip().lower()
    with session_scope(engine) as s:
        s.execute(
            update(AppUser)
            .where(AppUser.username == name)
            .values(session_generation=AppUser.session_generation + 1)
            .execution_options(synchronize_session=False)
        )


def has_users(engine: Engine) -> bool:
    with session_scope(engine) as s:
        return s.scalars(select(AppUser.id).where(AppUser.active.is_(True)).limit(1)).first() is not None


def find_user(engine: Engine, username: str) -> Principal | None:
    """The active user with this name (an OIDC sign-in is mapped to its role this way), else None."""
    with session_scope(engine) as s:
        row = s.scalars(select(AppUser).where(AppUser.username == (username or "").strip().lower())).first()
        return _principal(row) if row is not None and row.active else None


def demo_accounts(engine: Engine) -> list[Principal]:
    """Active demo accounts (their common password stands on the sign-in page), by role."""
    with session_scope(engine) as s:
        rows = s.scalars(select(AppUser).where(AppUser.is_demo.is_(True), AppUser.active.is_(True))).all()
        order = list(Role)
        return sorted((_principal(r) for r in rows), key=lambda p: (order.index(p.role), p.username))


# --- sign-in with an identity provider (OIDC) -------------------------------------------------------


def oidc_principal(
    engine: Engine,
    claims: Mapping[str, object],
    group_roles: Mapping[str, str] | None = None,
) -> Principal:
    """The person an OIDC sign-in stands for, from the identity provider's claims.

    A user of the store whose name is the e-mail address (or ``preferred_username``) gives role and
    department; otherwise the first group in ``claims["groups"]`` listed in ``group_roles``
    (``"Gruppe" = "rolle"`` or ``"rolle:Abteilung"``, the ``[planungsatlas.oidc_groups]`` section of
    secrets.toml); otherwise the person may read (Lesend).
    """
    ident = str(claims.get("email") or claims.get("preferred_username") or claims.get("sub") or "").strip()
    if not ident:
        raise UserError("Die Anmeldung des Identitätsdienstes enthält weder E-Mail noch Benutzernamen.")
    shown = str(claims.get("name") or ident)
    known = find_user(engine, ident)
    if known is not None:
        return known
    groups = claims.get("groups") or []
    if isinstance(groups, str):
        groups = [groups]
    for group in groups if isinstance(groups, list | tuple) else []:
        spec = (group_roles or {}).get(str(group))
        if spec:
            role_text, _, dept = spec.partition(":")
            return Principal(ident.lower(), shown, parse_role(role_text), dept.strip())
    return Principal(ident.lower(), shown, Role.LESEND)


# --- where the app may run without sign-in ---------------------------------------------------------


def is_loopback(host: str | None) -> bool:
    """True for addresses only this computer reaches (``localhost``, 127.0.0.0/8, ``::1``).

    An empty or missing address is *not* loopback: Streamlit then listens on every interface.
    """
    value = (host or "").strip().strip("[]").lower()
    if not value:
        return False
    if value == "localhost":
        return True
    try:
        return ipaddress.ip_address(value).is_loopback
    except ValueError:
        return False


class LoginThrottle:
    """Slows down password guessing: after ``limit`` failures a name is locked for ``lock_s``.

    Kept per app process (a proxy with sticky sessions sends a browser to one process); the lock
    holds for the name whatever the password, so a guesser cannot tell a right one from a locked one.
    """

    def __init__(self, limit: int = 5, lock_s: float = 60.0, clock: Callable[[], float] = time.monotonic):
        self.limit, self.lock_s, self._clock = limit, lock_s, clock
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, name: str) -> list[float]:
        now = self._clock()
        kept = [t for t in self._failures.get(name, []) if now - t < self.lock_s]
        self._failures[name] = kept
        return kept

    def locked_for(self, username: str) -> float:
        """Seconds until ``username`` may try again (0: now)."""
        name = (username or "").strip().lower()
        with self._lock:
            recent = self._recent(name)
            if len(recent) < self.limit:
                return 0.0
            return max(0.0, self.lock_s - (self._clock() - recent[-self.limit]))

    def failed(self, username: str) -> None:
        with self._lock:
            name = (username or "").strip().lower()
            self._failures[name] = [*self._recent(name), self._clock()]

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._failures.pop((username or "").strip().lower(), None)
