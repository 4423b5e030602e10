"""Input of matches: proposing one, what completing and confirming a delivery need (outcome, rating), the
money and results entered on it, the State's comment on a result and the lessons learned."""
from __future__ import annotations

import marshmallow as ma
from flask_babel import gettext as _
from sqlalchemy import select

from exchange.core.extensions import db
from exchange.core.models import MAX_ID
from exchange.core.schemas import Said, StrictSchema, text_of
from exchange.matches.fields import FUNDING, RESULT
from exchange.people.models import Organisation
from exchange.reference.currencies import currency_codes
from exchange.reference.schemas import reference_codes


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


# ------------------------------------------------------------------------------------------------
# Money and results (built from the field specs in matches/fields.py) and the lessons learned.

def _known_codes(table: str) -> frozenset[str]:
    """The valid codes of the tables the money's fields name: currencies (ISO 4217, CLDR) and organisations."""
    if table == "currencies":
        return currency_codes()
    if table == "organisations":
        return frozenset(db.session.scalars(select(Organisation.code)))
    return reference_codes(table)


FundingIn = FUNDING.input_schema("FundingIn", StrictSchema, _known_codes,
                                 "Money for a match at one stage, from one funder, with its rate to US dollars.")
ResultIn = RESULT.input_schema("ResultIn", StrictSchema, _known_codes,
                               "One output or outcome indicator of a match.")


class ResultCommentIn(StrictSchema):
    comment = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=5000))


class MatchEditIn(StrictSchema):
    """What a PATCH of a match changes: the lessons learned, with the version read."""

    lessons = ma.fields.String(required=True, validate=ma.validate.Length(max=10_000))
    version = ma.fields.Integer(required=True, strict=True, metadata={"description": "The version you read."})
