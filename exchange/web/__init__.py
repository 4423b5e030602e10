"""Server-rendered pages: one blueprint a part of the product, plus the page error handlers."""
from __future__ import annotations

from flask import Flask


def register_web(app: Flask) -> None:
    from ..guard import guard
    from ..security import add_security_headers
    from . import admin, auth, errors, home, suggestions, template_helpers

    app.before_request(guard)
    from . import mfa, reauth
    mfa.register(app)  # after the guard: holds coordinators and admins without a second factor
    reauth.register(app)
    app.after_request(add_security_headers)
    from . import audit_trail, inbox, matches, messages, reports, triage
    from . import imports as imports_pages
    for module in (auth, mfa, reauth, home, admin, reports, imports_pages, triage, matches, messages, inbox,
                   audit_trail):
        app.register_blueprint(module.bp)
    from . import security_review, tokens
    app.register_blueprint(tokens.bp)
    app.register_blueprint(security_review.bp)
    from . import directory, offers
    from . import requests as request_pages
    for blueprint in (request_pages.bp, request_pages.documents_bp, offers.bp, directory.bp):
        app.register_blueprint(blueprint)
    errors.register(app)
    from .. import side_writes
    side_writes.register(app)
    template_helpers.register(app)
    suggestions.register(app)
