"""The one reader of the API's JSON request bodies: strict JSON, or 400 (`bad_request`) before any work.

Python's `json` module is lenient where databases and other parsers are not: it lets lone surrogates
through (which no database can store), recurses until the interpreter's limit (100,000 nested brackets
raised RecursionError), guesses UTF-16 and UTF-32, takes the last of duplicate names, reads `NaN` and
`Infinity`, and turns `1e999999` into infinity. The API takes the I-JSON profile of JSON (RFC 7493)
instead, sent as `Content-Type: application/json` (or a `+json` type): UTF-8 only, no lone surrogate,
no name twice in an object, finite numbers of a sane length, and at most `MAX_DEPTH` levels of nesting.
Anything else is refused whole with a sentence saying what is wrong, and nothing is changed.
"""
from __future__ import annotations

import json
import math

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from exchange.core.errors import ExchangeError

MAX_DEPTH = 20          # no record is deeper than an object of lists; 20 leaves room for any client
MAX_NUMBER_CHARS = 100  # longer numbers are refused before Python converts them


# What Python's json module says is wrong, in the reader's language (anything else is said as it says it).
JSON_REASONS = {
    "Expecting value": _l("a value was expected"),
    "Expecting ',' delimiter": _l("a comma was expected"),
    "Expecting ':' delimiter": _l("a colon was expected"),
    "Expecting property name enclosed in double quotes": _l("a name in double quotes was expected"),
    "Unterminated string starting at": _l("a string is not closed"),
    "Invalid control character at": _l("a string contains a control character"),
    "Invalid \\escape": _l("a string contains an invalid escape"),
    "Invalid \\uXXXX escape": _l("a string contains an invalid \\u escape"),
    "Extra data": _l("there is more after the JSON value"),
}


def _too_deep() -> str:
    return _("The request body is nested too deeply: at most %(depth)s levels of objects and arrays are "
             "accepted.", depth=MAX_DEPTH)


class MalformedBody(ExchangeError):
    """The request body is not valid JSON."""

    code, status = "bad_request", 400
    default_message = _l("The request body is not valid JSON.")


class _JsonNull:
    """A body of JSON `null`: not None, which the operations read as "no body" (and `null` passed for it)."""

    def __repr__(self) -> str:
        return "null"


JSON_NULL = _JsonNull()


def json_body():
    """The request's JSON body: {} when there is none. A body that is not strict JSON raises `MalformedBody`
    (400). JSON that is not an object (a list, a number, `null` as `JSON_NULL`) is handed on, and refused
    by `schemas.load` with 422 once the move's own checks (403, 409) have run."""
    raw = request.get_data(cache=True)
    sent = bool(raw) or bool(request.content_length) or bool(request.form) or bool(request.files)
    if not sent:
        return {}
    if not _is_json_type(request.mimetype):
        raise MalformedBody(_("The request body must be JSON, sent with the header Content-Type: "
                              "application/json."))
    value = parse_strict_json(raw)
    return JSON_NULL if value is None else value


def _is_json_type(mimetype: str) -> bool:
    return mimetype == "application/json" or (mimetype.startswith("application/") and mimetype.endswith("+json"))


def parse_strict_json(raw: bytes):
    """Parse `raw` as I-JSON (see the module's docstring), or raise `MalformedBody` saying why."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise MalformedBody(_("The request body is not valid UTF-8 (byte %(position)s is wrong); send JSON "
                            "encoded as UTF-8.", position=err.start + 1)) from None
    try:
        value = json.loads(text, object_pairs_hook=_object, parse_constant=_constant, parse_int=_int,
                           parse_float=_float)
    except RecursionError:
        raise MalformedBody(_too_deep()) from None
    except ValueError as err:  # json.JSONDecodeError, or int() refusing a number
        if isinstance(err, json.JSONDecodeError):
            raise MalformedBody(_("The request body is not valid JSON (line %(line)s, column %(column)s): "
                                  "%(reason)s.", line=err.lineno, column=err.colno, reason=_reason(err))) from None
        raise MalformedBody(_("The request body is not valid JSON: %(reason)s.", reason=_reason(err))) from None
    _check_tree(value)
    return value


def _reason(err: ValueError) -> str:
    message = err.msg if isinstance(err, json.JSONDecodeError) else str(err)
    if message in JSON_REASONS:
        return str(JSON_REASONS[message])
    return message[:1].lower() + message[1:] if message else _("it could not be read")


def _object(pairs: list[tuple[str, object]]) -> dict:
    result: dict = {}
    for name, value in pairs:
        if name in result:
            raise MalformedBody(_("The request body names “%(name)s” twice in one object; send each field "
                                  "once.", name=_shown(name)))
        result[name] = value
    return result


def _constant(name: str):
    raise MalformedBody(_("The request body contains %(name)s, which is not a JSON number; send a finite "
                          "number.", name=name))


def _int(digits: str) -> int:
    if len(digits) > MAX_NUMBER_CHARS:
        raise MalformedBody(_("The request body contains a number of %(digits)s characters; at most "
                              "%(limit)s are accepted.", digits=len(digits), limit=MAX_NUMBER_CHARS))
    return int(digits)


def _float(text: str) -> float:
    value = float(text) if len(text) <= MAX_NUMBER_CHARS else math.inf
    if not math.isfinite(value):
        raise MalformedBody(_("The request body contains a number too large to represent; send a finite "
                              "number."))
    return value


def _check_tree(value) -> None:
    """Refuse lone surrogates (in names and strings) and nesting deeper than MAX_DEPTH, without recursion."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            _check_text(item)
        elif isinstance(item, (dict, list)):
            if depth > MAX_DEPTH:
                raise MalformedBody(_too_deep())
            if isinstance(item, dict):
                for name, inner in item.items():
                    _check_text(name)
                    stack.append((inner, depth + 1))
            else:
                stack.extend((inner, depth + 1) for inner in item)


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as err:
        raise MalformedBody(_("The request body contains a lone surrogate (\\u%(code)04x), which is not a "
                              "character; send text as valid Unicode.", code=ord(text[err.start]))) from None


def _shown(name: str) -> str:
    shown = name.encode("utf-8", "backslashreplace").decode("utf-8")
    return shown if len(shown) <= 60 else shown[:57] + "…"
