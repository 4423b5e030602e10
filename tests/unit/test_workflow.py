"""The move tables of core/workflow, without a database: every move's sources, target and who may make it;
the system moves (a request following its matches) that no person can make; resubmission."""
from __future__ import annotations

import itertools
from types import SimpleNamespace

import pytest

from exchange.core import workflow
from exchange.core.errors import Conflict, Forbidden
from exchange.core.statuses import MatchStatus, OfferStatus, RequestStatus, Role

STATE, PROVIDER, COORDINATOR, ADMIN = "member_state", "provider", "coordinator", "admin"

# What API.md and the pages promise, written out by hand: name -> (sources, target, roles).
EXPECTED = {
    "request": {
        "submit": ({"draft", "needs_info"}, "submitted", {STATE, COORDINATOR}),
        "review": ({"submitted"}, "in_review", {COORDINATOR}),
        "accept": ({"submitted", "in_review"}, "open", {COORDINATOR}),
        "request-info": ({"submitted", "in_review"}, "needs_info", {COORDINATOR}),
        "reject": ({"submitted", "in_review", "needs_info"}, "rejected", {COORDINATOR}),
        "withdraw": ({"draft", "submitted", "in_review", "needs_info", "open", "matched"}, "withdrawn",
                     {STATE, COORDINATOR}),
        "close": ({"open", "matched", "completed"}, "closed", {COORDINATOR}),
        "follow-matched": ({"open", "in_delivery", "completed"}, "matched", set()),
        "follow-in-delivery": ({"open", "matched", "completed"}, "in_delivery", set()),
        "follow-completed": ({"open", "matched", "in_delivery"}, "completed", set()),
        "follow-open": ({"matched", "in_delivery", "completed"}, "open", set()),
    },
    "match": {
        "accept": ({"proposed"}, "accepted", {PROVIDER}),
        "decline": ({"proposed"}, "declined", {PROVIDER}),
        "start": ({"accepted"}, "in_delivery", {PROVIDER, COORDINATOR}),
        "complete": ({"in_delivery"}, "completed", {PROVIDER, COORDINATOR}),
        "confirm": ({"completed"}, "completed", {STATE}),
        "withdraw": ({"proposed", "accepted", "in_delivery"}, "withdrawn", {COORDINATOR}),
    },
    "offer": {
        "pause": ({"active"}, "paused", {PROVIDER, COORDINATOR, ADMIN}),
        "resume": ({"paused"}, "active", {PROVIDER, COORDINATOR, ADMIN}),
        "close": ({"active", "paused"}, "closed", {PROVIDER, COORDINATOR, ADMIN}),
    },
}
STATUSES = {"request": RequestStatus, "match": MatchStatus, "offer": OfferStatus}
SYSTEM_MOVES = ["follow-matched", "follow-in-delivery", "follow-completed", "follow-open"]

STATE_ORG, OTHER_STATE_ORG, PROVIDER_ORG, OTHER_PROVIDER_ORG, OFFICE_ORG = 1, 2, 3, 4, 5


def person(role: str, organisation_id: int, approved: bool = True):
    return SimpleNamespace(role=Role(role), organisation_id=organisation_id,
                           organisation=SimpleNamespace(is_approved=approved))


# One person of each role who takes part in every record below.
PARTIES = {STATE: person(STATE, STATE_ORG), PROVIDER: person(PROVIDER, PROVIDER_ORG),
           COORDINATOR: person(COORDINATOR, OFFICE_ORG), ADMIN: person(ADMIN, OFFICE_ORG)}


def record(kind: str, status):
    req = SimpleNamespace(organisation_id=STATE_ORG, status=status)
    offer = SimpleNamespace(organisation_id=PROVIDER_ORG, status=status)
    if kind == "request":
        return req
    if kind == "offer":
        return offer
    return SimpleNamespace(status=status, request=req, offer=offer, confirmed_at=None)


def all_moves():
    return [(kind, name) for kind, moves in EXPECTED.items() for name in moves]


def test_the_tables_hold_exactly_the_expected_moves():
    assert {kind: set(moves) for kind, moves in workflow.MOVES.items()} == \
        {kind: set(moves) for kind, moves in EXPECTED.items()}


@pytest.mark.parametrize(("kind", "name"), all_moves())
def test_each_move_has_its_sources_target_and_roles(kind, name):
    move = workflow.MOVES[kind][name]
    sources, target, roles = EXPECTED[kind][name]
    assert set(move.sources) == sources
    assert move.target == target
    assert set(move.roles) == roles
    assert move.by_system is (not roles)
    # The table speaks in the enum of its records, never in bare strings.
    assert all(type(s) is STATUSES[kind] for s in (*move.sources, move.target, *move.targets.values()))
    assert all(type(r) is Role for r in move.roles)


PEOPLE_MOVES = [(kind, name) for kind, name in all_moves() if EXPECTED[kind][name][2]]


@pytest.mark.parametrize(("kind", "name"), PEOPLE_MOVES)
def test_a_party_of_an_allowed_role_makes_the_move_from_its_sources_only(kind, name):
    sources, _target, roles = EXPECTED[kind][name]
    for role, status in itertools.product(sorted(roles), STATUSES[kind]):
        rec = record(kind, status)
        if status in sources:
            assert workflow.check_move(kind, name, PARTIES[role], rec).name == name
        else:
            with pytest.raises(Conflict):
                workflow.check_move(kind, name, PARTIES[role], rec)


@pytest.mark.parametrize(("kind", "name"), PEOPLE_MOVES)
def test_a_role_that_may_never_make_the_move_is_forbidden_whatever_the_status(kind, name):
    _sources, _target, roles = EXPECTED[kind][name]
    for role in sorted({STATE, PROVIDER, COORDINATOR, ADMIN} - roles):
        for status in STATUSES[kind]:
            with pytest.raises(Forbidden):
                workflow.check_move(kind, name, PARTIES[role], record(kind, status))


@pytest.mark.parametrize(("kind", "name", "outsider"), [
    ("request", "submit", person(STATE, OTHER_STATE_ORG)),
    ("request", "withdraw", person(STATE, OTHER_STATE_ORG)),
    ("match", "accept", person(PROVIDER, OTHER_PROVIDER_ORG)),
    ("match", "accept", person(PROVIDER, PROVIDER_ORG, approved=False)),
    ("match", "start", person(PROVIDER, OTHER_PROVIDER_ORG)),
    ("match", "confirm", person(STATE, OTHER_STATE_ORG)),
    ("offer", "pause", person(PROVIDER, OTHER_PROVIDER_ORG)),
    ("offer", "close", person(COORDINATOR, OFFICE_ORG, approved=False)),
])
def test_the_role_is_not_enough_the_person_must_take_part(kind, name, outsider):
    source = next(iter(workflow.MOVES[kind][name].sources))
    with pytest.raises(Forbidden):
        workflow.check_move(kind, name, outsider, record(kind, source))


def test_a_delivery_is_confirmed_once():
    match = record("match", MatchStatus.COMPLETED)
    workflow.check_move("match", "confirm", PARTIES[STATE], match)
    match.confirmed_at = object()
    with pytest.raises(Conflict, match="already been confirmed"):
        workflow.check_move("match", "confirm", PARTIES[STATE], match)


def test_submitting_a_draft_starts_review_and_answering_returns_to_it():
    submit = workflow.REQUEST_MOVES["submit"]
    assert submit.target_from(RequestStatus.DRAFT) is RequestStatus.SUBMITTED
    assert submit.target_from(RequestStatus.NEEDS_INFO) is RequestStatus.IN_REVIEW


def test_every_other_move_lands_on_its_target_from_every_source():
    for kind, name in all_moves():
        move = workflow.MOVES[kind][name]
        if (kind, name) == ("request", "submit"):
            continue
        assert not move.targets
        assert {move.target_from(s) for s in move.sources} == {move.target}


@pytest.mark.parametrize("name", SYSTEM_MOVES)
def test_no_person_can_make_a_system_move(name):
    assert workflow.REQUEST_MOVES[name].by_system
    assert name not in workflow.people_moves("request")
    for person_, status in itertools.product(PARTIES.values(), RequestStatus):
        with pytest.raises(Conflict, match="Unknown action"):
            workflow.check_move("request", name, person_, record("request", status))
        assert name not in {m.name for m in workflow.available_moves("request", person_,
                                                                      record("request", status))}


def test_a_system_move_has_no_api_endpoint_and_every_person_move_has_one():
    from exchange.app import create_app
    from tests.helpers import test_config

    app = create_app(test_config(SQLALCHEMY_DATABASE_URI="sqlite://"))
    paths = {rule.rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")}
    for name in SYSTEM_MOVES:
        assert not any(path.endswith(f"/{name}") for path in paths)
    for kind, prefix in (("request", "/api/v1/requests/<int:request_id>"), ("match", "/api/v1/matches/<int:match_id>"),
                         ("offer", "/api/v1/offers/<int:offer_id>")):
        assert {f"{prefix}/{name}" for name in workflow.people_moves(kind)} <= paths


def expected_from_matches(match_statuses) -> RequestStatus:
    """The rule, said plainly: delivery under way wins, then an accepted match, then a completed one."""
    if MatchStatus.IN_DELIVERY in match_statuses:
        return RequestStatus.IN_DELIVERY
    if MatchStatus.ACCEPTED in match_statuses:
        return RequestStatus.MATCHED
    if MatchStatus.COMPLETED in match_statuses:
        return RequestStatus.COMPLETED
    return RequestStatus.OPEN


MATCH_SETS = [list(c) for n in range(3) for c in itertools.combinations(MatchStatus, n)]


@pytest.mark.parametrize("current", RequestStatus.FOLLOWS_MATCHES)
def test_an_open_request_follows_its_matches_through_a_system_move(current):
    for statuses in MATCH_SETS:
        move = workflow.following_move(current, statuses)
        wanted = expected_from_matches(statuses)
        if wanted == current:
            assert move is None, (current, statuses)
        else:
            assert move.by_system and current in move.sources and move.target_from(current) == wanted, \
                (current, statuses)


@pytest.mark.parametrize("current", [s for s in RequestStatus if s not in RequestStatus.FOLLOWS_MATCHES])
def test_a_request_not_yet_open_or_ended_does_not_follow_its_matches(current):
    for statuses in MATCH_SETS:
        assert workflow.following_move(current, statuses) is None


@pytest.mark.parametrize(("statuses", "target"), [
    ([MatchStatus.ACCEPTED], "matched"),
    ([MatchStatus.ACCEPTED, MatchStatus.IN_DELIVERY], "in_delivery"),
    ([MatchStatus.COMPLETED, MatchStatus.DECLINED], "completed"),
    ([MatchStatus.COMPLETED, MatchStatus.ACCEPTED], "matched"),
    ([MatchStatus.WITHDRAWN, MatchStatus.PROPOSED], "open"),
])
def test_examples_of_following(statuses, target):
    start = RequestStatus.OPEN if target != "open" else RequestStatus.MATCHED
    assert workflow.following_move(start, statuses).target == target
