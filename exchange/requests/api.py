"""Assistance requests in the API: file, list (filters, search, sort), read, edit with the version read,
and the status moves (submit, review, accept, request-info, reject, withdraw, close)."""
from __future__ import annotations

import marshmallow as ma
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy.orm import joinedload, selectinload

from exchange.api.body import json_body
from exchange.api.moves import register_moves
from exchange.api.pagination import envelope_schema, list_args, page_of
from exchange.api.serialize import UtcDateTime, body_doc, error_doc, output_schema
from exchange.core.access import allow
from exchange.core.schemas import ReasonIn
from exchange.core.statuses import RequestStatus, Role
from exchange.core.workflow import REQUEST_MOVES
from exchange.messages.schemas import MessageIn
from exchange.requests import operations
from exchange.requests.fields import REQUEST
from exchange.requests.filters import RequestFilters
from exchange.requests.models import AssistanceRequest
from exchange.requests.policy import get_request, visible_requests
from exchange.requests.queries import filter_requests, sort_requests
from exchange.requests.schemas import RequestIn

RequestOut = output_schema(
    REQUEST, "RequestOut", "An assistance request as the caller may see it.",
    status_label=ma.fields.Function(lambda r: r.status.label),
    status_note=ma.fields.String(metadata={"description": "The coordinator's last question or reason."}),
    version=ma.fields.Integer(metadata={"description": "Send it back on PATCH."}),
    draft=ma.fields.Function(lambda r: r.status == RequestStatus.DRAFT),
    duplicate_of=ma.fields.Integer(attribute="duplicate_of_id", allow_none=True),
    status_changed_at=UtcDateTime(),
)


# Loader options for lists (one query per relationship, not one per row).
REQUEST_LOAD = (joinedload(AssistanceRequest.organisation), selectinload(AssistanceRequest.themes),
                selectinload(AssistanceRequest.modalities), selectinload(AssistanceRequest.languages),
                selectinload(AssistanceRequest.shared_with))


bp = Blueprint("api_requests", __name__, url_prefix="/api/v1", description="Assistance requests")


RequestListArgs = list_args(RequestFilters, "RequestListArgs")


@bp.route("/requests", methods=["GET"])
@allow(*Role)
@bp.arguments(RequestListArgs, location="query")
@bp.response(200, envelope_schema(RequestOut, "RequestList"))
@error_doc(bp, 401, 422)
def list_requests(args):
    """The requests the caller may see, filtered, searched and sorted."""
    filters = RequestFilters.from_params(args)
    stmt = filter_requests(visible_requests(current_user), filters)
    stmt = sort_requests(stmt, filters.sort).options(*REQUEST_LOAD)
    return page_of(stmt, args)


@bp.route("/requests", methods=["POST"])
@allow(Role.MEMBER_STATE, Role.COORDINATOR)
@body_doc(bp, RequestIn)
@bp.response(201, RequestOut)
def create_request():
    """File a request: `submitted` at once, or a `draft` with `"draft": true`. A State files for its own
    country (and may omit `country`); a coordinator files on a State's behalf and names the `country`."""
    req = operations.create_request(current_user, json_body())
    return req


@bp.route("/requests/<int:request_id>", methods=["GET"])
@allow(*Role)
@bp.response(200, RequestOut)
@error_doc(bp, 401, 404)
def get_one(request_id: int):
    """One request, if the caller may see it (404 otherwise, exactly as for one that does not exist)."""
    return get_request(current_user, request_id)


@bp.route("/requests/<int:request_id>", methods=["PATCH"])
@allow(Role.MEMBER_STATE, Role.COORDINATOR)
@body_doc(bp, RequestIn)
@bp.response(200, RequestOut)
def update(request_id: int):
    """Edit a request: send the `version` you read (stale: 409, nothing changed). Its State edits it until a
    coordinator accepts it; coordinators edit it later and set `shared_with`."""
    req = get_request(current_user, request_id)
    operations.update_request(current_user, req, json_body())
    return req


MOVE_BODIES = {"request-info": MessageIn, "reject": ReasonIn}
MOVE_DOCS = {
    "submit": "Submit a draft for review, or answer a coordinator's question (`needs_info` → `in_review`). "
              "Its State, or a coordinator.",
    "review": "Start reviewing a submitted request (coordinator).",
    "accept": "Accept into `open` (coordinator): it becomes matchable.",
    "request-info": 'Ask the State for information (coordinator), body `{"message"}`: → `needs_info`.',
    "reject": 'Reject (coordinator), body `{"reason"}` (and optionally `duplicate_of`): → `rejected`.',
    "withdraw": "Withdraw (its State or a coordinator): → `withdrawn`.",
    "close": "Close (coordinator): → `closed`.",
}

register_moves(bp, "/requests/<int:request_id>", REQUEST_MOVES, get=get_request, operation=operations.request_move,
               out=RequestOut, roles=tuple(Role), docs=MOVE_DOCS, bodies=MOVE_BODIES,
               note="A move not allowed from the current status answers 409; by a role that may never make it, 403.")
