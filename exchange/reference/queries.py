"""Looking reference data up: countries in M49 areas, reference rows by code (each table read once per
database session and transaction, however often a request validates, stores and lists its codes)."""
from __future__ import annotations

from sqlalchemy import inspect, or_, select, true

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


LINKED_REFERENCES = {"themes": (Theme, Theme.code), "modalities": (Modality, Modality.code),
          "languages": (Language, Language.code), "countries": (Country, Country.iso3),
          "regions": (Region, Region.code)}
# The order the pickers show (themes by pillar, the rest by name).
_ORDER = {"themes": (Theme.pillar, Theme.name), "modalities": (Modality.name,), "languages": (Language.name,),
          "countries": (Country.name,), "regions": (Region.name,)}


def _fresh(rows: list) -> bool:
    return all(not (state := inspect(row)).detached and not state.expired_attributes for row in rows)


def reference_rows(kind: str) -> list:
    """Every row of one reference table in the pickers' order, read once: kept with the database session
    while its rows are fresh (a commit or a rollback expires them, and the next call reads again)."""
    cache = db.session.info.setdefault("reference_rows", {})
    if kind not in cache or not _fresh(cache[kind]):
        model, _ = LINKED_REFERENCES[kind]
        cache[kind] = list(db.session.scalars(select(model).order_by(*_ORDER[kind])))
    return cache[kind]


def rows_by_code(kind: str, codes: list[str]):
    """The rows of these codes, in code order (unknown codes are the input schema's to refuse)."""
    wanted = set(codes)
    key = LINKED_REFERENCES[kind][1].key
    return sorted((row for row in reference_rows(kind) if getattr(row, key) in wanted), key=lambda r: getattr(r, key))
