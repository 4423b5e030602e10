"""The languages: the one a person reads the Exchange in (users.language), and the one each request, offer
and message is written in (content_language).

Plain add_column, not batch_alter_table: on SQLite a batch rebuild of assistance_requests or offers would drop
their full-text triggers."""
import sqlalchemy as sa
from alembic import op

revision = "h12_languages"
down_revision = "hn_notification_records"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("language", sa.String(length=8), nullable=True))
    for table in ("assistance_requests", "offers"):
        op.add_column(table, sa.Column("content_language", sa.String(length=8), nullable=True))
        op.create_index(f"ix_{table}_content_language", table, ["content_language"])
    op.add_column("messages", sa.Column("content_language", sa.String(length=8), nullable=True))


def downgrade():
    op.drop_column("messages", "content_language")
    for table in ("offers", "assistance_requests"):
        op.drop_index(f"ix_{table}_content_language", table_name=table)
        op.drop_column(table, "content_language")
    op.drop_column("users", "language")
