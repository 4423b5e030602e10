"""Issue 16 (h16b): the State's consent to the public summary on requests (`publish_summary`, off by
default), the IATI activity an offer was imported from (`offers.iati_identifier`), and when admins edited
working groups and the themes they cover in the app (so that `seed reference` keeps those edits).

Plain add_column (no batch rebuild: `assistance_requests` and `offers` carry full-text search triggers)."""
import sqlalchemy as sa
from alembic import op

revision = "h16b_publish_and_reference"
down_revision = "h16a_money_results"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("assistance_requests", sa.Column("publish_summary", sa.Boolean(), nullable=False,
                                                   server_default=sa.false()))
    op.create_index("ix_assistance_requests_publish_summary", "assistance_requests", ["publish_summary"])
    op.add_column("offers", sa.Column("iati_identifier", sa.String(200), nullable=True))
    op.create_index("ix_offers_iati_identifier", "offers", ["iati_identifier"])
    op.add_column("working_groups", sa.Column("edited_at", sa.DateTime(), nullable=True))
    op.add_column("themes", sa.Column("working_group_edited_at", sa.DateTime(), nullable=True))


def downgrade():
    op.drop_column("themes", "working_group_edited_at")
    op.drop_column("working_groups", "edited_at")
    op.drop_index("ix_offers_iati_identifier", table_name="offers")
    op.drop_column("offers", "iati_identifier")
    op.drop_index("ix_assistance_requests_publish_summary", table_name="assistance_requests")
    op.drop_column("assistance_requests", "publish_summary")
