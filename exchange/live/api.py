"""`GET /api/v1/events`: the server-sent event stream of what happens to the records the caller may see
(bearer token; stream.py writes it, hub.py decides per caller what reaches them)."""
from __future__ import annotations

from flask import g, request
from flask_login import current_user
from flask_smorest import Blueprint

from exchange.core.access import allow
from exchange.core.statuses import Role
from exchange.live.stream import MEDIA_TYPE, last_event_id, open_stream

bp = Blueprint("api_live", __name__, url_prefix="/api/v1", description="Live events")

EVENT_EXAMPLE = ('id: 1733062800123\ndata: {"id":1733062800123,"type":"request.accepted","record_type":"request",'
                 '"record_id":42,"status":"open"}\n\n')
STREAM_DOC = {
    "description": (
        "A `text/event-stream`. Each event is `id: <event id>` and `data: <one JSON object>` with at least "
        "`id`, `type` (`request.submitted`, `request.accepted`, `match.proposed`, `match.accepted`, "
        "`message.posted`, `notification.created`, …), `record_type` (`request`, `offer`, `match`, `message`, "
        "`notification`) and `record_id`; also the record's `status` (requests, offers, matches), a match's "
        "`request_id` and `offer_id`, a message's `thread` (`{record_type, record_id}`), a notification's "
        "`unread` count. Only records the caller may see, decided when each event is delivered. A comment "
        "line (`: heartbeat`) comes every 15 s. Send `Last-Event-ID` to resume after an event; when that "
        "cannot be done, or events may have been missed, an `event: resync` (data `{\"type\": \"resync\", "
        "\"record_type\": null, \"record_id\": null}`) says to reload what you hold. The server ends a stream "
        "after 5 minutes; reconnect (with `Last-Event-ID`). 503 when the server holds as many streams as it "
        "may: poll the records instead, or retry later."),
    "content": {MEDIA_TYPE: {"schema": {"type": "string"}, "example": EVENT_EXAMPLE}},
}


@bp.route("/events", methods=["GET"])
@allow(*Role)
@bp.doc(responses={"200": STREAM_DOC,
                   "503": {"description": "The server holds as many live streams as it may."}})
def events():
    """The live events of the records the caller may see (server-sent events)."""
    return open_stream(current_user, last_event_id(request.headers.get("Last-Event-ID")),
                       token_id=g.get("api_token_id"))
