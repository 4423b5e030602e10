"""User-facing text with named placeholders: `text("Wait %(minutes)d minutes.", minutes=3)`. Whole sentences
with `%(name)s` placeholders, never concatenated, so that wrapping them for translation later (Flask-Babel's
gettext) changes this one function, not its callers."""
from __future__ import annotations


def text(message: str, **values) -> str:
    return message % values if values else message
