"""Input of matches: proposing one, and what completing and confirming a delivery need (outcome, rating)."""
from __future__ import annotations

import marshmallow as ma
from flask_babel import gettext as _

from exchange.core.models import MAX_ID
from exchange.core.schemas import Said, StrictSchema, text_of


class MatchIn(StrictSchema):
    request_id = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(min=1, max=MAX_ID))
    offer_id = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(min=1, max=MAX_ID))
    note = ma.fields.String(load_default="", validate=ma.validate.Length(max=5000))


class OutcomeIn(StrictSchema):
    outcome = text_of(3, 5000, lambda: _("Describe the outcome in 3 to 5,000 characters."))


class ConfirmIn(StrictSchema):
    rating = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(
        min=1, max=5, error=Said(lambda: _("Choose a rating from 1 to 5."))), error_messages={
        key: Said(lambda: _("Choose a rating from 1 to 5.")) for key in ("required", "null", "invalid")})
    comment = ma.fields.String(load_default="", validate=ma.validate.Length(max=5000))
