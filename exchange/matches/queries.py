"""Filters of the match lists."""
from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select

from exchange.core.filters import _ints, values
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
