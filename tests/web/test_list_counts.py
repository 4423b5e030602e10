"""Counts of long lists (issue 17): the request and offer lists, the search page and the API count up to a cap
(1,000; 5 here) and say "More than …" past it, in the reader's language; each count is of what the reader may
see; the API's `total` stays exact unless `?count=capped` is asked for (additive: `total_capped`)."""
from __future__ import annotations

import pytest

from exchange.api import pagination
from exchange.core import paging
from exchange.web import search
from tests.factories import make_offer, make_request


@pytest.fixture
def cap5(monkeypatch):
    """Counts up to 5, lists of 2 a page, the search page's first 3 of each kind."""
    from exchange.offers import views as offer_views
    from exchange.requests import views as request_views
    for module in (paging, search, pagination):
        monkeypatch.setattr(module, "COUNT_CAP", 5)
    monkeypatch.setattr(request_views, "PER_PAGE", 2)
    monkeypatch.setattr(offer_views, "PER_PAGE", 2)
    monkeypatch.setattr(search, "SHOWN", 3)


@pytest.fixture
def seven(app, people):
    """Seven requests of Kazakhstan on border management, two of Nigeria, and seven offers."""
    with app.app_context():
        for n in range(7):
            make_request(people, title=f"Border management training {n}")
            make_offer(people, title=f"Border management course {n}")
        for n in range(2):
            make_request(people, by="other_state", title=f"Border management for Nigeria {n}")
        from exchange.core.extensions import db
        db.session.commit()


def test_the_request_list_says_more_than_the_cap_and_pages_on(app, clients, seven, cap5):
    page = clients.coordinator.get("/requests").get_data(as_text=True)
    assert "More than 5 requests" in page and "Page 1 of more than 3" in page
    page = clients.coordinator.get("/requests?q=border").get_data(as_text=True)
    assert "More than 5 requests matching the filters" in page


def test_a_count_under_the_cap_is_exact_and_only_of_what_the_reader_may_see(app, clients, seven, cap5):
    page = clients.state.get("/requests").get_data(as_text=True)  # Kazakhstan's 7: over the cap
    assert "More than 5 requests" in page
    page = clients.other_state.get("/requests").get_data(as_text=True)  # Nigeria sees its own 2
    assert "2 requests" in page and "More than" not in page


def test_the_pager_says_more_than_when_the_pages_are_not_all_counted(app, clients, people, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_CAP", 2)
    from exchange.requests import views
    monkeypatch.setattr(views, "PER_PAGE", 1)
    with app.app_context():
        for n in range(4):
            make_request(people, title=f"Request {n}")
        from exchange.core.extensions import db
        db.session.commit()
    page = clients.coordinator.get("/requests").get_data(as_text=True)
    assert "Page 1 of more than 2" in page and "page=2" in page
    page = clients.coordinator.get("/requests?page=4").get_data(as_text=True)  # counted to its end: exact
    assert "Page 4 of 4" in page


def test_the_capped_count_is_in_the_readers_language(app, clients, seven, cap5):
    page = clients.coordinator.get("/requests?lang=fr").get_data(as_text=True)
    assert "Plus de 5 demandes" in page
    page = clients.coordinator.get("/offers?lang=es").get_data(as_text=True)
    assert "Más de 5 ofertas" in page


def test_the_offer_list_and_the_search_page_cap_their_counts(app, clients, seven, cap5):
    assert "More than 5 offers" in clients.coordinator.get("/offers").get_data(as_text=True)
    page = clients.coordinator.get("/search?q=border").get_data(as_text=True)
    assert "Showing 3 of more than 5." in page  # 9 requests and 7 offers: both counted to the cap
    assert page.count(">more than 5<") == 2  # the requests' and the offers' badges
    page = clients.other_state.get("/search?q=border").get_data(as_text=True)
    assert "more than 5" not in page.split('id="found-offers"')[0]  # Nigeria: its own 2 requests, exact


def test_the_api_total_is_exact_unless_a_capped_count_is_asked_for(app, api, tokens, seven, cap5):
    body = api.get("/api/v1/requests", tokens.coordinator).get_json()
    assert body["total"] == 9 and set(body) == {"items", "page", "per_page", "total"}  # as API.md has it
    body = api.get("/api/v1/requests?count=capped&per_page=2", tokens.coordinator).get_json()
    assert body["total"] == 5 and body["total_capped"] is True and len(body["items"]) == 2
    body = api.get("/api/v1/requests?count=capped", tokens.other_state).get_json()
    assert body["total"] == 2 and body["total_capped"] is False
    body = api.get("/api/v1/offers?count=capped&page=2&per_page=4", tokens.coordinator).get_json()
    assert body["total"] == 7 and body["total_capped"] is False  # counted to the end of page 2 (8): all 7
    response = api.get("/api/v1/requests?count=roughly", tokens.coordinator)
    assert response.status_code == 422 and "count" in response.get_json()["error"]["fields"]
