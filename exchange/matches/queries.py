"""The SQL of the match list's filters (read as `filters.MatchFilters`), and the places that matches take of
their offers' capacity."""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import and_, func, or_, select

from exchange.core.statuses import MatchStatus, OfferStatus
from exchange.matches.models import Match
from exchange.offers.models import (
    Offer,
)
from exchange.people.models import Organisation
from exchange.requests.models import AssistanceRequest

if TYPE_CHECKING:
    from exchange.matches.filters import MatchFilters


def filter_matches(stmt, filters: MatchFilters):
    """Narrow a select of Match to the matches `filters` selects (ids given that are all not numbers match
    nothing)."""
    M = Match
    if filters.status:
        stmt = stmt.where(M.status.in_(filters.status))
    if filters.request_id is not None:
        stmt = stmt.where(M.request_id.in_(filters.request_id))
    if filters.offer_id is not None:
        stmt = stmt.where(M.offer_id.in_(filters.offer_id))
    if filters.provider:
        stmt = stmt.where(M.offer_id.in_(select(Offer.id).join(Offer.organisation).where(
            Organisation.code.in_(filters.provider))))
    if filters.country:
        stmt = stmt.where(M.request_id.in_(select(AssistanceRequest.id).where(
            AssistanceRequest.country_iso3.in_(filters.country))))
    return stmt


def offer_load():
    """Correlated count: the matches holding a place of the offer's capacity (MatchStatus.BUSY)."""
    return (select(func.count()).select_from(Match)
            .where(Match.offer_id == Offer.id, Match.status.in_(MatchStatus.BUSY)).scalar_subquery())


def offers_taking_requests(today: date):
    """Condition on Offer: it can take a request now — active, not past `available_until`, capacity left
    (the matching engine's hard rules; `matching.service.is_live` says the first two for the index)."""
    return and_(Offer.status == OfferStatus.ACTIVE, or_(Offer.available_until.is_(None), Offer.available_until >= today),
                or_(Offer.capacity.is_(None), Offer.capacity > offer_load()))
