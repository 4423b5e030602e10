"""The caller's notifications in the API: `GET /api/v1/notifications` (newest first, each naming its record by
`record_type` and `record_id`, its words in the Accept-Language language) and
`POST /api/v1/notifications/{id}/read` (one's own only: anyone else's answers 404, as one that does not exist)."""
from __future__ import annotations

import marshmallow as ma
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import select

from exchange.api.pagination import PageArgs, envelope_schema, page_of
from exchange.api.serialize import UtcDateTime, error_doc
from exchange.core.access import allow
from exchange.core.statuses import Role
from exchange.messages.models import Notification
from exchange.messages.notify import in_inbox
from exchange.messages.operations import read_notification

bp = Blueprint("api_notifications", __name__, url_prefix="/api/v1", description="Notifications")


class NotificationOut(ma.Schema):
    """Something that happened that the caller must know about or act on."""

    id = ma.fields.Integer()
    kind = ma.fields.String(metadata={"description": 'What happened, e.g. "match.proposed", "message.posted".'})
    message = ma.fields.Function(lambda n: n.text, metadata={
        "type": "string", "description": "The notification's words, in the Accept-Language language."})
    record_type = ma.fields.String(metadata={"enum": ["request", "offer", "match", "organisation"]})
    record_id = ma.fields.Integer()
    at = UtcDateTime()
    read = ma.fields.Function(lambda n: n.read_at is not None, metadata={"type": "boolean"})
    read_at = UtcDateTime(allow_none=True)


class NotificationListArgs(PageArgs):
    unread = ma.fields.Boolean(load_default=False, metadata={"description": "true: only the unread ones."})


@bp.route("/notifications", methods=["GET"])
@allow(*Role)
@bp.arguments(NotificationListArgs, location="query")
@bp.response(200, envelope_schema(NotificationOut, "NotificationList"))
@error_doc(bp, 401, 422)
def list_notifications(args):
    """The caller's notifications, newest first (`?unread=true`: only those not read yet)."""
    stmt = select(Notification).where(Notification.user_id == current_user.id, in_inbox())
    if args.get("unread"):
        stmt = stmt.where(Notification.read_at.is_(None))
    return page_of(stmt.order_by(Notification.at.desc(), Notification.id.desc()), args)


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@allow(*Role)
@bp.response(200, NotificationOut)
@error_doc(bp, 401, 404)
def read(notification_id: int):
    """Mark one of the caller's notifications read (again: no change). Anyone else's: 404."""
    return read_notification(current_user, notification_id)
