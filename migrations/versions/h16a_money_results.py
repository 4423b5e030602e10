"""Money and results per match (issue 16): funding entries (pledged, committed, disbursed; currency, date,
funder, the rate to US dollars recorded per entry), result indicators (baseline, target, actual, unit; the
State's comment), the match's lessons learned and the reasons it was proposed, and the organisations' IATI
identifiers.

Columns on existing tables are plain add_column (no batch rebuild), with server defaults for the rows there.

Revision ID: h16a_money_results
Revises: h14a_case_queue
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'h16a_money_results'
down_revision = 'h14a_case_queue'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('match_funding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('match_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=10), nullable=False),
    sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('usd_rate', sa.Numeric(precision=18, scale=8), nullable=False),
    sa.Column('usd_amount', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('funder_id', sa.Integer(), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("stage IN ('pledged', 'committed', 'disbursed')", name=op.f('ck_match_funding_stage')),
    sa.CheckConstraint('amount > 0', name=op.f('ck_match_funding_amount_positive')),
    sa.CheckConstraint('usd_rate > 0', name=op.f('ck_match_funding_usd_rate_positive')),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_match_funding_entered_by_id_users')),
    sa.ForeignKeyConstraint(['funder_id'], ['organisations.id'], name=op.f('fk_match_funding_funder_id_organisations')),
    sa.ForeignKeyConstraint(['match_id'], ['matches.id'], name=op.f('fk_match_funding_match_id_matches')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_match_funding'))
    )
    with op.batch_alter_table('match_funding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_match_funding_date'), ['date'], unique=False)
        batch_op.create_index(batch_op.f('ix_match_funding_funder_id'), ['funder_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_match_funding_match_id'), ['match_id'], unique=False)

    op.create_table('match_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('match_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('indicator', sa.String(length=300), nullable=False),
    sa.Column('unit', sa.String(length=60), nullable=False),
    sa.Column('baseline', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('target', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('actual', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('state_comment', sa.Text(), nullable=False),
    sa.Column('state_commented_at', sa.DateTime(), nullable=True),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('output', 'outcome')", name=op.f('ck_match_results_kind')),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_match_results_entered_by_id_users')),
    sa.ForeignKeyConstraint(['match_id'], ['matches.id'], name=op.f('fk_match_results_match_id_matches')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_match_results'))
    )
    with op.batch_alter_table('match_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_match_results_match_id'), ['match_id'], unique=False)

    op.add_column('matches', sa.Column('lessons', sa.Text(), server_default='', nullable=False))
    op.add_column('matches', sa.Column('selection_reasons', sa.JSON(), nullable=True))
    op.add_column('organisations', sa.Column('iati_identifier', sa.String(length=150), server_default='',
                                             nullable=False))



def downgrade():
    op.drop_column('organisations', 'iati_identifier')
    op.drop_column('matches', 'selection_reasons')
    op.drop_column('matches', 'lessons')

    with op.batch_alter_table('match_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_match_results_match_id'))

    op.drop_table('match_results')
    with op.batch_alter_table('match_funding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_match_funding_match_id'))
        batch_op.drop_index(batch_op.f('ix_match_funding_funder_id'))
        batch_op.drop_index(batch_op.f('ix_match_funding_date'))

    op.drop_table('match_funding')
