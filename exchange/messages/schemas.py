"""Input of a message in a thread."""
from __future__ import annotations

import marshmallow as ma

from exchange.core.schemas import StrictSchema


class MessageIn(StrictSchema):
    message = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=5000))
