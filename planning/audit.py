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
event breaks the chain from there on; :func:`verify_chain` names the first broken event. The chain,
the German object names and reading the trail live in :mod:`planning.audit_trail`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import weakref
from typing import Any

from sqlalchemy import Engine, event, insert, inspect
from sqlalchemy.orm import Session

from planning import auth

# The read side lives in planning.audit_trail; re-exported because pages/protokoll.py, the CLI and
# migration 0009 import it from here.
from planning.audit_trail import (  # noqa: F401
    CHAIN_LOCK_KEY,
    CHAINED,
    GENESIS,
    OBJECT_LABELS,
    AuditFilter,
    ChainReport,
    chain_hash,
    events,
    last_hash,
    verify_chain,
)
from planning.auth import Permission, PermissionDenied
from planning.models import (
    FACT_MODELS,
    AgendaItem,
    AppUser,
    Area,
    AreaLayout,
    AuditEvent,
    Comment,
    DatasetVersion,
    Decision,
    IndicatorDefinition,
    IndicatorSet,
    IndicatorTarget,
    MappingProfile,
    Meeting,
    SavedView,
    Scenario,
    WorkOrder,
    utcnow,
)

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
FACTS: dict[type, Permission] = {cls: Permission.IMPORT for cls in (Area, *FACT_MODELS.values())}

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
    previous = last_hash(conn)
    for row in rows:
        row["prev_hash"] = previous
        row["row_hash"] = previous = chain_hash(previous, row)
    conn.execute(insert(AuditEvent).execution_options(), rows)


def _dumps(values: dict[str, Any] | None) -> str | None:
    return None if values is None else json.dumps(values, ensure_ascii=False, sort_keys=True)


def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)


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
