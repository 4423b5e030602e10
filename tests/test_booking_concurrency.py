"""Booking under real concurrency: an offer's capacity is never overbooked, and one request and one offer
have at most one live match, on SQLite and on PostgreSQL (EXCHANGE_DATABASE_URL).

Each round builds fresh records, then releases threads at once through a barrier; each thread has its own
Flask test client, so its own app context, session and database connection, and calls the real API.
Before the fix, on PostgreSQL, 7 or 8 of the 8 accepts went through in each of 5 rounds on an offer of
capacity 3 (each counted the places before any other committed), and all 4 concurrent proposals of one
pair made a match. The figures are printed on every run.
"""
from __future__ import annotations

import threading

from sqlalchemy import func, select

from exchange.core.extensions import db
from exchange.core.statuses import LIVE_MATCH_STATUSES
from exchange.core.workflow import BUSY_MATCH_STATUSES
from exchange.matches.models import Match
from exchange.matches.operations import propose_match
from exchange.offers.operations import create_offer
from exchange.people.models import User
from exchange.people.tokens import issue_api_token
from exchange.requests.operations import create_request, request_move
from tests.api.conftest import OFFER, REQUEST
from tests.conftest import DATABASE_URL, make_user

ROUNDS = 5
PROVIDERS = 8
CAPACITY = 3
COORDINATORS = 4
ENGINE = "postgresql" if DATABASE_URL.startswith("postgresql") else "sqlite"


def _race(app, calls: list) -> list[tuple[int, dict]]:
    """Run each (method, path, token, body) in its own thread, all released at once; the answers in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i: int, method: str, path: str, token: str, body: dict) -> None:
        client = app.test_client()
        barrier.wait()
        try:
            response = client.open(path, method=method, json=body, headers={"Authorization": f"Bearer {token}"})
            results[i] = (response.status_code, response.get_json(silent=True) or {})
        except Exception as err:  # noqa: BLE001 (TESTING propagates a crash: record it as a failure)
            results[i] = (599, {"error": {"message": repr(err)}})

    threads = [threading.Thread(target=run, args=(i, *call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results


def _open_request(coordinator, state, title: str):
    req = create_request(state, REQUEST | {"title": title, "draft": True})
    request_move("submit")(state, req, {})
    request_move("accept")(coordinator, req, {})
    return req


def _providers(app, count: int) -> list[str]:
    """`count` provider officers of UNODC, each with an API token."""
    with app.app_context():
        tokens = [issue_api_token(None, make_user(f"officer{i}@unodc.test.example", "provider", "UNODC"))
                  for i in range(count)]
        db.session.commit()
    return tokens


def test_concurrent_accepts_never_overbook_an_offer(app, people, capsys):
    tokens = _providers(app, PROVIDERS)
    figures, rounds = [], []
    for round_number in range(1, ROUNDS + 1):
        with app.app_context():
            coordinator, state = db.session.get(User, people.coordinator.id), db.session.get(User, people.state.id)
            offer = create_offer(db.session.get(User, people.provider.id),
                                     OFFER | {"title": f"Course of round {round_number}", "capacity": CAPACITY})
            match_ids = []
            for i in range(PROVIDERS):
                req = _open_request(coordinator, state, f"Request {i} of round {round_number} for the FIU")
                match_ids.append(propose_match(coordinator, {"request_id": req.id, "offer_id": offer.id}).id)
            db.session.commit()
            offer_id = offer.id
        results = _race(app, [("POST", f"/api/v1/matches/{match_id}/accept", token, {})
                              for match_id, token in zip(match_ids, tokens, strict=True)])
        statuses = [status for status, _ in results]
        with app.app_context():
            busy = db.session.scalar(select(func.count()).select_from(Match).where(
                Match.offer_id == offer_id, Match.status.in_(BUSY_MATCH_STATUSES)))
        figures.append((round_number, statuses.count(200), statuses.count(409), busy))
        rounds.append((statuses, busy, [body["error"]["message"] for status, body in results if status == 409]))
    with capsys.disabled():
        print(f"\n[{ENGINE}] {PROVIDERS} concurrent accepts on an offer of capacity {CAPACITY}, {ROUNDS} rounds "
              f"(round, accepted 200, refused 409, busy in the database): {figures}")
    for statuses, busy, refusals in rounds:
        assert sorted(statuses) == [200] * CAPACITY + [409] * (PROVIDERS - CAPACITY), statuses
        assert busy == CAPACITY
        assert all("at capacity" in message for message in refusals), refusals


def test_concurrent_proposals_of_one_pair_make_one_live_match(app, people, capsys):
    with app.app_context():
        tokens = [issue_api_token(None, make_user(f"coordinator{i}@ctitf.test.example", "coordinator", "CTITF"))
                  for i in range(COORDINATORS)]
        db.session.commit()
    figures, rounds = [], []
    for round_number in range(1, ROUNDS + 1):
        with app.app_context():
            coordinator, state = db.session.get(User, people.coordinator.id), db.session.get(User, people.state.id)
            req = _open_request(coordinator, state, f"Request of round {round_number} for the FIU")
            offer = create_offer(db.session.get(User, people.provider.id),
                                     OFFER | {"title": f"Course of round {round_number}"})
            db.session.commit()
            pair = {"request_id": req.id, "offer_id": offer.id, "note": "A good fit."}
        results = _race(app, [("POST", "/api/v1/matches", token, pair) for token in tokens])
        statuses = [status for status, _ in results]
        with app.app_context():
            live = db.session.scalar(select(func.count()).select_from(Match).where(
                Match.request_id == pair["request_id"], Match.offer_id == pair["offer_id"],
                Match.status.in_(LIVE_MATCH_STATUSES)))
        figures.append((round_number, statuses.count(201), statuses.count(409), live))
        rounds.append((statuses, live, [body["error"]["message"] for status, body in results if status == 409]))
    with capsys.disabled():
        print(f"\n[{ENGINE}] {COORDINATORS} concurrent proposals of one request and offer, {ROUNDS} rounds "
              f"(round, created 201, refused 409, live matches): {figures}")
    for statuses, live, refusals in rounds:
        assert sorted(statuses) == [201] + [409] * (COORDINATORS - 1), statuses
        assert live == 1
        assert all("already matched" in message for message in refusals), refusals
