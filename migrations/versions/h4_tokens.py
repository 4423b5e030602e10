"""API tokens expire and may be read-only: `expires_at` (tokens issued before this revision expire 90 days
after the upgrade) and `scope` ("write", as every earlier token could; or "read").

Revision ID: h4_tokens
Revises: h3_sessions
"""
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from alembic import op

revision = "h4_tokens"
down_revision = "h3_sessions"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("expires_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("scope", sa.String(length=10), nullable=False, server_default="write"))
    expires = datetime.now(timezone.utc).replace(tzinfo=None) + timedelta(days=90)
    op.execute(sa.text("UPDATE api_tokens SET expires_at = :expires").bindparams(expires=expires))
    with op.batch_alter_table("api_tokens") as batch:
        batch.alter_column("expires_at", existing_type=sa.DateTime(), nullable=False)


def downgrade():
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("scope")
        batch.drop_column("expires_at")
