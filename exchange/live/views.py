"""Live updates for signed-in browsers (the session cookie): `/live/stream`, the page's server-sent event
stream (the same as the API's, stream.py), and `/live/poll?after=<event id>`, the fallback for where a stream
cannot be held (no EventSource, a proxy that buffers, a server with all its streams taken): the events after
that one, as JSON. static/js/live.js uses both; pages work the same without them."""
from __future__ import annotations

from flask import Blueprint, current_app, has_request_context, jsonify, request
from flask_login import current_user

from exchange.core.access import allow, may_enter
from exchange.core.statuses import Role
from exchange.live.hub import hub_of
from exchange.live.stream import last_event_id, open_stream
from exchange.people.views.mfa import held_at_gate
from exchange.people.views.sessions import current_session

bp = Blueprint("live", __name__, url_prefix="/live")


@bp.record_once
def _install(state) -> None:
    @state.app.context_processor
    def live_page():
        """Whether the page follows live events (its person may open the stream now: signed in, approved, past
        the second factor), and the newest event this process has heard as it is drawn (the stream resumes
        from there)."""
        if not has_request_context():  # a template drawn outside a request (an e-mail from a worker)
            return {"live_on": False, "live_after": ""}
        on = may_enter(current_user, "live.stream") and not held_at_gate(current_user)
        return {"live_on": on, "live_after": hub_of(state.app).newest or ""}


def _session_id() -> int | None:
    row = current_session()
    return row.id if row is not None else None


@bp.route("/stream")
@allow(*Role)
def stream():
    """The page's event stream (EventSource sends `Last-Event-ID` itself when it reconnects)."""
    last_id = last_event_id(request.headers.get("Last-Event-ID") or request.args.get("after"))
    return open_stream(current_user, last_id, session_id=_session_id())


@bp.route("/poll")
@allow(*Role)
def poll():
    """`{"events": [...], "last_id": N, "resync": bool, "poll_seconds": s}`: what the caller may see of the
    events after `after` (none without it: the client starts from `last_id`); `resync` when those are not
    all held any more (reload what the page shows)."""
    hub = hub_of(current_app)
    after = last_event_id(request.args.get("after"))
    events = hub.since(current_user, after) if after is not None else []
    return jsonify({"events": events or [], "last_id": hub.newest, "resync": events is None,
                    "poll_seconds": current_app.config.get("LIVE_POLL_SECONDS", 5)})
