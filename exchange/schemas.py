"""One validation per input, shared by the pages' forms and the API: requests, offers, matches, moves.

Codes (themes, modalities, languages, countries, regions, organisations) are checked against the
reference tables. `load(schema, data)` returns clean data or raises ValidationFailed with
field → messages, which pages show beside each field and the API returns as `error.fields`.
"""
from __future__ import annotations

import marshmallow as ma
from flask import g
from sqlalchemy import select

from .errors import ValidationFailed
from .extensions import db
from .models import MAX_ID, Country, Language, Modality, Organisation, Region, Theme
from .vocabulary import URGENCIES, VISIBILITIES

MAX_BUDGET = 10**12


def reference_codes(kind: str) -> frozenset[str]:
    """The valid codes of one reference table, read once per request."""
    cache = g.setdefault("_reference_codes", {})
    if kind not in cache:
        column = {"themes": Theme.code, "modalities": Modality.code, "languages": Language.code,
                  "countries": Country.iso3, "regions": Region.code}[kind]
        cache[kind] = frozenset(db.session.scalars(select(column)))
    return cache[kind]


def _codes(kind: str, *, required: bool, label: str):
    def validate(values):
        unknown = sorted(set(values) - reference_codes(kind))
        if unknown:
            raise ma.ValidationError(f"Unknown {label}: {', '.join(unknown)}.")
    field = ma.fields.List(ma.fields.String(validate=ma.validate.Length(max=40)),
                           validate=[ma.validate.Length(min=1 if required else 0, max=50,
                                                        error=f"Choose at least one {label.rstrip('s')}."
                                                        if required else None), validate])
    return field


class StrictBoolean(ma.fields.Boolean):
    """JSON `true` or `false` only. marshmallow's Boolean also takes 0, 1, "yes", "on"… (and Python's sets
    count 1 as True), so the API documented a boolean and took a number."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class _Clean(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    @ma.pre_load
    def strip_strings(self, data, **kwargs):
        if isinstance(data, dict):
            return {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
        return data

    @ma.post_load
    def dedupe_codes(self, data, **kwargs):
        for key in ("themes", "modalities", "languages", "countries", "regions", "shared_with"):
            if key in data and data[key] is not None:
                data[key] = sorted(set(data[key]))
        return data


def _dates(start: str, end: str):
    @ma.validates_schema
    def check(self, data, **kwargs):
        if data.get(start) and data.get(end) and data[end] < data[start]:
            raise ma.ValidationError("The end must not be before the start.", end)
    return check


class RequestIn(_Clean):
    """An assistance request as a State (or a coordinator on its behalf) files or edits it."""

    title = ma.fields.String(validate=ma.validate.Length(min=5, max=200))
    description = ma.fields.String(validate=ma.validate.Length(min=20, max=10_000))
    themes = _codes("themes", required=True, label="themes")
    modalities = _codes("modalities", required=True, label="modalities")
    languages = _codes("languages", required=True, label="languages")
    urgency = ma.fields.String(validate=ma.validate.OneOf(list(URGENCIES)))
    country = ma.fields.String(validate=ma.validate.Length(equal=3))
    desired_start = ma.fields.Date(allow_none=True)
    desired_end = ma.fields.Date(allow_none=True)
    estimated_budget_usd = ma.fields.Integer(allow_none=True, strict=True,
                                             validate=ma.validate.Range(min=0, max=MAX_BUDGET))
    beneficiary = ma.fields.String(validate=ma.validate.Length(max=200))
    visibility = ma.fields.String(validate=ma.validate.OneOf(list(VISIBILITIES)))
    shared_with = ma.fields.List(ma.fields.String(validate=ma.validate.Length(max=64)),
                                 metadata={"description": "Organisation codes of providers a coordinator shares "
                                                          "a restricted request with."})
    draft = StrictBoolean(load_default=False)
    version = ma.fields.Integer(strict=True, metadata={"description": "Required on PATCH: the version you read."})

    check_dates = _dates("desired_start", "desired_end")

    @ma.validates("country")
    def known_country(self, value, **kwargs):
        if value.upper() not in reference_codes("countries"):
            raise ma.ValidationError("Unknown country: use an ISO 3166-1 alpha-3 code of a UN Member State.")

    @ma.post_load
    def upper_country(self, data, **kwargs):
        if data.get("country"):
            data["country"] = data["country"].upper()
        return data


REQUEST_REQUIRED = ("title", "description", "themes", "modalities", "languages", "urgency")


class OfferIn(_Clean):
    """A provider's offer (programme) as posted or edited."""

    title = ma.fields.String(validate=ma.validate.Length(min=5, max=200))
    description = ma.fields.String(validate=ma.validate.Length(min=20, max=10_000))
    themes = _codes("themes", required=True, label="themes")
    modalities = _codes("modalities", required=True, label="modalities")
    languages = _codes("languages", required=True, label="languages")
    countries = _codes("countries", required=False, label="countries")
    regions = _codes("regions", required=False, label="regions")
    available_from = ma.fields.Date(allow_none=True)
    available_until = ma.fields.Date(allow_none=True)
    capacity = ma.fields.Integer(allow_none=True, strict=True, validate=ma.validate.Range(min=1, max=100_000))
    budget_usd = ma.fields.Integer(allow_none=True, strict=True, validate=ma.validate.Range(min=0, max=MAX_BUDGET))
    contact_name = ma.fields.String(validate=ma.validate.Length(max=200))
    contact_email = ma.fields.Email(validate=ma.validate.Length(max=254), allow_none=True)
    organisation = ma.fields.String(validate=ma.validate.Length(max=64))
    version = ma.fields.Integer(strict=True)

    check_dates = _dates("available_from", "available_until")


OFFER_REQUIRED = ("title", "description", "themes", "modalities", "languages")


class MatchIn(_Clean):
    request_id = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(min=1, max=MAX_ID))
    offer_id = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(min=1, max=MAX_ID))
    note = ma.fields.String(load_default="", validate=ma.validate.Length(max=5000))


class MessageIn(_Clean):
    message = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=5000))


class ReasonIn(_Clean):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=3, max=5000))
    duplicate_of = ma.fields.Integer(strict=True, allow_none=True, validate=ma.validate.Range(min=1, max=MAX_ID))


class OutcomeIn(_Clean):
    outcome = ma.fields.String(required=True, validate=ma.validate.Length(min=3, max=5000))


class ConfirmIn(_Clean):
    rating = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(min=1, max=5))
    comment = ma.fields.String(load_default="", validate=ma.validate.Length(max=5000))


class ActionIn(_Clean):
    """A status move that takes no text: no body, or only the `version` the caller read (not checked)."""

    version = ma.fields.Integer(strict=True, metadata={"description": "Optional: the version you read."})


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


def organisation_by_code(code: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.code == code))
