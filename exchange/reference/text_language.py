"""The language a record's own text (a request's or an offer's title and description) is written in: guessed
among the reference languages (core/i18n.detect_language), and filled in on a record's input when the
person did not choose it."""
from __future__ import annotations

from exchange.core.i18n import detect_language
from exchange.reference.schemas import reference_codes


def text_language(title: str | None, description: str | None) -> str | None:
    """The reference language a title and description are written in, or None when it cannot be told."""
    return detect_language(f"{title or ''}\n{description or ''}", among=tuple(sorted(reference_codes("languages"))))


def fill_content_language(record, data: dict, fallback: str | None) -> None:
    """`content_language` not given in `data` (the input to create or edit `record`): detected from the text
    (when the text is given, or the record has none yet), else `fallback` (the page's language, for a form),
    else left as it was."""
    if "content_language" in data or not ({"title", "description"} & set(data) or record.content_language is None):
        return
    detected = text_language(data.get("title", record.title), data.get("description", record.description))
    if detected or (fallback and not record.content_language):
        data["content_language"] = detected or fallback
