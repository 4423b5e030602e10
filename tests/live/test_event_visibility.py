"""Live events reach exactly the people who may see their record, for every role: drafts, every visibility of
a request (restricted shared with nobody, restricted shared with UNODC, task_force, providers), matches a
provider is not party to, messages in threads, notifications (their owner only).

Each case opens a stream for every person (the hub of the test app, memory broker), makes a change through the
operations, and checks (1) the names written in the case (the rules as GUIDE.md states them) and (2) that the
people told are exactly those to whom the API answers 200 for the record (everybody else: 404).
"""
from __future__ import annotations

import pytest

from exchange.core.extensions import db
from exchange.matches.models import Match
from exchange.messages.models import Notification
from exchange.requests.models import AssistanceRequest
from tests.factories import make_match, make_message, make_offer, make_request, move_request, user_of
from tests.helpers import heard

EVERYONE = ("state", "other_state", "provider", "other_provider", "outside", "pending", "coordinator", "admin")
OFFICE = {"coordinator", "admin"}
TASK_FORCE = {"provider", "other_provider"}  # UNODC and IMF; "outside" is an approved outside provider


def told(events: dict, event_type: str, record_id: int) -> set[str]:
    return {name for name, got in events.items()
            if any(e["type"] == event_type and e["record_id"] == record_id for e in got)}


def api_sees(api, tokens, path: str) -> set[str]:
    """Who gets 200 for `path` (everyone else must get 404)."""
    seen = set()
    for name in EVERYONE:
        status = api.get(path, tokens[name]).status_code
        assert status in (200, 404, 403), (name, path, status)
        if status == 200:
            seen.add(name)
    return seen


def commit(app, build):
    with app.app_context():
        result = build()
        db.session.commit()
        ids = result.id if not isinstance(result, tuple) else tuple(r.id for r in result)
        db.session.remove()
        return ids


def test_a_draft_is_told_to_its_own_state_only(app, people, listen, api, tokens):
    streams = listen(*EVERYONE)
    request_id = commit(app, lambda: make_request(people, "draft"))
    events = heard(streams)
    assert told(events, "request.created", request_id) == {"state"}
    assert told(events, "request.created", request_id) == api_sees(api, tokens, f"/api/v1/requests/{request_id}")


@pytest.mark.parametrize("visibility, expected_after_accept", [
    ("task_force", {"state"} | OFFICE | TASK_FORCE),
    ("providers", {"state", "outside"} | OFFICE | TASK_FORCE),
    ("restricted", {"state"} | OFFICE),
    ("restricted_shared", {"state", "provider"} | OFFICE),
])
def test_a_request_s_moves_are_told_to_who_may_see_it(app, people, listen, api, tokens, visibility,
                                                       expected_after_accept):
    streams = listen(*EVERYONE)
    fields = {"visibility": visibility.removesuffix("_shared")}
    if visibility == "restricted_shared":
        fields["shared_with"] = ["UNODC"]
    request_id = commit(app, lambda: make_request(people, "submitted", **fields))

    def accept():
        req = db.session.get(AssistanceRequest, request_id)
        move_request(people, req, "accept")
        return req

    commit(app, accept)
    events = heard(streams)
    accepted = told(events, "request.accepted", request_id)
    assert accepted == expected_after_accept
    assert accepted == api_sees(api, tokens, f"/api/v1/requests/{request_id}")
    for name in accepted:
        event = next(e for e in events[name] if e["type"] == "request.accepted")
        assert event["record_type"] == "request" and event["status"] == "open"
    assert told(events, "request.submitted", request_id) <= accepted


def test_a_match_is_told_to_its_parties_not_to_other_providers(app, people, listen, api, tokens):
    request_id = commit(app, lambda: make_request(people, "open", visibility="restricted"))
    offer_id = commit(app, lambda: make_offer(people, by="provider"))
    streams = listen(*EVERYONE)
    match_id = commit(app, lambda: make_match(people, request_id, offer_id, "proposed"))
    events = heard(streams)
    proposed = told(events, "match.proposed", match_id)
    assert proposed == {"state", "provider"} | OFFICE
    assert proposed == api_sees(api, tokens, f"/api/v1/matches/{match_id}")
    for name in proposed:
        event = next(e for e in events[name] if e["type"] == "match.proposed")
        assert event["request_id"] == request_id and event["offer_id"] == offer_id
    # IMF's provider hears nothing of it, not even through its request (restricted, not shared with IMF).
    assert events["other_provider"] == [] and events["outside"] == [] and events["other_state"] == []


def test_a_message_is_told_to_who_may_read_its_thread(app, people, listen, api, tokens):
    request_id = commit(app, lambda: make_request(people, "open", visibility="restricted"))
    offer_id = commit(app, lambda: make_offer(people, by="provider"))
    match_id = commit(app, lambda: make_match(people, request_id, offer_id, "accepted"))
    streams = listen(*EVERYONE)

    def post():
        return make_message(people, db.session.get(Match, match_id), "When can the trainers arrive?", by="state")

    message_id = commit(app, post)
    events = heard(streams)
    posted = told(events, "message.posted", message_id)
    assert posted == {"state", "provider"} | OFFICE
    assert posted == api_sees(api, tokens, f"/api/v1/matches/{match_id}")
    event = next(e for e in events["provider"] if e["type"] == "message.posted")
    assert event["record_type"] == "message" and event["thread"] == {"record_type": "match", "record_id": match_id}
    assert "body" not in event and "When can" not in str(event)


@pytest.mark.parametrize("audience, readers", [("providers", {"provider"} | OFFICE), ("office", OFFICE)])
def test_a_message_not_for_the_state_is_not_told_to_the_state(app, people, listen, audience, readers):
    """A note for the providers and the office (or the office alone) is told only to those who may read it."""
    request_id = commit(app, lambda: make_request(people, "open", visibility="restricted"))
    offer_id = commit(app, lambda: make_offer(people, by="provider"))
    match_id = commit(app, lambda: make_match(people, request_id, offer_id, "accepted"))
    streams = listen(*EVERYONE)
    message_id = commit(app, lambda: make_message(
        people, db.session.get(Match, match_id), "The State's budget looks short.", by="coordinator",
        audience=audience))
    assert told(heard(streams), "message.posted", message_id) == readers


def test_a_message_in_a_draft_s_thread_reaches_nobody_else(app, people, listen):
    request_id = commit(app, lambda: make_request(people, "draft"))
    streams = listen(*EVERYONE)
    message_id = commit(app, lambda: make_message(
        people, db.session.get(AssistanceRequest, request_id), "A note to ourselves.", by="state"))
    assert told(heard(streams), "message.posted", message_id) == {"state"}


def test_a_notification_is_told_to_its_owner_only_with_the_unread_count(app, people, listen):
    request_id = commit(app, lambda: make_request(people, "open", visibility="restricted"))
    offer_id = commit(app, lambda: make_offer(people, by="provider"))
    with app.app_context():
        before = db.session.scalar(db.select(db.func.max(Notification.id))) or 0
    streams = listen(*EVERYONE)
    commit(app, lambda: make_match(people, request_id, offer_id, "proposed"))
    events = heard(streams)
    with app.app_context():
        rows = list(db.session.scalars(db.select(Notification)))  # none read yet
        unread = {name: sum(1 for n in rows if n.user_id == getattr(people, name).id) for name in EVERYONE}
        new = [n for n in rows if n.id > before]
    assert any(n.user_id == people.provider.id for n in new)  # the offer's provider must answer the proposal
    for name in EVERYONE:
        got = [e for e in events[name] if e["record_type"] == "notification"]
        mine = {n.id for n in new if n.user_id == getattr(people, name).id}
        assert {e["record_id"] for e in got} == mine, name
        if got:
            assert max(e["unread"] for e in got) == unread[name]


def test_a_refused_change_tells_nobody(app, people, listen):
    request_id = commit(app, lambda: make_request(people, "submitted"))
    streams = listen(*EVERYONE)
    with app.app_context():
        req = db.session.get(AssistanceRequest, request_id)
        move_request(people, req, "accept")
        db.session.rollback()
        db.session.remove()
    assert heard(streams, wait=0.7) == {name: [] for name in EVERYONE}


def test_a_disabled_account_hears_nothing_more_and_its_stream_ends(app, people, listen):
    streams = listen("provider", "coordinator")

    def disable():
        user = user_of(people.provider)
        user.active = False
        return user

    commit(app, disable)
    request_id = commit(app, lambda: make_request(people, "submitted"))
    events = heard(streams)
    assert told(events, "request.submitted", request_id) == {"coordinator"}
    assert streams["provider"].closed
