"""Input fields that take reference codes (themes, modalities, languages, countries, regions), checked
against the reference tables."""
from __future__ import annotations

import marshmallow as ma
from flask import g
from sqlalchemy import select

from exchange.core.extensions import db
from exchange.reference.models import Country, Language, Modality, Region, Theme


def reference_codes(kind: str) -> frozenset[str]:
    """The valid codes of one reference table, read once per request."""
    cache = g.setdefault("_reference_codes", {})
    if kind not in cache:
        column = {"themes": Theme.code, "modalities": Modality.code, "languages": Language.code,
                  "countries": Country.iso3, "regions": Region.code}[kind]
        cache[kind] = frozenset(db.session.scalars(select(column)))
    return cache[kind]


def _codes(kind: str, *, required: bool, label: str):
    def validate(values):
        unknown = sorted(set(values) - reference_codes(kind))
        if unknown:
            raise ma.ValidationError(f"Unknown {label}: {', '.join(unknown)}.")
    field = ma.fields.List(ma.fields.String(validate=ma.validate.Length(max=40)),
                           validate=[ma.validate.Length(min=1 if required else 0, max=50,
                                                        error=f"Choose at least one {label.rstrip('s')}."
                                                        if required else None), validate])
    return field
