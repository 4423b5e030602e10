"""The before-request guard: identify the caller (the session for pages; for the API, the bearer token, read
by the identifier the API registers in `app.extensions["exchange_api_caller"]`), then let the route rules
decide whether the route admits them."""
from __future__ import annotations

from flask import current_app, g, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import BadRequest

from exchange.core.access import enforce_route_rule


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def _carries_nul() -> bool:
    """Whether the request carries a NUL character anywhere people type: no text field may hold one
    (PostgreSQL refuses them), so such input is refused whole, before any work."""
    if "%00" in request.query_string.decode("latin-1") or "\x00" in request.path:
        return True
    if request.method in ("POST", "PUT", "PATCH"):
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return any("\x00" in v for _, values in request.form.lists() for v in values)
        body = request.get_data(cache=True)
        return b"\x00" in body or b"\\u0000" in body
    return False


def guard() -> None:
    if _carries_nul():
        raise BadRequest(_("Text may not contain NUL characters."))
    if is_api_request():
        g._login_user = current_app.extensions["exchange_api_caller"]()
    enforce_route_rule(current_user)
