"""the municipal monitoring

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 17:21:15

The roster (students per school, grade and year: the denominator of coverage), the
administrative indicators entered once a term, the answer sheets of the self-assessment and the
destination survey, and two indexes the monitoring's queries read alone: steps by school and
grade, and steps by kind and month.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('term_indicators',
    sa.Column('academic_year', sa.SmallInteger(), nullable=False),
    sa.Column('term', sa.SmallInteger(), nullable=False),
    sa.Column('agreements', sa.Integer(), nullable=False),
    sa.Column('teachers_trained', sa.Integer(), nullable=False),
    sa.Column('schools_with_page', sa.Integer(), nullable=False),
    sa.Column('updated_by', sa.BigInteger(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('academic_year', 'term', name=op.f('pk_term_indicators'))
    )
    op.create_table('roster',
    sa.Column('academic_year', sa.SmallInteger(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('grade', sa.SmallInteger(), nullable=False),
    sa.Column('students', sa.Integer(), nullable=False),
    sa.Column('updated_by', sa.BigInteger(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_roster_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('academic_year', 'organisation_id', 'grade', name=op.f('pk_roster'))
    )
    op.create_table('survey_answers',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('grade', sa.SmallInteger(), nullable=True),
    sa.Column('academic_year', sa.SmallInteger(), nullable=False),
    sa.Column('window', sa.SmallInteger(), nullable=False),
    sa.Column('answer', sa.String(length=16), nullable=False),
    sa.Column('college', sa.String(length=40), nullable=False),
    sa.Column('programme', sa.String(length=200), nullable=False),
    sa.Column('counts', sa.Boolean(), nullable=False),
    sa.Column('latest', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_survey_answers_organisation_id_organisations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_survey_answers_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_answers')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('survey_answers', schema=None) as batch_op:
        batch_op.create_index('ix_survey_answers_user', ['user_id', 'kind', 'academic_year', 'window'], unique=False)
        batch_op.create_index('ix_survey_answers_year', ['academic_year', 'kind', 'latest', 'window', 'organisation_id', 'grade', 'answer', 'counts'], unique=False)

    with op.batch_alter_table('steps', schema=None) as batch_op:
        batch_op.create_index('ix_steps_coverage', ['academic_year', 'role', 'organisation_id', 'grade', 'user_id'], unique=False)
        batch_op.create_index('ix_steps_participation', ['academic_year', 'kind', 'created_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('steps', schema=None) as batch_op:
        batch_op.drop_index('ix_steps_participation')
        batch_op.drop_index('ix_steps_coverage')

    with op.batch_alter_table('survey_answers', schema=None) as batch_op:
        batch_op.drop_index('ix_survey_answers_year')
        batch_op.drop_index('ix_survey_answers_user')

    op.drop_table('survey_answers')
    op.drop_table('roster')
    op.drop_table('term_indicators')
