"""Suggested matches and overlap warnings on the request and offer pages (template helpers; the
partials `requests/_suggestions.html` and `offers/_suggestions.html` call them)."""
from __future__ import annotations

from flask import Flask
from flask_login import current_user

from exchange.core.access import may_see_overlaps
from exchange.matches.policy import may_see_offer_suggestions, may_see_request_suggestions


def suggested_offers(req, limit: int = 8):
    from exchange.matching import service
    if not current_user.is_authenticated or not may_see_request_suggestions(current_user, req):
        return None
    return service.suggestions_for_request(current_user, req, limit=limit)


def suggested_requests(offer, limit: int = 8):
    from exchange.matching import service
    if not current_user.is_authenticated or not may_see_offer_suggestions(current_user, offer):
        return None
    return service.suggestions_for_offer(current_user, offer, limit=limit)


def overlap_warnings(req):
    from exchange.matching import service
    if not current_user.is_authenticated or not may_see_overlaps(current_user):
        return []
    return service.overlaps_for_request(req)


def register(app: Flask) -> None:
    app.jinja_env.globals.update(suggested_offers=suggested_offers, suggested_requests=suggested_requests,
                                 overlap_warnings=overlap_warnings)
