"""Looking reference data up: countries in M49 areas, reference rows by code."""
from __future__ import annotations

from sqlalchemy import or_, select, true

from exchange.core.extensions import db
from exchange.reference.data import WORLD
from exchange.reference.models import Country, Language, Modality, Region, Theme


def countries_in(areas: list[str]):
    """Condition on Country: the countries lying in one of these M49 areas, at any level (region, sub-region,
    intermediate region). The World (001) holds every country, so naming it restricts nothing."""
    if WORLD in areas:
        return true()
    return or_(Country.region_code.in_(areas), Country.sub_region_code.in_(areas),
               Country.intermediate_region_code.in_(areas))


_LINKS = {"themes": (Theme, Theme.code), "modalities": (Modality, Modality.code),
          "languages": (Language, Language.code), "countries": (Country, Country.iso3),
          "regions": (Region, Region.code)}


def _objects(kind: str, codes: list[str]):
    model, column = _LINKS[kind]
    return list(db.session.scalars(select(model).where(column.in_(codes)).order_by(column))) if codes else []
