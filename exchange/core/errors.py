"""Errors the rules raise; pages turn them into messages, the API into its error body (its `message` in the
reader's language, its `code` never translated)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l


class ExchangeError(Exception):
    """A refusal: its `code` (never translated), HTTP `status`, `message` and `fields`. Raised without a message,
    it says its class's `default_message` (a lazy string: a subclass with words of its own sets one)."""

    code = "bad_request"
    status = 400
    default_message = _l("The request could not be understood.")

    def __init__(self, message: str = "", fields: dict[str, list[str]] | None = None):
        self.message = str(message or self.default_message)  # in the language of the moment it is raised
        super().__init__(self.message)
        self.fields = fields or {}


class NotFound(ExchangeError):
    """Not found."""
    code, status = "not_found", 404
    default_message = _l("Not found.")


class Forbidden(ExchangeError):
    """You are not allowed to do this."""
    code, status = "forbidden", 403
    default_message = _l("You are not allowed to do this.")


class Conflict(ExchangeError):
    """This record changed or is not in a state that allows this."""
    code, status = "conflict", 409
    default_message = _l("This record changed or is not in a state that allows this.")


class ValidationFailed(ExchangeError):
    """Some fields are not valid."""
    code, status = "validation_error", 422
    default_message = _l("Some fields are not valid.")
