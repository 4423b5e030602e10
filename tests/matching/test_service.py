"""The matching service against the real database: suggestions through the API, visibility,
staying current when records change, overlap warnings, and the rebuild command."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from exchange.core.access import may_see_overlaps
from exchange.core.extensions import db
from exchange.matches.models import Suggestion
from exchange.matches.operations import match_move, propose_match
from exchange.matching import service
from exchange.offers.models import Offer
from exchange.offers.operations import create_offer, offer_move, update_offer
from exchange.people.models import User
from exchange.requests.models import AssistanceRequest
from exchange.requests.operations import create_request, request_move

FIU_REQUEST = {
    "title": "Strengthening our Financial Intelligence Unit against terrorist financing",
    "description": "The FIU needs training for analysts on suspicious transaction reports, AML/CFT supervision "
                   "and tracing terrorist financing through money value transfer services.",
    "beneficiary": "Financial Intelligence Unit", "themes": ["financing"], "modalities": ["training"],
    "languages": ["ru", "en"], "urgency": "high", "visibility": "task_force"}


def offer(**overrides):
    base = {"title": "Countering the financing of terrorism: analyst training",
            "description": "Courses for financial intelligence analysts on money laundering and terrorist "
                           "financing typologies, suspicious transaction reports and asset freezing.",
            "themes": ["financing"], "modalities": ["training"], "languages": ["en", "ru"],
            "countries": [], "regions": []}
    base.update(overrides)
    return base


@pytest.fixture
def setting(app, people):
    """A KAZ request accepted into open, and offers: fitting (Central Asia, anywhere), and excluded ones."""
    with app.app_context():
        state = db.session.get(User, people.state.id)
        unodc, imf = db.session.get(User, people.provider.id), db.session.get(User, people.other_provider.id)
        req = create_request(state, FIU_REQUEST)
        central_asia = create_offer(imf, offer(regions=["143"]))
        anywhere = create_offer(unodc, offer(title="Legal advice on criminalising the funding of terrorism",
                                                 modalities=["legislative-drafting"], languages=["en"]))
        africa = create_offer(unodc, offer(title="Terrorist financing training for West Africa",
                                               regions=["011"]))
        paused = create_offer(unodc, offer(title="Paused financing course"))
        offer_move("pause")(unodc, paused)
        unrelated = create_offer(unodc, offer(title="Port facility security audits",
                                                  description="ISPS Code audits of port facilities and ship "
                                                              "security plans for maritime administrations.",
                                                  themes=["maritime-security"], modalities=["assessment"]))
        db.session.commit()
        ids = {"request": req.id, "central_asia": central_asia.id, "anywhere": anywhere.id, "africa": africa.id,
               "paused": paused.id, "unrelated": unrelated.id}
    return ids


def suggested(api, token, request_id, **query):
    qs = "&".join(f"{k}={v}" for k, v in query.items())
    return api.get(f"/api/v1/requests/{request_id}/matches?{qs}", token)


def test_coordinator_sees_eligible_offers_ranked_with_reasons(api, tokens, setting):
    response = suggested(api, tokens.coordinator, setting["request"])
    assert response.status_code == 200
    items = response.json["items"]
    ids = [i["offer_id"] for i in items]
    assert set(ids) == {setting["central_asia"], setting["anywhere"]}
    assert ids[0] == setting["central_asia"]  # same themes, modality and languages, delivers in Central Asia
    scores = [i["score"] for i in items]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    reasons = " | ".join(items[0]["reasons"])
    assert "Central Asia" in reasons and "financing" in reasons.lower()
    assert all(i["reasons"] for i in items)


def test_an_offer_past_its_last_day_is_not_suggested(app, api, tokens, setting):
    """Also when it expires while the process's index is cached: the index drops it when the day changes."""
    from datetime import date, timedelta

    from sqlalchemy import update

    def ids():
        return {i["offer_id"] for i in suggested(api, tokens.coordinator, setting["request"]).json["items"]}

    assert setting["central_asia"] in ids()  # the index is built and cached
    yesterday = date.today() - timedelta(days=1)
    with app.app_context():
        offer_row = db.session.get(Offer, setting["central_asia"])
        # As if its last day had passed overnight: the row itself is not edited again.
        db.session.execute(update(Offer).where(Offer.id == offer_row.id).values(
            available_until=yesterday, updated_at=offer_row.updated_at))
        db.session.commit()
        for cached in service._indexes.values():
            cached.day = yesterday
    assert setting["central_asia"] not in ids() and setting["anywhere"] in ids()
    service.forget_indexes()
    assert setting["central_asia"] not in ids()  # and a fresh index leaves it out


def test_limit_is_respected_and_validated(api, tokens, setting):
    assert len(suggested(api, tokens.coordinator, setting["request"], limit=1).json["items"]) == 1
    assert suggested(api, tokens.coordinator, setting["request"], limit=0).status_code == 422
    assert suggested(api, tokens.coordinator, setting["request"], limit=101).status_code == 422


def test_who_may_see_a_requests_suggestions(app, api, tokens, setting, people):
    rid = setting["request"]
    assert suggested(api, tokens.state, rid).status_code == 403  # not open yet
    assert suggested(api, tokens.other_state, rid).status_code == 404  # another State: invisible
    assert suggested(api, tokens.outside, rid).status_code == 404  # task_force visibility: outside provider can't see
    assert suggested(api, tokens.provider, rid).status_code == 200
    assert suggested(api).status_code if False else api.get(f"/api/v1/requests/{rid}/matches").status_code == 401
    with app.app_context():
        req = db.session.get(AssistanceRequest, rid)
        request_move("accept")(db.session.get(User, people.coordinator.id), req)
        db.session.commit()
    assert suggested(api, tokens.state, rid).status_code == 200
    assert suggested(api, tokens.coordinator, 999999).status_code == 404


def test_suggestions_stay_current_when_offers_change(app, api, tokens, setting, people):
    rid = setting["request"]
    assert setting["anywhere"] in [i["offer_id"] for i in suggested(api, tokens.coordinator, rid).json["items"]]
    with app.app_context():
        unodc = db.session.get(User, people.provider.id)
        anywhere = db.session.get(Offer, setting["anywhere"])
        offer_move("pause")(unodc, anywhere)
        unrelated = db.session.get(Offer, setting["unrelated"])
        update_offer(unodc, unrelated, {"version": unrelated.version, "themes": ["financing", "maritime-security"],
                                            "description": "Audits of port facilities, and training on "
                                                           "terrorist financing through shipping for FIUs."})
        db.session.commit()
    ids = [i["offer_id"] for i in suggested(api, tokens.coordinator, rid).json["items"]]
    assert setting["anywhere"] not in ids and setting["unrelated"] in ids


def test_capacity_taken_removes_an_offer(app, api, tokens, setting, people):
    with app.app_context():
        imf = db.session.get(User, people.other_provider.id)
        o = db.session.get(Offer, setting["central_asia"])
        update_offer(imf, o, {"version": o.version, "capacity": 1})
        coordinator = db.session.get(User, people.coordinator.id)
        other = create_request(coordinator, FIU_REQUEST | {"country": "TJK", "title": "FIU analyst training"})
        request_move("accept")(coordinator, other)
        match = propose_match(coordinator, {"request_id": other.id, "offer_id": o.id})
        match_move("accept")(imf, match)
        db.session.commit()
    ids = [i["offer_id"] for i in suggested(api, tokens.coordinator, setting["request"]).json["items"]]
    assert setting["central_asia"] not in ids


def test_offer_suggestions_for_its_provider_only(api, tokens, setting):
    oid = setting["central_asia"]
    response = api.get(f"/api/v1/offers/{oid}/matches", tokens.other_provider)  # IMF owns it
    assert response.status_code == 200
    assert [i["request_id"] for i in response.json["items"]] == [setting["request"]]
    assert response.json["items"][0]["reasons"]
    assert api.get(f"/api/v1/offers/{oid}/matches", tokens.provider).status_code == 403
    assert api.get(f"/api/v1/offers/{oid}/matches", tokens.state).status_code == 403
    assert api.get(f"/api/v1/offers/{oid}/matches", tokens.coordinator).status_code == 200


def test_offer_suggestions_only_list_requests_the_provider_may_see(app, api, tokens, setting, people):
    with app.app_context():
        coordinator = db.session.get(User, people.coordinator.id)
        create_request(coordinator, FIU_REQUEST | {"country": "UZB", "visibility": "restricted",
                                                       "title": "Restricted FIU request"})
        db.session.commit()
    items = api.get(f"/api/v1/offers/{setting['central_asia']}/matches", tokens.other_provider).json["items"]
    assert [i["request_id"] for i in items] == [setting["request"]]
    everything = api.get(f"/api/v1/offers/{setting['central_asia']}/matches", tokens.coordinator).json["items"]
    assert len(everything) == 2


def test_overlap_warnings_link_similar_requests_and_assistance_under_way(app, setting, people):
    with app.app_context():
        state, coordinator = db.session.get(User, people.state.id), db.session.get(User, people.coordinator.id)
        imf = db.session.get(User, people.other_provider.id)
        twin = create_request(state, FIU_REQUEST | {"title": "Training FIU analysts on terrorist financing"})
        first = db.session.get(AssistanceRequest,
                               setting["request"])
        request_move("accept")(coordinator, first)
        match = propose_match(coordinator, {"request_id": first.id, "offer_id": setting["central_asia"]})
        match_move("accept")(imf, match)
        match_move("start")(imf, match)
        unrelated = create_request(state, {
            "title": "Victims of terrorism support", "description": "Psychosocial support services and "
            "compensation schemes for victims of terrorist attacks and their families.", "themes": ["victims"],
            "modalities": ["expert-advice"], "languages": ["ru"]})
        db.session.commit()
        texts = [o.text for o in service.overlaps_for_request(twin)]
        assert any(first.reference in t for t in texts)
        assert any(match.reference in t and "under way" in t for t in texts)
        assert service.overlaps_for_request(unrelated) == []
        assert not may_see_overlaps(state) and may_see_overlaps(coordinator)  # only for the Task Force office
        together = service.overlaps_for_requests([twin, unrelated, first])
        assert together == {r.id: service.overlaps_for_request(r) for r in (twin, unrelated, first)}
        assert service.suggestions_for_requests(coordinator, [twin, first], limit=3) == {
            r.id: service.suggestions_for_request(coordinator, r, limit=3) for r in (twin, first)}


def test_rebuild_command_stores_every_requests_top_offers(app, setting):
    result = app.test_cli_runner().invoke(args=["matching", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "suggestions stored" in result.output
    with app.app_context():
        rows = db.session.scalars(select(Suggestion).order_by(Suggestion.rank)).all()
        assert next(r.offer_id for r in rows if r.request_id == setting["request"]) == setting["central_asia"]
        assert db.session.scalar(select(func.count()).select_from(Suggestion)) == 2


def test_evaluate_command_prints_both_systems(app):
    # --no-model: with the model (the default) a cold cache loads USE-m3 and embeds ~250 texts (37 s here)
    result = app.test_cli_runner().invoke(args=["matching", "evaluate", "--set", "old", "--no-model"])
    assert result.exit_code == 0
    assert "nDCG@5" in result.output and "baseline" in result.output


def test_proposed_match_records_the_engine_score(app, setting, people):
    with app.app_context():
        coordinator = db.session.get(User, people.coordinator.id)
        from exchange.requests.models import AssistanceRequest
        req = db.session.get(AssistanceRequest, setting["request"])
        request_move("accept")(coordinator, req)
        match = propose_match(coordinator, {"request_id": req.id, "offer_id": setting["central_asia"]})
        assert match.score is not None and 0 < match.score <= 1
        db.session.rollback()
