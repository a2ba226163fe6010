"""comments bound to the year and the dataset versions they speak about

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 18:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Comments written before this carry neither (they are shown without "bezieht sich auf").
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("year", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("versions_json", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.drop_column("versions_json")
        batch_op.drop_column("year")
