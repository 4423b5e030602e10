"""The API's one error body: {"error": {"code", "message", "fields"}}: the code never changes, the message
and the fields' messages are in the caller's language (Accept-Language)."""
from __future__ import annotations

from flask import jsonify
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from exchange.core.schemas import translated

CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
         409: "conflict", 413: "payload_too_large", 415: "unsupported_media_type", 422: "validation_error",
         429: "rate_limited", 500: "internal_error"}


def api_error_response(code: str, message: str, status: int, fields: dict | None = None):
    body = {"error": {"code": code, "message": str(message)}}
    if fields:
        body["error"]["fields"] = {name: [str(m) for m in (messages if isinstance(messages, list) else [messages])]
                                   for name, messages in fields.items()}
    response = jsonify(body)
    response.status_code = status
    return response


def _flatten(messages) -> dict[str, list[str]]:
    """webargs reports {location: {field: [msg]}}; clients want {field: [msg]}. Nested errors get dotted names."""
    fields: dict[str, list[str]] = {}

    def walk(prefix: str, value):
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            fields.setdefault(prefix or "_schema", []).extend(translated(v) for v in value)
        elif isinstance(value, list):
            for i, inner in enumerate(value):
                walk(f"{prefix}.{i}", inner)
        else:
            fields.setdefault(prefix or "_schema", []).append(translated(value))

    if isinstance(messages, dict):
        for location_or_field, value in messages.items():
            walk("" if location_or_field in ("json", "query", "form", "view_args", "path") else location_or_field,
                 value)
    return fields


def api_error_from_exception(err: HTTPException):
    status = err.code or 500
    code = CODES.get(status, "error")
    data = getattr(err, "data", None) or {}
    messages = data.get("messages")
    if status == 422 and messages:
        return api_error_response(code, _("Some fields are not valid."), 422, _flatten(messages))
    if status == 400 and messages:
        return api_error_response(code, _("The request body is not valid JSON."), 400)
    if status == 404:
        return api_error_response(code, _("No such endpoint or record."), 404)
    if status == 405:
        response = api_error_response(code, _("This method is not allowed on this endpoint."), 405)
        allowed = getattr(err, "valid_methods", None)
        if allowed:
            response.headers["Allow"] = ", ".join(allowed)
        return response
    if status == 429:
        return api_error_response(code, _("Too many requests; try again later."), 429)
    return api_error_response(code, http_description(err) or code, status)


def http_description(err: HTTPException) -> str:
    """What to say of a Werkzeug error: the raiser's own words (translated where raised), else ours for its
    status (Werkzeug's descriptions are English only)."""
    if err.description and err.description != type(err).description:
        return err.description
    return DESCRIPTIONS[err.code]() if err.code in DESCRIPTIONS else (err.description or "")


# What the API says for the other statuses Werkzeug raises (its own descriptions are English only).
DESCRIPTIONS = {
    400: lambda: _("The request could not be understood."),
    401: lambda: _("A valid bearer token is required."),
    403: lambda: _("You are not allowed to do this."),
    413: lambda: _("The request body is too large."),
    415: lambda: _("This media type is not supported here."),
    500: lambda: _("An unexpected error occurred; it has been logged."),
}
