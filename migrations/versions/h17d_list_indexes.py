"""Issue 17 (h17d): indexes on what the request and offer lists filter and sort by, so that a page of a list
of 100,000 reads its page's rows in index order instead of sorting the whole visible set:

- `updated_at` (the "Recently updated" sort) and `(status, created_at)` (a status filter, newest or oldest
  first) on requests; `updated_at` and `status, created_at` on offers;
- the "Most urgent first" sort's rank and the "Title A–Z" sort's `lower(title)` as expression indexes
  (named `ix_sort_…`: SQLite does not reflect expression indexes, so autogenerate leaves them to this
  migration, as it does the full-text objects); the list's ORDER BY writes the same expressions
  (requests/queries.py, offers/queries.py);
- the link tables' `(code, record)` pairs, so that a theme, modality, language, country or region filter
  reads the records naming a code from one index (the primary keys are `(record, code)`).

Plain create_index (no batch rebuild: `assistance_requests` and `offers` carry full-text search triggers)."""
from alembic import op

revision = "h17d_list_indexes"
down_revision = "h17c_report_summary"
branch_labels = None
depends_on = None

URGENCY_RANK = ("CASE urgency WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 "
                "WHEN 'low' THEN 3 ELSE 9 END")

PLAIN = [
    ("ix_requests_updated", "assistance_requests", ["updated_at", "id"]),
    ("ix_requests_status_created", "assistance_requests", ["status", "created_at"]),
    ("ix_offers_updated", "offers", ["updated_at", "id"]),
    ("ix_offers_status_created", "offers", ["status", "created_at"]),
    ("ix_request_themes_code_request", "request_themes", ["theme_code", "request_id"]),
    ("ix_request_modalities_code_request", "request_modalities", ["modality_code", "request_id"]),
    ("ix_request_languages_code_request", "request_languages", ["language_code", "request_id"]),
    ("ix_request_shares_org_request", "request_shares", ["organisation_id", "request_id"]),
    ("ix_offer_themes_code_offer", "offer_themes", ["theme_code", "offer_id"]),
    ("ix_offer_countries_code_offer", "offer_countries", ["country_iso3", "offer_id"]),
    ("ix_offer_regions_code_offer", "offer_regions", ["region_code", "offer_id"]),
]
EXPRESSIONS = [
    ("ix_sort_requests_urgency", "assistance_requests", f"({URGENCY_RANK}), created_at, id"),
    ("ix_sort_requests_title", "assistance_requests", "lower(title), id"),
    ("ix_sort_offers_title", "offers", "lower(title), id"),
]


def upgrade():
    for name, table, columns in PLAIN:
        op.create_index(name, table, columns)
    for name, table, expression in EXPRESSIONS:
        op.execute(f"CREATE INDEX {name} ON {table} ({expression})")


def downgrade():
    for name, table, _expression in reversed(EXPRESSIONS):
        op.drop_index(name, table_name=table)
    for name, table, _columns in reversed(PLAIN):
        op.drop_index(name, table_name=table)
