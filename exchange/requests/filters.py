"""The request list's filters: one typed object read alike from the list page, the API and the exports
(`RequestFilters.from_params`); `queries.filter_requests` and `sort_requests` build the SQL from it."""
from __future__ import annotations

from dataclasses import dataclass

from exchange.core.filters import ListFilters, codes, search, sort
from exchange.core.statuses import RequestStatus, Urgency
from exchange.reference.models import PILLARS
from exchange.requests.queries import REQUEST_SORTS


@dataclass(frozen=True)
class RequestFilters(ListFilters):
    """What the request list is narrowed to (each field: a request matches one of its codes) and its order."""

    status: tuple[str, ...] = codes(f"Status: {', '.join(RequestStatus)}.")
    theme: tuple[str, ...] = codes("Theme code.")
    pillar: tuple[str, ...] = codes(f"Pillar of the Strategy: {', '.join(PILLARS)}.")
    country: tuple[str, ...] = codes("ISO3 country code.", upper=True)
    region: tuple[str, ...] = codes("UN M49 code: the country's region, sub-region or intermediate region.")
    modality: tuple[str, ...] = codes("Modality code.")
    language: tuple[str, ...] = codes("ISO 639-1 code.")
    content_language: tuple[str, ...] = codes("ISO 639-1 code of the language the title and description are written in.")
    urgency: tuple[str, ...] = codes(f"{', '.join(Urgency)}.")
    organisation: tuple[str, ...] = codes("Requesting organisation code.")
    q: str = search("Full-text search over title, description and beneficiary "
                    "(every word must appear; word prefixes match).")
    sort: str = sort(REQUEST_SORTS)
