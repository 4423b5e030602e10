"""Matches in the API (the assistance workflow): a coordinator proposes, the offer's provider accepts or
declines, delivery starts and completes, the requesting State confirms; coordinators may withdraw."""
from __future__ import annotations

import marshmallow as ma
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy.orm import joinedload

from exchange.api.body import json_body
from exchange.api.moves import register_moves
from exchange.api.pagination import envelope_schema, list_args, page_of
from exchange.api.serialize import UtcDateTime, body_doc, error_doc
from exchange.core.access import allow
from exchange.core.schemas import ReasonIn
from exchange.core.statuses import MatchStatus, Role
from exchange.core.workflow import MATCH_MOVES
from exchange.matches.filters import MatchFilters
from exchange.matches.models import Match
from exchange.matches.operations import match_move, propose_match
from exchange.matches.policy import get_match, may_read_provider_note, visible_matches
from exchange.matches.queries import filter_matches
from exchange.matches.schemas import ConfirmIn, MatchIn, OutcomeIn
from exchange.offers.models import Offer


class MatchOut(ma.Schema):
    """One request paired with one offer, and how the assistance went."""

    id = ma.fields.Integer()
    reference = ma.fields.String(metadata={"description": 'Human reference, e.g. "M-00003".'})
    status = ma.fields.String(metadata={"enum": list(MatchStatus)})
    status_label = ma.fields.Function(lambda m: m.status.label)
    version = ma.fields.Integer()
    request_id = ma.fields.Integer()
    offer_id = ma.fields.Integer()
    country = ma.fields.Function(lambda m: m.request.country_iso3)
    provider = ma.fields.Function(lambda m: m.offer.organisation.code,
                                  metadata={"description": "The offer's provider (organisation code)."})
    note = ma.fields.Function(lambda m: m.note if may_read_provider_note(current_user, m) else "", metadata={
        "description": "The office's note to the provider: empty for the requesting State, who never reads it."})
    score = ma.fields.Float(allow_none=True)
    decline_reason = ma.fields.String()
    outcome = ma.fields.String()
    rating = ma.fields.Integer(allow_none=True)
    feedback = ma.fields.String()
    created_at = UtcDateTime()
    updated_at = UtcDateTime()
    status_changed_at = UtcDateTime()
    accepted_at = UtcDateTime(allow_none=True)
    started_at = UtcDateTime(allow_none=True)
    completed_at = UtcDateTime(allow_none=True)
    confirmed_at = UtcDateTime(allow_none=True)



# Loader options for lists (one query per relationship, not one per row).
MATCH_LOAD = (joinedload(Match.request), joinedload(Match.offer).joinedload(Offer.organisation))


bp = Blueprint("api_matches", __name__, url_prefix="/api/v1", description="Matches (the assistance workflow)")


MatchListArgs = list_args(MatchFilters, "MatchListArgs")


@bp.route("/matches", methods=["GET"])
@allow(*Role)
@bp.arguments(MatchListArgs, location="query")
@bp.response(200, envelope_schema(MatchOut, "MatchList"))
@error_doc(bp, 401, 422)
def list_matches(args):
    """The matches the caller takes part in (all of them for the Task Force office), newest first."""
    stmt = filter_matches(visible_matches(current_user), MatchFilters.from_params(args))
    stmt = stmt.order_by(Match.created_at.desc(), Match.id.desc()).options(*MATCH_LOAD)
    return page_of(stmt, args)


@bp.route("/matches", methods=["POST"])
@allow(Role.COORDINATOR)
@body_doc(bp, MatchIn)
@bp.response(201, MatchOut)
def propose():
    """Propose a match (coordinator): an open request with an active offer → `proposed`."""
    match = propose_match(current_user, json_body())
    return match


@bp.route("/matches/<int:match_id>", methods=["GET"])
@allow(*Role)
@bp.response(200, MatchOut)
@error_doc(bp, 401, 404)
def get_one(match_id: int):
    """One match the caller takes part in."""
    return get_match(current_user, match_id)


MOVE_BODIES = {"decline": ReasonIn, "complete": OutcomeIn, "confirm": ConfirmIn}
MOVE_DOCS = {
    "accept": "Accept a proposed match (the offer's provider): → `accepted`; the request becomes `matched`.",
    "decline": 'Decline a proposed match (the offer\'s provider), body `{"reason"}`: → `declined`.',
    "start": "Start delivery (the provider or a coordinator): → `in_delivery`.",
    "complete": 'Report completion (the provider or a coordinator), body `{"outcome"}`: → `completed`.',
    "confirm": 'Confirm delivery (the requesting State, once `completed`), body `{"rating": 1-5, "comment"}`.',
    "withdraw": "Withdraw the match (coordinator): → `withdrawn`.",
}

register_moves(bp, "/matches/<int:match_id>", MATCH_MOVES, get=get_match, operation=match_move,
               out=MatchOut, roles=tuple(Role), docs=MOVE_DOCS, bodies=MOVE_BODIES,
               note="Not allowed from the current status: 409; not yours to make: 403.")
