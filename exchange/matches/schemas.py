"""Input of matches: proposing one, and what completing and confirming a delivery need (outcome, rating)."""
from __future__ import annotations

import marshmallow as ma

from exchange.core.models import MAX_ID
from exchange.core.schemas import StrictSchema


class MatchIn(StrictSchema):
    request_id = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(min=1, max=MAX_ID))
    offer_id = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(min=1, max=MAX_ID))
    note = ma.fields.String(load_default="", validate=ma.validate.Length(max=5000))


class OutcomeIn(StrictSchema):
    outcome = ma.fields.String(required=True, validate=ma.validate.Length(min=3, max=5000))


class ConfirmIn(StrictSchema):
    rating = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(min=1, max=5))
    comment = ma.fields.String(load_default="", validate=ma.validate.Length(max=5000))
