"""Offer lists: filters, sorting, where an offer delivers."""
from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import and_, exists, func, literal_column, or_, select

from exchange.core.filters import linked, values
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
from exchange.requests.queries import _pillar_themes

OFFER_SORTS = {"newest": "Newest first", "oldest": "Oldest first", "updated": "Recently updated",
               "title": "Title A–Z"}


def filter_offers(stmt, params: Mapping):
    O = Offer
    if v := values(params, "status"):
        stmt = stmt.where(O.status.in_(v))
    if v := values(params, "theme"):
        stmt = stmt.where(linked(offer_themes, Offer.id, "theme_code", v))
    if v := values(params, "pillar"):
        stmt = stmt.where(exists().where(offer_themes.c.offer_id == O.id,
                                         offer_themes.c.theme_code.in_(_pillar_themes(v))))
    if v := values(params, "country"):
        stmt = stmt.where(delivers_in(O, [c.upper() for c in v]))
    if v := values(params, "region"):
        stmt = stmt.where(exists().where(offer_regions.c.offer_id == O.id, offer_regions.c.region_code.in_(v)))
    if v := values(params, "modality"):
        stmt = stmt.where(linked(offer_modalities, Offer.id, "modality_code", v))
    if v := values(params, "language"):
        stmt = stmt.where(linked(offer_languages, Offer.id, "language_code", v))
    if v := values(params, "provider"):
        stmt = stmt.where(O.organisation_id.in_(select(Organisation.id).where(Organisation.code.in_(v))))
    if q := " ".join(values(params, "q")):
        stmt = stmt.where(text_search(Offer, q))
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
