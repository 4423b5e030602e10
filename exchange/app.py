"""The Exchange: the application factory binds configuration, extensions, blueprints, CLI and errors."""
from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

from exchange.core import config
from exchange.core.models import MAX_ID


def _up_to(limit: int) -> str:
    """A regular expression for the numbers 1…limit written without leading zeros."""
    digits = str(limit)
    choices = [rf"[1-9]\d{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    for i, digit in enumerate(digits):
        low = "1" if i == 0 else "0"
        if int(digit) > int(low):
            rest = len(digits) - i - 1
            choices.append(f"{digits[:i]}[{low}-{int(digit) - 1}]" + (rf"\d{{{rest}}}" if rest else ""))
    choices.append(digits)
    return "(?:" + "|".join(choices) + ")"


class RecordIdConverter(IntegerConverter):
    """`<int:…>` in every route: a positive number no larger than a primary key can be, so that a larger
    one is simply a page that does not exist (404) on every engine. The range is in the pattern itself, not
    only in `to_python`: werkzeug answers 405 (with the wrong `Allow`) when a path matches a rule's pattern
    for another method and the conversion then fails, as PATCH /api/v1/offers/0 did."""

    regex = _up_to(MAX_ID)

    def __init__(self, map, fixed_digits=0, min=1, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


# Every area's tables and its visibility rules: imported once, before the mappers are configured and before
# any record is looked up (each policy registers its scope with core.visibility on import).
AREA_MODULES = (
    "exchange.reference.models", "exchange.people.models", "exchange.people.credentials", "exchange.audit.models",
    "exchange.requests.models", "exchange.offers.models", "exchange.matches.models", "exchange.documents.models",
    "exchange.messages.models", "exchange.matching.models", "exchange.jobs.models", "exchange.subscriptions.models",
    "exchange.reports.summary",
    "exchange.people.policy", "exchange.requests.policy", "exchange.offers.policy", "exchange.matches.policy",
)


def load_areas() -> None:
    import importlib

    for name in AREA_MODULES:
        importlib.import_module(name)


def create_app(overrides: dict | None = None) -> Flask:
    """Build the app. `overrides` (a dict of config keys) wins over the environment: tests use it."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    app = Flask(__name__, instance_path=str(root / "instance"), instance_relative_config=True,
                template_folder=str(root / "templates"), static_folder=str(root / "static"))
    config.load(app, overrides)
    app.url_map.converters["int"] = RecordIdConverter  # before any route is added
    if int(app.config.get("TRUSTED_PROXIES") or 0) > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # client address and scheme, nothing else

    from exchange.core.database import bind_database
    from exchange.core.extensions import bootstrap, csrf, db, limiter, login_manager, migrate

    load_areas()
    from exchange.jobs import load_jobs, queue
    queue.configure(app)  # the job queue's storage, before any job is queued
    load_jobs()
    db.init_app(app)
    bind_database(app)
    migrate.init_app(app, db, render_as_batch=True, directory=str(root / "migrations"))
    csrf.init_app(app)
    bootstrap.init_app(app)
    from exchange.core import i18n
    i18n.register(app)  # Flask-Babel, the language of each answer, locale-aware filters
    limiter.init_app(app)

    from exchange.people.views import auth as web_auth
    login_manager.init_app(app)
    web_auth.configure_login(login_manager)

    from exchange.api import register_api
    from exchange.web import register_web
    register_web(app)
    register_api(app)
    from exchange.web.errors import refuse_untrusted_host
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_untrusted_host)  # before CSRF and the guard

    from exchange.cli import register_cli
    register_cli(app)
    from exchange.matching.refresh import register as register_matching_refresh
    register_matching_refresh(app)  # stored text vectors refreshed after each commit that changes a text
    from exchange.live.events import install as install_live_events
    install_live_events(app)  # live events published after each commit (exchange/live/)
    from exchange.reports.summary import install as install_report_summary
    install_report_summary()  # the report summary's counts kept current in the transaction of each change
    from exchange.core import transactions
    transactions.register(app)  # last: every view of every blueprint gets the one commit per request
    return app
