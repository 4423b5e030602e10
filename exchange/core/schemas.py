"""The base of every input schema: strict booleans, trimmed strings, unknown fields refused, dates in order,
and `load`, which turns marshmallow's errors into one ValidationFailed with its fields, every message in the
reader's language (marshmallow's own, English only, through MARSHMALLOW_MESSAGES)."""
from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

import marshmallow as ma
from flask_babel import gettext as _

from exchange.core.errors import ValidationFailed
from exchange.core.models import MAX_ID

MAX_BUDGET = 10**12


class StrictBoolean(ma.fields.Boolean):
    """JSON `true` or `false` only. marshmallow's Boolean also takes 0, 1, "yes", "on"… (and Python's sets
    count 1 as True), so the API documented a boolean and took a number."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class StrictSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    @ma.pre_load
    def strip_strings(self, data, **kwargs):
        if isinstance(data, dict):
            return {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
        return data


class Said(str):
    """A message made when it is said: marshmallow formats its messages when it raises them, and this one is
    then written in the language of the moment (`say()`, e.g. with a field's label). Not empty: validators
    take "" for "no message given"."""

    def __new__(cls, say):
        made = super().__new__(cls, "(said when raised)")
        made.say = say
        return made

    def format(self, *args, **kwargs) -> str:
        return self.say()

    def __str__(self) -> str:
        return self.say()


def text_of(min_length: int, max_length: int, say) -> ma.fields.String:
    """A required text of `min_length` to `max_length` characters whose every problem says `say()` (what to
    write, e.g. "Give a reason of 3 to 5,000 characters.")."""
    message = Said(say)
    return ma.fields.String(required=True, validate=ma.validate.Length(min=min_length, max=max_length, error=message),
                            error_messages={"required": message, "null": message, "invalid": message})


def dates_in_order(start: str, end: str):
    @ma.validates_schema
    def check(self, data, **kwargs):
        if data.get(start) and data.get(end) and data[end] < data[start]:
            raise ma.ValidationError(_("The end must not be before the start."), end)
    return check


def load(schema: ma.Schema, data, *, partial: bool = False,
         required: tuple[str, ...] | Mapping[str, str] = ()) -> dict:
    """Validate `data` with `schema`; `required` lists fields that must be present (and not empty), or maps
    each to what it says when it is not. Every problem is reported at once: the schema's and the missing
    fields' together."""
    if not isinstance(data, dict):
        raise ValidationFailed(_("The body must be a JSON object."), {"_schema": [_("Expected an object.")]})
    problems: dict[str, list[str]] = {}
    try:
        clean = schema.load(data, partial=partial)
    except ma.ValidationError as err:
        problems = _messages(err.messages)
        clean = {k: v for k, v in data.items() if k not in problems} if isinstance(data, dict) else {}
    said = required if isinstance(required, Mapping) else {}
    missing = {name: [str(said.get(name) or _("This field is required."))] for name in required
               if name not in problems and (clean.get(name) in (None, "", []) or
                                            (isinstance(clean.get(name), str) and not clean[name].strip()))}
    if problems:
        raise ValidationFailed(_("Some fields are not valid."), {**problems, **missing})
    if missing:
        raise ValidationFailed(_("Some required fields are missing."), missing)
    return clean


def _messages(messages) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for key, value in (messages.items() if isinstance(messages, dict) else [("_schema", messages)]):
        if isinstance(value, dict):  # list fields report {index: [msg]}
            flat = [m for inner in value.values() for m in (inner if isinstance(inner, list) else [inner])]
            result[key] = [translated(m) for m in flat]
        else:
            result[key] = [translated(m) for m in (value if isinstance(value, list) else [value])]
    return result


# marshmallow's own messages (4.x), which it writes in English: each is found again in what it wrote, its
# values ({min}, {choices}…) read back, and written anew in the reader's language. Range's messages are
# listed whole (marshmallow builds them from "greater than"…). Our own messages are already translated.
N_ = str  # marks a message for the catalogues (babel's keyword) without translating it here
MARSHMALLOW_MESSAGES = [
    N_("Missing data for required field."),
    N_("Field may not be null."),
    N_("Invalid value."),
    N_("Invalid type."),
    N_("Invalid input."),
    N_("Invalid input type."),
    N_("Unknown field."),
    N_("Not a valid list."),
    N_("Not a valid tuple."),
    N_("Not a valid string."),
    N_("Not a valid utf-8 string."),
    N_("Not a valid UUID."),
    N_("Not a valid number."),
    N_("Number too large."),
    N_("Not a valid integer."),
    N_("Special numeric values (nan or infinity) are not permitted."),
    N_("Not a valid boolean."),
    N_("Not a valid datetime."),
    N_("Not a valid date."),
    N_("Not a valid time."),
    N_("Not a valid period of time."),
    N_("Not a valid mapping type."),
    N_("Not a valid URL."),
    N_("Not a valid email address."),
    N_("Not a valid IP address."),
    N_("String does not match expected pattern."),
    N_("Shorter than minimum length {min}."),
    N_("Longer than maximum length {max}."),
    N_("Length must be between {min} and {max}."),
    N_("Length must be {equal}."),
    N_("Must be equal to {other}."),
    N_("Must be one of: {choices}."),
    N_("One or more of the choices you made was not in: {choices}."),
    N_("One or more of the choices you made was in: {values}."),
    N_("Must be greater than or equal to {min}."),
    N_("Must be greater than {min}."),
    N_("Must be less than or equal to {max}."),
    N_("Must be less than {max}."),
    N_("Must be greater than or equal to {min} and less than or equal to {max}."),
    N_("Must be greater than or equal to {min} and less than {max}."),
    N_("Must be greater than {min} and less than or equal to {max}."),
    N_("Must be greater than {min} and less than {max}."),
]


@cache
def _marshmallow_patterns() -> list[tuple[re.Pattern, str]]:
    """Each message as a pattern, the longest first (so that "Must be … {min} and … {max}." is tried before
    "Must be … {min}.", whose {min} would take in the rest)."""
    patterns = []
    for message in sorted(MARSHMALLOW_MESSAGES, key=lambda m: len(re.sub(r"\{\w+\}", "", m)), reverse=True):
        pieces = re.split(r"\{(\w+)\}", message)
        regex = "".join(re.escape(piece) if i % 2 == 0 else f"(?P<{piece}>.+?)" for i, piece in enumerate(pieces))
        patterns.append((re.compile(regex + r"\Z", re.DOTALL), message))
    return patterns


def translated(message) -> str:
    """A validation message in the reader's language: marshmallow's own are written anew, ours (lazy or
    already translated) as they are."""
    written = str(message)
    for pattern, english in _marshmallow_patterns():
        found = pattern.match(written)
        if found:
            return _(english).format(**found.groupdict()) if found.groupdict() else _(english)
    return written


# The bodies of status moves (requests, offers and matches alike).
class ReasonIn(StrictSchema):
    reason = text_of(3, 5000, lambda: _("Give a reason of 3 to 5,000 characters."))
    duplicate_of = ma.fields.Integer(strict=True, allow_none=True, validate=ma.validate.Range(min=1, max=MAX_ID))


class ActionIn(StrictSchema):
    """A status move that takes no text: no body, or only the `version` the caller read (not checked)."""

    version = ma.fields.Integer(strict=True, metadata={"description": "Optional: the version you read."})
