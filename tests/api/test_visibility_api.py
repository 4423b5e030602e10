"""Who sees which request through the API: every person × visibility (task_force, providers, restricted
shared and not shared) × status (draft, submitted, open) × the requesting State's own or another's.
The expectations are written out here from API.md, independently of access.py."""
from __future__ import annotations

import itertools

import pytest

VISIBILITIES = ["task_force", "providers", "restricted_shared", "restricted"]
STATUSES = ["draft", "submitted", "open"]
OWNERS = ["state", "other_state"]  # KAZ and NGA
PERSONS = ["state", "other_state", "provider", "other_provider", "outside", "coordinator", "admin"]


def expected_to_see(person: str, owner: str, visibility: str, status: str) -> bool:
    if person in ("state", "other_state"):
        return person == owner  # a State sees its own requests (drafts too), never another's
    if status == "draft":
        return False  # a draft is seen only by its own State
    if person in ("coordinator", "admin"):
        return True
    if visibility == "restricted_shared":  # shared with UNODC (provider) and nordic-fund (outside)
        return person in ("provider", "outside")
    if visibility == "restricted":
        return False
    if person in ("provider", "other_provider"):  # Task Force entities
        return True
    # an approved outside provider: `providers` requests once accepted into open
    return visibility == "providers" and status == "open"


@pytest.fixture
def grid(world):
    made = {}
    for owner, visibility, status in itertools.product(OWNERS, VISIBILITIES, STATUSES):
        extra = {"visibility": visibility.replace("_shared", "")}
        if visibility == "restricted_shared":
            extra["shared_with"] = ["UNODC", "nordic-fund"]
        made[(owner, visibility, status)] = world.request(status, by=owner, **extra)
    return made


@pytest.mark.parametrize("person", PERSONS)
def test_lists_and_details_follow_the_visibility_rules(api, tokens, grid, person):
    listed = api.get("/api/v1/requests?per_page=100", tokens[person])
    assert listed.status_code == 200
    seen = {item["id"] for item in listed.json["items"]}
    expected = {rid for key, rid in grid.items() if expected_to_see(person, *key)}
    assert seen == expected
    assert listed.json["total"] == len(expected)
    for key, rid in grid.items():
        status = api.get(f"/api/v1/requests/{rid}", tokens[person]).status_code
        assert status == (200 if expected_to_see(person, *key) else 404), (person, key)


def test_an_unapproved_provider_sees_nothing(api, tokens, grid):
    assert api.get("/api/v1/requests", tokens.pending).status_code == 403
    rid = grid[("state", "task_force", "open")]
    assert api.get(f"/api/v1/requests/{rid}", tokens.pending).status_code == 403


def test_invisible_is_exactly_like_missing(api, tokens, grid):
    rid = grid[("other_state", "task_force", "submitted")]
    invisible = api.get(f"/api/v1/requests/{rid}", tokens.state)
    missing = api.get("/api/v1/requests/987654", tokens.state)
    assert invisible.status_code == missing.status_code == 404
    assert invisible.json["error"]["code"] == missing.json["error"]["code"] == "not_found"
    for action in ("withdraw", "submit"):
        assert api.post(f"/api/v1/requests/{rid}/{action}", tokens.state).status_code == 404
    assert api.patch(f"/api/v1/requests/{rid}", tokens.state, json={"version": 1}).status_code == 404


def test_a_provider_taking_part_in_a_match_sees_the_request(api, tokens, world):
    rid = world.request("open", visibility="restricted")
    offer = world.offer(by="outside", title="Nordic financial investigations mentoring")
    assert api.get(f"/api/v1/requests/{rid}", tokens.outside).status_code == 404
    world.match("proposed", request_id=rid, offer_id=offer)
    assert api.get(f"/api/v1/requests/{rid}", tokens.outside).status_code == 200
    assert api.get(f"/api/v1/requests/{rid}", tokens.other_provider).status_code == 404
