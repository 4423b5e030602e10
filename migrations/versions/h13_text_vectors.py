"""Stored text vectors of requests and offers (issue 13): one row per passage, float32 bytes.

Revision ID: h13_text_vectors
Revises: h2_mfa
"""
import sqlalchemy as sa
from alembic import op

revision = "h13_text_vectors"
down_revision = "h2_mfa"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "text_vectors",
        sa.Column("record_type", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("passage", sa.Integer(), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=120), nullable=False),
        sa.Column("dimension", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("record_type IN ('request', 'offer')", name=op.f("ck_text_vectors_record_type")),
        sa.CheckConstraint("passage >= 0", name=op.f("ck_text_vectors_passage")),
        sa.PrimaryKeyConstraint("record_type", "record_id", "passage", name=op.f("pk_text_vectors")),
    )
    with op.batch_alter_table("text_vectors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_text_vectors_computed_at"), ["computed_at"], unique=False)


def downgrade():
    with op.batch_alter_table("text_vectors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_text_vectors_computed_at"))
    op.drop_table("text_vectors")
