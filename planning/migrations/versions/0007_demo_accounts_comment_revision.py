"""demo accounts flag, comment revision

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 17:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A demo account's password is printed on the sign-in page; a real account's never is.
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("is_demo", sa.Boolean(), nullable=False, server_default=sa.false()))
    # Resolving / reopening a thread is an edit: the second of two parallel ones is refused.
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.drop_column("revision")
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_column("is_demo")
