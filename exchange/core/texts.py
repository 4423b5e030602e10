"""User-facing text with named placeholders, translated: `text("Wait %(minutes)d minutes.", minutes=3)` is
Flask-Babel's gettext (the catalogues' extraction knows `text` as a keyword). Whole sentences with `%(name)s`
placeholders, never concatenated. Module-level labels use `lazy_text` (lazy_gettext), translated when shown."""
from __future__ import annotations

from flask_babel import gettext, lazy_gettext


def text(message: str, **values) -> str:
    return gettext(message, **values)


def lazy_text(message: str, **values):
    return lazy_gettext(message, **values)


__all__ = ["lazy_text", "text"]
