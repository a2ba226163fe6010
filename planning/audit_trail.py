"""The audit trail as a record: German names of its objects, the hash chain that makes it tamper-evident,
and reading it back (the Änderungsprotokoll page, ``python -m planning audit``).

Every event carries a SHA-256 over its content and the previous event's hash (:func:`chain_hash`),
so a changed, inserted, backdated or deleted event breaks the chain from there on;
:func:`verify_chain` names the first broken event. Events are written by :mod:`planning.audit`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select, text

from planning import auth
from planning.models import AuditEvent
from planning.sessions import session_scope

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


def last_hash(conn: Any) -> str:
    """The newest event's hash (``GENESIS`` for an empty trail); on PostgreSQL under the chain lock."""
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
