"""Beschlussvorschlag per agenda item, with a revision for compare-and-set

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The proposed decision is prepared before the meeting, shown in the room and printed in the
    # paper; its edits count a revision, so two people preparing it never overwrite each other.
    with op.batch_alter_table("agenda_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("proposal", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("proposal_by", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("proposal_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("agenda_item", schema=None) as batch_op:
        batch_op.drop_column("revision")
        batch_op.drop_column("proposal_at")
        batch_op.drop_column("proposal_by")
        batch_op.drop_column("proposal")
