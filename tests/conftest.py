"""Fixtures: one real database per run (SQLite file, or EXCHANGE_DATABASE_URL for PostgreSQL) built by
the Alembic migrations, reference data loaded once, users of every role, and clients signed in as them."""
from __future__ import annotations

import os
import socket
import tempfile
from dataclasses import dataclass
from email import message_from_bytes
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, delete, select, text

from exchange.app import create_app
from exchange.core.extensions import db
from exchange.core.security import hash_password
from exchange.people.tokens import issue_api_token

PASSWORD = "Correct-Horse-Battery-42"
# One scratch folder per test run, shared by every import of this module.
_TMP = os.environ.setdefault("EXCHANGE_TEST_TMP", tempfile.mkdtemp(prefix="exchange-tests-"))
DATABASE_URL = os.environ.get("EXCHANGE_DATABASE_URL") or f"sqlite:///{_TMP}/test.sqlite3"
# The fake embedder in every app the tests build, also those built as production would be and the servers
# they start (exchange/matching/refresh.py): the real model never loads unless a test asks for it.
os.environ.setdefault("EXCHANGE_MATCHING_EMBEDDER", "fake")
UPLOADS = Path(_TMP) / "uploads"

# Tables emptied after each test; reference data (and the organisations it created) stays.
TRANSIENT_TABLES = [
    "audit_events", "notifications", "thread_reads", "messages", "suggestions", "documents", "matches",
    "request_themes", "request_modalities", "request_languages", "request_shares", "assistance_requests",
    "offer_themes", "offer_modalities", "offer_languages", "offer_countries", "offer_regions", "offers",
    "api_tokens", "user_sessions", "password_resets", "mfa_recovery_codes", "mfa_credentials", "users",
    "text_vectors",
]


def test_config(**extra) -> dict:
    config = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": DATABASE_URL, "SECRET_KEY": "test-secret",
              "WTF_CSRF_ENABLED": False, "RATELIMIT_STORAGE_URI": "memory://", "UPLOAD_FOLDER": str(UPLOADS),
              "SERVER_NAME": None}
    config.update(extra)
    return config


test_config.__test__ = False  # a helper, not a test


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
def ctx(app):
    with app.app_context():
        yield
        db.session.remove()


_HASH = None


def _password_hash() -> str:
    global _HASH
    if _HASH is None:
        _HASH = hash_password(PASSWORD)  # hashed once: argon2 is slow on purpose
    return _HASH


@dataclass
class People:
    state: object          # member_state of KAZ
    other_state: object    # member_state of NGA
    provider: object       # provider of UNODC (a Task Force entity)
    other_provider: object  # provider of IMF
    outside: object        # provider of an approved outside provider
    pending: object        # provider of an outside provider awaiting approval
    coordinator: object
    admin: object

    def all(self) -> dict:
        return dict(self.__dict__)


def make_user(email: str, role: str, org_code: str, name: str = ""):
    from exchange.people.models import Organisation, User
    org = db.session.scalar(select(Organisation).where(Organisation.code == org_code))
    user = User(email=email, role=role, organisation=org, password_hash=_password_hash(), name=name or email)
    db.session.add(user)
    db.session.flush()
    return user


def make_outside_provider(code: str, approval: str):
    from exchange.people.models import Organisation
    org = Organisation(code=code, name=code.replace("-", " ").title(), kind="outside_provider", approval=approval)
    db.session.add(org)
    db.session.flush()
    return org


@pytest.fixture
def people(app):
    """Users of every role, committed; returned as ids-bearing detached-safe objects."""
    with app.app_context():
        make_outside_provider("nordic-fund", "approved")
        make_outside_provider("new-institute", "pending")
        users = People(
            state=make_user("focal@kaz.test.example", "member_state", "KAZ"),
            other_state=make_user("focal@nga.test.example", "member_state", "NGA"),
            provider=make_user("officer@unodc.test.example", "provider", "UNODC"),
            other_provider=make_user("officer@imf.test.example", "provider", "IMF"),
            outside=make_user("officer@nordic.test.example", "provider", "nordic-fund"),
            pending=make_user("officer@new.test.example", "provider", "new-institute"),
            coordinator=make_user("coordinator@ctitf.test.example", "coordinator", "CTITF"),
            admin=make_user("admin@ctitf.test.example", "admin", "CTITF"),
        )
        db.session.commit()
        for user in users.all().values():
            _ = user.organisation.code
        db.session.expunge_all()
        return users


def signed_in_client(app, user_id: int):
    """A test client signed in as this user: a session row of theirs, and the cookie naming it, counted as
    having passed the second factor and confirmed who they are just now (the re-authentication window runs)."""
    import time
    from contextlib import nullcontext

    from flask import has_app_context

    from exchange.people.models import User
    from exchange.people.operations import open_session
    from exchange.people.views.mfa import signed_in_marks
    # Inside a test's own app context, write in it: the test client's requests reuse that context's session,
    # whose older transaction would not see a row committed from a nested one.
    with nullcontext() if has_app_context() else app.app_context():
        _row, token = open_session(db.session.get(User, user_id), {"address": "127.0.0.1", "user_agent": "test client"})
        db.session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True
        session["_seen"] = int(time.time())
        session.permanent = True
        session.update(signed_in_marks(user_id))
    return client


class Clients:
    """Test clients signed in as each person (a session cookie naming a session of theirs)."""

    def __init__(self, app, people: People):
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
    from exchange.people.models import User
    result = {}
    with app.app_context():
        for name, user in people.all().items():
            result[name] = issue_api_token(None, db.session.get(User, user.id))
        db.session.commit()

    class Tokens(dict):
        def __getattr__(self, name):
            try:
                return self[name]
            except KeyError:
                raise AttributeError(name) from None

    return Tokens(result)


class ApiClient:
    def __init__(self, app):
        self.client = app.test_client()

    def call(self, method: str, path: str, token: str | None = None, json=None, **kwargs):
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.client.open(path, method=method, json=json, headers=headers, **kwargs)

    def get(self, path, token=None, **kw):
        return self.call("GET", path, token, **kw)

    def post(self, path, token=None, json=None, **kw):
        return self.call("POST", path, token, json=json, **kw)

    def patch(self, path, token=None, json=None, **kw):
        return self.call("PATCH", path, token, json=json, **kw)


@pytest.fixture
def api(app):
    return ApiClient(app)


# A real local SMTP server (aiosmtpd on a free port) that keeps what it receives: the `smtp` fixture points
# the app's SMTP_URL at it for one test.
class Collector:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(app):
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{controller.port}"
    try:
        yield handler
    finally:
        app.config["SMTP_URL"] = ""
        controller.stop()
