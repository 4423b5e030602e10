"""The offer list's filters: one typed object read alike from the list page, the directory, the API and the
exports (`OfferFilters.from_params`); `queries.filter_offers` and `sort_offers` build the SQL from it."""
from __future__ import annotations

from dataclasses import dataclass

from exchange.core.filters import ListFilters, codes, search, sort
from exchange.core.statuses import OfferStatus
from exchange.offers.queries import OFFER_SORTS
from exchange.reference.models import PILLARS


@dataclass(frozen=True)
class OfferFilters(ListFilters):
    """What the offer list is narrowed to (each field: an offer matches one of its codes) and its order."""

    status: tuple[str, ...] = codes(f"Status: {', '.join(OfferStatus)}.")
    theme: tuple[str, ...] = codes("Theme code.")
    pillar: tuple[str, ...] = codes(f"Pillar of the Strategy: {', '.join(PILLARS)}.")
    country: tuple[str, ...] = codes("ISO3 code: offers that can be delivered there (listed, in a listed region, "
                                     "or anywhere).", upper=True)
    region: tuple[str, ...] = codes("UN M49 code listed by the offer.")
    modality: tuple[str, ...] = codes("Modality code.")
    language: tuple[str, ...] = codes("ISO 639-1 code.")
    content_language: tuple[str, ...] = codes("ISO 639-1 code of the language the title and description are written in.")
    provider: tuple[str, ...] = codes("Provider organisation code.")
    q: str = search("Full-text search over title and description.")
    sort: str = sort(OFFER_SORTS)
