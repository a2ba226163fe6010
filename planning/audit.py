"""Audit trail and write permission, at the one place every write passes: the ORM flush.

Before a flush, each changed row is checked against the acting person's role
(:func:`planning.auth.current`); a missing permission raises ``PermissionDenied`` and the whole
transaction rolls back. After the flush, one :class:`~planning.models.AuditEvent` per changed row
of a user-facing table is written in the same transaction: who, when, what, and the changed
columns before and after. Facts (population, Kitas, …) are imported in bulk and recorded once,
as the import of their :class:`~planning.models.DatasetVersion`.

Audit events are append-only: the ORM refuses to change or delete them, and database triggers
(migration 0006) refuse it to plain SQL as well. Whoever can drop those triggers (the owner of the
SQLite file, a database superuser) is still seen: every event carries a SHA-256 over its content
and the previous event's hash (:func:`chain_hash`), so a changed, inserted, backdated or deleted
event breaks the chain from there on; :func:`verify_chain` names the first broken event.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import weakref
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Engine, event, insert, inspect, select, text
from sqlalchemy.orm import Session

from planning import auth
from planning.auth import Permission, PermissionDenied
from planning.models import (
    AgendaItem,
    AppUser,
    Area,
    AreaLayout,
    AuditEvent,
    Birth,
    Comment,
    DatasetVersion,
    Decision,
    Enrollment,
    HousingDevelopment,
    IndicatorDefinition,
    IndicatorSet,
    IndicatorTarget,
    IndicatorValue,
    Kindertagespflege,
    Kita,
    MappingProfile,
    Meeting,
    Population,
    SavedView,
    Scenario,
    School,
    WorkOrder,
    utcnow,
)
from planning.sessions import session_scope

#: Tables whose rows are recorded one by one, with the permission a write needs.
AUDITED: dict[type, Permission] = {
    DatasetVersion: Permission.IMPORT,
    AreaLayout: Permission.IMPORT,
    MappingProfile: Permission.IMPORT,
    Scenario: Permission.PLAN,
    IndicatorDefinition: Permission.PLAN,
    IndicatorTarget: Permission.PLAN,
    IndicatorSet: Permission.PLAN,
    Comment: Permission.COMMENT,
    SavedView: Permission.COMMENT,
    Meeting: Permission.DECIDE,
    AgendaItem: Permission.DECIDE,
    Decision: Permission.DECIDE,
    WorkOrder: Permission.WORK_ORDERS,
    AppUser: Permission.ADMINISTER,
}
#: Imported facts: checked (import right), recorded through their dataset version.
FACTS: dict[type, Permission] = {
    cls: Permission.IMPORT
    for cls in (
        Area,
        Population,
        Birth,
        Kita,
        Kindertagespflege,
        School,
        Enrollment,
        IndicatorValue,
        HousingDevelopment,
    )
}

#: German names of the recorded tables (admin page, exports).
OBJECT_LABELS: dict[str, str] = {
    "dataset_version": "Datenstand",
    "area_layout": "Gebietsstand",
    "mapping_profile": "Zuordnungsprofil",
    "scenario": "Szenario",
    "indicator_definition": "Kennzahl (Register)",
    "indicator_target": "Zielwert",
    "indicator_set": "Kennzahlenset",
    "comment": "Kommentar",
    "saved_view": "Gespeicherte Ansicht",
    "meeting": "Sitzung",
    "agenda_item": "Tagesordnungspunkt",
    "decision": "Beschluss",
    "work_order": "Arbeitsauftrag",
    "app_user": "Benutzer",
}
CREATED, CHANGED, DELETED, IMPORTED = "angelegt", "geändert", "gelöscht", "importiert"
ACTIVATED, DEACTIVATED = "aktiviert", "deaktiviert"
_SECRET_COLUMNS = {"password_hash"}
_LABEL_ATTRS = ("title", "name", "label", "username", "text", "kind")
_PENDING = "_planungsatlas_audit_pending"


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return f"({len(bytes(value))} Bytes)"
    return str(value)


def _columns(obj: Any) -> list[str]:
    return [attr.key for attr in inspect(obj).mapper.column_attrs]


def _snapshot(obj: Any) -> dict[str, Any]:
    state = inspect(obj)
    out: dict[str, Any] = {}
    for key in _columns(obj):
        if key in state.unloaded:
            continue
        value = state.attrs[key].value
        out[key] = "***" if key in _SECRET_COLUMNS and value else _jsonable(value)
    return out


def _changes(obj: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    state = inspect(obj)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for key in _columns(obj):
        hist = state.attrs[key].history
        if not hist.has_changes():
            continue
        old = hist.deleted[0] if hist.deleted else None
        new = hist.added[0] if hist.added else None
        if old == new:
            continue
        secret = key in _SECRET_COLUMNS
        before[key] = "***" if secret else _jsonable(old)
        after[key] = "***" if secret else _jsonable(new)
    return before, after


def _label(obj: Any) -> str:
    if isinstance(obj, DatasetVersion):
        rows = f", {obj.row_count} Zeilen" if obj.row_count is not None else ""
        return f"{obj.kind}: {obj.label}{rows}"[:300]
    for attr in _LABEL_ATTRS:
        value = getattr(obj, attr, None)
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())[:300]
    return ""


def _denied(who: auth.Principal, permission: Permission, table: str) -> PermissionDenied:
    what = OBJECT_LABELS.get(table, table)
    if who is auth.NOBODY:
        return PermissionDenied(f"{auth.NO_ACTOR_MESSAGE} ({what})")
    if not who.username:
        return PermissionDenied(f"Bitte anmelden: ohne Anmeldung kann nichts gespeichert werden ({what}).")
    return PermissionDenied(
        f"Keine Berechtigung: {who.label} darf nicht {auth.PERMISSION_LABELS[permission]} ({what})."
    )


#: First words of statements that change the database (data or schema).
_WRITE_VERBS = frozenset(
    {
        "INSERT",
        "UPDATE",
        "DELETE",
        "REPLACE",
        "MERGE",
        "UPSERT",
        "COPY",
        "CREATE",
        "DROP",
        "ALTER",
        "TRUNCATE",
    }
)
_CTE_WRITE = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)


def is_write(statement: str) -> bool:
    """True for SQL that changes data or schema (also ``WITH … INSERT``)."""
    head = statement.lstrip().split(None, 1)
    verb = head[0].upper() if head else ""
    return verb in _WRITE_VERBS or (verb == "WITH" and _CTE_WRITE.search(statement) is not None)


def _refuse_without_actor(conn, cursor, statement, _params, _context, _many) -> None:  # type: ignore[no-untyped-def]
    """No write reaches any database of this process without an acting person.

    The flush check below covers ORM writes by role; this covers everything else too (bulk inserts,
    ``session.execute(update(...))``, plain SQL, DDL): a code path that forgot ``acting_as`` fails
    closed instead of writing as somebody. On PostgreSQL the first write of a transaction also
    takes the chain lock (:func:`_lock_chain_first`).
    """
    # is_write first: asking for the actor may itself read the database (the app's resolver).
    if not is_write(statement):
        return
    if auth.actor() is None:
        raise PermissionDenied(auth.NO_ACTOR_MESSAGE)
    if conn.dialect.name == "postgresql":
        _lock_chain_first(conn, cursor)


def _lock_chain_first(conn, cursor) -> None:  # type: ignore[no-untyped-def]
    """Take the audit chain's lock before the transaction's first write, not only when its trail
    is appended.

    Taken late, after the transaction's own row writes, the lock closes a cycle: A wrote row X and
    appended (holds the lock) and then writes row Y, which B wrote before waiting for the lock —
    PostgreSQL kills one of them ("deadlock detected"). Taken first, a writer waits before holding
    any row, so writers queue instead (tests/test_audit_lock.py). Advisory locks count up, so the
    append's own lock call later in the same transaction is free.
    """
    txn = conn.get_transaction()
    held = conn.info.get(_CHAIN_LOCKED)
    if txn is None or (held is not None and held() is txn):
        return
    cursor.execute("SELECT pg_advisory_xact_lock(%s)", (CHAIN_LOCK_KEY,))
    conn.info[_CHAIN_LOCKED] = weakref.ref(txn)


_CHAIN_LOCKED = "planungsatlas_chain_locked"


def _check(session: Session, _ctx: Any, _instances: Any) -> None:
    """Refuse the whole flush when the acting person lacks a right, or it touches the trail."""
    who = auth.current()
    allowed: dict[type, bool] = {}
    pending: list[tuple[str, Any, dict[str, Any] | None, dict[str, Any] | None]] = []
    for kind, objs in (("new", session.new), ("dirty", session.dirty), ("deleted", session.deleted)):
        for obj in objs:
            cls = type(obj)
            if cls is AuditEvent:
                if kind != "new":
                    raise PermissionDenied("Das Änderungsprotokoll kann nicht geändert oder gelöscht werden.")
                continue
            permission = AUDITED.get(cls) or FACTS.get(cls)
            if permission is None:
                continue
            if kind == "dirty" and not session.is_modified(obj, include_collections=False):
                continue
            if cls not in allowed:
                allowed[cls] = who.can(permission)
            if not allowed[cls]:
                raise _denied(who, permission, cls.__tablename__)
            if cls not in AUDITED:
                continue
            if kind == "new":
                pending.append((IMPORTED if cls is DatasetVersion else CREATED, obj, None, None))
            elif kind == "dirty":
                before, after = _changes(obj)
                if set(after) == {"is_active"}:  # a data or layout version switched on or off
                    pending.append((ACTIVATED if after["is_active"] else DEACTIVATED, obj, before, after))
                elif after:
                    pending.append((CHANGED, obj, before, after))
            else:
                pending.append((DELETED, obj, _snapshot(obj), None))
    if pending:
        session.info.setdefault(_PENDING, []).extend(pending)


def _record(session: Session, _ctx: Any) -> None:
    """Write the trail of this flush (ids of new rows are known now) in the same transaction."""
    pending = session.info.pop(_PENDING, [])
    if not pending:
        return
    who = auth.current()
    now = utcnow()
    rows = []
    for action, obj, before, after in pending:
        if action in (CREATED, IMPORTED):
            after = _snapshot(obj)
        ident = inspect(obj).mapper.primary_key_from_instance(obj)
        rows.append(
            {
                "at": now,
                "actor": who.username or "-",
                "actor_name": who.display_name,
                "role": who.role.value,
                "action": action,
                "object_type": type(obj).__tablename__,
                "object_id": ",".join(str(i) for i in ident if i is not None),
                "label": _label(obj),
                "before": _dumps(before),
                "after": _dumps(after),
            }
        )
    conn = session.connection()
    previous = _last_hash(conn)
    for row in rows:
        row["prev_hash"] = previous
        row["row_hash"] = previous = chain_hash(previous, row)
    conn.execute(insert(AuditEvent).execution_options(), rows)


# --- the hash chain --------------------------------------------------------------------------------

#: prev_hash of the first event.
GENESIS = "0" * 64
#: PostgreSQL advisory lock held while appending ("AUDITCHN"): one appender at a time, so two
#: transactions never both chain onto the same last event. SQLite serialises writers itself (the
#: object's own write came first in the transaction, so it holds the write lock already).
CHAIN_LOCK_KEY = 0x4155444954434846
#: The columns the hash covers, in this order (the id is not: the chain itself gives the order).
CHAINED = (
    "at",
    "actor",
    "actor_name",
    "role",
    "action",
    "object_type",
    "object_id",
    "label",
    "before",
    "after",
)


def _canonical(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    return value


def chain_hash(previous: str, row: Any) -> str:
    """SHA-256 (hex) over the previous event's hash and this event's content."""
    get = row.get if isinstance(row, dict) else (lambda key: getattr(row, key))
    payload = [previous, *(_canonical(get(key)) for key in CHAINED)]
    text_ = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text_.encode("utf-8")).hexdigest()


def _last_hash(conn: Any) -> str:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})
    last = conn.execute(select(AuditEvent.row_hash).order_by(AuditEvent.id.desc()).limit(1)).first()
    return (last[0] or GENESIS) if last is not None else GENESIS


@dataclass(frozen=True)
class ChainReport:
    """Result of :func:`verify_chain`: ``ok``, events checked, the first broken one and why."""

    ok: bool
    checked: int
    broken_id: int | None = None
    reason: str = ""
    last_hash: str = GENESIS

    @property
    def message(self) -> str:
        """One German sentence for the page and the command line."""
        if self.ok:
            return (
                f"Änderungsprotokoll unversehrt: {self.checked:n} Einträge geprüft, die Kette ist "
                f"lückenlos (letzte Prüfsumme {self.last_hash[:16]}…)."
            )
        return (
            f"Änderungsprotokoll verändert: Eintrag Nr. {self.broken_id} {self.reason}. "
            f"Die {self.checked:n} Einträge davor sind unversehrt; "
            f"ab Nr. {self.broken_id} ist nichts mehr belegt."
        )


def verify_chain(engine: Engine) -> ChainReport:
    """Recompute the chain from the first event on; stop at the first one that does not fit.

    Detects a changed event (its hash no longer matches its content), an inserted or deleted one
    (its ``prev_hash`` is not the previous event's hash) and one without hashes (inserted around
    the trail). Not detected: somebody who recomputes the whole chain after a change, or cuts
    events off its end; note :attr:`ChainReport.last_hash` somewhere else to see that too.
    """
    previous, checked = GENESIS, 0
    with engine.connect() as conn:
        rows = conn.execute(select(AuditEvent).order_by(AuditEvent.id)).yield_per(2000)
        for row in rows:
            when = f"({row.action} {OBJECT_LABELS.get(row.object_type, row.object_type)}"
            when += f", {row.at:%d.%m.%Y %H:%M} UTC)" if isinstance(row.at, dt.datetime) else ")"
            if not row.row_hash or not row.prev_hash:
                reason = f"{when} hat keine Prüfsumme: er wurde am Programm vorbei eingefügt"
            elif row.prev_hash != previous:
                reason = f"{when} schließt nicht an den vorigen an: davor wurde einer gelöscht oder eingefügt"
            elif chain_hash(previous, row) != row.row_hash:
                reason = f"{when} wurde nachträglich geändert (Inhalt passt nicht zur Prüfsumme)"
            else:
                previous, checked = row.row_hash, checked + 1
                continue
            return ChainReport(False, checked, row.id, reason, previous)
    return ChainReport(True, checked, last_hash=previous)


def _dumps(values: dict[str, Any] | None) -> str | None:
    return None if values is None else json.dumps(values, ensure_ascii=False, sort_keys=True)


def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)


# --- reading the trail -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilter:
    """What the admin page filters by; empty fields do not filter."""

    actor: str = ""
    object_type: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    text: str = ""
    limit: int = 1000


def _role_label(role: str) -> str:
    try:
        return auth.ROLE_LABELS[auth.Role(role)]
    except ValueError:
        return role


def events(engine: Engine, flt: AuditFilter | None = None) -> pd.DataFrame:
    """Audit events, newest first, with German column names ready for a table or an export."""
    flt = flt or AuditFilter()
    q = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if flt.actor:
        q = q.where(AuditEvent.actor == flt.actor)
    if flt.object_type:
        q = q.where(AuditEvent.object_type == flt.object_type)
    if flt.since:
        q = q.where(AuditEvent.at >= dt.datetime.combine(flt.since, dt.time.min))
    if flt.until:
        q = q.where(AuditEvent.at < dt.datetime.combine(flt.until + dt.timedelta(days=1), dt.time.min))
    if flt.text.strip():
        like = f"%{flt.text.strip()}%"
        found = AuditEvent.label.ilike(like) | AuditEvent.after.ilike(like) | AuditEvent.before.ilike(like)
        q = q.where(found)
    with session_scope(engine) as s:
        rows = s.scalars(q.limit(max(1, flt.limit))).all()
        return pd.DataFrame(
            [
                {
                    "Zeitpunkt (UTC)": r.at,
                    "Person": r.actor_name,
                    "Benutzername": r.actor,
                    "Rolle": _role_label(r.role),
                    "Aktion": r.action,
                    "Objekt": OBJECT_LABELS.get(r.object_type, r.object_type),
                    "Nr.": r.object_id,
                    "Bezeichnung": r.label,
                    "vorher": r.before or "",
                    "nachher": r.after or "",
                }
                for r in rows
            ],
            columns=[
                "Zeitpunkt (UTC)",
                "Person",
                "Benutzername",
                "Rolle",
                "Aktion",
                "Objekt",
                "Nr.",
                "Bezeichnung",
                "vorher",
                "nachher",
            ],
        )


# --- wiring ----------------------------------------------------------------------------------------

_LISTENERS = (
    (Engine, "before_cursor_execute", _refuse_without_actor),
    (Session, "before_flush", _check),
    (Session, "after_flush", _record),
    (Session, "after_rollback", _forget),
)


def install() -> None:
    """Put the write check and the audit trail on every engine and session of this process.

    Process-wide on purpose (the ``Engine`` and ``Session`` classes, not one engine): an engine or
    session made any other way is covered too, so no code path writes unchecked or untraced. Called
    by :func:`planning.db.make_engine`; calling it again changes nothing.
    """
    for target, name, fn in _LISTENERS:
        if not event.contains(target, name, fn):
            event.listen(target, name, fn)
