"""A request's reference number in the requesting ministry's own files (optional text, at most 80 characters).

Revision ID: hf_reference_number
Revises: h2_mfa
"""
import sqlalchemy as sa
from alembic import op

revision = "hf_reference_number"
down_revision = "h2_mfa"
branch_labels = None
depends_on = None


# Plain ALTER TABLE on every engine (SQLite adds and drops a column in place): a batch copy of the table
# would lose the full-text search triggers SQLite keeps on it.
def upgrade():
    op.add_column("assistance_requests",
                  sa.Column("reference_number", sa.String(length=80), nullable=False, server_default=""))


def downgrade():
    op.drop_column("assistance_requests", "reference_number")
