"""The matching index's data version (issue 17): one row per change of a request's or an offer's matching
data, written in the same transaction; the index catches up by primary key instead of max(updated_at).

Revision ID: h17e_matching_changes
Revises: h16b_publish_and_reference
"""
import sqlalchemy as sa
from alembic import op

revision = "h17e_matching_changes"
down_revision = "h17b_queue_clock"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "matching_changes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("record_type", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("record_type IN ('request', 'offer')", name=op.f("ck_matching_changes_record_type")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_matching_changes")),
    )
    with op.batch_alter_table("matching_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_matching_changes_at"), ["at"], unique=False)


def downgrade():
    with op.batch_alter_table("matching_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_matching_changes_at"))
    op.drop_table("matching_changes")
