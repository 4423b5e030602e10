"""Offers in the API: post, list (filters, search, sort), read, edit with the version read, pause,
resume and close."""
from __future__ import annotations

import marshmallow as ma
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy.orm import joinedload, selectinload

from exchange.api.body import json_body
from exchange.api.moves import register_moves
from exchange.api.pagination import envelope_schema, list_args, page_of
from exchange.api.serialize import body_doc, error_doc, output_schema
from exchange.core.access import allow
from exchange.core.statuses import Role
from exchange.core.workflow import OFFER_MOVES
from exchange.offers import operations
from exchange.offers.fields import OFFER
from exchange.offers.filters import OfferFilters
from exchange.offers.models import Offer
from exchange.offers.policy import get_offer, visible_offers
from exchange.offers.queries import filter_offers, sort_offers
from exchange.offers.schemas import OfferIn

OfferOut = output_schema(
    OFFER, "OfferOut", "A provider's offer (programme).",
    status_label=ma.fields.Function(lambda o: o.status.label),
    version=ma.fields.Integer(),
    anywhere=ma.fields.Boolean(attribute="delivers_anywhere",
                               metadata={"description": "True when neither countries nor regions are listed."}),
)


# Loader options for lists (one query per relationship, not one per row).
OFFER_LOAD = (joinedload(Offer.organisation), selectinload(Offer.themes), selectinload(Offer.modalities),
              selectinload(Offer.languages), selectinload(Offer.countries), selectinload(Offer.regions))


bp = Blueprint("api_offers", __name__, url_prefix="/api/v1", description="Offers of assistance")


OfferListArgs = list_args(OfferFilters, "OfferListArgs")


@bp.route("/offers", methods=["GET"])
@allow(*Role)
@bp.arguments(OfferListArgs, location="query")
@bp.response(200, envelope_schema(OfferOut, "OfferList"))
@error_doc(bp, 401, 422)
def list_offers(args):
    """The offers the caller may see (closed ones only to their provider and the Task Force office)."""
    filters = OfferFilters.from_params(args)
    stmt = filter_offers(visible_offers(current_user), filters)
    stmt = sort_offers(stmt, filters.sort).options(*OFFER_LOAD)
    return page_of(stmt, args)


@bp.route("/offers", methods=["POST"])
@allow(Role.PROVIDER, *Role.OFFICE)
@body_doc(bp, OfferIn)
@bp.response(201, OfferOut)
def create_offer():
    """Post an offer (status `active`). Providers post for their own organisation; coordinators and admins
    name the provider's `organisation`. `countries` and `regions` both empty: deliverable anywhere."""
    offer = operations.create_offer(current_user, json_body())
    return offer


@bp.route("/offers/<int:offer_id>", methods=["GET"])
@allow(*Role)
@bp.response(200, OfferOut)
@error_doc(bp, 401, 404)
def get_one(offer_id: int):
    """One offer, if the caller may see it."""
    return get_offer(current_user, offer_id)


@bp.route("/offers/<int:offer_id>", methods=["PATCH"])
@allow(Role.PROVIDER, *Role.OFFICE)
@body_doc(bp, OfferIn)
@bp.response(200, OfferOut)
def update(offer_id: int):
    """Edit an offer (its provider or the Task Force office): send the `version` you read (stale: 409)."""
    offer = get_offer(current_user, offer_id)
    operations.update_offer(current_user, offer, json_body())
    return offer


MOVE_DOCS = {"pause": "Pause an active offer (`paused`): it is not suggested meanwhile.",
             "resume": "Reopen a paused offer (`active`).",
             "close": "Close an offer for good (`closed`)."}

register_moves(bp, "/offers/<int:offer_id>", OFFER_MOVES, get=get_offer, operation=operations.offer_move,
               out=OfferOut, roles=(Role.PROVIDER, *Role.OFFICE), docs=MOVE_DOCS, bodies={},
               note="By its provider or the Task Force office; 409 when not allowed from the current status.")
