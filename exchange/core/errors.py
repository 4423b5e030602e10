"""Errors the rules raise; pages turn them into messages, the API into its error body."""
from __future__ import annotations


class ExchangeError(Exception):
    code = "bad_request"
    status = 400

    def __init__(self, message: str = "", fields: dict[str, list[str]] | None = None):
        super().__init__(message or self.__class__.__doc__ or self.code)
        self.message = message or (self.__class__.__doc__ or self.code).strip()
        self.fields = fields or {}


class NotFound(ExchangeError):
    """Not found."""
    code, status = "not_found", 404


class Forbidden(ExchangeError):
    """You are not allowed to do this."""
    code, status = "forbidden", 403


class Conflict(ExchangeError):
    """This record changed or is not in a state that allows this."""
    code, status = "conflict", 409


class ValidationFailed(ExchangeError):
    """Some fields are not valid."""
    code, status = "validation_error", 422
