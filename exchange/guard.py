"""The before-request guard: identify the caller (session for pages, bearer token for the API),
then let the access policy decide whether the route admits them."""
from __future__ import annotations

from flask import g, request
from flask_login import current_user

from .access import enforce_route_rule


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def guard() -> None:
    if is_api_request():
        from .api.auth import authenticate
        g._login_user = authenticate()
    enforce_route_rule(current_user)
