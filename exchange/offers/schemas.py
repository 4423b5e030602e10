"""Input of an offer, for the form and the API alike."""
from __future__ import annotations

import marshmallow as ma

from exchange.core.schemas import MAX_BUDGET, _Clean, _dates
from exchange.reference.schemas import _codes


class OfferIn(_Clean):
    """A provider's offer (programme) as posted or edited."""

    title = ma.fields.String(validate=ma.validate.Length(min=5, max=200))
    description = ma.fields.String(validate=ma.validate.Length(min=20, max=10_000))
    themes = _codes("themes", required=True, label="themes")
    modalities = _codes("modalities", required=True, label="modalities")
    languages = _codes("languages", required=True, label="languages")
    countries = _codes("countries", required=False, label="countries")
    regions = _codes("regions", required=False, label="regions")
    available_from = ma.fields.Date(allow_none=True)
    available_until = ma.fields.Date(allow_none=True)
    capacity = ma.fields.Integer(allow_none=True, strict=True, validate=ma.validate.Range(min=1, max=100_000))
    budget_usd = ma.fields.Integer(allow_none=True, strict=True, validate=ma.validate.Range(min=0, max=MAX_BUDGET))
    contact_name = ma.fields.String(validate=ma.validate.Length(max=200))
    contact_email = ma.fields.Email(validate=ma.validate.Length(max=254), allow_none=True)
    organisation = ma.fields.String(validate=ma.validate.Length(max=64))
    version = ma.fields.Integer(strict=True)

    check_dates = _dates("available_from", "available_until")


OFFER_REQUIRED = ("title", "description", "themes", "modalities", "languages")
