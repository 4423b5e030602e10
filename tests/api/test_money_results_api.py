"""Money, results and lessons on matches through the API: who may enter them (every role), what bad input
answers (422 with fields, nothing changed, never a 500), what the match carries, who sees them (exactly those who
see the match), the State's comment, the lessons' version check, and the reasons kept from the proposal."""
from __future__ import annotations

from decimal import Decimal

import pytest

from exchange.matches.models import FundingEntry, MatchResult
from tests.factories import FUNDING, RESULT

# person → status answered to POST …/funding on an accepted match of UNODC's offer for KAZ
ENTER_FUNDING = {"provider": 201, "coordinator": 201, "admin": 201, "state": 403, "other_state": 403,
                 "other_provider": 404, "outside": 404, "pending": 403}
# person → sees the match's money (GET …/funding, GET /matches/{id})
SEES = {"provider": 200, "coordinator": 200, "admin": 200, "state": 200, "other_state": 404,
        "other_provider": 404, "outside": 404, "pending": 403}


@pytest.mark.parametrize("person", sorted(ENTER_FUNDING))
def test_who_may_enter_funding(api, tokens, world, person):
    mid = world.match("accepted")
    response = api.post(f"/api/v1/matches/{mid}/funding", tokens[person], json=FUNDING)
    assert response.status_code == ENTER_FUNDING[person], response.json
    if response.status_code == 201:
        entry = response.json
        assert entry["stage"] == "committed" and entry["currency"] == "EUR" and entry["funder"] == "UNODC"
        assert entry["amount"] == 25000.0 and entry["usd_rate"] == 1.1 and entry["usd_amount"] == 27500.0
        assert entry["date"] == "2027-03-01"
    else:
        assert response.json["error"]["code"] in ("forbidden", "not_found")


def test_anonymous_may_not_enter_or_read_funding(api, world):
    mid = world.match("accepted")
    assert api.post(f"/api/v1/matches/{mid}/funding", None, json=FUNDING).status_code == 401
    assert api.get(f"/api/v1/matches/{mid}/funding", None).status_code == 401
    assert api.get(f"/api/v1/matches/{mid}/results", None).status_code == 401


@pytest.mark.parametrize("person", sorted(SEES))
def test_money_and_results_are_seen_by_exactly_who_sees_the_match(api, tokens, world, person):
    mid = world.match("completed")
    world.funding(mid)
    world.funding(mid, stage="disbursed", amount="5000", currency="USD", usd_rate="1")
    world.result(mid)
    expected = SEES[person]
    listed = api.get(f"/api/v1/matches/{mid}/funding", tokens[person])
    match = api.get(f"/api/v1/matches/{mid}", tokens[person])
    results = api.get(f"/api/v1/matches/{mid}/results", tokens[person])
    assert (listed.status_code, match.status_code, results.status_code) == (expected,) * 3
    every = api.get("/api/v1/matches?per_page=100", tokens[person])
    in_list = [m for m in (every.json or {}).get("items", []) if m["id"] == mid]
    if expected == 200:
        assert [e["stage"] for e in listed.json["items"]] == ["committed", "disbursed"]
        assert listed.json["usd"] == {"pledged": 0.0, "committed": 27500.0, "disbursed": 5000.0}
        assert [e["stage"] for e in match.json["funding"]] == ["committed", "disbursed"]
        assert match.json["funding_usd"]["disbursed"] == 5000.0
        assert match.json["results"][0]["indicator"] == RESULT["indicator"]
        assert results.json["items"][0]["actual"] == 18.0 and results.json["items"][0]["target"] == 20.0
        assert in_list and in_list[0]["funding"][0]["amount"] == 25000.0
    else:
        assert not in_list
        assert "25000" not in listed.get_data(as_text=True) and "Analysts" not in results.get_data(as_text=True)


BAD_FUNDING = [
    ({"stage": "promised"}, "stage"),
    ({"amount": 0}, "amount"),
    ({"amount": -5}, "amount"),
    ({"amount": "lots"}, "amount"),
    ({"amount": True}, "amount"),
    ({"amount": 10**16}, "amount"),
    ({"currency": "XYZ"}, "currency"),
    ({"currency": "EURO"}, "currency"),
    ({"date": "2027-02-30"}, "date"),
    ({"funder": "NOBODY"}, "funder"),
    ({"usd_rate": 0}, "usd_rate"),
    ({"usd_rate": "Infinity"}, "usd_rate"),
    ({"usd_rate": "1e-50"}, "usd_rate"),
    ({"amount": "0.001"}, "amount"),
    ({"amount": 10**15, "usd_rate": 10**6}, "amount"),
    ({"amount": "1e400"}, "amount"),
    ({"extra": 1}, "extra"),
]


@pytest.mark.parametrize("change,field", BAD_FUNDING, ids=[f for _, f in BAD_FUNDING])
def test_bad_funding_answers_422_with_the_field_and_changes_nothing(api, tokens, world, change, field):
    mid = world.match("accepted")
    response = api.post(f"/api/v1/matches/{mid}/funding", tokens.provider, json=FUNDING | change)
    assert response.status_code == 422, response.json
    assert response.json["error"]["code"] == "validation_error" and field in response.json["error"]["fields"]
    assert world.count(FundingEntry) == 0


@pytest.mark.parametrize("field", sorted(FUNDING))
def test_each_funding_field_is_required(api, tokens, world, field):
    mid = world.match("accepted")
    body = {k: v for k, v in FUNDING.items() if k != field}
    response = api.post(f"/api/v1/matches/{mid}/funding", tokens.coordinator, json=body)
    assert response.status_code == 422 and field in response.json["error"]["fields"]


def test_funding_waits_for_the_provider_to_accept(api, tokens, world):
    for status in ("proposed", "declined", "withdrawn"):
        mid = world.match(status)
        response = api.post(f"/api/v1/matches/{mid}/funding", tokens.coordinator, json=FUNDING)
        assert response.status_code == 409, (status, response.json)
    assert world.count(FundingEntry) == 0


def test_malformed_json_is_400(api, tokens, world):
    mid = world.match("accepted")
    response = api.call("POST", f"/api/v1/matches/{mid}/funding", tokens.provider, data=b"{nope",
                        content_type="application/json")
    assert response.status_code == 400 and response.json["error"]["code"] == "bad_request"


def test_amounts_keep_their_decimals_and_the_rate_makes_the_dollars(app, api, tokens, world):
    mid = world.match("in_delivery")
    response = api.post(f"/api/v1/matches/{mid}/funding", tokens.provider,
                        json=FUNDING | {"amount": "1234.565", "currency": "kzt", "usd_rate": "0.0019", "funder": "KAZ"})
    assert response.status_code == 201, response.json
    assert response.json["currency"] == "KZT" and response.json["funder"] == "KAZ"
    row = world.row(FundingEntry, response.json["id"])
    assert row.amount == Decimal("1234.57") and row.usd_amount == Decimal("2.35")


# ------------------------------------------------------------------------------------------------
# Results

ENTER_RESULT = {"provider": 201, "coordinator": 201, "admin": 201, "state": 403, "other_state": 403,
                "other_provider": 404, "outside": 404, "pending": 403}


@pytest.mark.parametrize("person", sorted(ENTER_RESULT))
def test_who_may_enter_results(api, tokens, world, person):
    mid = world.match("in_delivery")
    response = api.post(f"/api/v1/matches/{mid}/results", tokens[person], json=RESULT)
    assert response.status_code == ENTER_RESULT[person], response.json
    if response.status_code == 201:
        assert response.json["indicator"] == RESULT["indicator"] and response.json["baseline"] == 0.0
        assert response.json["kind"] == "output" and response.json["state_comment"] == ""


def test_results_wait_for_delivery_and_bad_ones_are_refused(api, tokens, world):
    mid = world.match("accepted")
    assert api.post(f"/api/v1/matches/{mid}/results", tokens.provider, json=RESULT).status_code == 409
    mid = world.match("completed")
    for change, field in (({"indicator": "ab"}, "indicator"), ({"target": "twenty"}, "target"),
                          ({"kind": "impact"}, "kind"), ({"unit": "x" * 61}, "unit")):
        response = api.post(f"/api/v1/matches/{mid}/results", tokens.provider, json=RESULT | change)
        assert response.status_code == 422 and field in response.json["error"]["fields"], response.json
    assert world.count(MatchResult) == 0
    only = api.post(f"/api/v1/matches/{mid}/results", tokens.provider, json={"indicator": "Laws drafted"})
    assert only.status_code == 201 and only.json["actual"] is None and only.json["unit"] == ""


COMMENT = {"state": 200, "other_state": 404, "provider": 403, "coordinator": 403, "admin": 403}


@pytest.mark.parametrize("person", sorted(COMMENT))
def test_the_requesting_state_comments_on_each_result(api, tokens, world, person):
    mid = world.match("completed")
    rid = world.result(mid)
    response = api.post(f"/api/v1/matches/{mid}/results/{rid}/comment", tokens[person],
                        json={"comment": "Eighteen of ours attended."})
    assert response.status_code == COMMENT[person], response.json
    if response.status_code == 200:
        assert response.json["state_comment"] == "Eighteen of ours attended."
        shown = api.get(f"/api/v1/matches/{mid}", tokens.provider).json["results"][0]
        assert shown["state_comment"] == "Eighteen of ours attended." and shown["state_commented_at"]


def test_comments_wait_for_completion_and_name_a_result_of_the_match(api, tokens, world):
    mid = world.match("in_delivery")
    rid = world.result(mid)
    assert api.post(f"/api/v1/matches/{mid}/results/{rid}/comment", tokens.state,
                    json={"comment": "Too early."}).status_code == 409
    other = world.match("completed")
    assert api.post(f"/api/v1/matches/{other}/results/{rid}/comment", tokens.state,
                    json={"comment": "Wrong match."}).status_code == 404
    world.move_match(mid, "complete", {"outcome": "Done and dusted."})
    assert api.post(f"/api/v1/matches/{mid}/results/{rid}/comment", tokens.state,
                    json={"comment": ""}).status_code == 422


# ------------------------------------------------------------------------------------------------
# Lessons (PATCH with version) and the selection reasons

def test_lessons_are_patched_with_the_version_read(api, tokens, world):
    mid = world.match("completed")
    read = api.get(f"/api/v1/matches/{mid}", tokens.provider).json
    body = {"lessons": "Translate the material before the course.", "version": read["version"]}
    response = api.patch(f"/api/v1/matches/{mid}", tokens.provider, json=body)
    assert response.status_code == 200 and response.json["lessons"] == body["lessons"]
    assert response.json["version"] == read["version"] + 1
    stale = api.patch(f"/api/v1/matches/{mid}", tokens.coordinator, json=body | {"lessons": "Other."})
    assert stale.status_code == 409 and stale.json["error"]["code"] == "conflict"
    assert api.get(f"/api/v1/matches/{mid}", tokens.state).json["lessons"] == body["lessons"]
    assert api.patch(f"/api/v1/matches/{mid}", tokens.state, json=body).status_code == 403
    assert api.patch(f"/api/v1/matches/{mid}", tokens.other_provider, json=body).status_code == 404
    missing = api.patch(f"/api/v1/matches/{mid}", tokens.provider, json={"lessons": "No version."})
    assert missing.status_code == 422 and "version" in missing.json["error"]["fields"]


def test_the_reasons_of_the_proposal_are_kept_with_the_match(api, tokens, world):
    mid = world.match("proposed", note="Same theme; the course has room.")
    match = api.get(f"/api/v1/matches/{mid}", tokens.coordinator).json
    assert match["note"] == "Same theme; the course has room." and match["score"] is not None
    assert match["selection_reasons"] and all(isinstance(r, str) and r for r in match["selection_reasons"])
    assert {r["key"] for r in match["selection_reason_codes"]} >= {"both_on"}
    french = api.get(f"/api/v1/matches/{mid}", tokens.coordinator, headers={"Accept-Language": "fr"}).json
    assert french["selection_reason_codes"] == match["selection_reason_codes"]
    assert french["selection_reasons"] != match["selection_reasons"]


def test_the_openapi_document_describes_money_and_results(api):
    document = api.get("/api/v1/openapi.json").json
    paths = document["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/matches/{match_id}/funding"])
    assert {"get", "post"} <= set(paths["/api/v1/matches/{match_id}/results"])
    assert "patch" in paths["/api/v1/matches/{match_id}"]
    assert "post" in paths["/api/v1/matches/{match_id}/results/{result_id}/comment"]
    schemas = document["components"]["schemas"]
    assert {"stage", "amount", "currency", "date", "funder", "usd_rate"} <= set(schemas["FundingIn"]["properties"])
    assert {"funding", "results", "lessons", "selection_reasons"} <= set(schemas["MatchOut"]["properties"])
