"""Notifications written in their reader's language: the words (an English msgid) and their values, as JSON,
so that the inbox and the e-mail render them in the recipient's language. Old rows keep their stored English
`message` and no params.

Plain add_column (no batch rebuild)."""
import sqlalchemy as sa
from alembic import op

revision = "hC_notification_texts"
down_revision = "h12_languages"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("notifications", sa.Column("params", sa.JSON(), nullable=True))


def downgrade():
    op.drop_column("notifications", "params")
