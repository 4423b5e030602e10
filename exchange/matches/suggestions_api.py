"""Suggested matches: GET /requests/{id}/matches (offers for a request) and /offers/{id}/matches."""
from __future__ import annotations

import marshmallow as ma
from flask_login import current_user
from flask_smorest import Blueprint

from exchange.core.access import allow
from exchange.core.statuses import Role
from exchange.matches.policy import require_see_offer_suggestions, require_see_request_suggestions
from exchange.matching.engine import no_strong_match
from exchange.offers.policy import get_offer
from exchange.requests.policy import get_request

bp = Blueprint("api_suggestions", __name__, url_prefix="/api/v1", description="Suggested matches")


class LimitArgs(ma.Schema):
    limit = ma.fields.Integer(load_default=10, validate=ma.validate.Range(min=1, max=100))


class ReasonOut(ma.Schema):
    key = ma.fields.String(metadata={"description": "What the reason says (both_on, delivers_in_country, …)."})
    themes = ma.fields.List(ma.fields.String())
    modalities = ma.fields.List(ma.fields.String())
    languages = ma.fields.List(ma.fields.String())
    terms = ma.fields.List(ma.fields.String())
    place = ma.fields.String()
    quote = ma.fields.String()
    urgency = ma.fields.String()


def _reasons_field():
    return ma.fields.List(ma.fields.String(), attribute="reason_texts", metadata={
        "description": "The reasons in the Accept-Language language."})


def _reason_codes_field():
    return ma.fields.List(ma.fields.Nested(ReasonOut), attribute="reason_codes", metadata={
        "description": "The same reasons as codes and values: the same in every language."})


def _strong_field():
    return ma.fields.Boolean(metadata={"description": "False: under the engine's \"no strong match\" threshold "
                                                      "(listed, but not close)."})


class OfferSuggestionOut(ma.Schema):
    offer_id = ma.fields.Integer(attribute="offer.id")
    score = ma.fields.Float()
    strong = _strong_field()
    reasons = _reasons_field()
    reason_codes = _reason_codes_field()
    title = ma.fields.String(attribute="offer.title")
    organisation = ma.fields.String(attribute="offer.organisation.code")


class RequestSuggestionOut(ma.Schema):
    request_id = ma.fields.Integer(attribute="request.id")
    score = ma.fields.Float()
    strong = _strong_field()
    reasons = _reasons_field()
    reason_codes = _reason_codes_field()
    title = ma.fields.String(attribute="request.title")
    country = ma.fields.String(attribute="request.country_iso3")


NO_STRONG_MATCH = {"description": "True when nothing is listed or the best suggestion is not strong: the "
                                  "\"no strong match\" state (the best candidates are still listed)."}
OfferSuggestions = ma.Schema.from_dict({"items": ma.fields.List(ma.fields.Nested(OfferSuggestionOut)),
                                        "no_strong_match": ma.fields.Boolean(metadata=NO_STRONG_MATCH)},
                                       name="OfferSuggestions")
RequestSuggestions = ma.Schema.from_dict({"items": ma.fields.List(ma.fields.Nested(RequestSuggestionOut)),
                                          "no_strong_match": ma.fields.Boolean(metadata=NO_STRONG_MATCH)},
                                         name="RequestSuggestions")


def _listed(suggestions: list) -> dict:
    return {"items": suggestions, "no_strong_match": no_strong_match(suggestions)}


@bp.route("/requests/<int:request_id>/matches")
@allow(*Role)
@bp.arguments(LimitArgs, location="query")
@bp.response(200, OfferSuggestions)
def offers_for_request(args, request_id: int):
    """Offers suggested for a request: best first (ties by offer_id), score in [0, 1] with its reasons.
    Only active offers eligible for the request's country that the caller may see."""
    req = get_request(current_user, request_id)
    require_see_request_suggestions(current_user, req)
    from exchange.matching import service
    return _listed(service.suggestions_for_request(current_user, req, limit=args["limit"]))


@bp.route("/offers/<int:offer_id>/matches")
@allow(*Role)
@bp.arguments(LimitArgs, location="query")
@bp.response(200, RequestSuggestions)
def requests_for_offer(args, offer_id: int):
    """Requests an offer could serve, best first, only those the caller may see."""
    offer = get_offer(current_user, offer_id)
    require_see_offer_suggestions(current_user, offer)
    from exchange.matching import service
    return _listed(service.suggestions_for_offer(current_user, offer, limit=args["limit"]))
