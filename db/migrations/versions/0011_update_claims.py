"""update_claims: each update from Telegram handled once across processes

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 09:20:00

Several bot processes behind a reverse proxy: an update Telegram delivers twice (to any of
them) is handled once. A process claims (channel, update_id) before handling it and marks it
done at the end; a claim its process stopped renewing (it died) lapses, so the redelivery is
handled again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'update_claims',
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('update_id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('token', sa.BigInteger(), nullable=False),
        sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('channel', 'update_id', name=op.f('pk_update_claims')),
    )
    with op.batch_alter_table('update_claims', schema=None) as batch_op:
        batch_op.create_index('ix_update_claims_claimed_at', ['claimed_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('update_claims', schema=None) as batch_op:
        batch_op.drop_index('ix_update_claims_claimed_at')
    op.drop_table('update_claims')
