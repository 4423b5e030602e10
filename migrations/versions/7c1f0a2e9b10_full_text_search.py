"""Full-text search over requests and offers: SQLite FTS5 tables kept in sync by triggers, or
PostgreSQL GIN indexes on to_tsvector('simple', …) — the expressions `exchange.queries.text_search` uses.

Revision ID: 7c1f0a2e9b10
Revises: 2bdad320d10f
"""
from alembic import op

revision = "7c1f0a2e9b10"
down_revision = "2bdad320d10f"
branch_labels = None
depends_on = None

TABLES = {"assistance_requests": ["title", "description", "beneficiary"], "offers": ["title", "description"]}


def upgrade():
    dialect = op.get_bind().dialect.name
    for table, columns in TABLES.items():
        if dialect == "sqlite":
            fts = f"{table}_fts"
            cols = ", ".join(columns)
            new = ", ".join(f"new.{c}" for c in columns)
            old = ", ".join(f"old.{c}" for c in columns)
            op.execute(f"CREATE VIRTUAL TABLE {fts} USING fts5({cols}, content='{table}', content_rowid='id', "
                       f"tokenize='unicode61 remove_diacritics 2')")
            op.execute(f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN "
                       f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new}); END")
            op.execute(f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN "
                       f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old}); END")
            op.execute(f"CREATE TRIGGER {fts}_au AFTER UPDATE ON {table} BEGIN "
                       f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old}); "
                       f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new}); END")
            op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
        elif dialect == "postgresql":
            joined = " || ' ' || ".join(f"coalesce({c}, '')" for c in columns)
            op.execute(f"CREATE INDEX ix_fts_{table} ON {table} USING gin (to_tsvector('simple'::regconfig, {joined}))")


def downgrade():
    dialect = op.get_bind().dialect.name
    for table in TABLES:
        if dialect == "sqlite":
            fts = f"{table}_fts"
            for suffix in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
            op.execute(f"DROP TABLE IF EXISTS {fts}")
        elif dialect == "postgresql":
            op.execute(f"DROP INDEX IF EXISTS ix_fts_{table}")
