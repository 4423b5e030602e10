"""Issue 17 (h17c): the report summary (`report_counts`, exchange/reports/summary.py): counts of requests per
facet (matrix cell, theme, pillar, month, country, working days to the first proposal and to delivery), country,
visibility class and status, kept current in the transaction of each change. Filled here from the records."""
import sqlalchemy as sa
from alembic import op

revision = "h17c_report_summary"
down_revision = "h17f_import_uploads"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "report_counts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("facet", sa.String(8), nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("country_iso3", sa.String(3), nullable=False),
        sa.Column("visibility", sa.String(12), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.UniqueConstraint("facet", "code", "country_iso3", "visibility", "status", name="uq_report_counts_key"),
    )
    from exchange.reports.summary import rebuild_all
    rebuild_all(op.get_bind())


def downgrade():
    op.drop_table("report_counts")
