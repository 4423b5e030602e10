"""The database guards itself: CHECK constraints on the statuses of requests, offers and matches, on urgency,
visibility and the rating (1 to 5), on "a document or a message belongs to exactly one record"; and a
partial unique index for "one live match per request and offer" (uq_matches_live_pair).

Rows that break a rule are counted first and the migration stops with a clear message, changing nothing.
On SQLite the checks need each table rebuilt (batch mode, foreign keys off: see env.py); the rebuild drops
the full-text triggers of requests and offers, which are made again and the index rebuilt.

Revision ID: h1_db_guards
Revises: 7c1f0a2e9b10
"""
import sqlalchemy as sa
from alembic import op

revision = "h1_db_guards"
down_revision = "7c1f0a2e9b10"
branch_labels = None
depends_on = None


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _exactly_one(a: str, b: str) -> str:
    return f"({a} IS NOT NULL AND {b} IS NULL) OR ({a} IS NULL AND {b} IS NOT NULL)"


# The values as they are today (exchange/vocabulary.py); a migration keeps its own copy.
REQUEST_STATUSES = ("draft", "submitted", "in_review", "needs_info", "open", "matched", "in_delivery", "completed",
                    "rejected", "withdrawn", "closed")
MATCH_STATUSES = ("proposed", "accepted", "in_delivery", "completed", "declined", "withdrawn")
OFFER_STATUSES = ("active", "paused", "closed")
LIVE_MATCH = _in("status", ("proposed", "accepted", "in_delivery"))

CHECKS = {
    "assistance_requests": {
        "status": _in("status", REQUEST_STATUSES),
        "urgency": _in("urgency", ("low", "medium", "high", "critical")),
        "visibility": _in("visibility", ("task_force", "providers", "restricted")),
    },
    "offers": {"status": _in("status", OFFER_STATUSES)},
    "matches": {"status": _in("status", MATCH_STATUSES),
                "rating": "rating IS NULL OR (rating >= 1 AND rating <= 5)"},
    "documents": {"one_record": _exactly_one("request_id", "offer_id")},
    "messages": {"one_record": _exactly_one("request_id", "match_id")},
}
FTS = {"assistance_requests": ["title", "description", "beneficiary"], "offers": ["title", "description"]}


def _refuse_rows_that_break_the_rules(bind) -> None:
    problems = []
    for table, checks in CHECKS.items():
        for name, condition in checks.items():
            count = bind.execute(sa.text(f"SELECT count(*) FROM {table} WHERE NOT ({condition})")).scalar()
            if count:
                problems.append(f"{count} row(s) of {table} break ck_{table}_{name}: {condition}")
    pairs = bind.execute(sa.text(f"SELECT count(*) FROM (SELECT request_id, offer_id FROM matches WHERE {LIVE_MATCH}"
                                 " GROUP BY request_id, offer_id HAVING count(*) > 1) AS twice")).scalar()
    if pairs:
        problems.append(f"{pairs} request and offer pair(s) have more than one live match")
    if problems:
        raise RuntimeError("Nothing was changed; correct these rows first: " + "; ".join(problems))


def _fts_triggers(table: str) -> None:
    """The full-text triggers of 7c1f0a2e9b10 (a SQLite table rebuild drops a table's triggers)."""
    fts, columns = f"{table}_fts", FTS[table]
    cols = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    for suffix in ("ai", "ad", "au"):
        op.execute(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
    op.execute(f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN "
               f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new}); END")
    op.execute(f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN "
               f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old}); END")
    op.execute(f"CREATE TRIGGER {fts}_au AFTER UPDATE ON {table} BEGIN "
               f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old}); "
               f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new}); END")
    op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


def _after_rebuild(bind) -> None:
    if bind.dialect.name != "sqlite":
        return
    for table in FTS:
        _fts_triggers(table)
    broken = bind.execute(sa.text("PRAGMA foreign_key_check")).fetchall()
    if broken:
        raise RuntimeError(f"Foreign keys broken by the table rebuild: {broken[:5]}")


def upgrade():
    bind = op.get_bind()
    _refuse_rows_that_break_the_rules(bind)
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table) as batch:
            for name, condition in checks.items():
                batch.create_check_constraint(op.f(f"ck_{table}_{name}"), condition)
    op.create_index(op.f("uq_matches_live_pair"), "matches", ["request_id", "offer_id"], unique=True,
                    sqlite_where=sa.text(LIVE_MATCH), postgresql_where=sa.text(LIVE_MATCH))
    _after_rebuild(bind)


def downgrade():
    bind = op.get_bind()
    op.drop_index(op.f("uq_matches_live_pair"), table_name="matches")
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table) as batch:
            for name in checks:
                batch.drop_constraint(op.f(f"ck_{table}_{name}"), type_="check")
    _after_rebuild(bind)
