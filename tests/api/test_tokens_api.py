"""API tokens in use: expiry and revocation (401 exactly as an unknown token), the read-only scope (403
with the error body on anything but GET and HEAD), the last use written after the request at most once
an interval, and the security events each refusal records (time, user, client address)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from exchange.audit.models import AuditEvent
from exchange.core.extensions import db
from exchange.core.models import utcnow
from exchange.core.security import token_digest
from exchange.offers.models import Offer
from exchange.people.models import ApiToken, User
from tests.factories import OFFER, make_api_token
from tests.helpers import writes_in_reads

ADDRESS = {"REMOTE_ADDR": "203.0.113.7"}


def _row(app, token: str) -> ApiToken:
    with app.app_context():
        row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(token)))
        db.session.expunge(row)
        return row


def _set(app, token: str, **values) -> None:
    with app.app_context():
        row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(token)))
        for key, value in values.items():
            setattr(row, key, value)
        db.session.commit()


def _events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                         .order_by(AuditEvent.id)))
        db.session.expunge_all()
        return events


def _issue(app, person, **kwargs) -> str:
    with app.app_context():
        token = make_api_token(person, "script", **kwargs)
        db.session.commit()
        return token


def test_a_new_token_expires_after_the_configured_default_of_90_days(app, people):
    token = _issue(app, people.state)
    row = _row(app, token)
    assert row.scope == "write"
    assert abs((row.expires_at - utcnow()) - timedelta(days=90)) < timedelta(minutes=1)
    app.config["API_TOKEN_LIFETIME_DAYS"] = 30
    try:
        row = _row(app, _issue(app, people.state))
    finally:
        app.config["API_TOKEN_LIFETIME_DAYS"] = 90
    assert abs((row.expires_at - utcnow()) - timedelta(days=30)) < timedelta(minutes=1)
    assert abs((_row(app, _issue(app, people.state, days=7)).expires_at - utcnow()) - timedelta(days=7)) \
        < timedelta(minutes=1)


def test_expired_revoked_and_unknown_tokens_answer_401_alike_and_are_security_events(app, api, people, tokens):
    unknown = api.get("/api/v1/offers", "exch_not-a-token", environ_base=ADDRESS)
    _set(app, tokens.state, expires_at=utcnow() - timedelta(seconds=1))
    expired = api.get("/api/v1/offers", tokens.state, environ_base=ADDRESS)
    _set(app, tokens.provider, revoked_at=utcnow())
    revoked = api.get("/api/v1/offers", tokens.provider, environ_base=ADDRESS)
    for response in (unknown, expired, revoked):
        assert response.status_code == 401
        assert response.json == unknown.json and unknown.json["error"]["code"] == "unauthorized"
    assert api.get("/api/v1/offers", tokens.coordinator).status_code == 200  # the others still work
    events = _events(app, "security.token_refused")
    assert [e.actor_id for e in events] == [None, people.state.id, people.provider.id]
    assert "expired" in events[1].summary and "revoked" in events[2].summary
    for event in events:
        assert event.changes["address"] == "203.0.113.7" and event.changes["path"] == "/api/v1/offers"
        assert abs(event.at - utcnow()) < timedelta(minutes=1)
    assert "exch_not-a-token" not in repr([(e.summary, e.changes) for e in events])  # a token is never stored


def test_a_disabled_users_token_is_refused(app, api, people, tokens):
    with app.app_context():
        db.session.get(User, people.state.id).active = False
        db.session.commit()
    assert api.get("/api/v1/offers", tokens.state).status_code == 401


def test_a_read_only_token_reads_and_may_not_write(app, api, people):
    token = _issue(app, people.provider, scope="read")
    assert api.get("/api/v1/offers", token).status_code == 200
    assert api.call("HEAD", "/api/v1/offers", token).status_code == 200
    before = _count(app, Offer)
    response = api.post("/api/v1/offers", token, json=OFFER, environ_base=ADDRESS)
    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden" and "read-only" in response.json["error"]["message"]
    assert api.patch("/api/v1/offers/1", token, json={"title": "x"}).status_code == 403
    assert _count(app, Offer) == before
    refused = _events(app, "security.token_refused")
    assert len(refused) == 2 and refused[0].actor_id == people.provider.id
    assert refused[0].changes["address"] == "203.0.113.7" and "POST" in refused[0].summary
    assert _events(app, "security.forbidden") == []  # one event for one refusal
    # The same person's read-and-write token still writes.
    assert api.post("/api/v1/offers", _issue(app, people.provider), json=OFFER).status_code == 201


def test_unknown_methods_of_a_read_only_token_are_405_not_403(app, api, people):
    token = _issue(app, people.provider, scope="read")
    assert api.call("DELETE", "/api/v1/offers", token).status_code == 405


def test_the_last_use_is_written_after_the_read_at_most_once_an_interval(app, api, tokens):
    assert _row(app, tokens.state).last_used_at is None
    with writes_in_reads() as writes:
        assert api.get("/api/v1/offers", tokens.state).status_code == 200
    assert writes == []  # not in the GET's transaction …
    first = _row(app, tokens.state).last_used_at
    assert first is not None and abs(first - utcnow()) < timedelta(minutes=1)  # … but after it
    assert api.get("/api/v1/offers", tokens.state).status_code == 200
    assert _row(app, tokens.state).last_used_at == first  # within API_TOKEN_USE_INTERVAL: not written again
    _set(app, tokens.state, last_used_at=utcnow() - timedelta(seconds=app.config["API_TOKEN_USE_INTERVAL"] + 1))
    assert api.get("/api/v1/offers", tokens.state).status_code == 200
    assert _row(app, tokens.state).last_used_at > first


def test_a_403_in_the_api_is_a_security_event(app, api, people, tokens):
    response = api.post("/api/v1/matches", tokens.provider, json={"request_id": 1, "offer_id": 1},
                        environ_base=ADDRESS)
    assert response.status_code == 403
    (event,) = _events(app, "security.forbidden")
    assert event.actor_id == people.provider.id and event.changes["address"] == "203.0.113.7"
    assert event.changes["path"] == "/api/v1/matches" and "POST" in event.summary


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_eight_threads_reading_with_one_token_write_its_last_use_once_and_never_in_a_read(app, tokens, monkeypatch):
    """Over real HTTP (a threaded server), 8 threads × 10 GETs with one token: every answer 200, the token's
    last use written by one UPDATE that changes its row once, every write statement made after a request in
    a side write (never in the GET's transaction), and on SQLite no GET begins an immediate (write)
    transaction."""
    import threading
    import urllib.request

    from sqlalchemy import event
    from werkzeug.serving import make_server

    from exchange.core import side_writes

    with app.app_context():
        engine = db.engine
    in_side_write = threading.local()
    real_run = side_writes._run

    def run_marked(writes):
        in_side_write.on = True
        try:
            real_run(writes)
        finally:
            in_side_write.on = False

    monkeypatch.setattr(side_writes, "_run", run_marked)
    statements: list[tuple[str, bool]] = []
    token_rows_changed: list[int] = []

    def before(_conn, _cursor, statement, *_rest):
        statements.append((statement.lstrip().split(None, 1)[0].upper() + " " + statement[:60],
                           getattr(in_side_write, "on", False)))

    def after(_conn, cursor, statement, *_rest):
        if statement.lstrip().upper().startswith("UPDATE API_TOKENS"):
            token_rows_changed.append(cursor.rowcount)

    def begin(conn):
        statements.append(("BEGIN", getattr(in_side_write, "on", False)))

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/api/v1/offers"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    answers, lock, barrier = [], threading.Lock(), threading.Barrier(8)

    def client():
        barrier.wait()
        for _ in range(10):
            request = urllib.request.Request(url, headers={"Authorization": f"Bearer {tokens.coordinator}"})
            try:
                with opener.open(request, timeout=60) as answer:
                    answer.read()
                    status = answer.status
            except urllib.error.HTTPError as err:
                status = err.code
            with lock:
                answers.append(status)

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    event.listen(engine, "begin", begin)
    try:
        threads = [threading.Thread(target=client) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
        event.remove(engine, "begin", begin)
        server.shutdown()

    assert answers == [200] * 80
    assert token_rows_changed == [1]  # one UPDATE, one row changed
    writes = [(s, marked) for s, marked in statements if s.split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert writes and all(marked for _, marked in writes), writes  # only in side writes, after the requests
    assert not any("IMMEDIATE" in s for s, _ in statements)  # SQLite: no GET took the write lock
    assert _row(app, tokens.coordinator).last_used_at is not None


def test_the_last_use_write_is_conditional_across_processes(app, tokens, monkeypatch):
    """Two processes that read the same stale last use each run the write; the second changes no row (the
    memo of queued writes is per process: emptied here to stand for the other one)."""
    from sqlalchemy import event

    from exchange.api import auth

    stale = utcnow() - timedelta(seconds=app.config["API_TOKEN_USE_INTERVAL"] + 60)
    _set(app, tokens.state, last_used_at=stale)
    changed: list[int] = []

    def after(_conn, cursor, statement, *_rest):
        if statement.lstrip().upper().startswith("UPDATE API_TOKENS"):
            changed.append(cursor.rowcount)

    with app.app_context():
        read = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(tokens.state)))
        db.session.expunge(read)
        db.session.rollback()  # no transaction open: outside a request the write runs at once
        event.listen(db.engine, "after_cursor_execute", after)
        try:
            auth._note_use(read, utcnow())
            auth._note_use(read, utcnow())  # the same process again: not even queued
            monkeypatch.setattr(auth, "_queued", {})
            auth._note_use(read, utcnow())  # another process, with the same stale value read
        finally:
            event.remove(db.engine, "after_cursor_execute", after)
    assert changed == [1, 0]
    assert _row(app, tokens.state).last_used_at > stale + timedelta(seconds=60)
