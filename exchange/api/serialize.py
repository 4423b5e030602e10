"""Output schemas of the API's records: assistance requests, offers and matches (shared by every API module).
RequestOut and OfferOut are built from the records' field specs (requests/fields.py, offers/fields.py).

Dates are ISO dates; datetimes are ISO 8601 in UTC with a trailing "Z". Codes (themes, modalities,
languages, countries, regions, organisations) are given as code lists, exactly as the inputs take them.
List endpoints should load the relationships used here with `REQUEST_LOAD`, `OFFER_LOAD`, `MATCH_LOAD`.
"""
from __future__ import annotations

import marshmallow as ma

from exchange.api.errors import CODES
from exchange.core.fields import Field, Kind, Output, Spec


class UtcDateTime(ma.fields.DateTime):
    """A naive UTC datetime (as stored) written as ISO 8601 with a "Z"."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(tz=None).replace(tzinfo=None)
        return value.replace(microsecond=0).isoformat() + "Z"


def _output_field(f: Field) -> ma.fields.Field:
    """A spec field as the API writes it (dates ISO, datetimes UTC with "Z", codes as lists of codes)."""
    options: dict = {"metadata": {"description": f.description} if f.description else {}}
    if f.attribute:
        options["attribute"] = f.attribute
    if f.kind == Kind.CHOICE:
        options["metadata"]["enum"] = list(f.choices or ())
    if f.may_be_empty and (f.empty is None or f.nullable):  # a text stored as NULL when absent says so
        options["allow_none"] = True
    if f.read is not None:
        return ma.fields.Function(f.read, metadata=options["metadata"])
    if f.kind == Kind.CODES:
        return ma.fields.List(ma.fields.String(), dump_only=True, **options)
    kind = {Kind.NUMBER: ma.fields.Integer, Kind.MONEY: ma.fields.Integer,
            Kind.DECIMAL: ma.fields.Float, Kind.DATE: ma.fields.Date,
            Kind.DATETIME: UtcDateTime, Kind.BOOLEAN: ma.fields.Boolean}.get(f.kind, ma.fields.String)
    return kind(**options)


def output_schema(spec: Spec, name: str, doc: str, **extra: ma.fields.Field) -> type[ma.Schema]:
    """The API object of a record: its spec's API fields, and `extra` (what is not a field of the record)."""
    attrs: dict = {f.name: _output_field(f) for f in spec.where(Output.API)}
    return type(name, (ma.Schema,), {**attrs, **extra, "__doc__": doc})


# ------------------------------------------------------------------------------------------------
# Request bodies. Writes read the JSON body themselves (strictly: body.json_body) and hand it to the operations, so that forms and
# the API run the same `schemas.load`; `body_doc` still documents the input schema in the OpenAPI document.

class ErrorDetailOut(ma.Schema):
    code = ma.fields.String(metadata={"description": ", ".join(CODES.values())})
    message = ma.fields.String()
    fields = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.List(ma.fields.String()),
                            metadata={"description": "field → messages (validation errors only)"})


class ErrorOut(ma.Schema):
    error = ma.fields.Nested(ErrorDetailOut)


ERROR_DESCRIPTIONS = {
    400: "Malformed request: a body that is not strict JSON (or not sent as `application/json`), or a NUL "
         "character in the address.",
    401: "No or bad bearer token.",
    403: "Your role (or your organisation, awaiting approval) may not do this, or you may see this record but "
         "not do this to it.",
    404: "No such record, or not visible to you.", 409: "Stale version, or not allowed from the current status.",
    413: "The request body is larger than the server takes.",
    422: "Validation failed: `error.fields` names each field.",
}


_REQUEST_EXAMPLE = {
    "title": "Training for the financial intelligence unit",
    "description": "Analysts need training on terrorist financing typologies and suspicious transaction reports.",
    "themes": ["financing"], "modalities": ["training"], "languages": ["en", "ru"], "urgency": "high",
    "country": "KAZ", "desired_start": "2027-03-01", "desired_end": "2027-06-30", "estimated_budget_usd": 40000,
    "beneficiary": "Financial Intelligence Unit", "visibility": "task_force",
}
_OFFER_EXAMPLE = {
    "title": "Countering the financing of terrorism course",
    "description": "A two-week course for FIU analysts and supervisors on terrorist financing.",
    "themes": ["financing"], "modalities": ["training"], "languages": ["en", "ru"], "countries": [],
    "regions": ["143"], "capacity": 3, "contact_name": "Course desk", "contact_email": "cft@example.org",
}
# One valid body per input schema, shown in the document (and sent first by schemathesis).
BODY_EXAMPLES = {
    "RequestIn": _REQUEST_EXAMPLE, "OfferIn": _OFFER_EXAMPLE,
    "MatchIn": {"request_id": 1, "offer_id": 1, "note": "Same theme and region; the course has room."},
    "MessageIn": {"message": "Which agency will host the training?"},
    "ReasonIn": {"reason": "Out of the Strategy's scope."}, "OutcomeIn": {"outcome": "Twenty analysts trained."},
    "ConfirmIn": {"rating": 5, "comment": "Delivered as planned."}, "ActionIn": {},
    "FundingIn": {"stage": "committed", "amount": 25000, "currency": "EUR", "date": "2027-03-01", "funder": "UNODC",
                  "usd_rate": 1.08},
    "ResultIn": {"kind": "output", "indicator": "Analysts trained in financial analysis", "unit": "people",
                 "baseline": 0, "target": 20, "actual": 18, "note": "Two analysts left before the course."},
    "ResultCommentIn": {"comment": "Matches what our unit saw."},
    "MatchEditIn": {"lessons": "Translate the material before the course, not during it.", "version": 3},
}


def body_doc(bp, schema, *, required: bool = True, errors=(400, 401, 403, 404, 409, 422)):
    """Decorator: document `schema` as the JSON request body and the error answers of a write endpoint."""
    media = {"schema": schema}
    if schema.__name__ in BODY_EXAMPLES:
        media["example"] = BODY_EXAMPLES[schema.__name__]

    def decorate(view):
        view = bp.doc(requestBody={"required": required, "content": {"application/json": media}})(view)
        return error_doc(bp, *errors)(view)
    return decorate


def error_doc(bp, *statuses):
    def decorate(view):
        for status in statuses:
            view = bp.alt_response(status, schema=ErrorOut, description=ERROR_DESCRIPTIONS[status])(view)
        return view
    return decorate
