"""Matches through the pages: proposing, the lists each role sees, the match page, and every move for
every role — allowed ones change the match (and the request follows), refused ones flash a clear
message and change nothing."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from exchange.core.extensions import db
from exchange.matches.models import Match
from exchange.matches.operations import match_move
from exchange.requests.models import AssistanceRequest
from tests.web.test_triage import new_offer, notifications_of, open_request, propose, status_of, user

# Each move: the statuses to put the match in first, the form, who may make it.
MOVES = {
    "accept": ([], {}, {"provider"}),
    "decline": ([], {"reason": "No trainers free this year"}, {"provider"}),
    "start": (["accept"], {}, {"provider", "coordinator"}),
    "complete": (["accept", "start"], {"outcome": "Twenty analysts trained"}, {"provider", "coordinator"}),
    "confirm": (["accept", "start", "complete"], {"rating": "4", "comment": "Useful"}, {"state"}),
    "withdraw": ([], {}, {"coordinator"}),
}
STEP_INPUT = {"complete": {"outcome": "Delivered as planned"}}


@pytest.fixture
def case(app, people):
    """An open KAZ request and a UNODC offer matched to it (proposed)."""
    request_id = open_request(app, people)
    offer_id = new_offer(app, people.provider)
    match_id = propose(app, people, request_id, offer_id)
    return {"request": request_id, "offer": offer_id, "match": match_id}


def advance(app, people, match_id: int, steps: list[str]) -> None:
    with app.app_context():
        for step in steps:
            actor = people.provider
            match_move(step)(user(actor), db.session.get(Match, match_id), STEP_INPUT.get(step, {}))
        db.session.commit()


def snapshot(app, match_id: int) -> tuple:
    with app.app_context():
        m = db.session.get(Match, match_id)
        return m.status, m.version, m.request.status, m.confirmed_at


@pytest.mark.parametrize("action", list(MOVES))
@pytest.mark.parametrize("person", ["state", "provider", "other_provider", "coordinator", "admin"])
def test_every_move_for_every_role(app, people, clients, case, action, person):
    steps, form, allowed = MOVES[action]
    advance(app, people, case["match"], steps)
    before = snapshot(app, case["match"])
    response = getattr(clients, person).post(f"/matches/{case['match']}/move/{action}", data=form)
    if person == "other_provider":  # IMF does not take part: the match does not exist for it
        assert response.status_code == 404
        assert snapshot(app, case["match"]) == before
        return
    assert response.status_code == 302
    page = getattr(clients, person).get(response.headers["Location"]).get_data(as_text=True)
    if person in allowed:
        assert "done" in page
        after = snapshot(app, case["match"])
        expected = {"accept": "accepted", "decline": "declined", "start": "in_delivery", "complete": "completed",
                    "confirm": "completed", "withdraw": "withdrawn"}[action]
        assert after[0] == expected
        if action == "confirm":
            assert after[3] is not None
    else:
        assert "Nothing was changed: You may not" in page
        assert snapshot(app, case["match"]) == before


def test_request_follows_its_matches(app, people, clients, case):
    m = f"/matches/{case['match']}/move"
    clients.provider.post(f"{m}/accept")
    assert status_of(app, AssistanceRequest, case["request"]) == "matched"
    clients.provider.post(f"{m}/start")
    assert status_of(app, AssistanceRequest, case["request"]) == "in_delivery"
    clients.provider.post(f"{m}/complete", data={"outcome": "Twenty analysts trained in Almaty"})
    assert status_of(app, AssistanceRequest, case["request"]) == "completed"
    clients.state.post(f"{m}/confirm", data={"rating": "5", "comment": "Excellent"})
    with app.app_context():
        match = db.session.get(Match, case["match"])
        assert (match.rating, match.feedback, match.outcome) == (5, "Excellent", "Twenty analysts trained in Almaty")
    again = clients.state.post(f"{m}/confirm", data={"rating": "3"}, follow_redirects=True)
    assert "already been confirmed" in again.get_data(as_text=True)
    told = [n.kind for n in notifications_of(app, people.provider)]
    assert "match.confirm" in told
    assert "match.complete" in [n.kind for n in notifications_of(app, people.state)]


def test_moves_with_text_keep_what_was_typed_and_show_errors(app, people, clients, case):
    m = f"/matches/{case['match']}/move"
    before = snapshot(app, case["match"])
    response = clients.provider.post(f"{m}/decline", data={"reason": "no"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="reason-error"' in html and ">no</textarea>" in html
    assert snapshot(app, case["match"]) == before
    advance(app, people, case["match"], ["accept", "start"])
    assert clients.provider.post(f"{m}/complete", data={"outcome": ""}).status_code == 422
    assert status_of(app, Match, case["match"]) == "in_delivery"
    advance(app, people, case["match"], ["complete"])
    for rating in ("0", "6", "abc", ""):
        response = clients.state.post(f"{m}/confirm", data={"rating": rating, "comment": "kept comment"})
        assert response.status_code == 422, rating
        assert "kept comment" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Match, case["match"]).confirmed_at is None


def test_decline_tells_the_state_and_coordinators(app, people, clients, case):
    clients.provider.post(f"/matches/{case['match']}/move/decline", data={"reason": "No trainers free this year"})
    assert status_of(app, Match, case["match"]) == "declined"
    for person in (people.state, people.coordinator):
        notes = notifications_of(app, person, "match.decline")
        assert len(notes) == 1 and "No trainers free this year" in notes[0].message
    assert status_of(app, AssistanceRequest, case["request"]) == "open"


def test_propose_goes_back_only_to_a_page_of_this_site(app, people, clients):
    request_id = open_request(app, people)
    for target in ("//evil.example/x", "/\\evil.example/x", "https://evil.example/x"):
        response = clients.coordinator.post("/matches", data={"request_id": request_id, "next": target})
        assert response.status_code == 302 and response.headers["Location"] == f"/requests/{request_id}", target
    inside = clients.coordinator.post("/matches", data={"request_id": request_id, "next": "/triage"})
    assert inside.headers["Location"] == "/triage"


def test_propose_one_or_several_offers(app, people, clients):
    request_id = open_request(app, people)
    unodc = new_offer(app, people.provider)
    imf = new_offer(app, people.other_provider, title="IMF course on supervising terrorist financing risks")
    single = clients.coordinator.post("/matches", data={"request_id": request_id, "offer_id": unodc,
                                                        "note": "Closest fit"})
    assert single.status_code == 302 and single.headers["Location"].startswith("/matches/")
    again = clients.coordinator.post("/matches", data={"request_id": request_id, "offer_id": [unodc, imf]},
                                     follow_redirects=True)
    assert "Nothing was proposed" in again.get_data(as_text=True)  # UNODC is already matched: nothing at all
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Match)) == 1
    clients.coordinator.post("/matches", data={"request_id": request_id, "offer_id": [imf], "note": "Also IMF"})
    assert len(notifications_of(app, people.other_provider, "match.proposed")) == 1
    assert len(notifications_of(app, people.state, "match.proposed")) == 2
    for bad in ({}, {"request_id": "x", "offer_id": imf}, {"request_id": request_id},
                {"request_id": request_id, "offer_id": "abc"}, {"request_id": 999999, "offer_id": imf}):
        response = clients.coordinator.post("/matches", data=bad, follow_redirects=True)
        assert response.status_code in (200, 404) and "Nothing was proposed" in response.get_data(as_text=True), bad
    for person in ("state", "provider", "admin"):
        assert getattr(clients, person).post("/matches", data={"request_id": request_id,
                                                                 "offer_id": imf}).status_code == 403


def test_lists_show_each_person_their_matches(app, people, clients, case):
    provider_page = clients.provider.get("/matches").get_data(as_text=True)
    assert f"M-{case['match']:05d}" in provider_page
    assert f"M-{case['match']:05d}" in clients.state.get("/matches").get_data(as_text=True)
    assert f"M-{case['match']:05d}" in clients.coordinator.get("/matches").get_data(as_text=True)
    assert f"M-{case['match']:05d}" not in clients.other_provider.get("/matches").get_data(as_text=True)
    assert f"M-{case['match']:05d}" not in clients.other_state.get("/matches").get_data(as_text=True)
    assert f"M-{case['match']:05d}" in clients.provider.get("/matches?status=proposed").get_data(as_text=True)
    assert f"M-{case['match']:05d}" not in clients.provider.get("/matches?status=completed").get_data(as_text=True)
    assert clients.provider.get("/matches?status=nonsense&page=-3").status_code == 200
    assert clients.other_state.get(f"/matches/{case['match']}").status_code == 404


def test_match_page_shows_summaries_history_and_only_available_moves(app, people, clients, case):
    html = clients.provider.get(f"/matches/{case['match']}").get_data(as_text=True)
    assert "Countering the financing of terrorism: analyst training" in html
    assert "Strengthening our Financial Intelligence Unit" in html
    assert f"/matches/{case['match']}/move/accept" in html and f"/matches/{case['match']}/move/decline" in html
    assert "/move/confirm" not in html and "/move/withdraw" not in html
    assert "proposed to" in html  # the history, from the audit trail
    state_html = clients.state.get(f"/matches/{case['match']}").get_data(as_text=True)
    assert "/move/" not in state_html and "Nothing waits for you" in state_html
