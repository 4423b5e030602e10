"""The SQL of the match list's filters (read as `filters.MatchFilters`)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

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
