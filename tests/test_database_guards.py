"""The database guards itself: plain SQL that goes around the application (no ORM, no schema, no
operation) is refused with an IntegrityError for every rule of migration h1_db_guards, on whichever
engine the suite runs (SQLite, or PostgreSQL through EXCHANGE_DATABASE_URL); values the rules allow
still go in."""
from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from exchange.core.extensions import db
from exchange.core.statuses import (
    MatchStatus,
    OfferStatus,
    RequestStatus,
    Urgency,
    Visibility,
)
from tests.factories import World

# (table, column, a value the database must refuse, values it must take)
REFUSED_VALUES = [
    ("assistance_requests", "status", "approved", list(RequestStatus)),
    ("assistance_requests", "status", "", ["open"]),
    ("assistance_requests", "urgency", "urgent", list(Urgency)),
    ("assistance_requests", "visibility", "public", list(Visibility)),
    ("offers", "status", "deleted", list(OfferStatus)),
    ("matches", "status", "suggested", list(MatchStatus)),
    ("matches", "rating", 0, [1, 5, None]),
    ("matches", "rating", 6, [3]),
    ("matches", "rating", -1, [2]),
]


@pytest.fixture
def world(app, people):
    return World(app, people)


@pytest.fixture
def records(app, world):
    match_id = world.match("proposed")
    with app.app_context():
        row = db.session.execute(text("SELECT request_id, offer_id FROM matches WHERE id = :id"),
                                 {"id": match_id}).one()
        author = db.session.execute(text("SELECT min(id) FROM users")).scalar()
    return {"matches": match_id, "assistance_requests": row.request_id, "offers": row.offer_id, "author": author}


def _raw(app, sql: str, **params) -> None:
    """One statement in a transaction of its own, straight to the engine."""
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(text(sql), params)


@pytest.mark.parametrize(("table", "column", "bad", "good"), REFUSED_VALUES)
def test_a_value_outside_the_rule_is_refused_by_the_database(app, records, table, column, bad, good):
    with pytest.raises(IntegrityError):
        _raw(app, f"UPDATE {table} SET {column} = :value WHERE id = :id", value=bad, id=records[table])
    for value in good:  # the values the application uses still go in
        _raw(app, f"UPDATE {table} SET {column} = :value WHERE id = :id", value=value, id=records[table])


INSERT_DOCUMENT = ("INSERT INTO documents (request_id, offer_id, filename, stored_name, content_type, size, "
                   "created_at) VALUES (:request_id, :offer_id, 'a.pdf', :stored, 'application/pdf', 10, "
                   "CURRENT_TIMESTAMP)")
INSERT_MESSAGE = ("INSERT INTO messages (request_id, match_id, author_id, body, created_at) "
                  "VALUES (:request_id, :match_id, :author, 'Hello', CURRENT_TIMESTAMP)")


def test_a_document_belongs_to_exactly_one_record(app, records):
    request_id, offer_id = records["assistance_requests"], records["offers"]
    for i, (req, offer) in enumerate([(None, None), (request_id, offer_id)]):
        with pytest.raises(IntegrityError):
            _raw(app, INSERT_DOCUMENT, request_id=req, offer_id=offer, stored=f"refused-{i}")
    _raw(app, INSERT_DOCUMENT, request_id=request_id, offer_id=None, stored="of-a-request")
    _raw(app, INSERT_DOCUMENT, request_id=None, offer_id=offer_id, stored="of-an-offer")


def test_a_message_belongs_to_exactly_one_record(app, records):
    request_id, match_id, author = records["assistance_requests"], records["matches"], records["author"]
    for req, match in [(None, None), (request_id, match_id)]:
        with pytest.raises(IntegrityError):
            _raw(app, INSERT_MESSAGE, request_id=req, match_id=match, author=author)
    _raw(app, INSERT_MESSAGE, request_id=request_id, match_id=None, author=author)
    _raw(app, INSERT_MESSAGE, request_id=None, match_id=match_id, author=author)


INSERT_MATCH = ("INSERT INTO matches (request_id, offer_id, note, status, decline_reason, outcome, feedback, version, "
                "created_at, updated_at, status_changed_at) VALUES (:request_id, :offer_id, '', :status, '', '', '', "
                "1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")


@pytest.mark.parametrize("status", ["proposed", "accepted", "in_delivery"])
def test_one_live_match_per_request_and_offer(app, records, status):
    pair = {"request_id": records["assistance_requests"], "offer_id": records["offers"]}
    with pytest.raises(IntegrityError):  # the pair already has a live (proposed) match
        _raw(app, INSERT_MATCH, status=status, **pair)
    for ended in ("declined", "withdrawn", "completed"):  # ended matches of the same pair are history
        _raw(app, INSERT_MATCH, status=ended, **pair)
    _raw(app, "UPDATE matches SET status = 'declined' WHERE id = :id", id=records["matches"])
    _raw(app, INSERT_MATCH, status=status, **pair)  # once the first has ended, a new live one may start
    with pytest.raises(IntegrityError):  # and an ended one cannot come back to life beside it
        _raw(app, "UPDATE matches SET status = 'proposed' WHERE id = :id", id=records["matches"])


def test_proposing_a_pair_again_is_a_clear_conflict_not_an_integrity_error(app, world, api, tokens, monkeypatch):
    """The operation answers the database's refusal as it answers its own check (409, with the match's
    reference); here the check is passed over to reach the index, as a concurrent proposal would."""
    from exchange.matches import operations as matches
    match_id = world.match("proposed")
    with app.app_context():
        row = db.session.execute(text("SELECT request_id, offer_id FROM matches WHERE id = :id"),
                                 {"id": match_id}).one()
    original = matches._refuse_second_live_match
    calls = []

    def late_check(req, offer):
        calls.append(req.id)
        if len(calls) > 1:  # only after the insert was refused, as when another proposal won the race
            original(req, offer)

    monkeypatch.setattr(matches, "_refuse_second_live_match", late_check)
    response = api.post("/api/v1/matches", tokens.coordinator, json={"request_id": row.request_id,
                                                                     "offer_id": row.offer_id})
    assert response.status_code == 409
    assert f"already matched (M-{match_id:05d})" in response.get_json()["error"]["message"]
    assert len(calls) == 2


def test_a_refusal_of_the_database_that_no_check_foresaw_is_a_409_not_a_500(app, world, api, tokens, monkeypatch):
    from exchange.matches import operations as matches
    from exchange.matches.models import Match
    match_id = world.match("proposed")
    row = world.row(Match, match_id)
    monkeypatch.setattr(matches, "_refuse_second_live_match", lambda req, offer: None)
    response = api.post("/api/v1/matches", tokens.coordinator, json={"request_id": row.request_id,
                                                                     "offer_id": row.offer_id})
    assert response.status_code == 409
    assert response.get_json()["error"] == {
        "code": "conflict", "message": "The database refused this change: it conflicts with another record. "
                                       "Nothing was changed."}
    assert world.count(Match) == 1
