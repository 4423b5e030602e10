"""Match lists' filters, and the places that matches take of their offers' capacity."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy import and_, func, or_, select

from exchange.core.filters import _ints, values
from exchange.core.workflow import BUSY_MATCH_STATUSES
from exchange.matches.models import Match
from exchange.offers.models import (
    Offer,
)
from exchange.people.models import Organisation
from exchange.requests.models import AssistanceRequest


def filter_matches(stmt, params: Mapping):
    M = Match
    if v := values(params, "status"):
        stmt = stmt.where(M.status.in_(v))
    if v := values(params, "request_id"):  # ids that are not numbers match nothing
        stmt = stmt.where(M.request_id.in_(_ints(v)))
    if v := values(params, "offer_id"):
        stmt = stmt.where(M.offer_id.in_(_ints(v)))
    if v := values(params, "provider"):
        stmt = stmt.where(M.offer_id.in_(select(Offer.id).join(Offer.organisation).where(Organisation.code.in_(v))))
    if v := values(params, "country"):
        stmt = stmt.where(M.request_id.in_(select(AssistanceRequest.id).where(
            AssistanceRequest.country_iso3.in_([c.upper() for c in v]))))
    return stmt


def offer_load():
    """Correlated count: the matches holding a place of the offer's capacity (workflow.BUSY_MATCH_STATUSES)."""
    return (select(func.count()).select_from(Match)
            .where(Match.offer_id == Offer.id, Match.status.in_(BUSY_MATCH_STATUSES)).scalar_subquery())


def offers_taking_requests(today: date):
    """Condition on Offer: it can take a request now — active, not past `available_until`, capacity left
    (the matching engine's hard rules; `matching.service.is_live` says the first two for the index)."""
    return and_(Offer.status == "active", or_(Offer.available_until.is_(None), Offer.available_until >= today),
                or_(Offer.capacity.is_(None), Offer.capacity > offer_load()))
