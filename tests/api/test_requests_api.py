"""Assistance requests through the API: filing, validation of every field, editing with versions,
status moves for every role, error bodies, list envelope, filters and search."""
from __future__ import annotations

import json

import pytest

from exchange.requests.models import AssistanceRequest
from exchange.requests.operations import request_move
from tests.factories import REQUEST


def _file(api, token, **changes):
    return api.post("/api/v1/requests", token, json=REQUEST | changes)


def test_a_state_files_for_its_own_country(api, tokens):
    response = _file(api, tokens.state)
    assert response.status_code == 201, response.json
    body = response.json
    assert body["status"] == "submitted" and body["status_label"] == "Submitted"
    assert body["country"] == "KAZ" and body["organisation"] == "KAZ"
    assert body["reference"] == f"R-{body['id']:05d}"
    assert body["themes"] == ["financing"] and body["languages"] == ["en", "ru"]
    assert body["visibility"] == "task_force" and body["urgency"] == "high" and body["draft"] is False
    assert body["created_at"].endswith("Z") and body["submitted_at"].endswith("Z") and body["accepted_at"] is None
    for field in ("id", "version", "updated_at", "description", "beneficiary", "desired_start", "desired_end",
                  "estimated_budget_usd", "status_note", "shared_with"):
        assert field in body
    again = api.get(f"/api/v1/requests/{body['id']}", tokens.state)
    assert again.status_code == 200 and again.json == body


def test_all_fields_round_trip_and_a_draft_stays_draft(api, tokens):
    response = _file(api, tokens.state, draft=True, desired_start="2026-03-01", desired_end="2026-03-01",
                     estimated_budget_usd=0, beneficiary="Financial Monitoring Agency", visibility="providers",
                     country="kaz", title="  Short  ")
    assert response.status_code == 201, response.json
    body = response.json
    assert body["status"] == "draft" and body["draft"] is True and body["submitted_at"] is None
    assert (body["desired_start"], body["desired_end"]) == ("2026-03-01", "2026-03-01")
    assert body["estimated_budget_usd"] == 0 and body["beneficiary"] == "Financial Monitoring Agency"
    assert body["visibility"] == "providers" and body["country"] == "KAZ" and body["title"] == "Short"


def test_a_coordinator_files_on_behalf_of_a_state(api, tokens):
    response = _file(api, tokens.coordinator, country="TJK", shared_with=["UNODC"], visibility="restricted")
    assert response.status_code == 201, response.json
    assert response.json["country"] == "TJK" and response.json["organisation"] == "TJK"
    assert response.json["shared_with"] == ["UNODC"]
    missing = _file(api, tokens.coordinator)
    assert missing.status_code == 422 and "country" in missing.json["error"]["fields"]


@pytest.mark.parametrize("person", ["provider", "outside", "admin"])
def test_only_states_and_coordinators_file(api, tokens, person):
    response = _file(api, tokens[person], country="KAZ")
    assert response.status_code == 403 and response.json["error"]["code"] == "forbidden"


INVALID = [
    ("title", {"title": "Four"}), ("title", {"title": "x" * 201}), ("title", {"title": 42}),
    ("title", {"title": None}), ("title", {"title": ""}),
    ("description", {"description": "x" * 19}), ("description", {"description": "x" * 10_001}),
    ("themes", {"themes": []}), ("themes", {"themes": ["cooking"]}), ("themes", {"themes": "financing"}),
    ("modalities", {"modalities": []}), ("modalities", {"modalities": ["yoga"]}),
    ("languages", {"languages": []}), ("languages", {"languages": ["xx"]}),
    ("urgency", {"urgency": "someday"}), ("urgency", {"urgency": ""}),
    ("country", {"country": "XXX"}), ("country", {"country": "KZ"}), ("country", {"country": "NGA"}),
    ("desired_end", {"desired_start": "2026-05-01", "desired_end": "2026-04-30"}),
    ("desired_start", {"desired_start": "2026-13-01"}), ("desired_end", {"desired_end": "tomorrow"}),
    ("estimated_budget_usd", {"estimated_budget_usd": -1}), ("estimated_budget_usd", {"estimated_budget_usd": "100"}),
    ("estimated_budget_usd", {"estimated_budget_usd": 1.5}),
    ("visibility", {"visibility": "public"}), ("colour", {"colour": "blue"}),
    ("shared_with", {"shared_with": ["UNODC"]}),  # only coordinators share
    ("draft", {"draft": "perhaps"}),
]


@pytest.mark.parametrize("field,changes", INVALID, ids=[f"{f}-{i}" for i, (f, _) in enumerate(INVALID)])
def test_every_field_is_validated_with_422_naming_it(api, tokens, field, changes):
    response = _file(api, tokens.state, **changes)
    assert response.status_code == 422, response.json
    error = response.json["error"]
    assert error["code"] == "validation_error" and field in error["fields"], error
    assert api.get("/api/v1/requests", tokens.state).json["total"] == 0  # nothing was filed


@pytest.mark.parametrize("field", ["description", "themes", "modalities", "languages"])
def test_a_submission_needs_every_required_field(api, tokens, field):
    body = {k: v for k, v in REQUEST.items() if k != field}
    response = api.post("/api/v1/requests", tokens.state, json=body)
    assert response.status_code == 422 and field in response.json["error"]["fields"]
    draft = api.post("/api/v1/requests", tokens.state, json=body | {"draft": True})
    assert draft.status_code == 201 and draft.json["status"] == "draft"


def test_boundaries_are_accepted(api, tokens):
    for changes in ({"title": "Five!"}, {"title": "x" * 200}, {"description": "y" * 20},
                    {"description": "z" * 10_000}, {"estimated_budget_usd": 10**9}):
        assert _file(api, tokens.state, **changes).status_code == 201


def test_error_bodies(api, tokens):
    malformed = api.client.post("/api/v1/requests", data="{not json", content_type="application/json",
                                headers={"Authorization": f"Bearer {tokens.state}"})
    assert malformed.status_code == 400 and malformed.json["error"]["code"] == "bad_request"
    not_object = api.post("/api/v1/requests", tokens.state, json=["a", "list"])
    assert not_object.status_code == 422 and "_schema" in not_object.json["error"]["fields"]
    assert api.get("/api/v1/requests").json["error"]["code"] == "unauthorized"
    assert api.post("/api/v1/requests", "bad-token", json=REQUEST).status_code == 401
    missing = api.get("/api/v1/requests/999999", tokens.coordinator)
    assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"
    route = api.get("/api/v1/no-such-thing", tokens.coordinator)
    assert route.status_code == 404 and route.json["error"]["code"] == "not_found"
    method = api.call("DELETE", "/api/v1/requests/1", tokens.coordinator)
    assert method.status_code == 405 and method.json["error"]["code"] == "method_not_allowed"
    move = api.call("GET", "/api/v1/requests/1/accept", tokens.coordinator)
    assert move.status_code == 405


def test_list_envelope_and_page_limits(api, tokens, world):
    ids = [world.request() for _ in range(3)]
    page = api.get("/api/v1/requests?per_page=2&page=2", tokens.coordinator).json
    assert set(page) == {"items", "page", "per_page", "total"}
    assert (page["page"], page["per_page"], page["total"], len(page["items"])) == (2, 2, 3, 1)
    assert page["items"][0]["id"] == ids[0]  # newest first: the first filed is last
    for query in ("per_page=101", "per_page=0", "page=0", "page=x"):
        response = api.get(f"/api/v1/requests?{query}", tokens.coordinator)
        assert response.status_code == 422, query
        assert query.split("=")[0] in response.json["error"]["fields"]
    assert api.get("/api/v1/requests?per_page=100", tokens.coordinator).status_code == 200


# --- editing ---------------------------------------------------------------------------------

def test_patch_needs_the_version_and_a_stale_one_changes_nothing(api, tokens, world):
    rid = world.request()
    current = api.get(f"/api/v1/requests/{rid}", tokens.state).json
    no_version = api.patch(f"/api/v1/requests/{rid}", tokens.state, json={"title": "A better title"})
    assert no_version.status_code == 422 and "version" in no_version.json["error"]["fields"]
    ok = api.patch(f"/api/v1/requests/{rid}", tokens.state,
                   json={"title": "A better title", "themes": ["financing", "legal-framework"],
                         "version": current["version"]})
    assert ok.status_code == 200, ok.json
    assert ok.json["title"] == "A better title" and ok.json["version"] > current["version"]
    assert ok.json["themes"] == ["financing", "legal-framework"]
    stale = api.patch(f"/api/v1/requests/{rid}", tokens.state,
                      json={"title": "Lost update title", "version": current["version"]})
    assert stale.status_code == 409 and stale.json["error"]["code"] == "conflict"
    after = api.get(f"/api/v1/requests/{rid}", tokens.state).json
    assert after["title"] == "A better title" and after["version"] == ok.json["version"]


def test_patch_validates_and_changes_nothing_on_error(api, tokens, world):
    rid = world.request()
    version = api.get(f"/api/v1/requests/{rid}", tokens.state).json["version"]
    for body, field in (({"title": "abc"}, "title"), ({"themes": []}, "themes"), ({"country": "NGA"}, "country"),
                        ({"desired_start": "2026-02-02", "desired_end": "2026-01-01"}, "desired_end"),
                        ({"nope": 1}, "nope"), ({"version": "1"}, "version")):
        response = api.patch(f"/api/v1/requests/{rid}", tokens.state, json=body | {"version": version}
                             if "version" not in body else body)
        assert response.status_code == 422 and field in response.json["error"]["fields"], (body, response.json)
    after = api.get(f"/api/v1/requests/{rid}", tokens.state).json
    assert after["version"] == version and after["title"] == REQUEST["title"]


@pytest.mark.parametrize("status,person,expected", [
    ("draft", "state", 200), ("submitted", "state", 200), ("needs_info", "state", 200), ("in_review", "state", 200),
    ("open", "state", 403), ("rejected", "state", 403),
    ("submitted", "coordinator", 200), ("open", "coordinator", 200), ("rejected", "coordinator", 403),
    ("draft", "coordinator", 404),
    ("submitted", "other_state", 404), ("submitted", "provider", 403), ("submitted", "admin", 403),
])
def test_who_may_edit_when(api, tokens, world, status, person, expected):
    rid = world.request(status)
    version = world.row(AssistanceRequest, rid).version
    response = api.patch(f"/api/v1/requests/{rid}", tokens[person],
                         json={"urgency": "critical", "version": version})
    assert response.status_code == expected, response.json
    assert (world.row(AssistanceRequest, rid).urgency == "critical") == (expected == 200)


def test_a_coordinator_shares_a_restricted_request(api, tokens, world):
    rid = world.request("open", visibility="restricted")
    assert api.get(f"/api/v1/requests/{rid}", tokens.outside).status_code == 404
    version = api.get(f"/api/v1/requests/{rid}", tokens.coordinator).json["version"]
    bad = api.patch(f"/api/v1/requests/{rid}", tokens.coordinator, json={"shared_with": ["KAZ"], "version": version})
    assert bad.status_code == 422 and "shared_with" in bad.json["error"]["fields"]
    ok = api.patch(f"/api/v1/requests/{rid}", tokens.coordinator,
                   json={"shared_with": ["nordic-fund"], "version": version})
    assert ok.status_code == 200 and ok.json["shared_with"] == ["nordic-fund"]
    assert api.get(f"/api/v1/requests/{rid}", tokens.outside).status_code == 200


# --- moves -----------------------------------------------------------------------------------

REASONS = {"request-info": {"message": "Which ministry leads?"}, "reject": {"reason": "Duplicate of another."}}
MOVES = [
    # action, from, person, expected HTTP status, status afterwards
    ("submit", "draft", "state", 200, "submitted"),
    ("submit", "needs_info", "state", 200, "in_review"),
    ("submit", "needs_info", "coordinator", 200, "in_review"),
    ("submit", "draft", "coordinator", 404, "draft"),
    ("submit", "draft", "other_state", 404, "draft"),
    ("submit", "submitted", "state", 409, "submitted"),
    ("submit", "open", "state", 409, "open"),
    ("submit", "needs_info", "provider", 403, "needs_info"),
    ("submit", "needs_info", "admin", 403, "needs_info"),
    ("review", "submitted", "coordinator", 200, "in_review"),
    ("review", "in_review", "coordinator", 409, "in_review"),
    ("review", "submitted", "state", 403, "submitted"),
    ("accept", "submitted", "coordinator", 200, "open"),
    ("accept", "in_review", "coordinator", 200, "open"),
    ("accept", "open", "coordinator", 409, "open"),
    ("accept", "needs_info", "coordinator", 409, "needs_info"),
    ("accept", "submitted", "state", 403, "submitted"),
    ("accept", "submitted", "provider", 403, "submitted"),
    ("accept", "submitted", "admin", 403, "submitted"),
    ("accept", "submitted", "other_provider", 403, "submitted"),
    ("accept", "submitted", "outside", 404, "submitted"),
    ("request-info", "submitted", "coordinator", 200, "needs_info"),
    ("request-info", "in_review", "coordinator", 200, "needs_info"),
    ("request-info", "open", "coordinator", 409, "open"),
    ("request-info", "submitted", "state", 403, "submitted"),
    ("reject", "submitted", "coordinator", 200, "rejected"),
    ("reject", "needs_info", "coordinator", 200, "rejected"),
    ("reject", "open", "coordinator", 409, "open"),
    ("reject", "submitted", "provider", 403, "submitted"),
    ("withdraw", "draft", "state", 200, "withdrawn"),
    ("withdraw", "open", "state", 200, "withdrawn"),
    ("withdraw", "submitted", "coordinator", 200, "withdrawn"),
    ("withdraw", "rejected", "state", 409, "rejected"),
    ("withdraw", "withdrawn", "coordinator", 409, "withdrawn"),
    ("withdraw", "submitted", "provider", 403, "submitted"),
    ("withdraw", "submitted", "admin", 403, "submitted"),
    ("close", "open", "coordinator", 200, "closed"),
    ("close", "submitted", "coordinator", 409, "submitted"),
    ("close", "open", "state", 403, "open"),
]


@pytest.mark.parametrize("action,start,person,expected,after", MOVES,
                         ids=[f"{a}-{s}-{p}" for a, s, p, *_ in MOVES])
def test_request_moves_for_every_role(api, tokens, world, action, start, person, expected, after):
    rid = world.request(start)
    response = api.post(f"/api/v1/requests/{rid}/{action}", tokens[person], json=REASONS.get(action, {}))
    assert response.status_code == expected, response.json
    if expected == 200:
        assert response.json["status"] == after and response.json["id"] == rid
    else:
        assert response.json["error"]["code"] == {403: "forbidden", 404: "not_found", 409: "conflict"}[expected]
    assert world.status_of(AssistanceRequest, rid) == after


def test_moves_that_need_a_text_refuse_without_it(api, tokens, world):
    rid = world.request("submitted")
    for action, field in (("request-info", "message"), ("reject", "reason")):
        response = api.post(f"/api/v1/requests/{rid}/{action}", tokens.coordinator, json={})
        assert response.status_code == 422 and field in response.json["error"]["fields"]
    assert world.status_of(AssistanceRequest, rid) == "submitted"
    asked = api.post(f"/api/v1/requests/{rid}/request-info", tokens.coordinator,
                     json={"message": "Which agency will host it?"})
    assert asked.json["status_note"] == "Which agency will host it?"
    accepted = api.post(f"/api/v1/requests/{rid}/submit", tokens.state)  # no body at all
    assert accepted.status_code == 200 and accepted.json["status"] == "in_review"
    opened = api.post(f"/api/v1/requests/{rid}/accept", tokens.coordinator).json
    assert opened["status"] == "open" and opened["accepted_at"].endswith("Z")
    unknown = api.post(f"/api/v1/requests/{rid}/withdraw", tokens.state, json={"why": "x"})
    assert unknown.status_code == 422 and "why" in unknown.json["error"]["fields"]


JUNK_BODIES = [{"why": "x"}, {"version": "1"}, [1], [], 0, "", True]


@pytest.mark.parametrize("action,start", [("submit", "draft"), ("review", "submitted"), ("accept", "submitted"),
                                          ("withdraw", "submitted"), ("close", "open")])
def test_moves_without_a_text_take_only_a_version(api, tokens, world, action, start):
    rid = world.request(start)
    person = "state" if action == "submit" else "coordinator"
    for body in JUNK_BODIES:
        response = api.post(f"/api/v1/requests/{rid}/{action}", tokens[person], json=body)
        assert response.status_code == 422 and response.json["error"]["code"] == "validation_error", body
    assert world.status_of(AssistanceRequest, rid) == start
    version = api.get(f"/api/v1/requests/{rid}", tokens[person]).json["version"]
    moved = api.post(f"/api/v1/requests/{rid}/{action}", tokens[person], json={"version": version})
    assert moved.status_code == 200, moved.json
    again = api.post(f"/api/v1/requests/{rid}/{action}", tokens[person], json={"why": "x"})
    assert again.status_code == 409  # not from this status: said before any complaint about the body


def test_a_move_by_a_role_that_may_never_make_it_is_403_whatever_the_body(api, tokens, world):
    rid = world.request("submitted")
    for body in ({"why": "x"}, [1]):
        response = api.post(f"/api/v1/requests/{rid}/accept", tokens.state, json=body)
        assert response.status_code == 403, body
    null = api.post(f"/api/v1/requests/{rid}/accept", tokens.state, data="null", content_type="application/json")
    assert null.status_code == 403
    # JSON null is not "no body": the document says the body is an object (schemathesis found it accepted).
    null = api.post(f"/api/v1/requests/{rid}/accept", tokens.coordinator, data="null",
                    content_type="application/json")
    assert null.status_code == 422 and null.json["error"]["fields"] == {"_schema": ["Expected an object."]}
    assert api.post(f"/api/v1/requests/{rid}/accept", tokens.coordinator).json["status"] == "open"


def test_the_operation_checks_the_body_whoever_calls_it(app, people, world):
    from exchange.core.errors import ValidationFailed
    from exchange.core.extensions import db
    from exchange.people.models import User

    rid = world.request("submitted")
    with app.app_context():
        coordinator = db.session.get(User, people.coordinator.id)
        req = db.session.get(AssistanceRequest, rid)
        with pytest.raises(ValidationFailed) as refused:
            request_move("review")(coordinator, req, {"message": "Not for this move."})
        assert "message" in refused.value.fields
        db.session.rollback()
        req = db.session.get(AssistanceRequest, rid)
        request_move("review")(coordinator, req)  # pages and the seed pass no body
        assert req.status == "in_review"
        db.session.rollback()


# --- filters and search ------------------------------------------------------------------------

def test_filters_and_search(api, tokens, world):
    fin = world.request("open", urgency="critical", beneficiary="Agency for Financial Monitoring")
    border = world.request("submitted", by="other_state", title="Forged passports at land borders",
                           description="Border guards need equipment and training to detect forged passports.",
                           themes=["border-management"], modalities=["equipment"], languages=["fr"], urgency="low",
                           beneficiary="")

    def ids(query, person="coordinator"):
        response = api.get(f"/api/v1/requests?{query}", tokens[person])
        assert response.status_code == 200, response.json
        return [item["id"] for item in response.json["items"]]

    assert ids("status=open") == [fin]
    assert ids("status=open&status=submitted") == [border, fin]
    assert ids("status=open,submitted&sort=oldest") == [fin, border]
    assert ids("theme=border-management") == [border]
    assert ids("pillar=II") == [border, fin]
    assert ids("country=kaz") == [fin]
    assert ids("region=143") == [fin] and ids("region=011") == [border] and ids("region=002") == [border]
    assert ids("modality=equipment") == [border] and ids("language=fr") == [border]
    assert ids("urgency=critical") == [fin] and ids("organisation=NGA") == [border]
    assert ids("sort=urgency") == [fin, border] and ids("sort=title") == [border, fin]
    assert ids("sort=nonsense") == [border, fin]
    assert ids("q=forged passport") == [border]
    assert ids("q=financial monitoring") == [fin]  # the beneficiary is searched too
    assert ids("q=financ") == [fin]
    assert ids("q=financing forged") == []
    for nasty in ('"', "' OR 1=1 --", "NEAR(a b)", "*", "a AND", "\\", "%", "(((", "💥"):
        response = api.get("/api/v1/requests", tokens.coordinator, query_string={"q": nasty})
        assert response.status_code == 200, nasty
    assert ids("theme=nope") == [] and ids("country=ZZZ") == [] and ids("status=") == [border, fin]
    assert ids("q=forged", person="state") == []  # search never widens what one may see


def test_any_query_string_is_answered_without_a_server_error(api, tokens, world):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    world.request("open")
    token = tokens.coordinator

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(q=st.text(max_size=60), key=st.sampled_from(["q", "status", "theme", "region", "country", "sort",
                                                         "pillar", "page"]))
    def check(q, key):
        for path in ("/api/v1/requests", "/api/v1/offers", "/api/v1/matches"):
            response = api.get(path, token, query_string={key: q})
            assert response.status_code in (200, 400, 422), (path, key, q, response.status_code)

    check()


def test_any_body_is_answered_with_201_or_a_clear_error(api, tokens):
    from hypothesis import HealthCheck, example, given, settings
    from hypothesis import strategies as st
    json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                               | st.text(max_size=30), lambda inner: st.lists(inner, max_size=3)
                               | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=5)
    fields = st.sampled_from(list(REQUEST) + ["country", "desired_start", "desired_end", "estimated_budget_usd",
                                              "visibility", "draft", "beneficiary", "version", "shared_with"])

    @settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
    @given(changes=st.dictionaries(fields, json_values, max_size=3))
    @example(changes={"title": {"\x00": None}})  # found by hypothesis: a NUL in a key
    def check(changes):
        response = api.post("/api/v1/requests", tokens.state, json=REQUEST | changes)
        if "\\u0000" in json.dumps(changes):  # NUL characters anywhere are refused before validation
            assert response.status_code == 400 and "NUL" in response.json["error"]["message"], response.json
            return
        try:
            json.dumps(changes, allow_nan=False)
        except ValueError:  # an infinity, which the client writes as `Infinity`: not JSON, refused whole
            assert response.status_code == 400 and "Infinity" in response.json["error"]["message"], response.json
            return
        assert response.status_code in (201, 422), (changes, response.status_code, response.json)
        if response.status_code == 422:
            assert set(response.json["error"]["fields"]) & (set(changes) | {"_schema"}), (changes, response.json)

    check()
