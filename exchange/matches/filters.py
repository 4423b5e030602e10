"""The match list's filters: one typed object read alike from the matches page, the API and the exports
(`MatchFilters.from_params`); `queries.filter_matches` builds the SQL from it."""
from __future__ import annotations

from dataclasses import dataclass

from exchange.core.filters import ListFilters, codes, ids
from exchange.core.statuses import MatchStatus


@dataclass(frozen=True)
class MatchFilters(ListFilters):
    """What the match list is narrowed to (each field: a match matches one of its values)."""

    status: tuple[str, ...] = codes(f"Status: {', '.join(MatchStatus)}.")
    request_id: tuple[int, ...] | None = ids("Request id.")
    offer_id: tuple[int, ...] | None = ids("Offer id.")
    provider: tuple[str, ...] = codes("The offer's provider (organisation code).")
    country: tuple[str, ...] = codes("The request's country (ISO3).", upper=True)
