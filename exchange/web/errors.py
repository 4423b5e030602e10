"""Error handling for pages and API alike: friendly pages for people, the API's error body for clients. A
view's work is already rolled back when its error reaches these handlers (core/transactions.py)."""
from __future__ import annotations

import logging

from flask import Flask, Response, current_app, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, SecurityError

from exchange.audit.security_events import record_security_event
from exchange.core.access import RouteDenied
from exchange.core.errors import ExchangeError
from exchange.core.extensions import db
from exchange.core.guard import is_api_request
from exchange.core.security import UNTRUSTED_HOST_MESSAGE

log = logging.getLogger(__name__)

TITLES = {
    400: _l("The request could not be understood"),
    401: _l("Please sign in"),
    403: _l("You do not have access to this page"),
    404: _l("Page not found"),
    405: _l("This action is not available here"),
    409: _l("This record has changed"),
    413: _l("The upload is too large"),
    422: _l("Some fields need attention"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong on our side"),
}

# Flask-WTF's reasons for refusing a form (English only), in the reader's language: what to do about it.
CSRF_REASONS = {
    "The CSRF token is missing.": _l("The form was sent without its security token. Reload the page and send "
                                     "it again."),
    "The CSRF session token is missing.": _l("Your session has no security token for this form (cookies may be "
                                             "blocked, or the session ended). Reload the page and send it again."),
    "The CSRF token has expired.": _l("The form has expired. Reload the page and send it again."),
    "The CSRF token is invalid.": _l("The form's security token is not valid. Reload the page and send it again."),
    "The CSRF tokens do not match.": _l("The form's security token does not match your session. Reload the page "
                                        "and send it again."),
    "The referrer header is missing.": _l("The browser did not say which page sent the form. Reload the page and "
                                          "send it again."),
    "The referrer does not match the host.": _l("The form was sent from another site. Nothing was changed."),
}


def refuse_untrusted_host() -> Response | None:
    """First of the before-request hooks: a Host header outside TRUSTED_HOSTS gets a plain 400.

    Flask refuses such a host while it matches the URL (a SecurityError kept as the routing exception), but
    then has no URL adapter, so any page that builds a link (the error page too) would fail with a 500;
    this answer builds none, and no other hook (CSRF, rate limits, the guard) runs for that request."""
    if not isinstance(request.routing_exception, SecurityError):
        return None
    if is_api_request():
        from exchange.api.errors import api_error_response
        return api_error_response("bad_request", str(UNTRUSTED_HOST_MESSAGE), 400)
    return Response(str(UNTRUSTED_HOST_MESSAGE) + "\n", status=400, mimetype="text/plain")


def render_error(status: int, message: str = ""):
    return render_template("errors/error.html", status=status, title=str(TITLES.get(status) or _("Error")),
                           message=str(message)), status


def too_large_message() -> str:
    limit_mb = current_app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024)
    return _("The file is too large: each document may be at most %(limit)s MB. Nothing was uploaded. Split the "
             "document or compress the images in it, then upload it again.", limit=limit_mb)


def register(app: Flask) -> None:
    from exchange.api.errors import api_error_from_exception, api_error_response, http_description

    @app.after_request
    def record_forbidden(response):
        """Every 403 a signed-in person or a token gets, from a page or the API, is a security event
        (written after the request, in a transaction of its own)."""
        if response.status_code == 403 and not g.get("security_event_recorded") \
                and getattr(current_user, "is_authenticated", False):
            record_security_event("security.forbidden", user=current_user,
                                  detail=f"{request.method} {request.path} refused with 403.")
        return response

    @app.errorhandler(RouteDenied)
    def route_denied(err: RouteDenied):
        if is_api_request():
            if err.signed_in:
                return api_error_response("forbidden", _("Your role may not use this endpoint."), 403)
            return api_error_response("unauthorized", _("A valid bearer token is required."), 401)
        if not err.signed_in:
            # Always name where to go after signing in, so that a refusal is recognisable as one.
            return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else "/"))
        return render_error(403, _("Your role or organisation does not give access to this page."))

    @app.errorhandler(ExchangeError)
    def exchange_error(err: ExchangeError):
        if is_api_request():
            return api_error_response(err.code, err.message, err.status, err.fields)
        return render_error(err.status, err.message)

    @app.errorhandler(StaleDataError)
    def stale_data(err: StaleDataError):
        message = _("Someone else changed this record at the same time. Nothing was changed: reload it and try "
                    "again.")
        if is_api_request():
            return api_error_response("conflict", message, 409)
        return render_error(409, message)

    @app.errorhandler(IntegrityError)
    def integrity_error(err: IntegrityError):
        # The database's own guards (unique keys, CHECK constraints) refused a write the operations let
        # through, as when a concurrent change won the race: a conflict, logged, never a 500.
        log.warning("The database refused a write on %s %s: %s", request.method, request.path, err.orig)
        message = _("The database refused this change: it conflicts with another record. Nothing was changed.")
        if is_api_request():
            return api_error_response("conflict", message, 409)
        return render_error(409, message)

    @app.errorhandler(CSRFError)
    def csrf_error(err: CSRFError):
        message = CSRF_REASONS.get(err.description) or CSRF_REASONS["The CSRF token is invalid."]
        if is_api_request():
            return api_error_response("bad_request", str(message), 400)
        return render_error(400, message)

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        if is_api_request():
            return api_error_from_exception(err)
        if err.code == 413:
            return render_error(413, too_large_message())
        if err.code == 429:
            return render_error(429, _("Too many attempts in a short time. Wait a minute, then try again."))
        return render_error(err.code or 500, http_description(err) if err.code == 400 else "")

    @app.errorhandler(Exception)
    def server_error(err: Exception):
        log.exception("Unhandled error on %s %s", request.method, request.path)
        db.session.rollback()  # raised by a hook before the view (views roll back in core/transactions.py)
        if is_api_request():
            return api_error_response("internal_error", _("An unexpected error occurred; it has been logged."), 500)
        return render_error(500, _("The error has been logged. Please try again, or tell the Task Force office."))
