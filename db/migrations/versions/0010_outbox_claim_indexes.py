"""outbox: indexes for the sender's claim

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 19:15:00

The claim of a round read and sorted every waiting row (a sequential scan: 12 ms a round on
PostgreSQL with 10 000 waiting, growing with the queue). A partial index of the due rows in the
claim's order lets it stop at a round's worth; an index on `claimed_at` finds the rows claimed
within the last second (one message a second per chat) and the claims never finished.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DUE = sa.text('sent_at IS NULL AND claimed_at IS NULL')


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(
            'ix_outbox_due',
            ['not_before', 'id'],
            unique=False,
            sqlite_where=_DUE,
            postgresql_where=_DUE,
        )
        batch_op.create_index('ix_outbox_claimed', ['claimed_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_claimed')
        batch_op.drop_index('ix_outbox_due')
