"""Large imports as jobs (h17f): `import_uploads`, an upload of offers, requests or IATI activities checked and
applied by background jobs, with its report, its result and the idempotency key the apply job claims."""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'h17f_import_uploads'
down_revision = 'h16b_publish_and_reference'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('import_uploads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('options', sa.JSON(), nullable=True),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('data_path', sa.String(length=500), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('check_job_id', sa.Integer(), nullable=True),
    sa.Column('apply_job_id', sa.Integer(), nullable=True),
    sa.Column('report', sa.JSON(), nullable=True),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('applied_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("kind IN ('offers', 'requests', 'iati')", name=op.f('ck_import_uploads_kind')),
    sa.CheckConstraint("state IN ('checking', 'checked', 'refused', 'applying', 'applied')",
                       name=op.f('ck_import_uploads_state')),
    sa.ForeignKeyConstraint(['apply_job_id'], ['jobs.id'], name=op.f('fk_import_uploads_apply_job_id_jobs'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['check_job_id'], ['jobs.id'], name=op.f('fk_import_uploads_check_job_id_jobs'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_import_uploads_owner_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_uploads')),
    sa.UniqueConstraint('key', name=op.f('uq_import_uploads_key'))
    )
    with op.batch_alter_table('import_uploads', schema=None) as batch_op:
        batch_op.create_index('ix_import_uploads_owner', ['owner_id'], unique=False)


def downgrade():
    with op.batch_alter_table('import_uploads', schema=None) as batch_op:
        batch_op.drop_index('ix_import_uploads_owner')
    op.drop_table('import_uploads')
