"""Matches through the API: proposing, every transition by every role (allowed and refused), the request's
status following its matches, who sees which match, and the match list's filters."""
from __future__ import annotations

import pytest

from exchange.matches.models import Match
from exchange.requests.models import AssistanceRequest

BODIES = {"decline": {"reason": "No trainers available."}, "complete": {"outcome": "Thirty officers trained."},
          "confirm": {"rating": 4, "comment": "Useful and well run."}}

# action, from, person, expected HTTP status, match status afterwards
TRANSITIONS = [
    ("accept", "proposed", "provider", 200, "accepted"),
    ("accept", "proposed", "coordinator", 403, "proposed"),
    ("accept", "proposed", "admin", 403, "proposed"),
    ("accept", "proposed", "state", 403, "proposed"),
    ("accept", "proposed", "other_state", 404, "proposed"),
    ("accept", "proposed", "other_provider", 404, "proposed"),
    ("accept", "accepted", "provider", 409, "accepted"),
    ("accept", "declined", "provider", 409, "declined"),
    ("decline", "proposed", "provider", 200, "declined"),
    ("decline", "proposed", "coordinator", 403, "proposed"),
    ("decline", "proposed", "state", 403, "proposed"),
    ("decline", "accepted", "provider", 409, "accepted"),
    ("start", "accepted", "provider", 200, "in_delivery"),
    ("start", "accepted", "coordinator", 200, "in_delivery"),
    ("start", "accepted", "state", 403, "accepted"),
    ("start", "accepted", "admin", 403, "accepted"),
    ("start", "proposed", "provider", 409, "proposed"),
    ("start", "in_delivery", "coordinator", 409, "in_delivery"),
    ("complete", "in_delivery", "provider", 200, "completed"),
    ("complete", "in_delivery", "coordinator", 200, "completed"),
    ("complete", "in_delivery", "state", 403, "in_delivery"),
    ("complete", "accepted", "provider", 409, "accepted"),
    ("confirm", "completed", "state", 200, "completed"),
    ("confirm", "completed", "provider", 403, "completed"),
    ("confirm", "completed", "coordinator", 403, "completed"),
    ("confirm", "completed", "other_state", 404, "completed"),
    ("confirm", "in_delivery", "state", 409, "in_delivery"),
    ("withdraw", "proposed", "coordinator", 200, "withdrawn"),
    ("withdraw", "accepted", "coordinator", 200, "withdrawn"),
    ("withdraw", "in_delivery", "coordinator", 200, "withdrawn"),
    ("withdraw", "completed", "coordinator", 409, "completed"),
    ("withdraw", "proposed", "provider", 403, "proposed"),
    ("withdraw", "proposed", "state", 403, "proposed"),
    ("withdraw", "proposed", "admin", 403, "proposed"),
]


@pytest.mark.parametrize("action,start,person,expected,after", TRANSITIONS,
                         ids=[f"{a}-{s}-{p}" for a, s, p, *_ in TRANSITIONS])
def test_every_match_transition_for_every_role(api, tokens, world, action, start, person, expected, after):
    mid = world.match(start)
    response = api.post(f"/api/v1/matches/{mid}/{action}", tokens[person], json=BODIES.get(action, {}))
    assert response.status_code == expected, response.json
    if expected == 200:
        assert response.json["status"] == after and response.json["id"] == mid
    else:
        assert response.json["error"]["code"] == {403: "forbidden", 404: "not_found", 409: "conflict"}[expected]
    assert world.status_of(Match, mid) == after


def test_the_request_status_follows_its_matches(api, tokens, world):
    rid = world.request("open")
    oid = world.offer()
    proposed = api.post("/api/v1/matches", tokens.coordinator, json={"request_id": rid, "offer_id": oid,
                                                                     "note": "Same theme, same region."})
    assert proposed.status_code == 201, proposed.json
    match = proposed.json
    assert match["status"] == "proposed" and match["request_id"] == rid and match["offer_id"] == oid
    assert match["note"] == "Same theme, same region." and match["provider"] == "UNODC" and match["country"] == "KAZ"
    assert 0 <= match["score"] <= 1 and match["created_at"].endswith("Z")
    mid = match["id"]

    def request_status():
        return api.get(f"/api/v1/requests/{rid}", tokens.state).json["status"]

    assert request_status() == "open"
    assert api.post(f"/api/v1/matches/{mid}/accept", tokens.provider).json["status"] == "accepted"
    assert request_status() == "matched"
    assert api.post(f"/api/v1/matches/{mid}/start", tokens.provider).json["status"] == "in_delivery"
    assert request_status() == "in_delivery"
    done = api.post(f"/api/v1/matches/{mid}/complete", tokens.provider, json={"outcome": "Forty analysts trained."})
    assert done.json["status"] == "completed" and done.json["outcome"] == "Forty analysts trained."
    assert request_status() == "completed"
    bad = api.post(f"/api/v1/matches/{mid}/confirm", tokens.state, json={"rating": 6})
    assert bad.status_code == 422 and "rating" in bad.json["error"]["fields"]
    confirmed = api.post(f"/api/v1/matches/{mid}/confirm", tokens.state, json={"rating": 5, "comment": "Excellent."})
    assert confirmed.status_code == 200, confirmed.json
    assert confirmed.json["rating"] == 5 and confirmed.json["feedback"] == "Excellent."
    assert confirmed.json["confirmed_at"].endswith("Z")
    again = api.post(f"/api/v1/matches/{mid}/confirm", tokens.state, json={"rating": 1})
    assert again.status_code == 409
    assert api.get(f"/api/v1/matches/{mid}", tokens.state).json["rating"] == 5


def test_withdrawing_the_only_accepted_match_reopens_the_request(api, tokens, world):
    mid = world.match("accepted")
    rid = world.row(Match, mid).request_id
    assert world.status_of(AssistanceRequest, rid) == "matched"
    assert api.post(f"/api/v1/matches/{mid}/withdraw", tokens.coordinator).status_code == 200
    assert world.status_of(AssistanceRequest, rid) == "open"


def test_moves_needing_a_text_refuse_without_it(api, tokens, world):
    mid = world.match("proposed")
    response = api.post(f"/api/v1/matches/{mid}/decline", tokens.provider, json={})
    assert response.status_code == 422 and "reason" in response.json["error"]["fields"]
    mid2 = world.match("in_delivery")
    response = api.post(f"/api/v1/matches/{mid2}/complete", tokens.provider, json={"outcome": ""})
    assert response.status_code == 422 and "outcome" in response.json["error"]["fields"]
    assert world.status_of(Match, mid) == "proposed" and world.status_of(Match, mid2) == "in_delivery"
    junk = api.post(f"/api/v1/matches/{mid}/accept", tokens.provider, json=[1, 2])
    assert junk.status_code == 422
    assert world.row(Match, mid).decline_reason == ""


def test_moves_without_a_text_take_only_a_version(api, tokens, world):
    mid = world.match("proposed")
    for body in ({"why": "x"}, {"version": "1"}, [], 0):
        response = api.post(f"/api/v1/matches/{mid}/accept", tokens.provider, json=body)
        assert response.status_code == 422, body
    assert api.post(f"/api/v1/matches/{mid}/accept", tokens.coordinator, json=[1]).status_code == 403
    version = api.get(f"/api/v1/matches/{mid}", tokens.provider).json["version"]
    accepted = api.post(f"/api/v1/matches/{mid}/accept", tokens.provider, json={"version": version, "note": "ok"})
    assert accepted.status_code == 200 and accepted.json["status"] == "accepted"


def test_proposing(api, tokens, world):
    rid, oid = world.request("open"), world.offer()
    for person in ("state", "provider", "admin"):
        assert api.post("/api/v1/matches", tokens[person], json={"request_id": rid, "offer_id": oid}).status_code == 403
    missing = api.post("/api/v1/matches", tokens.coordinator, json={"offer_id": oid})
    assert missing.status_code == 422 and "request_id" in missing.json["error"]["fields"]
    unknown = api.post("/api/v1/matches", tokens.coordinator, json={"request_id": 999999, "offer_id": oid})
    assert unknown.status_code == 422 and "request_id" in unknown.json["error"]["fields"]
    submitted = world.request("submitted")
    early = api.post("/api/v1/matches", tokens.coordinator, json={"request_id": submitted, "offer_id": oid})
    assert early.status_code == 409
    paused = world.offer(status="paused")
    assert api.post("/api/v1/matches", tokens.coordinator, json={"request_id": rid, "offer_id": paused}).status_code == 409
    assert api.post("/api/v1/matches", tokens.coordinator, json={"request_id": rid, "offer_id": oid}).status_code == 201
    twice = api.post("/api/v1/matches", tokens.coordinator, json={"request_id": rid, "offer_id": oid})
    assert twice.status_code == 409 and world.count(Match) == 1


def test_who_sees_which_match_and_list_filters(api, tokens, world):
    kaz = world.match("accepted")
    kaz_request = world.row(Match, kaz).request_id
    nga_request = world.request("open", by="other_state")
    imf_offer = world.offer(by="other_provider")
    nga = world.match("proposed", request_id=nga_request, offer_id=imf_offer)

    def ids(person, query=""):
        response = api.get(f"/api/v1/matches?{query}", tokens[person])
        assert response.status_code == 200, response.json
        return sorted(item["id"] for item in response.json["items"])

    assert ids("coordinator") == sorted([kaz, nga]) and ids("admin") == sorted([kaz, nga])
    assert ids("state") == [kaz] and ids("other_state") == [nga]
    assert ids("provider") == [kaz] and ids("other_provider") == [nga] and ids("outside") == []
    assert api.get(f"/api/v1/matches/{nga}", tokens.provider).status_code == 404
    assert api.get(f"/api/v1/matches/{nga}", tokens.other_provider).status_code == 200
    assert ids("coordinator", "status=accepted") == [kaz]
    assert ids("coordinator", f"request_id={nga_request}") == [nga]
    assert ids("coordinator", f"offer_id={imf_offer}") == [nga]
    assert ids("coordinator", "provider=UNODC") == [kaz] and ids("coordinator", "country=NGA") == [nga]
    assert ids("coordinator", "request_id=abc") == [] and ids("coordinator", f"request_id=x,{kaz_request}") == [kaz]
    body = api.get("/api/v1/matches?per_page=1", tokens.coordinator).json
    assert body["total"] == 2 and len(body["items"]) == 1 and body["items"][0]["id"] == nga
    assert api.get("/api/v1/matches/999999", tokens.coordinator).status_code == 404
