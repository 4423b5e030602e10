"""Input of an offer, for the form and the API alike: OfferIn is built from the field spec (offers/fields.py)."""
from __future__ import annotations

import marshmallow as ma

from exchange.core.schemas import StrictSchema
from exchange.offers.fields import OFFER
from exchange.reference.schemas import reference_codes


class _OfferControls(StrictSchema):
    version = ma.fields.Integer(strict=True)


OfferIn = OFFER.input_schema("OfferIn", _OfferControls, reference_codes,
                             "A provider's offer (programme) as posted or edited.")


OFFER_REQUIRED = OFFER.required
