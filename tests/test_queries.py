"""Shared list filters, sorting and full-text search (SQLite FTS5 or PostgreSQL) against real rows."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from exchange.core.extensions import db
from exchange.core.search import text_search
from exchange.offers.operations import create_offer
from exchange.offers.policy import visible_offers
from exchange.offers.queries import filter_offers
from exchange.people.models import User
from exchange.requests.models import AssistanceRequest
from exchange.requests.operations import create_request, request_move, update_request
from exchange.requests.policy import visible_requests
from exchange.requests.queries import filter_requests, sort_requests

BASE = {"modalities": ["training"], "languages": ["en"]}


@pytest.fixture
def records(app, people):
    with app.app_context():
        coordinator = db.session.get(User, people.coordinator.id)
        unodc = db.session.get(User, people.provider.id)
        made = {
            "kaz_fin": create_request(coordinator, BASE | {
                "country": "KAZ", "title": "Financial intelligence unit training", "urgency": "critical",
                "description": "Analysts of the FIU need training on terrorist financing typologies.",
                "themes": ["financing"], "beneficiary": "Agency for Financial Monitoring"}),
            "nga_border": create_request(coordinator, BASE | {
                "country": "NGA", "title": "Border guards and forged passports", "urgency": "low",
                "description": "Détection des faux passeports aux postes frontières terrestres du nord.",
                "themes": ["border-management"], "modalities": ["equipment"]}),
            "tjk_law": create_request(coordinator, BASE | {
                "country": "TJK", "title": "Counter-terrorism law review", "urgency": "medium",
                "description": "Review of the draft law against the universal legal instruments.",
                "themes": ["legal-framework"], "languages": ["ru"]}),
        }
        request_move("accept")(coordinator, made["kaz_fin"])
        offers = {
            "asia": create_offer(unodc, BASE | {"title": "CFT course for Central Asia", "themes": ["financing"],
                                                    "description": "Courses on countering terrorist financing.",
                                                    "regions": ["143"]}),
            "anywhere": create_offer(unodc, BASE | {"title": "Travel document examination",
                                                        "description": "Training on forged passports anywhere.",
                                                        "themes": ["border-management"]}),
            "nga_only": create_offer(unodc, BASE | {"title": "Nigeria legislative support",
                                                        "description": "Drafting support for Nigerian laws.",
                                                        "themes": ["legal-framework"], "countries": ["NGA"]}),
        }
        db.session.commit()
        ids = {k: v.id for k, v in {**made, **offers}.items()}
        yield ids


def _request_ids(params, sort=None):
    user = db.session.scalar(select(User).where(User.role == "coordinator"))
    stmt = sort_requests(filter_requests(visible_requests(user), params), sort)
    return [r.id for r in db.session.scalars(stmt)]


def _offer_ids(params):
    user = db.session.scalar(select(User).where(User.role == "coordinator"))
    return {o.id for o in db.session.scalars(filter_offers(visible_offers(user), params))}


def test_request_filters(app, records):
    with app.app_context():
        assert _request_ids({"theme": "financing"}) == [records["kaz_fin"]]
        assert set(_request_ids({"pillar": "II"})) == {records["kaz_fin"], records["nga_border"],
                                                       records["tjk_law"]}
        assert _request_ids({"region": "143"}) == [records["tjk_law"], records["kaz_fin"]]
        assert _request_ids({"region": "011"}) == [records["nga_border"]]
        assert _request_ids({"country": "nga"}) == [records["nga_border"]]
        assert _request_ids({"status": "open"}) == [records["kaz_fin"]]
        assert _request_ids({"modality": "equipment"}) == [records["nga_border"]]
        assert _request_ids({"language": "ru"}) == [records["tjk_law"]]
        assert _request_ids({"urgency": ["critical", "low"]}, "urgency") == [records["kaz_fin"], records["nga_border"]]
        assert _request_ids({"theme": "no-such-theme"}) == []
        assert _request_ids({"organisation": "TJK"}) == [records["tjk_law"]]


def test_region_world_is_everywhere_and_a_sub_region_only_its_countries(app, records, clients):
    """001 (the World) holds every country: the list, like the matrix and dashboards, is not narrowed by it."""
    with app.app_context():
        everything = _request_ids({})
        assert len(everything) == 3
        assert _request_ids({"region": "001"}) == everything
        assert _request_ids({"region": ["001", "011"]}) == everything
        assert _request_ids({"region": "143"}) == [records["tjk_law"], records["kaz_fin"]]  # Central Asia
        assert _request_ids({"region": "142"}) == [records["tjk_law"], records["kaz_fin"]]  # Asia
        assert _request_ids({"region": "011"}) == [records["nga_border"]]                   # Western Africa
        assert _request_ids({"region": "001", "country": "NGA"}) == [records["nga_border"]]
    world = clients.coordinator.get("/requests?region=001").get_data(as_text=True)
    central_asia = clients.coordinator.get("/requests?region=143").get_data(as_text=True)
    for title in ("Financial intelligence unit training", "Border guards and forged passports",
                  "Counter-terrorism law review"):
        assert title in world
    assert "Counter-terrorism law review" in central_asia and "Financial intelligence unit training" in central_asia
    assert "Border guards and forged passports" not in central_asia


def test_sorting(app, records):
    with app.app_context():
        assert _request_ids({}, "oldest") == [records["kaz_fin"], records["nga_border"], records["tjk_law"]]
        assert _request_ids({}, "title") == [records["nga_border"], records["tjk_law"], records["kaz_fin"]]
        assert _request_ids({}, "bogus") == _request_ids({}, "newest")


def test_offer_filters_by_where_they_can_deliver(app, records):
    with app.app_context():
        assert _offer_ids({"country": "KAZ"}) == {records["asia"], records["anywhere"]}
        assert _offer_ids({"country": "NGA"}) == {records["anywhere"], records["nga_only"]}
        assert _offer_ids({"region": "143"}) == {records["asia"]}
        assert _offer_ids({"provider": "UNODC", "theme": "legal-framework"}) == {records["nga_only"]}
        assert _offer_ids({"provider": "IMF"}) == set()


@pytest.mark.parametrize("query, expected", [
    ("financial", ["kaz_fin"]), ("FINANC", ["kaz_fin"]), ("passeports", ["nga_border"]),
    ("faux passeports", ["nga_border"]), ("monitoring", ["kaz_fin"]), ("law review", ["tjk_law"]),
    ("nothing-like-this", []),
])
def test_full_text_search(app, records, query, expected):
    with app.app_context():
        assert _request_ids({"q": query}, "oldest") == [records[k] for k in expected]


@pytest.mark.parametrize("query", ['"', "' OR 1=1 --", "NEAR(", "a*b", "()", "\\", "AND", "—", "%_%", "x" * 500])
def test_any_search_string_is_safe(app, records, query):
    with app.app_context():
        _request_ids({"q": query})  # no error
        _offer_ids({"q": query})


def test_search_follows_edits(app, records, people):
    with app.app_context():
        coordinator = db.session.get(User, people.coordinator.id)
        req = db.session.get(AssistanceRequest, records["tjk_law"])
        update_request(coordinator, req, {"version": req.version, "title": "Legislative review of CT statutes"})
        db.session.commit()
        assert _request_ids({"q": "statutes"}) == [records["tjk_law"]]
        assert _request_ids({"q": "law review"}) == [records["tjk_law"]]  # still in the description
        assert text_search(AssistanceRequest, "   ") is not None
