"""Fixtures: one real database per run (SQLite file, or EXCHANGE_DATABASE_URL for PostgreSQL) built by
the Alembic migrations, reference data loaded once, users of every role, and clients signed in as them."""
from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import create_engine, delete, select, text

from exchange.app import create_app
from exchange.core.extensions import db
from tests.factories import World, make_api_token, make_match, make_offer, make_people, make_request
from tests.helpers import DATABASE_URL, ApiClient, mail_server, signed_in_client, test_config

# Tables emptied after each test; reference data (and the organisations it created) stays.
TRANSIENT_TABLES = [
    "audit_events", "notifications", "thread_reads", "messages", "suggestions", "documents", "match_funding",
    "match_results", "matches",
    "request_themes", "request_modalities", "request_languages", "request_shares", "assistance_requests",
    "offer_themes", "offer_modalities", "offer_languages", "offer_countries", "offer_regions", "offers",
    "api_tokens", "user_sessions", "password_resets", "mfa_recovery_codes", "mfa_credentials", "users",
    "text_vectors", "jobs", "subscription_hits", "saved_searches", "notification_preferences", "report_counts",
]


def _reset_database() -> None:
    if DATABASE_URL.startswith("postgresql"):
        engine = create_engine(DATABASE_URL)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()


@pytest.fixture(scope="session")
def app():
    _reset_database()
    app = create_app(test_config())
    with app.app_context():
        from flask_migrate import upgrade
        upgrade()
        from exchange.reference.seed import load_reference
        load_reference()
        db.session.commit()
        from exchange.people.models import Organisation
        app.config["REFERENCE_MAX_ORG_ID"] = db.session.scalar(select(db.func.max(Organisation.id)))
    yield app


@pytest.fixture(autouse=True)
def _clean(request, app):
    from exchange.jobs import queue
    queue.use_app(app)  # the jobs a test runs itself (run_jobs) run in the test app, whichever was built last
    yield
    with app.app_context():
        db.session.rollback()
        from exchange.core.limiting import reset_limits
        reset_limits()
        for table in TRANSIENT_TABLES:
            db.session.execute(db.metadata.tables[table].delete())
        from exchange.people.models import Organisation
        db.session.execute(delete(Organisation).where(Organisation.id > app.config["REFERENCE_MAX_ORG_ID"]))
        db.session.commit()
        db.session.remove()
    from exchange.matching.service import forget_indexes
    forget_indexes()  # the rows it indexed are gone


@pytest.fixture
def demo(app):
    """The demo data (`flask seed demo`) loaded in the test database."""
    result = app.test_cli_runner().invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def people(app):
    """Users of every role (factories.People), committed; returned as ids-bearing detached-safe objects."""
    with app.app_context():
        users = make_people()
        for user in users.all().values():
            _ = user.organisation.code
        db.session.expunge_all()
        return users


class Clients:
    """Test clients signed in as each person (a session cookie naming a session of theirs)."""

    def __init__(self, app, people):
        self.app, self.people = app, people
        self._clients = {}

    def __getattr__(self, name):
        if name.startswith("_") or name in ("app", "people"):
            raise AttributeError(name)
        if name == "anonymous":
            return self.app.test_client()
        if name not in self._clients:
            self._clients[name] = signed_in_client(self.app, getattr(self.people, name).id)
        return self._clients[name]


@pytest.fixture
def clients(app, people):
    return Clients(app, people)


@pytest.fixture
def tokens(app, people):
    """An API token for each person: tokens.state, tokens.coordinator, …"""
    with app.app_context():
        result = {name: make_api_token(user) for name, user in people.all().items()}
        db.session.commit()

    class Tokens(dict):
        def __getattr__(self, name):
            try:
                return self[name]
            except KeyError:
                raise AttributeError(name) from None

    return Tokens(result)


@pytest.fixture
def api(app):
    return ApiClient(app)


@pytest.fixture
def world(app, people):
    """Records built as the people, committed; ids (factories.World)."""
    return World(app, people)


@dataclass
class Scenario:
    """KAZ: r_open (financing, open), r_matched (financing + border-management, matched),
    r_done (border-management, completed), r_triage (submitted: not counted);
    NGA: r_restricted (financing, open, restricted), r_hr (human-rights, open, visible to every provider).
    Offers: UNODC financing in KAZ; UNODC border-management anywhere; IMF human-rights in Western Africa (011)."""

    ids: dict


@pytest.fixture
def scenario(app, people):
    """The reports' records (Scenario), committed: for the report tests and the report pages in a browser."""
    title = "Strengthening the financial intelligence unit"
    with app.app_context():
        offer_fin = make_offer(people, themes=["financing"], countries=["KAZ"])
        offer_border = make_offer(people, themes=["border-management"], title="Border management programme")
        offer_hr = make_offer(people, by="other_provider", themes=["human-rights"], regions=["011"],
                              title="Human rights in counter-terrorism")
        r_open = make_request(people, "open", themes=["financing"], title=title)
        r_matched = make_request(people, "open", themes=["financing", "border-management"], title=title)
        r_done = make_request(people, "open", themes=["border-management"], title=title)
        r_triage = make_request(people, "submitted", themes=["financing"], title=title)
        r_restricted = make_request(people, "open", by="other_state", themes=["financing"], visibility="restricted",
                                    title=title)
        r_hr = make_request(people, "open", by="other_state", themes=["human-rights"], visibility="providers",
                            title=title)
        m_matched = make_match(people, r_matched, offer_fin, "accepted")
        m_done = make_match(people, r_done, offer_border, "completed")
        db.session.commit()
        ids = {name: obj.id for name, obj in locals().items() if name.startswith(("r_", "m_", "offer_"))}
        db.session.remove()
    return Scenario(ids)


@pytest.fixture
def smtp(app):
    with mail_server(app) as handler:
        yield handler
