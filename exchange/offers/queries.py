"""Offer lists: the SQL of their filters (read as `filters.OfferFilters`), sorting, where an offer delivers."""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, func, literal_column, or_, select

from exchange.core.filters import linked, where_linked
from exchange.core.search import text_search
from exchange.offers.models import (
    Offer,
    offer_countries,
    offer_languages,
    offer_modalities,
    offer_regions,
    offer_themes,
)
from exchange.people.models import Organisation
from exchange.reference.models import Country
from exchange.requests.queries import pillar_themes

if TYPE_CHECKING:
    from exchange.offers.filters import OfferFilters

OFFER_SORTS = {"newest": _l("Newest first"), "oldest": _l("Oldest first"), "updated": _l("Recently updated"),
               "title": _l("Title A–Z")}


# The filters a link table answers: filter name → (the link table, its code column).
OFFER_LINKS = {"theme": (offer_themes, "theme_code"), "region": (offer_regions, "region_code"),
               "modality": (offer_modalities, "modality_code"), "language": (offer_languages, "language_code")}


def filter_offers(stmt, filters: OfferFilters):
    """Narrow a select of Offer to the offers `filters` selects."""
    O = Offer
    if filters.status:
        stmt = stmt.where(O.status.in_(filters.status))
    stmt = where_linked(stmt, filters, O.id, OFFER_LINKS)
    if filters.pillar:
        stmt = stmt.where(linked(offer_themes, O.id, "theme_code", pillar_themes(list(filters.pillar))))
    if filters.country:
        stmt = stmt.where(delivers_in(O, list(filters.country)))
    if filters.content_language:
        stmt = stmt.where(O.content_language.in_(filters.content_language))
    if filters.provider:
        stmt = stmt.where(O.organisation_id.in_(select(Organisation.id).where(
            Organisation.code.in_(filters.provider))))
    if filters.q:
        stmt = stmt.where(text_search(Offer, filters.q))
    return stmt


def delivers_in(O, iso3_codes: list[str]):
    """Offers that can deliver in one of these countries: listed, in one of their M49 areas, or anywhere."""
    areas = select(Country.region_code).where(Country.iso3.in_(iso3_codes)).union(
        select(Country.sub_region_code).where(Country.iso3.in_(iso3_codes)),
        select(Country.intermediate_region_code).where(Country.iso3.in_(iso3_codes)),
        select(literal_column("'001'")))
    listed = exists().where(offer_countries.c.offer_id == O.id, offer_countries.c.country_iso3.in_(iso3_codes))
    in_area = exists().where(offer_regions.c.offer_id == O.id, offer_regions.c.region_code.in_(areas))
    anywhere = and_(~exists().where(offer_countries.c.offer_id == O.id),
                    ~exists().where(offer_regions.c.offer_id == O.id))
    return or_(listed, in_area, anywhere)


def sort_offers(stmt, sort: str | None):
    O = Offer
    order = {
        "oldest": [O.created_at.asc(), O.id.asc()],
        "updated": [O.updated_at.desc(), O.id.desc()],
        "title": [func.lower(O.title), O.id],
    }.get(sort or "", [O.created_at.desc(), O.id.desc()])
    return stmt.order_by(None).order_by(*order)
