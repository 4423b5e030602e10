"""Individual sessions: the cookie names one session (its token stored hashed), which lapses after the idle
timeout or the absolute lifetime; idleness is checked without writing in a read's transaction; the account
page lists my sessions and signs out the others; an admin ends all of a user's; `__Host-` cookie under HTTPS."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import event, select, update

from exchange.app import create_app
from exchange.audit.models import AuditEvent
from exchange.core.extensions import db
from exchange.core.models import utcnow
from exchange.core.security import token_digest
from exchange.people.models import User, UserSession
from tests.helpers import login, signed_in_client, test_config


def sessions_of(app, user_id):
    with app.app_context():
        return db.session.scalars(select(UserSession).where(UserSession.user_id == user_id)
                                  .order_by(UserSession.id)).all()


def cookie_token(client) -> str:
    with client.session_transaction() as session:
        return session["_user_id"]


def test_each_sign_in_is_a_session_of_its_own_stored_hashed(app, people):
    first, second = app.test_client(), app.test_client()
    login(first, people.state.email, headers={"User-Agent": "Firefox/140"},
          environ_base={"REMOTE_ADDR": "192.0.2.7"})
    login(second, people.state.email)
    rows = sessions_of(app, people.state.id)
    assert len(rows) == 2
    token = cookie_token(first)
    assert rows[0].token_hash == token_digest(token) and token not in {r.token_hash for r in rows}
    assert rows[0].user_agent == "Firefox/140" and rows[0].address == "192.0.2.7"
    assert str(people.state.id) != token  # the cookie never names the user
    with app.app_context():
        signed_in = db.session.execute(select(AuditEvent.actor_id, AuditEvent.changes).where(
            AuditEvent.action == "security.sign_in")).all()
    assert [e.actor_id for e in signed_in] == [people.state.id] * 2
    assert {e.changes["address"] for e in signed_in} == {"192.0.2.7", "127.0.0.1"}


def test_a_session_lapses_after_the_idle_timeout(app, people):
    client = signed_in_client(app, people.state.id)
    assert client.get("/").status_code == 200
    with client.session_transaction() as session:
        session["_seen"] = int(time.time()) - 31 * 60  # the last request was 31 minutes ago
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    (row,) = sessions_of(app, people.state.id)
    assert row.ended_at is not None and row.end_reason == "idle"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You were signed out after 30 minutes without activity." in page


def test_the_idle_timeout_is_configurable_and_activity_keeps_the_session(app, people):
    client = signed_in_client(app, people.state.id)
    app.config["SESSION_IDLE_TIMEOUT"] = timedelta(minutes=5)
    try:
        with client.session_transaction() as session:
            session["_seen"] = int(time.time()) - 4 * 60
        assert client.get("/").status_code == 200  # four minutes idle: still in, and now active again
        with client.session_transaction() as session:
            assert time.time() - session["_seen"] < 5
            session["_seen"] = int(time.time()) - 6 * 60
        assert client.get("/").status_code == 302
    finally:
        app.config["SESSION_IDLE_TIMEOUT"] = timedelta(minutes=30)


def test_a_session_lapses_after_the_absolute_lifetime_however_active(app, people):
    client = signed_in_client(app, people.coordinator.id)
    with app.app_context():
        db.session.execute(update(UserSession).where(UserSession.user_id == people.coordinator.id)
                           .values(created_at=utcnow() - timedelta(hours=8, minutes=1)))
        db.session.commit()
    assert client.get("/").status_code == 302
    (row,) = sessions_of(app, people.coordinator.id)
    assert row.end_reason == "expired"


def test_a_signed_in_get_writes_nothing_in_its_own_transaction(app, people):
    """Idleness lives in the signed cookie; last_seen_at is written after the request, once a minute."""
    client = signed_in_client(app, people.provider.id)
    with app.app_context():
        db.session.execute(update(UserSession).where(UserSession.user_id == people.provider.id)
                           .values(last_seen_at=utcnow() - timedelta(minutes=2)))
        db.session.commit()
    writes = []

    def on_flush(session, _context):
        writes.append(("flush", [type(o).__name__ for o in (*session.new, *session.dirty, *session.deleted)]))

    def on_execute(state):
        if state.is_insert or state.is_update or state.is_delete:
            writes.append(("execute", str(state.statement)))

    event.listen(db.session, "after_flush", on_flush)
    event.listen(db.session, "do_orm_execute", on_execute)
    try:
        assert client.get("/").status_code == 200
        assert client.get("/account").status_code == 200
    finally:
        event.remove(db.session, "after_flush", on_flush)
        event.remove(db.session, "do_orm_execute", on_execute)
    assert writes == []
    (row,) = sessions_of(app, people.provider.id)
    assert utcnow() - row.last_seen_at < timedelta(seconds=30)  # written by the side write, after the request
    seen = row.last_seen_at
    client.get("/")
    assert sessions_of(app, people.provider.id)[0].last_seen_at == seen  # not again within the minute


def test_the_account_page_lists_my_sessions_and_signs_out_the_others(app, people):
    mine, laptop, phone = app.test_client(), app.test_client(), app.test_client()
    for client, agent in ((mine, "Mine/1"), (laptop, "Laptop/2"), (phone, "Phone/3")):
        login(client, people.outside.email, headers={"User-Agent": agent})
    other_user = signed_in_client(app, people.state.id)
    page = mine.get("/account").get_data(as_text=True)
    assert "Mine/1" in page and "Laptop/2" in page and "Phone/3" in page and "This session" in page
    assert "Sign out my other sessions" in page
    assert 'href="/account/two-step"' in page and 'href="/account/tokens"' in page
    response = mine.post("/account/sessions/end-others", follow_redirects=True)
    assert "2 other sessions of yours are signed out" in response.get_data(as_text=True)
    assert mine.get("/").status_code == 200
    assert laptop.get("/").status_code == 302 and phone.get("/").status_code == 302
    assert other_user.get("/").status_code == 200  # nobody else's sessions
    assert "You are signed in nowhere else." in mine.get("/account").get_data(as_text=True)
    with app.app_context():
        event_ = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "security.sessions_ended"))
        assert event_.record_id == people.outside.id and "2 session(s)" in event_.summary


def test_an_admin_ends_every_session_of_a_user(app, clients, people):
    victim, other = app.test_client(), app.test_client()
    login(victim, people.provider.email)
    login(other, people.provider.email)
    page = clients.admin.get(f"/admin/users/{people.provider.id}").get_data(as_text=True)
    assert "is signed in 2 times" in page
    response = clients.admin.post(f"/admin/users/{people.provider.id}/sessions/end", follow_redirects=True)
    assert "2 sessions of officer@unodc.test.example ended" in response.get_data(as_text=True)
    assert victim.get("/").status_code == 302 and other.get("/").status_code == 302
    assert clients.admin.get("/").status_code == 200
    with app.app_context():
        summary = db.session.scalar(select(AuditEvent.summary).where(AuditEvent.action == "security.sessions_ended"))
        assert f"by {people.admin.email}" in summary
    assert clients.coordinator.post(f"/admin/users/{people.provider.id}/sessions/end").status_code == 403


def test_end_all_sessions_still_serves_its_callers(app, people):
    client = signed_in_client(app, people.state.id)
    with app.app_context():
        assert db.session.get(User, people.state.id).end_all_sessions("test") == 1
        db.session.commit()
    assert client.get("/").status_code == 302


@pytest.fixture
def https_app(app):
    yield create_app(test_config(SESSION_COOKIE_SECURE=True))
    create_app(test_config())  # rebind the shared limiter for the other tests


def test_under_https_the_cookie_is_a_host_prefixed_secure_one(https_app, people):
    client = https_app.test_client()
    response = login(client, people.state.email, base_url="https://exchange.example.org")
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("__Host-exchange_session="))
    attributes = [a.strip().lower() for a in session_cookie.split(";")]
    assert "secure" in attributes and "path=/" in attributes and "httponly" in attributes
    assert not any(a.startswith("domain=") for a in attributes)
    assert client.get("/", base_url="https://exchange.example.org").status_code == 200


def test_the_environment_switch_for_https_names_the_cookie_too(monkeypatch):
    monkeypatch.setenv("EXCHANGE_HTTPS", "1")
    secure = create_app(test_config())
    try:
        assert secure.config["SESSION_COOKIE_NAME"] == "__Host-exchange_session"
        assert secure.config["SESSION_COOKIE_DOMAIN"] is None and secure.config["SESSION_COOKIE_PATH"] == "/"
    finally:
        monkeypatch.delenv("EXCHANGE_HTTPS")
        create_app(test_config())
