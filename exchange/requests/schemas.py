"""Input of a request, for the form and the API alike."""
from __future__ import annotations

import marshmallow as ma

from exchange.core.schemas import MAX_BUDGET, StrictBoolean, _Clean, _dates
from exchange.core.statuses import Urgency, Visibility
from exchange.reference.schemas import _codes, reference_codes


class RequestIn(_Clean):
    """An assistance request as a State (or a coordinator on its behalf) files or edits it."""

    title = ma.fields.String(validate=ma.validate.Length(min=5, max=200))
    description = ma.fields.String(validate=ma.validate.Length(min=20, max=10_000))
    themes = _codes("themes", required=True, label="themes")
    modalities = _codes("modalities", required=True, label="modalities")
    languages = _codes("languages", required=True, label="languages")
    urgency = ma.fields.String(validate=ma.validate.OneOf(list(Urgency)))
    country = ma.fields.String(validate=ma.validate.Length(equal=3))
    desired_start = ma.fields.Date(allow_none=True)
    desired_end = ma.fields.Date(allow_none=True)
    estimated_budget_usd = ma.fields.Integer(allow_none=True, strict=True,
                                             validate=ma.validate.Range(min=0, max=MAX_BUDGET))
    beneficiary = ma.fields.String(validate=ma.validate.Length(max=200))
    visibility = ma.fields.String(validate=ma.validate.OneOf(list(Visibility)))
    shared_with = ma.fields.List(ma.fields.String(validate=ma.validate.Length(max=64)),
                                 metadata={"description": "Organisation codes of providers a coordinator shares "
                                                          "a restricted request with."})
    draft = StrictBoolean(load_default=False)
    version = ma.fields.Integer(strict=True, metadata={"description": "Required on PATCH: the version you read."})

    check_dates = _dates("desired_start", "desired_end")

    @ma.validates("country")
    def known_country(self, value, **kwargs):
        if value.upper() not in reference_codes("countries"):
            raise ma.ValidationError("Unknown country: use an ISO 3166-1 alpha-3 code of a UN Member State.")

    @ma.post_load
    def upper_country(self, data, **kwargs):
        if data.get("country"):
            data["country"] = data["country"].upper()
        return data


REQUEST_REQUIRED = ("title", "description", "themes", "modalities", "languages", "urgency")
