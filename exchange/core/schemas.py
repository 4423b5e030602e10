"""The base of every input schema: strict booleans, trimmed strings, unknown fields refused, dates in order,
and `load`, which turns marshmallow's errors into one ValidationFailed with its fields."""
from __future__ import annotations

import marshmallow as ma

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


def dates_in_order(start: str, end: str):
    @ma.validates_schema
    def check(self, data, **kwargs):
        if data.get(start) and data.get(end) and data[end] < data[start]:
            raise ma.ValidationError("The end must not be before the start.", end)
    return check


def load(schema: ma.Schema, data, *, partial: bool = False, required: tuple[str, ...] = ()) -> dict:
    """Validate `data` with `schema`; `required` lists fields that must be present (and not empty)."""
    if not isinstance(data, dict):
        raise ValidationFailed("The body must be a JSON object.", {"_schema": ["Expected an object."]})
    try:
        clean = schema.load(data, partial=partial)
    except ma.ValidationError as err:
        raise ValidationFailed("Some fields are not valid.", _messages(err.messages)) from None
    missing = {name: ["This field is required."] for name in required if clean.get(name) in (None, "", [])}
    if missing:
        raise ValidationFailed("Some required fields are missing.", missing)
    return clean


def _messages(messages) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for key, value in (messages.items() if isinstance(messages, dict) else [("_schema", messages)]):
        if isinstance(value, dict):  # list fields report {index: [msg]}
            flat = [m for inner in value.values() for m in (inner if isinstance(inner, list) else [inner])]
            result[key] = [str(m) for m in flat]
        else:
            result[key] = [str(m) for m in (value if isinstance(value, list) else [value])]
    return result


# The bodies of status moves (requests, offers and matches alike).
class ReasonIn(StrictSchema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=3, max=5000))
    duplicate_of = ma.fields.Integer(strict=True, allow_none=True, validate=ma.validate.Range(min=1, max=MAX_ID))


class ActionIn(StrictSchema):
    """A status move that takes no text: no body, or only the `version` the caller read (not checked)."""

    version = ma.fields.Integer(strict=True, metadata={"description": "Optional: the version you read."})
