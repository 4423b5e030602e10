"""The pages' shell: every area's page blueprints registered in one place, the request hooks that wrap
them (the guard, the second-factor gate, recent sign-in, security headers, side writes) and the page error
handlers. Each area's own pages live in its package (`exchange/<area>/views.py`) with its templates."""
from __future__ import annotations

from flask import Flask


def page_blueprints() -> list:
    """Every page blueprint, area by area."""
    from exchange.audit import security_review
    from exchange.audit import views as audit_trail
    from exchange.documents import views as documents
    from exchange.jobs import views as jobs
    from exchange.live import views as live
    from exchange.matches import triage
    from exchange.matches import views as matches
    from exchange.messages import inbox
    from exchange.messages import views as messages
    from exchange.offers import import_views
    from exchange.offers import views as offers
    from exchange.people.views import admin, auth, mfa, reauth, tokens
    from exchange.reference import admin_views as reference_admin
    from exchange.reports import directory, iati_import_views, public_views
    from exchange.reports import views as reports
    from exchange.requests import import_views as request_imports
    from exchange.requests import views as requests
    from exchange.subscriptions import views as subscriptions
    from exchange.web import home, search

    return [auth.bp, mfa.bp, reauth.bp, home.bp, admin.bp, reports.bp, import_views.bp, triage.bp, matches.bp,
            messages.bp, inbox.bp, audit_trail.bp, tokens.bp, security_review.bp, requests.bp,
            documents.bp, offers.bp, directory.bp, jobs.bp, subscriptions.bp, live.bp,
            search.bp, public_views.bp, iati_import_views.bp, reference_admin.bp, request_imports.bp]


def register_web(app: Flask) -> None:
    from exchange.core import side_writes
    from exchange.core.guard import guard
    from exchange.core.security import add_security_headers
    from exchange.people.views import mfa, reauth
    from exchange.web import errors, template_helpers

    app.before_request(guard)
    mfa.register(app)  # after the guard: holds coordinators and admins without a second factor
    reauth.register(app)
    app.after_request(add_security_headers)
    for blueprint in page_blueprints():
        app.register_blueprint(blueprint)
    errors.register(app)
    side_writes.register(app)
    template_helpers.register(app)
