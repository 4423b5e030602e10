"""The JSON API v1 under /api/v1: bearer tokens, one error body, an OpenAPI 3 document (flask-smorest)."""
from __future__ import annotations

from flask import Blueprint, Flask, jsonify
from flask_smorest import Api

from exchange.api.auth import identify_caller
from exchange.api.openapi import openapi_document
from exchange.api.serialize import ErrorOut
from exchange.core.access import PUBLIC, allow
from exchange.core.extensions import csrf

# Every area's API module, in the order of the document.
BLUEPRINT_MODULES = ("exchange.reference.api", "exchange.reports.api", "exchange.matches.suggestions_api",
                     "exchange.requests.api", "exchange.offers.api", "exchange.matches.api", "exchange.messages.api",
                     "exchange.documents.api", "exchange.messages.notifications_api", "exchange.live.api")


class ExchangeApi(Api):
    """flask-smorest's Api, minus its app-wide HTTP error handler: pages keep their HTML errors and the
    API its own error body (see web/errors.py and api/errors.py), which is also the error schema its
    document names. No catch-all `default` response: `openapi.py` lists each operation's real statuses."""

    ERROR_SCHEMA = ErrorOut
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_error_handlers(self):
        pass


def register_api(app: Flask) -> None:
    import importlib

    api = ExchangeApi(app, spec_kwargs={
        "info": {"description": "The Exchange: counter-terrorism technical-assistance requests, offers and "
                                "matches. Authenticate with `Authorization: Bearer <token>` "
                                "(`flask users token --email E`)."},
        "servers": [{"url": "/"}],
    })
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    api.spec.options["security"] = [{"bearer": []}]
    app.extensions["exchange_api"] = api
    app.extensions["exchange_api_caller"] = identify_caller

    for name in BLUEPRINT_MODULES:
        module = importlib.import_module(name)
        csrf.exempt(module.bp)
        api.register_blueprint(module.bp)

    spec_bp = Blueprint("api_spec", __name__, url_prefix="/api/v1")

    @spec_bp.route("/openapi.json")
    @allow(PUBLIC)
    def openapi():
        return jsonify(openapi_document(api))

    csrf.exempt(spec_bp)
    app.register_blueprint(spec_bp)
    # Unknown routes and methods under /api/ reach the HTTP error handler, which answers with the API's body.
