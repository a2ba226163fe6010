"""audit trail hash chain (tamper evidence)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TRIGGER_SQLITE = (
    "CREATE TRIGGER audit_event_no_{what} BEFORE {WHAT} ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'Das Änderungsprotokoll ist unveränderlich'); END"
)


def upgrade() -> None:
    # Plain ADD COLUMN, not batch mode: on SQLite a batch rebuild would drop the append-only triggers.
    op.add_column("audit_event", sa.Column("prev_hash", sa.String(length=64), nullable=True))
    op.add_column("audit_event", sa.Column("row_hash", sa.String(length=64), nullable=True))
    _chain_existing_events()


def _chain_existing_events() -> None:
    """Chain the events written before this migration, in id order (the triggers forbid UPDATE,
    so they are lifted for exactly this and put back in the same transaction)."""
    from planning.audit import GENESIS, chain_hash

    bind = op.get_bind()
    table = sa.table(
        "audit_event",
        *(sa.column(c) for c in ("id", "at", "actor", "actor_name", "role", "action", "object_type")),
        *(sa.column(c) for c in ("object_id", "label", "before", "after", "prev_hash", "row_hash")),
    )
    rows = bind.execute(sa.select(table).order_by(table.c.id)).all()
    if not rows:
        return
    postgres = bind.dialect.name == "postgresql"
    if postgres:
        op.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
    previous = GENESIS
    for row in rows:
        values = dict(row._mapping)
        if isinstance(values["at"], str):  # SQLite without the ORM type: text as stored
            import datetime as dt

            values["at"] = dt.datetime.fromisoformat(values["at"])
        digest = chain_hash(previous, values)
        bind.execute(table.update().where(table.c.id == row.id).values(prev_hash=previous, row_hash=digest))
        previous = digest
    if postgres:
        op.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only")
    else:
        op.execute(_TRIGGER_SQLITE.format(what="update", WHAT="UPDATE"))


def downgrade() -> None:
    op.drop_column("audit_event", "row_hash")
    op.drop_column("audit_event", "prev_hash")
