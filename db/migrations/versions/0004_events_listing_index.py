"""the list of upcoming events reads only an index

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 09:20:00

The index on (status, starts_at) becomes one that also holds every column the list of upcoming
events filters on (end, audience, grade range, kind), so that counting the events that fit a
user reads the index alone, not one table row per upcoming event.
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = ['status', 'starts_at', 'ends_at', 'audience', 'grade_min', 'grade_max', 'kind']


def upgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_status_starts')
        batch_op.create_index('ix_events_listing', _COLUMNS, unique=False)


def downgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_listing')
        batch_op.create_index('ix_events_status_starts', ['status', 'starts_at'], unique=False)
