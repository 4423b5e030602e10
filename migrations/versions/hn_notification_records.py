"""Notifications name their record (`record_type`, `record_id`, as audit events do) instead of storing a link.

Each existing row's link is parsed once here: `/requests/<id>`, `/offers/<id>` and `/matches/<id>` (with or
without `#thread`) name that record; anything else (an organisation's approval news linked to `/`, or no
link) names the recipient's organisation, whose page is its people's home page, where those links led. The
`link` column is dropped: the page is built from the record and the kind when the notification is shown,
so a stored URL would only be a second copy that goes stale when a route changes. The downgrade rebuilds
the links from the records.

Revision ID: hn_notification_records
Revises: h2_mfa
"""
import re

import sqlalchemy as sa
from alembic import op

revision = "hn_notification_records"
down_revision = "h13_text_vectors"
branch_labels = None
depends_on = None

BATCH = 5000
LINK = re.compile(r"^/(requests|offers|matches)/(\d+)(?:#.*)?$")
TYPE_OF_PATH = {"requests": "request", "offers": "offer", "matches": "match"}
PATH_OF_TYPE = {record_type: path for path, record_type in TYPE_OF_PATH.items()}
THREAD_KIND = "message.posted"  # links of these ended in #thread

notifications = sa.table("notifications", sa.column("id", sa.Integer), sa.column("user_id", sa.Integer),
                         sa.column("kind", sa.String), sa.column("link", sa.String),
                         sa.column("record_type", sa.String), sa.column("record_id", sa.Integer))
users = sa.table("users", sa.column("id", sa.Integer), sa.column("organisation_id", sa.Integer))


def _record_of(kind: str, link: str, organisation_id: int) -> tuple[str, int]:
    found = LINK.match(link or "")
    if found and not kind.startswith("organisation."):
        return TYPE_OF_PATH[found[1]], int(found[2])
    return "organisation", organisation_id


def _link_of(kind: str, record_type: str, record_id: int) -> str:
    if record_type not in PATH_OF_TYPE:
        return "/"
    return f"/{PATH_OF_TYPE[record_type]}/{record_id}" + ("#thread" if kind == THREAD_KIND else "")


def _rewrite(columns, compute, values) -> None:
    """Read the notifications in batches of ids and set `values` from `compute(row)`."""
    conn = op.get_bind()
    statement = notifications.update().where(notifications.c.id == sa.bindparam("note_id")).values(values)
    last = 0
    while True:
        rows = conn.execute(sa.select(notifications.c.id, *columns)
                            .join(users, users.c.id == notifications.c.user_id)
                            .where(notifications.c.id > last).order_by(notifications.c.id).limit(BATCH)).all()
        if not rows:
            return
        conn.execute(statement, [{"note_id": row.id, **compute(row)} for row in rows])
        last = rows[-1].id


def upgrade():
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("record_type", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("record_id", sa.Integer(), nullable=True))

    def record(row) -> dict:
        record_type, record_id = _record_of(row.kind, row.link, row.organisation_id)
        return {"new_type": record_type, "new_id": record_id}

    _rewrite([notifications.c.kind, notifications.c.link, users.c.organisation_id], record,
             {"record_type": sa.bindparam("new_type"), "record_id": sa.bindparam("new_id")})
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.alter_column("record_type", existing_type=sa.String(length=20), nullable=False)
        batch_op.alter_column("record_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_index("ix_notifications_record", ["record_type", "record_id"], unique=False)
        batch_op.drop_column("link")


def downgrade():
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("link", sa.String(length=300), nullable=True))
    _rewrite([notifications.c.kind, notifications.c.record_type, notifications.c.record_id],
             lambda row: {"new_link": _link_of(row.kind, row.record_type, row.record_id)},
             {"link": sa.bindparam("new_link")})
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.alter_column("link", existing_type=sa.String(length=300), nullable=False)
        batch_op.drop_index("ix_notifications_record")
        batch_op.drop_column("record_id")
        batch_op.drop_column("record_type")
