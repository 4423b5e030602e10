"""Matches through the pages: proposing, the lists each role sees, the match page, and every move for
every role — allowed ones change the match (and the request follows), refused ones flash a clear
message and change nothing."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from exchange.core.extensions import db
from exchange.matches.models import Match
from exchange.requests.models import AssistanceRequest

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
def case(app, people, world):
    """An open KAZ request and a UNODC offer matched to it (proposed)."""
    request_id = world.request("open")
    offer_id = world.offer(people.provider)
    match_id = world.match("proposed", request_id, offer_id)
    return {"request": request_id, "offer": offer_id, "match": match_id}


def advance(world, match_id: int, steps: list[str]) -> None:
    for step in steps:
        world.move_match(match_id, step, STEP_INPUT.get(step, {}))


def snapshot(app, match_id: int) -> tuple:
    with app.app_context():
        m = db.session.get(Match, match_id)
        return m.status, m.version, m.request.status, m.confirmed_at


@pytest.mark.parametrize("action", list(MOVES))
@pytest.mark.parametrize("person", ["state", "provider", "other_provider", "coordinator", "admin"])
def test_every_move_for_every_role(app, people, clients, case, action, person, world):
    steps, form, allowed = MOVES[action]
    advance(world, case["match"], steps)
    before = snapshot(app, case["match"])
    response = getattr(clients, person).post(f"/matches/{case['match']}/move/{action}", data=form)
    if person == "other_provider":  # IMF does not take part: the match does not exist for it
        assert response.status_code == 404
        assert snapshot(app, case["match"]) == before
        return
    assert response.status_code == 302
    page = getattr(clients, person).get(response.headers["Location"]).get_data(as_text=True)
    if person in allowed:
        assert "alert alert-success" in page and "— done" not in page  # the move said in words
        after = snapshot(app, case["match"])
        expected = {"accept": "accepted", "decline": "declined", "start": "in_delivery", "complete": "completed",
                    "confirm": "completed", "withdraw": "withdrawn"}[action]
        assert after[0] == expected
        if action == "confirm":
            assert after[3] is not None
    else:
        assert "Nothing was changed: You may not" in page
        assert snapshot(app, case["match"]) == before


def test_request_follows_its_matches(app, people, clients, case, world):
    m = f"/matches/{case['match']}/move"
    clients.provider.post(f"{m}/accept")
    assert world.status_of(AssistanceRequest, case["request"]) == "matched"
    clients.provider.post(f"{m}/start")
    assert world.status_of(AssistanceRequest, case["request"]) == "in_delivery"
    clients.provider.post(f"{m}/complete", data={"outcome": "Twenty analysts trained in Almaty"})
    assert world.status_of(AssistanceRequest, case["request"]) == "completed"
    clients.state.post(f"{m}/confirm", data={"rating": "5", "comment": "Excellent"})
    with app.app_context():
        match = db.session.get(Match, case["match"])
        assert (match.rating, match.feedback, match.outcome) == (5, "Excellent", "Twenty analysts trained in Almaty")
    again = clients.state.post(f"{m}/confirm", data={"rating": "3"}, follow_redirects=True)
    assert "already been confirmed" in again.get_data(as_text=True)
    told = [n.kind for n in world.notifications_of(people.provider)]
    assert "match.confirm" in told
    assert "match.complete" in [n.kind for n in world.notifications_of(people.state)]


def test_moves_with_text_keep_what_was_typed_and_show_errors(app, people, clients, case, world):
    m = f"/matches/{case['match']}/move"
    before = snapshot(app, case["match"])
    response = clients.provider.post(f"{m}/decline", data={"reason": "no"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="reason-error"' in html and ">no</textarea>" in html
    assert snapshot(app, case["match"]) == before
    advance(world, case["match"], ["accept", "start"])
    assert clients.provider.post(f"{m}/complete", data={"outcome": ""}).status_code == 422
    assert world.status_of(Match, case["match"]) == "in_delivery"
    advance(world, case["match"], ["complete"])
    for rating in ("0", "6", "abc", ""):
        response = clients.state.post(f"{m}/confirm", data={"rating": rating, "comment": "kept comment"})
        assert response.status_code == 422, rating
        assert "kept comment" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Match, case["match"]).confirmed_at is None


def test_decline_tells_the_state_and_coordinators(app, people, clients, case, world):
    clients.provider.post(f"/matches/{case['match']}/move/decline", data={"reason": "No trainers free this year"})
    assert world.status_of(Match, case["match"]) == "declined"
    for person in (people.state, people.coordinator):
        notes = world.notifications_of(person, "match.decline")
        assert len(notes) == 1 and "No trainers free this year" in notes[0].message
    assert world.status_of(AssistanceRequest, case["request"]) == "open"


def test_propose_goes_back_only_to_a_page_of_this_site(app, people, clients, world):
    request_id = world.request("open")
    for target in ("//evil.example/x", "/\\evil.example/x", "https://evil.example/x"):
        response = clients.coordinator.post("/matches", data={"request_id": request_id, "next": target})
        assert response.status_code == 302 and response.headers["Location"] == f"/requests/{request_id}", target
    inside = clients.coordinator.post("/matches", data={"request_id": request_id, "next": "/triage"})
    assert inside.headers["Location"] == "/triage"


def test_propose_one_or_several_offers(app, people, clients, world):
    request_id = world.request("open")
    unodc = world.offer(people.provider)
    imf = world.offer(people.other_provider, title="IMF course on supervising terrorist financing risks")
    single = clients.coordinator.post("/matches", data={"request_id": request_id, "offer_id": unodc,
                                                        "note": "Closest fit"})
    assert single.status_code == 302 and single.headers["Location"].startswith("/matches/")
    again = clients.coordinator.post("/matches", data={"request_id": request_id, "offer_id": [unodc, imf]},
                                     follow_redirects=True)
    assert "Nothing was proposed" in again.get_data(as_text=True)  # UNODC is already matched: nothing at all
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Match)) == 1
    clients.coordinator.post("/matches", data={"request_id": request_id, "offer_id": [imf], "note": "Also IMF"})
    assert len(world.notifications_of(people.other_provider, "match.proposed")) == 1
    assert len(world.notifications_of(people.state, "match.proposed")) == 2
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
    assert "Match proposed" in html  # the history, from the audit trail
    state_html = clients.state.get(f"/matches/{case['match']}").get_data(as_text=True)
    assert "/move/" not in state_html and "Nothing waits for you" in state_html


# ------------------------------------------------------------------------------------------------
# The match pages in the six languages

HEADINGS = {"ar": "المطابقات", "zh": "匹配", "en": "Matches", "fr": "Mises en relation", "ru": "Сопоставления",
            "es": "Vinculaciones"}
ACTIONS = {"ar": "ما يمكنك فعله", "zh": "您可以执行的操作", "en": "What you can do", "fr": "Ce que vous pouvez faire",
           "ru": "Что вы можете сделать", "es": "Lo que puede hacer"}
OFFER_PANEL = {"ar": "الطلبات التي يمكن أن يلبيها هذا العرض", "zh": "此援助提议可满足的请求",
               "en": "Requests this offer could serve", "fr": "Demandes auxquelles cette offre pourrait répondre",
               "ru": "Запросы, которым может отвечать это предложение", "es": "Solicitudes que esta oferta podría atender"}


@pytest.mark.parametrize("language", list(HEADINGS))
def test_match_pages_in_every_language(app, people, clients, case, language):
    request_panel = f'<h2 class="h5" id="wf-matches-heading">{HEADINGS[language]}</h2>'
    for path, expected in (("/matches", f'<h1 class="h3">{HEADINGS[language]}</h1>'),
                           (f"/matches/{case['match']}", ACTIONS[language]),
                           (f"/requests/{case['request']}", request_panel),
                           (f"/offers/{case['offer']}", OFFER_PANEL[language])):
        page = clients.coordinator.get(f"{path}?lang={language}")
        assert page.status_code == 200, (path, language)
        assert expected in page.get_data(as_text=True), (path, language)
    detail = clients.coordinator.get(f"/matches/{case['match']}?lang={language}").get_data(as_text=True)
    if language == "fr":
        assert "Office des Nations Unies contre la drogue et le crime" in detail  # the provider as the UN names it
    if language == "zh":
        assert "哈萨克斯坦" in detail


def test_suggested_offers_and_their_reasons_in_french(app, people, clients, world):
    request_id = world.request("open")
    world.offer(people.other_provider, regions=["143"])
    html = clients.coordinator.get(f"/requests/{request_id}?lang=fr").get_data(as_text=True)
    assert "Offres suggérées" in html and "Zone d’intervention : Asie centrale" in html
    assert "Proposer" in html


def test_a_refused_proposal_is_explained_in_the_coordinators_language(app, people, clients, case):
    page = clients.coordinator.post("/matches?lang=ru", data={"request_id": str(case["request"])})
    assert page.status_code == 302
    follow = clients.coordinator.get(page.headers["Location"])
    assert "Ничего не предложено: выберите хотя бы одно предложение." in follow.get_data(as_text=True)
