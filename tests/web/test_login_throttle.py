"""The sign-in throttle: failures count per (e-mail, address) pair with growing waits, so someone failing for
another person's e-mail never locks its owner out; a generous per-address ceiling; X-Forwarded-For believed
only behind configured trusted proxies; counts in the shared rate-limit storage (Redis across workers)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from exchange.app import create_app
from exchange.audit.models import AuditEvent
from exchange.core.extensions import db, limiter
from exchange.core.limiting import _keys, delay_after, reset_limits
from exchange.people.models import UserSession
from tests.factories import PASSWORD
from tests.helpers import test_config

OWNER = {"REMOTE_ADDR": "192.0.2.10"}
ATTACKER = {"REMOTE_ADDR": "198.51.100.66"}


def attempt(app, email, password, environ, headers=None):
    return app.test_client().post("/login", data={"email": email, "password": password}, environ_base=environ,
                                  headers=headers or {})


def wait_is_over(app, email, address):
    """What the passing of the current wait looks like to the throttle: its wait key is gone."""
    with app.app_context():
        limiter.storage.clear(_keys(email, address)[1])


def test_an_attackers_failures_from_another_address_do_not_lock_the_owner_out(app, people):
    for i in range(20):
        attempt(app, people.state.email, f"guess-{i}", ATTACKER)
    assert attempt(app, people.state.email, PASSWORD, ATTACKER).status_code == 429  # the attacker waits
    response = attempt(app, people.state.email, PASSWORD, OWNER)
    assert response.status_code == 302 and response.headers["Location"] == "/"  # the owner signs in


def test_the_pair_waits_longer_after_each_further_failure(app, people):
    email, address = people.provider.email, ATTACKER["REMOTE_ADDR"]
    for i in range(5):
        assert attempt(app, email, f"wrong-{i}", ATTACKER).status_code == 200
    waits = []
    for round_ in range(3):
        refused = attempt(app, email, PASSWORD, ATTACKER)  # even the right password waits
        assert refused.status_code == 429
        assert "Too many attempts" in refused.get_data(as_text=True)
        waits.append(int(refused.headers["Retry-After"]))
        wait_is_over(app, email, address)
        assert attempt(app, email, f"again-wrong-{round_}", ATTACKER).status_code == 200
    assert 55 <= waits[0] <= 60 and 115 <= waits[1] <= 120 and 235 <= waits[2] <= 240  # 1, 2, 4 minutes
    wait_is_over(app, email, address)
    assert attempt(app, email, PASSWORD, ATTACKER).status_code == 302  # the wait over, the right password works
    # …and clears the pair's count: five more failures before the next wait.
    for i in range(5):
        assert attempt(app, email, f"later-{i}", ATTACKER).status_code == 200
    assert attempt(app, email, PASSWORD, ATTACKER).status_code == 429


def test_the_growing_wait_is_capped(app):
    with app.app_context():
        assert [delay_after(n) for n in (1, 4, 5, 6, 7, 8)] == [0, 0, 60, 120, 240, 480]
        assert delay_after(11) == 1800 and delay_after(500) == 1800  # LOGIN_PAIR_MAX_DELAY, 30 minutes


def test_an_unknown_email_is_throttled_exactly_like_a_known_one(app, people):
    pages = {}
    for email in (people.state.email, "nobody@nowhere.example"):
        for i in range(5):
            attempt(app, email, f"wrong-{i}", ATTACKER)
        refused = attempt(app, email, "wrong-again", ATTACKER)
        pages[email] = (refused.status_code, refused.get_data(as_text=True).replace(email, "EMAIL"))
    assert pages[people.state.email] == pages["nobody@nowhere.example"]


def test_one_address_spraying_many_accounts_meets_the_ceiling(app, people):
    app.config["LOGIN_ADDRESS_FAILURE_LIMIT"] = 8
    try:
        for i in range(8):
            assert attempt(app, f"user{i}@spray.example", "Winter2026!", ATTACKER).status_code == 200
        refused = attempt(app, people.admin.email, PASSWORD, ATTACKER)
        assert refused.status_code == 429 and "from your address" in refused.get_data(as_text=True)
        assert attempt(app, people.admin.email, PASSWORD, OWNER).status_code == 302  # other addresses sign in
    finally:
        app.config["LOGIN_ADDRESS_FAILURE_LIMIT"] = 100


def test_failures_and_the_wait_are_security_events(app, people):
    for i in range(5):
        attempt(app, people.state.email, f"wrong-{i}", ATTACKER)
    with app.app_context():
        events = db.session.execute(select(AuditEvent.action, AuditEvent.actor_id, AuditEvent.changes).where(
            AuditEvent.action.like("security.%"))).all()
    failed = [e for e in events if e.action == "security.sign_in_failed"]
    locked = [e for e in events if e.action == "security.locked_out"]
    assert len(failed) == 5 and len(locked) == 1
    assert {e.actor_id for e in failed + locked} == {people.state.id}  # the account attacked, named for review
    assert locked[0].changes["email"] == people.state.email
    assert locked[0].changes["address"] == ATTACKER["REMOTE_ADDR"]


def test_x_forwarded_for_is_ignored_unless_proxies_are_trusted(app, people):
    # No trusted proxy (the default): the header is the caller's own claim, and changes nothing.
    for i in range(5):
        attempt(app, people.state.email, f"wrong-{i}", ATTACKER, headers={"X-Forwarded-For": f"203.0.113.{i}"})
    refused = attempt(app, people.state.email, PASSWORD, ATTACKER, headers={"X-Forwarded-For": "192.0.2.10"})
    assert refused.status_code == 429


@pytest.fixture
def proxied_app(app):
    behind_proxy = create_app(test_config(TRUSTED_PROXIES=1))
    yield behind_proxy
    create_app(test_config())  # rebind the shared limiter for the other tests


def test_behind_one_trusted_proxy_the_forwarded_address_counts(proxied_app, people):
    proxy = {"REMOTE_ADDR": "10.0.0.1"}  # every caller arrives through the same proxy
    for i in range(5):
        attempt(proxied_app, people.state.email, f"wrong-{i}", proxy, headers={"X-Forwarded-For": "198.51.100.66"})
    assert attempt(proxied_app, people.state.email, PASSWORD, proxy,
                   headers={"X-Forwarded-For": "198.51.100.66"}).status_code == 429
    owner = attempt(proxied_app, people.state.email, PASSWORD, proxy, headers={"X-Forwarded-For": "192.0.2.10"})
    assert owner.status_code == 302  # behind the same proxy, the owner is not the attacker
    with proxied_app.app_context():
        row = db.session.scalar(select(UserSession).where(UserSession.user_id == people.state.id))
        assert row.address == "192.0.2.10"


def _redis_url() -> str:
    redis = pytest.importorskip("redis")
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except redis.exceptions.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    return "redis://127.0.0.1:6379"


def test_a_wait_in_redis_holds_across_workers_and_spares_the_owner(app, people):
    url = _redis_url()
    worker_a = create_app(test_config(RATELIMIT_STORAGE_URI=url))
    with worker_a.app_context():
        reset_limits()
    try:
        for i in range(5):
            attempt(worker_a, people.admin.email, f"bad{i}", ATTACKER)
        worker_b = create_app(test_config(RATELIMIT_STORAGE_URI=url))
        refused = attempt(worker_b, people.admin.email, PASSWORD, ATTACKER)
        assert refused.status_code == 429 and 55 <= int(refused.headers["Retry-After"]) <= 60
        assert attempt(worker_b, people.admin.email, PASSWORD, OWNER).status_code == 302
    finally:
        with worker_a.app_context():
            reset_limits()
        create_app(test_config())  # rebind the shared limiter to in-memory storage for the other tests
