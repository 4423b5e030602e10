"""The case queue: a case owner on each request, the office's working-day clock (days counted while the case
is the office's to move, paused while it waits on the State or a provider), who can see each message of a
case's conversation, and each coordinator's saved views of the queue.

Plain add_column on assistance_requests (no batch rebuild: on SQLite it would drop the full-text triggers)."""
import sqlalchemy as sa
from alembic import op

revision = "h14a_case_queue"
down_revision = "h15a_jobs"
branch_labels = None
depends_on = None

RUNNING = "('submitted', 'in_review', 'open')"


def upgrade():
    if op.get_bind().dialect.name == "sqlite":  # SQLite adds a column's reference inline only
        op.execute("ALTER TABLE assistance_requests ADD COLUMN owner_id INTEGER "
                   "CONSTRAINT fk_assistance_requests_owner_id_users REFERENCES users (id)")
    else:
        op.add_column("assistance_requests", sa.Column("owner_id", sa.Integer(), nullable=True))
        op.create_foreign_key("fk_assistance_requests_owner_id_users", "assistance_requests", "users",
                              ["owner_id"], ["id"])
    op.create_index("ix_assistance_requests_owner_id", "assistance_requests", ["owner_id"])
    op.add_column("assistance_requests", sa.Column("clock_days", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("assistance_requests", sa.Column("clock_since", sa.DateTime(), nullable=True))
    # A request the office holds now: its clock runs from its submission (what triage counted before).
    op.execute(f"UPDATE assistance_requests SET clock_since = coalesce(submitted_at, created_at) "
               f"WHERE status IN {RUNNING}")
    op.add_column("messages", sa.Column("audience", sa.String(length=12), nullable=False,
                                        server_default="everyone"))
    op.create_table(
        "triage_views",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("query", sa.String(length=1000), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("user_id", "name", name="uq_triage_views_user_name"),
    )
    op.create_index("ix_triage_views_user_id", "triage_views", ["user_id"])


def downgrade():
    op.drop_index("ix_triage_views_user_id", table_name="triage_views")
    op.drop_table("triage_views")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("audience")
    op.drop_index("ix_assistance_requests_owner_id", table_name="assistance_requests")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint("fk_assistance_requests_owner_id_users", "assistance_requests", type_="foreignkey")
    op.drop_column("assistance_requests", "clock_since")
    op.drop_column("assistance_requests", "clock_days")
    op.drop_column("assistance_requests", "owner_id")
