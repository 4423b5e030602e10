"""Matches in the API (the assistance workflow): a coordinator proposes, the offer's provider accepts or
declines, delivery starts and completes, the requesting State confirms; coordinators may withdraw. A match
carries its money (`funding`), its results and lessons learned, and why it was proposed; the provider or the
Task Force office adds funding entries and results, the requesting State comments on results."""
from __future__ import annotations

import marshmallow as ma
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy.orm import joinedload, selectinload

from exchange.api.body import json_body
from exchange.api.moves import register_moves
from exchange.api.pagination import envelope_schema, list_args, page_of
from exchange.api.serialize import UtcDateTime, body_doc, error_doc, output_schema
from exchange.core.access import allow
from exchange.core.errors import NotFound
from exchange.core.schemas import ReasonIn
from exchange.core.statuses import MatchStatus, Role
from exchange.core.workflow import MATCH_MOVES
from exchange.matches.delivery import (
    add_funding,
    add_result,
    comment_result,
    edit_lessons,
    result_of,
    totals_in_usd,
)
from exchange.matches.fields import FUNDING, RESULT
from exchange.matches.filters import MatchFilters
from exchange.matches.models import FundingEntry, Match
from exchange.matches.operations import match_move, propose_match
from exchange.matches.policy import get_match, may_read_provider_note, visible_matches
from exchange.matches.queries import filter_matches
from exchange.matches.schemas import (
    ConfirmIn,
    FundingIn,
    MatchEditIn,
    MatchIn,
    OutcomeIn,
    ResultCommentIn,
    ResultIn,
)
from exchange.matching.service import worded_reasons
from exchange.offers.models import Offer

FundingOut = output_schema(FUNDING, "FundingOut", "Money for a match at one stage, from one funder.")
ResultOut = output_schema(RESULT, "ResultOut", "One output or outcome indicator of a match.")


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
    lessons = ma.fields.String(metadata={"description": "Lessons learned (PATCH the match with `version`)."})
    selection_reasons = ma.fields.Function(
        lambda m: worded_reasons(m.selection_reasons), metadata={
            "description": "Why it was proposed: the engine's reasons when the coordinator proposed it (with "
                           "`score` then and the coordinator's `note`), in the language asked for."})
    selection_reason_codes = ma.fields.Function(lambda m: m.selection_reasons or [], metadata={
        "description": "The same reasons as keys and values (the same in every language)."})
    funding = ma.fields.List(ma.fields.Nested(FundingOut), metadata={"description": "Money entered, oldest first."})
    funding_usd = ma.fields.Function(lambda m: {k: float(v) for k, v in totals_in_usd(m.funding).items()},
                                     metadata={"description": "US dollars by stage (pledged, committed, disbursed)."})
    results = ma.fields.List(ma.fields.Nested(ResultOut), metadata={"description": "Result indicators."})


# Loader options for lists (one query per relationship, not one per row).
MATCH_LOAD = (joinedload(Match.request), joinedload(Match.offer).joinedload(Offer.organisation),
              selectinload(Match.funding).joinedload(FundingEntry.funder),
              selectinload(Match.funding).joinedload(FundingEntry.entered_by), selectinload(Match.results))


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



# ------------------------------------------------------------------------------------------------
# Money, results and lessons.

class FundingListOut(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(FundingOut))
    usd = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Float(),
                         metadata={"description": "US dollars by stage."})


class ResultListOut(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(ResultOut))


@bp.route("/matches/<int:match_id>", methods=["PATCH"])
@allow(Role.PROVIDER, *Role.OFFICE)
@body_doc(bp, MatchEditIn)
@bp.response(200, MatchOut)
def update(match_id: int):
    """Write the lessons learned (the offer's provider or the Task Force office, once delivery has started),
    with the `version` you read: a stale version answers 409 and changes nothing."""
    return edit_lessons(current_user, get_match(current_user, match_id), json_body())


@bp.route("/matches/<int:match_id>/funding", methods=["GET"])
@allow(*Role)
@bp.response(200, FundingListOut)
@error_doc(bp, 401, 404)
def list_funding(match_id: int):
    """The money entered on a match, oldest first, and its totals in US dollars by stage: seen by whoever may
    see the match."""
    match = get_match(current_user, match_id)
    return {"items": match.funding, "usd": {k: float(v) for k, v in totals_in_usd(match.funding).items()}}


@bp.route("/matches/<int:match_id>/funding", methods=["POST"])
@allow(Role.PROVIDER, *Role.OFFICE)
@body_doc(bp, FundingIn)
@bp.response(201, FundingOut)
def create_funding(match_id: int):
    """Record money for a match (its provider or the Task Force office; once accepted): `stage` pledged,
    committed or disbursed, `amount` in `currency` (ISO 4217) on `date`, from `funder` (an organisation code),
    with `usd_rate` (US dollars for one unit, recorded with the entry: no live rate is looked up)."""
    return add_funding(current_user, get_match(current_user, match_id), json_body())


@bp.route("/matches/<int:match_id>/results", methods=["GET"])
@allow(*Role)
@bp.response(200, ResultListOut)
@error_doc(bp, 401, 404)
def list_results(match_id: int):
    """The result indicators of a match, oldest first, with the State's comments."""
    return {"items": get_match(current_user, match_id).results}


@bp.route("/matches/<int:match_id>/results", methods=["POST"])
@allow(Role.PROVIDER, *Role.OFFICE)
@body_doc(bp, ResultIn)
@bp.response(201, ResultOut)
def create_result(match_id: int):
    """Record an output or outcome indicator (its provider or the Task Force office; in delivery or
    completed): `indicator` (required), `unit`, `baseline`, `target`, `actual`, `note`, `kind`."""
    return add_result(current_user, get_match(current_user, match_id), json_body())


@bp.route("/matches/<int:match_id>/results/<int:result_id>/comment", methods=["POST"])
@allow(Role.MEMBER_STATE)
@body_doc(bp, ResultCommentIn)
@bp.response(200, ResultOut)
def comment_on_result(match_id: int, result_id: int):
    """The requesting State comments on one result, once the delivery is reported completed: `{"comment"}`."""
    match = get_match(current_user, match_id)
    result = result_of(match, result_id)
    if result is None:
        raise NotFound(_("This match has no such result."))
    return comment_result(current_user, match, result, json_body())
