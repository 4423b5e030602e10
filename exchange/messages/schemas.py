"""Input of a message in a thread."""
from __future__ import annotations

import marshmallow as ma

from exchange.core.schemas import _Clean


class MessageIn(_Clean):
    message = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=5000))
