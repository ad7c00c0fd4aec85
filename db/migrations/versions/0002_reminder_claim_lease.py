"""reminder claim lease: a claimed but unsent reminder is taken up again

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 12:00:00

Until now the claim itself set `reminded_at`, so a process stopped between claiming and sending
lost those reminders. The claim now has its own column; `reminded_at` is set once sent. Claims
already recorded were sent by the code that made them, so existing rows need no change.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# SQLite rebuilds the table for some changes; it must keep AUTOINCREMENT (ids are never reused).
TABLE_KWARGS = {"sqlite_autoincrement": True}


def upgrade() -> None:
    with op.batch_alter_table("quiz_attempts", table_kwargs=TABLE_KWARGS) as batch_op:
        batch_op.add_column(sa.Column("reminder_claimed_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    # An unsent claim becomes "reminded", as the previous code understood a claim.
    op.execute(
        "UPDATE quiz_attempts SET reminded_at = reminder_claimed_at"
        " WHERE reminded_at IS NULL AND reminder_claimed_at IS NOT NULL"
    )
    with op.batch_alter_table("quiz_attempts", table_kwargs=TABLE_KWARGS) as batch_op:
        batch_op.drop_column("reminder_claimed_at")
