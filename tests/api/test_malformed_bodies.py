"""Malformed request bodies on every API endpoint that takes one: a lone surrogate, 100,000 nested
brackets, invalid UTF-8, numbers no JSON parser agrees on, duplicate names, NaN, another content type.
Each answers 400 with the API's error body and changes nothing."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from exchange.audit.models import AuditEvent
from exchange.core.extensions import db
from exchange.matches.models import Match
from exchange.messages.models import Notification
from exchange.offers.models import Offer
from exchange.requests.models import AssistanceRequest
from tests.factories import OFFER, REQUEST

JSON = "application/json"
DEEP = 100_000

# (label, raw body, content type): every one is refused whole.
MALFORMED = [
    ("lone high surrogate", b'{"title": "Training \\ud800 for analysts"}', JSON),
    ("lone low surrogate", b'{"reason": "\\udc00 out of scope", "message": "\\udfff", "outcome": "x\\udc80y"}',
     JSON),
    ("surrogate in a name", b'{"\\ud800": 1}', JSON),
    ("surrogate in a list", b'{"themes": ["financing", "\\ud83d"]}', JSON),
    ("100,000 nested arrays", b"[" * DEEP + b"]" * DEEP, JSON),
    ("100,000 nested objects", b'{"a":' * DEEP + b"1" + b"}" * DEEP, JSON),
    ("nested too deep for a record", b'{"themes": ' + b"[" * 40 + b"]" * 40 + b"}", JSON),
    ("invalid UTF-8", b'{"title": "Training \xff\xfe for analysts"}', JSON),
    ("UTF-8 encoded surrogate", b'{"title": "Training \xed\xa0\x80 for analysts"}', JSON),
    ("UTF-16", '{"title": "Training for analysts"}'.encode("utf-16"), JSON),
    ("a 5,000-digit number", b'{"capacity": 1' + b"0" * 5000 + b"}", JSON),
    ("a number beyond any float", b'{"rating": 1e999999}', JSON),
    ("NaN", b'{"rating": NaN}', JSON),
    ("Infinity", b'{"capacity": -Infinity}', JSON),
    ("duplicate names", b'{"reason": "Out of the scope.", "reason": "Something else."}', JSON),
    ("truncated", b'{"title": "Training', JSON),
    ("trailing data", b'{"rating": 5} {"rating": 1}', JSON),
    ("text/plain", b'{"rating": 5}', "text/plain"),
    ("a form", b"rating=5&reason=because", "application/x-www-form-urlencoded"),
    ("no content type", b'{"rating": 5}', None),
]


def _snapshot(app) -> dict:
    """Everything a refused call must leave as it was."""
    with app.app_context():
        rows = {}
        for model in (AssistanceRequest, Offer, Match):
            rows[model.__name__] = sorted(db.session.execute(
                select(model.id, model.version, model.status, model.updated_at)).all())
        for model in (AuditEvent, Notification):
            rows[model.__name__] = db.session.scalar(select(func.count()).select_from(model))
        return rows


@pytest.fixture
def targets(world):
    """Every endpoint that takes a body, with a record it may act on (each open to its caller)."""
    request_id = world.request("submitted")
    open_request = world.request("open")
    offer_id = world.offer()
    match_id = world.match("completed", request_id=open_request, offer_id=offer_id)
    proposed = world.match("proposed", request_id=world.request("open", by="other_state"), offer_id=offer_id)
    return [
        ("POST", "/api/v1/requests", "coordinator"),
        ("PATCH", f"/api/v1/requests/{request_id}", "coordinator"),
        ("POST", f"/api/v1/requests/{request_id}/review", "coordinator"),
        ("POST", f"/api/v1/requests/{request_id}/reject", "coordinator"),
        ("POST", f"/api/v1/requests/{request_id}/request-info", "coordinator"),
        ("POST", f"/api/v1/requests/{request_id}/withdraw", "state"),
        ("POST", "/api/v1/offers", "provider"),
        ("PATCH", f"/api/v1/offers/{offer_id}", "provider"),
        ("POST", f"/api/v1/offers/{offer_id}/pause", "provider"),
        ("POST", "/api/v1/matches", "coordinator"),
        ("POST", f"/api/v1/matches/{proposed}/decline", "provider"),
        ("POST", f"/api/v1/matches/{proposed}/accept", "provider"),
        ("POST", f"/api/v1/matches/{match_id}/confirm", "state"),
    ]


def _send(api, token, method, path, body, content_type):
    headers = {"Authorization": f"Bearer {token}"}
    if content_type:
        headers["Content-Type"] = content_type
    return api.client.open(path, method=method, data=body, headers=headers)


@pytest.mark.parametrize("label,body,content_type", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_a_malformed_body_is_400_with_the_error_body_and_changes_nothing(app, api, tokens, targets, label, body,
                                                                         content_type):
    before = _snapshot(app)
    for method, path, person in targets:
        response = _send(api, tokens[person], method, path, body, content_type)
        assert response.status_code == 400, (label, method, path, response.status_code, response.text[:300])
        assert response.mimetype == JSON
        error = response.json["error"]
        assert error["code"] == "bad_request" and error["message"], (label, path, error)
        assert set(error) <= {"code", "message", "fields"}
    assert _snapshot(app) == before


def test_a_lone_surrogate_in_an_otherwise_valid_body_is_400_not_a_500(app, api, tokens, world):
    """Python's JSON parser lets a lone surrogate through; no database can store one (it was a 500)."""
    request_id, open_request, offer_id = world.request("submitted"), world.request("open"), world.offer()
    completed = world.match("completed", request_id=open_request, offer_id=offer_id)
    proposed = world.match("proposed", request_id=world.request("open", by="other_state"), offer_id=offer_id)
    with app.app_context():
        request_version = db.session.get(AssistanceRequest, request_id).version
        offer_version = db.session.get(Offer, offer_id).version
    bad = "Analysts @@ and supervisors"
    calls = [
        ("POST", "/api/v1/requests", "coordinator", REQUEST | {"country": "KAZ", "title": bad}),
        ("POST", "/api/v1/requests", "state", REQUEST | {"beneficiary": bad}),
        ("PATCH", f"/api/v1/requests/{request_id}", "coordinator", {"version": request_version, "title": bad}),
        ("POST", f"/api/v1/requests/{request_id}/reject", "coordinator", {"reason": bad}),
        ("POST", f"/api/v1/requests/{request_id}/request-info", "coordinator", {"message": bad}),
        ("POST", "/api/v1/offers", "provider", OFFER | {"contact_name": bad}),
        ("PATCH", f"/api/v1/offers/{offer_id}", "provider", {"version": offer_version, "description": bad * 2}),
        ("POST", "/api/v1/matches", "coordinator", {"request_id": open_request, "offer_id": world.offer(by="other_provider"),
                                                    "note": bad}),
        ("POST", f"/api/v1/matches/{proposed}/decline", "provider", {"reason": bad}),
        ("POST", f"/api/v1/matches/{completed}/confirm", "state", {"rating": 4, "comment": bad}),
    ]
    before = _snapshot(app)
    for method, path, person, body in calls:
        raw = json.dumps(body).replace("@@", "\\ud800").encode()
        response = _send(api, tokens[person], method, path, raw, JSON)
        assert response.status_code == 400, (method, path, response.status_code, response.text[:300])
        assert response.json["error"]["code"] == "bad_request"
    assert _snapshot(app) == before
    for method, path, person, body in calls[:3]:  # the same bodies without the surrogate are fine
        raw = json.dumps(body).replace("@@", "\\ud83d\\ude00").encode()
        assert _send(api, tokens[person], method, path, raw, JSON).status_code in (200, 201)


def test_the_refusal_says_what_is_wrong(api, tokens, targets):
    method, path, person = targets[0]
    cases = {b'{"title": "\\ud800"}': "surrogate", b"[" * DEEP + b"]" * DEEP: "nested",
             b'{"t": "\xff"}': "UTF-8", b'{"a": 1, "a": 2}': "twice", b'{"a": NaN}': "NaN"}
    for body, words in cases.items():
        message = _send(api, tokens[person], method, path, body, JSON).json["error"]["message"]
        assert words in message, (body[:30], message)
    message = _send(api, tokens[person], method, path, b"{}", "text/plain").json["error"]["message"]
    assert "Content-Type: application/json" in message


def test_well_formed_bodies_still_work(api, tokens, targets):
    """The same endpoints take strict JSON as before: non-ASCII text and proper surrogate pairs, charset
    parameters, `+json` types, and an empty body for a move that needs none."""
    raw = json.dumps(REQUEST | {"title": "Formation @@ — Тренинг"}, ensure_ascii=False)
    created = api.client.post("/api/v1/requests", data=raw.replace("@@", "\\u00e0 \\ud83d\\ude00").encode(),
                              headers={"Authorization": f"Bearer {tokens.state}",
                                       "Content-Type": "application/json; charset=utf-8"})
    assert created.status_code == 201, created.json
    assert created.json["title"] == "Formation à 😀 — Тренинг"
    offer = api.client.post("/api/v1/offers", json=OFFER, headers={"Authorization": f"Bearer {tokens.provider}",
                                                                   "Content-Type": "application/merge-patch+json"})
    assert offer.status_code == 201, offer.json
    pause = api.client.post(f"/api/v1/offers/{offer.json['id']}/pause",
                            headers={"Authorization": f"Bearer {tokens.provider}"})
    assert pause.status_code == 200 and pause.json["status"] == "paused"
    big_but_fine = api.post("/api/v1/offers", tokens.provider, json=OFFER | {"capacity": 10**30})
    assert big_but_fine.status_code == 422 and "capacity" in big_but_fine.json["error"]["fields"]


@pytest.mark.parametrize("body", [b"null", b"[]", b"5", b'"text"', b"true"])
def test_json_that_is_not_an_object_is_422_even_where_no_body_is_needed(app, api, tokens, targets, body):
    """`null` used to pass for "no body" on the moves that take none (schemathesis found it)."""
    before = _snapshot(app)
    for method, path, person in targets:
        response = _send(api, tokens[person], method, path, body, JSON)
        assert response.status_code == 422, (body, method, path, response.status_code, response.text[:300])
        assert response.json["error"]["fields"] == {"_schema": ["Expected an object."]}
    assert _snapshot(app) == before


@pytest.mark.parametrize("value", [0, 1, "true", "yes", "on", None])
def test_a_boolean_is_true_or_false_only(api, tokens, value):
    """The document says `draft` is a boolean; `"draft": 0` was taken as false (schemathesis found it)."""
    response = api.post("/api/v1/requests", tokens.state, json=REQUEST | {"draft": value})
    assert response.status_code == 422, (value, response.json)
    assert "draft" in response.json["error"]["fields"]
    assert api.get("/api/v1/requests", tokens.state).json["total"] == 0
    for draft, status in ((True, "draft"), (False, "submitted")):
        assert api.post("/api/v1/requests", tokens.state, json=REQUEST | {"draft": draft}).json["status"] == status


def test_a_body_over_the_request_limit_is_413_with_the_error_body(app, api, tokens):
    body = b'{"title": "' + b"x" * app.config["MAX_CONTENT_LENGTH"] + b'"}'
    response = _send(api, tokens.coordinator, "POST", "/api/v1/requests", body, JSON)
    assert response.status_code == 413 and response.json["error"]["code"] == "payload_too_large"
    assert api.get("/api/v1/requests", tokens.coordinator).json["total"] == 0
