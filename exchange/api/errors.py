"""The API's one error body: {"error": {"code", "message", "fields"}}."""
from __future__ import annotations

from flask import jsonify
from werkzeug.exceptions import HTTPException

CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
         409: "conflict", 413: "payload_too_large", 415: "unsupported_media_type", 422: "validation_error",
         429: "rate_limited", 500: "internal_error"}


def api_error_response(code: str, message: str, status: int, fields: dict | None = None):
    body = {"error": {"code": code, "message": message}}
    if fields:
        body["error"]["fields"] = fields
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
            fields.setdefault(prefix or "_schema", []).extend(value)
        elif isinstance(value, list):
            for i, inner in enumerate(value):
                walk(f"{prefix}.{i}", inner)
        else:
            fields.setdefault(prefix or "_schema", []).append(str(value))

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
        return api_error_response(code, "Some fields are not valid.", 422, _flatten(messages))
    if status == 400 and messages:
        return api_error_response(code, "The request body is not valid JSON.", 400)
    if status == 404:
        return api_error_response(code, "No such endpoint or record.", 404)
    if status == 405:
        response = api_error_response(code, "This method is not allowed on this endpoint.", 405)
        allowed = getattr(err, "valid_methods", None)
        if allowed:
            response.headers["Allow"] = ", ".join(allowed)
        return response
    if status == 429:
        return api_error_response(code, "Too many requests; try again later.", 429)
    return api_error_response(code, err.description or code, status)
