"""rejected_updates: the updates the bot could not read, kept in the database

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 15:10:00

An update aiogram cannot parse (Telegram) or a MAX update without MAX's documented shape was
appended to a JSON-lines file of the process that got it, for ever. It holds personal data, so
it is now a row: with its sender (when the update names one) to be erased by /forget and shown
by /mydata, and deleted after REJECTED_UPDATES_KEEP_DAYS. The old files are not imported.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'rejected_updates',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('update_id', sa.BigInteger(), nullable=True),
        sa.Column('user_id', sa.BigInteger(), nullable=True),
        sa.Column('raw', sa.Text(), nullable=False),
        sa.Column('problems', sa.JSON(), nullable=False),
        sa.Column('rejected_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rejected_updates')),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table('rejected_updates', schema=None) as batch_op:
        batch_op.create_index('ix_rejected_updates_user_id', ['user_id'], unique=False)
        batch_op.create_index('ix_rejected_updates_rejected_at', ['rejected_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('rejected_updates', schema=None) as batch_op:
        batch_op.drop_index('ix_rejected_updates_rejected_at')
        batch_op.drop_index('ix_rejected_updates_user_id')
    op.drop_table('rejected_updates')
