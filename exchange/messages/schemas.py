"""Input of a message in a thread."""
from __future__ import annotations

from flask_babel import gettext as _

from exchange.core.schemas import StrictSchema, text_of


class MessageIn(StrictSchema):
    message = text_of(1, 5000, lambda: _("Write a message (at most 5,000 characters)."))
