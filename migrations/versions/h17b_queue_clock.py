"""Issue 17 (h17b): the case queue reads its default order (the longest wait first) from indexes instead of
sorting every live case: an expression index on a running clock's anchor (working days from a Monday of 1970
to the day the clock started, less the days banked; running clocks only: `exchange.matches.queue.CLOCK_ANCHOR_SQL`, the same
text) and an index on the banked days of the stopped clocks."""
from alembic import op

revision = "h17b_queue_clock"
down_revision = "h17d_list_indexes"
branch_labels = None
depends_on = None

# The same text as exchange/matches/queue.py's CLOCK_ANCHOR_SQL (the planner matches the expression).
_DAYS = {"sqlite": "CAST(julianday(date(clock_since)) - 2440591.5 AS INTEGER)",
         "postgresql": "(CAST(clock_since AS DATE) - DATE '1970-01-05')"}


def upgrade():
    dialect = op.get_bind().dialect.name
    days = _DAYS["sqlite" if dialect == "sqlite" else "postgresql"]
    anchor = f"(({days}) / 7) * 5 + CASE WHEN ({days}) % 7 >= 4 THEN 5 ELSE ({days}) % 7 + 1 END - clock_days"
    # running clocks only: the stopped ones (most requests) have no anchor and would lead an ascending scan
    op.execute(f"CREATE INDEX ix_expr_requests_clock_anchor ON assistance_requests (({anchor})) "
               "WHERE clock_since IS NOT NULL")
    op.create_index("ix_requests_clock_days", "assistance_requests", ["clock_days"])


def downgrade():
    op.drop_index("ix_requests_clock_days", table_name="assistance_requests")
    op.execute("DROP INDEX ix_expr_requests_clock_anchor")
