"""Message threads in the API: read and write the thread of a request or of a match. Whoever may see the record
reads and writes its thread (messages/policy.py); a record the caller may not see answers 404. Reading a
thread through the API moves no read marker (a read never writes)."""
from __future__ import annotations

import marshmallow as ma
from flask_login import current_user
from flask_smorest import Blueprint

from exchange.api.body import json_body
from exchange.api.serialize import UtcDateTime, body_doc, error_doc
from exchange.core.access import allow
from exchange.core.errors import NotFound
from exchange.core.schemas import load
from exchange.core.statuses import Role
from exchange.matches.policy import get_match
from exchange.messages.operations import post_message
from exchange.messages.policy import AUDIENCES, may_see_message_thread
from exchange.messages.schemas import MessageIn
from exchange.messages.threads import thread_messages
from exchange.requests.policy import get_request

bp = Blueprint("api_messages", __name__, url_prefix="/api/v1", description="Message threads on requests and matches")


class MessageOut(ma.Schema):
    id = ma.fields.Integer()
    record_type = ma.fields.Function(lambda m: "match" if m.match_id else "request",
                                     metadata={"enum": ["request", "match"]})
    record_id = ma.fields.Function(lambda m: m.match_id or m.request_id)
    author = ma.fields.Function(lambda m: m.author.display_name if m.author else None,
                                metadata={"description": "The author's name (or e-mail)."})
    author_organisation = ma.fields.Function(lambda m: m.author.organisation.code if m.author else None)
    message = ma.fields.String(attribute="body")
    audience = ma.fields.String(metadata={"enum": list(AUDIENCES), "description": "Who can read it: `everyone` taking "
                                          "part, the `providers` concerned and the office (not the State), the `office` only."})
    content_language = ma.fields.String(allow_none=True, metadata={"description": "ISO 639-1, detected; may be empty."})
    created_at = UtcDateTime()


class ThreadOut(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(MessageOut), metadata={"description": "Oldest first."})


class MessagePostIn(MessageIn):
    audience = ma.fields.String(load_default="everyone", validate=ma.validate.OneOf(list(AUDIENCES)), metadata={
        "description": "Who can read it (default `everyone`); a State writes for everyone only, a provider for "
                       "`everyone` or `providers`, the office for any."})


def _message_body() -> dict:
    """The body, strictly: a JSON object with `message` and optionally `audience`, nothing else (else 422,
    nothing posted)."""
    return load(MessagePostIn(), json_body())


def _thread(record):
    if not may_see_message_thread(current_user, record):
        raise NotFound()
    return {"items": thread_messages(current_user, record)}


@bp.route("/requests/<int:request_id>/messages", methods=["GET"])
@allow(*Role)
@bp.response(200, ThreadOut)
@error_doc(bp, 401, 404)
def request_thread(request_id: int):
    """The thread of a request the caller may see, oldest first."""
    return _thread(get_request(current_user, request_id))


@bp.route("/requests/<int:request_id>/messages", methods=["POST"])
@allow(*Role)
@body_doc(bp, MessagePostIn)
@bp.response(201, MessageOut)
def post_on_request(request_id: int):
    """Write in the thread of a request the caller may see, body `{"message", "audience"}` (1 to 5,000
    characters; audience as the caller may address); the others taking part within the audience are told."""
    return post_message(current_user, get_request(current_user, request_id), _message_body())


@bp.route("/matches/<int:match_id>/messages", methods=["GET"])
@allow(*Role)
@bp.response(200, ThreadOut)
@error_doc(bp, 401, 404)
def match_thread(match_id: int):
    """The thread of a match the caller takes part in, oldest first."""
    return _thread(get_match(current_user, match_id))


@bp.route("/matches/<int:match_id>/messages", methods=["POST"])
@allow(*Role)
@body_doc(bp, MessagePostIn)
@bp.response(201, MessageOut)
def post_on_match(match_id: int):
    """Write in the thread of a match the caller takes part in, body `{"message", "audience"}`."""
    return post_message(current_user, get_match(current_user, match_id), _message_body())
