"""What several test modules share besides fixtures and factories: the test configuration and database,
clients (signed in through a session row, or an API client with a bearer token), the page helpers (sign in,
upload, the error beside a field), reading audit events, a local SMTP server (slow on demand), the job queue
held and drained (`queued_jobs`, `run_jobs`), the "reads write nothing"
probe, PDF text, and the browser helpers (sign in, two-step codes, screenshots, axe checks)."""
from __future__ import annotations

import io
import os
import re
import socket
import tempfile
import time
from contextlib import contextmanager, nullcontext
from email import message_from_bytes
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import event, select

from exchange.core.extensions import db
from tests.factories import PASSWORD, make_session

# One scratch folder per test run, shared by every import of this module.
_TMP = os.environ.setdefault("EXCHANGE_TEST_TMP", tempfile.mkdtemp(prefix="exchange-tests-"))
DATABASE_URL = os.environ.get("EXCHANGE_DATABASE_URL") or f"sqlite:///{_TMP}/test.sqlite3"
# The fake embedder in every app the tests build, also those built as production would be and the servers
# they start (exchange/matching/refresh.py): the real model never loads unless a test asks for it.
os.environ.setdefault("EXCHANGE_MATCHING_EMBEDDER", "fake")
# Jobs run as they are queued in every app the tests build (those built as production would be, and the
# servers they start, too), and a queue held by `queued_jobs` is in memory unless the run names Redis: the
# queue of the process is one (exchange/jobs/queue.py), whichever app was built last.
os.environ.setdefault("EXCHANGE_JOBS_IMMEDIATE", "1")
os.environ.setdefault("EXCHANGE_JOBS_QUEUE_URL", "memory://")
UPLOADS = Path(_TMP) / "uploads"


def test_config(**extra) -> dict:
    config = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": DATABASE_URL, "SECRET_KEY": "test-secret",
              "WTF_CSRF_ENABLED": False, "RATELIMIT_STORAGE_URI": "memory://", "UPLOAD_FOLDER": str(UPLOADS),
              "SERVER_NAME": None,
              # The queue when a test holds jobs in it (queued_jobs): in memory, or Redis when
              # EXCHANGE_JOBS_QUEUE_URL says so (the Redis run of the suite).
              "JOBS_QUEUE_URL": os.environ["EXCHANGE_JOBS_QUEUE_URL"]}
    config.update(extra)
    return config


test_config.__test__ = False  # a helper, not a test


# ------------------------------------------------------------------------------------------------
# Clients

def signed_in_client(app, user_id: int):
    """A test client signed in as this user: a session row of theirs, and the cookie naming it, counted as
    having passed the second factor and confirmed who they are just now (the re-authentication window runs)."""
    from flask import has_app_context

    from exchange.people.views.mfa import signed_in_marks
    # Inside a test's own app context, write in it: the test client's requests reuse that context's session,
    # whose older transaction would not see a row committed from a nested one.
    with nullcontext() if has_app_context() else app.app_context():
        token = make_session(user_id)
        db.session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True
        session["_seen"] = int(time.time())
        session.permanent = True
        session.update(signed_in_marks(user_id))
    return client


# The demo's people (`flask seed demo`, the `demo` fixture), by role.
DEMO_LOGINS = {
    "member_state": "focal@kaz.demo.example",
    "provider": "officer@unodc.demo.example",
    "outside_provider": "officer@nordic.demo.example",
    "pending_provider": "officer@sahel.demo.example",
    "coordinator": "coordinator@ctitf.demo.example",
    "admin": "admin@ctitf.demo.example",
}


def demo_client(app, email: str):
    """A test client signed in as the demo person with this e-mail."""
    from exchange.people.models import User
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == email))
    return signed_in_client(app, user_id)


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


# ------------------------------------------------------------------------------------------------
# Pages

def login(client, email, password=PASSWORD, next_path=None, **kwargs):
    """Post the sign-in form (to /login?next=… with `next_path`)."""
    return client.post("/login" + (f"?next={next_path}" if next_path else ""),
                       data={"email": email, "password": password}, **kwargs)


def upload(client, path: str, data: bytes, name: str):
    return client.post(path, data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def error_beside(html: str, field: str) -> str:
    """The text of the error shown beside a field (its element id is FIELD-error)."""
    match = re.search(rf'id="{re.escape(field)}-error"[^>]*>(.*?)</div>', html, re.DOTALL)
    return unescape(match.group(1)).strip() if match else ""


def events(app, action: str, record_id: int | None = None) -> list:
    """The audit events of `action` (about the record `record_id` if given), oldest first, detached."""
    from exchange.audit.models import AuditEvent
    with app.app_context():
        stmt = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        if record_id is not None:
            stmt = stmt.where(AuditEvent.record_id == record_id)
        rows = list(db.session.scalars(stmt))
        db.session.expunge_all()
        return rows


def documents(app) -> list:
    """Every document row, oldest first, detached."""
    from exchange.documents.models import Document
    with app.app_context():
        docs = list(db.session.scalars(select(Document).order_by(Document.id)))
        db.session.expunge_all()
        return docs


def pdf_text(data: bytes) -> str:
    """The text of every page, as pypdf extracts it, without the control characters it leaves where a shaped
    glyph (an Arabic joining form, a CJK glyph's high byte) has no character of its own."""
    from pypdf import PdfReader
    text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"[\x00-\x09\x0b-\x1f]", "", text)


def squeezed(text: str) -> str:
    """`text` without spaces and direction marks: Arabic comes back from a PDF with spaces between the glyph
    runs of a word, so Arabic is compared squeezed."""
    return re.sub(r"[\s\u200e\u200f\u202a-\u202e\u2066-\u2069]+", "", text)


# ------------------------------------------------------------------------------------------------
# A real local SMTP server (aiosmtpd on a free port) that keeps what it receives: the `smtp` fixture
# points the app's SMTP_URL at it for one test.

class Collector:
    """An aiosmtpd handler that keeps every message it receives (after `delay` seconds: a slow server)."""

    def __init__(self, delay: float = 0.0):
        self.messages = []
        self.delay = delay

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            import asyncio
            await asyncio.sleep(self.delay)
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"


@contextmanager
def mail_server(app, delay: float = 0.0, port: int | None = None):
    """A local SMTP server for the block (on `port`, or a free one), the app's SMTP_URL pointing at it, each
    message accepted after `delay` seconds: yields its Collector."""
    from aiosmtpd.controller import Controller
    handler = Collector(delay)
    controller = Controller(handler, hostname="127.0.0.1", port=port or free_port())
    controller.start()
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{controller.port}"
    try:
        yield handler
    finally:
        app.config["SMTP_URL"] = ""
        controller.stop()


# ------------------------------------------------------------------------------------------------
# The job queue under test: jobs run as they are queued (JOBS_IMMEDIATE, the default under TESTING); a test
# that wants the queue itself (a job waiting while the mail server is down, retries, the scheduler) runs
# inside `queued_jobs()` and drains it with `run_jobs`.

@contextmanager
def queued_jobs():
    """Jobs wait in the (in-memory) queue during the block instead of running at once; emptied after."""
    from exchange.jobs import queue
    queue.set_immediate(False)
    try:
        yield queue
    finally:
        queue.huey.storage.flush_all()
        queue.set_immediate(True)


def run_jobs(minutes_later: float = 0) -> int:
    """Run every queued job, and the retries due `minutes_later` minutes from now; how many ran."""
    from exchange.jobs import queue
    return queue.run_jobs(queue.later(minutes_later) if minutes_later else None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ------------------------------------------------------------------------------------------------
# "A read never writes in its transaction": while the probe is active, every INSERT, UPDATE or DELETE
# that the request's own session runs (flushed or executed) during a GET or HEAD is noted, with its path.
# Side writes (side_writes.defer_write) run on connections of their own, after the request, and are not
# noted: they are the allowed way for a read to leave a trace.

@contextmanager
def writes_in_reads():
    from flask import has_request_context, request
    from sqlalchemy.orm import Session
    from sqlalchemy.sql.dml import UpdateBase

    offenders: list[str] = []

    def in_a_read() -> bool:
        return has_request_context() and request.method in ("GET", "HEAD")

    def before_flush(session, _context, _instances):
        if in_a_read() and (session.new or session.dirty or session.deleted):
            changed = [type(o).__name__ for o in (*session.new, *session.dirty, *session.deleted)]
            offenders.append(f"{request.method} {request.full_path}: flushes {sorted(set(changed))}")

    def do_orm_execute(state):
        if in_a_read() and isinstance(state.statement, UpdateBase):
            offenders.append(f"{request.method} {request.full_path}: {state.statement.__visit_name__} "
                             f"{getattr(state.statement.table, 'name', '')}")

    event.listen(Session, "before_flush", before_flush)
    event.listen(Session, "do_orm_execute", do_orm_execute)
    try:
        yield offenders
    finally:
        event.remove(Session, "before_flush", before_flush)
        event.remove(Session, "do_orm_execute", do_orm_execute)


# ------------------------------------------------------------------------------------------------
# The browser (Playwright driving Chromium)

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def sign_in(page, email: str, password: str = PASSWORD):
    """Sign in through the form; with two-step sign-in on, type the app's code (computed with pyotp from the
    secret in the database); a coordinator or admin without it sets it up in the browser, as a person would.
    The fields are found by name, so that it signs in whatever language the page speaks."""
    page.goto("/login")
    page.locator("main input[name=email]").fill(email)
    page.locator("main input[name=password]").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    path = urlsplit(page.url).path
    if path == "/login/code":
        page.locator("main input[name=code]").fill(totp_code(email))
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
    elif path == "/account/two-step/enrol":
        enrol_in_browser(page)
    return page


def enrol_in_browser(page) -> str:
    """On the set-up page: start, read the key shown beside the QR code, type the app's code, keep the
    recovery codes. Returns the secret."""
    import pyotp
    page.get_by_role("button", name="Start").click()
    secret = page.locator("#mfa-secret").inner_text().replace(" ", "")
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    page.get_by_role("link", name="I have kept them").click()
    page.wait_for_load_state()
    return secret


_engine = None


def totp_code(email: str) -> str:
    """A code the server will take for this user now: the current step's, or a later one (within the
    one-step drift) when a code of this step was already used; waits for the next step if need be."""
    import pyotp
    from sqlalchemy import create_engine, text
    global _engine
    if _engine is None:
        _engine = create_engine(DATABASE_URL)
    with _engine.connect() as connection:
        secret, last_step = connection.execute(text(
            "SELECT c.secret, c.last_step FROM mfa_credentials c JOIN users u ON u.id = c.user_id "
            "WHERE u.email = :email"), {"email": email}).one()
    totp = pyotp.TOTP(secret)
    while True:
        now_step = totp.timecode(time.time())
        step = now_step if last_step is None else max(now_step, last_step + 1)
        if step <= now_step + 1:
            return totp.generate_otp(step)
        time.sleep(1)


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def violations(page) -> list[str]:
    """The WCAG 2.1 AA violations axe-core finds on the page."""
    from axe_playwright_python.sync_playwright import Axe
    results = Axe().run(page, options=AXE_OPTIONS)
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes, e.g. {v['nodes'][0]['target']})"
            for v in results.response["violations"]]


# ------------------------------------------------------------------------------------------------
# Live events

def settle(app, timeout: float = 5.0) -> None:
    """Wait until this app's hub has handled every event published so far (a marker, published after them,
    has come through: the hub handles events one by one, in order), so that a stream opened next hears only
    what is committed after it (not the late delivery of an earlier commit)."""
    import uuid

    from exchange.live.hub import hub_of
    hub = hub_of(app)
    hub.start()
    marker = {"type": "test.settled", "record_type": "test", "record_id": uuid.uuid4().hex}
    hub.broker.publish([marker])
    deadline = time.monotonic() + timeout
    while not any(payload == marker for _id, payload in list(hub._recent)):
        assert time.monotonic() < deadline, "the live hub did not handle the events published before"
        time.sleep(0.01)


def heard(subscribers: dict, wait: float = 2.0) -> dict[str, list[dict]]:
    """name → the live events each subscriber (exchange.live.hub.Subscriber) received: what arrives until
    `wait` seconds after the last one (deliveries are asynchronous)."""
    import queue as queues
    result = {name: [] for name in subscribers}
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        got = False
        for name, subscriber in subscribers.items():
            try:
                while True:
                    item = subscriber.queue.get_nowait()
                    if isinstance(item, dict):
                        result[name].append(item)
                        got = True
            except queues.Empty:
                pass
        if got:
            deadline = time.monotonic() + min(wait, 0.5)
        time.sleep(0.02)
    return result
