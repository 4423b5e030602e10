"""The directory of assistance and the country profiles through the Flask test client: providers
with their active offers by theme and region, and what each person may see of a country."""
from __future__ import annotations

import pytest

from exchange.core.extensions import db
from exchange.matches.models import Match
from exchange.matches.operations import match_move, propose_match
from exchange.people.models import User
from tests.web.test_offers_pages import make_offer
from tests.web.test_requests_pages import make_request, move


def test_the_directory_lists_providers_with_their_active_offers(app, clients, people):
    active = make_offer(app, people.provider, title="Active programme zzactive")
    paused = make_offer(app, people.provider, title="Paused programme zzpaused")
    closed = make_offer(app, people.other_provider, title="Closed programme zzclosed")
    clients.provider.post(f"/offers/{paused}/move/pause")
    clients.other_provider.post(f"/offers/{closed}/move/close")
    html = clients.state.get("/directory").get_data(as_text=True)
    assert "zzactive" in html and "zzpaused" not in html and "zzclosed" not in html
    assert f"/offers/{active}" in html
    # Every approved provider is listed (Task Force entities and approved outside providers).
    assert "United Nations Office on Drugs and Crime" in html and "International Monetary Fund" in html
    assert "Nordic Fund" in html and "New Institute" not in html  # awaiting approval
    assert "No active offer posted yet." in html


def test_a_provider_shows_its_first_offers_and_links_to_the_rest(app, clients, people):
    for n in range(11):
        make_offer(app, people.provider, title=f"Programme {n:02d} zzmany")
    html = clients.state.get("/directory").get_data(as_text=True)
    assert [f"Programme {n:02d} zzmany" in html for n in range(11)] == [True] * 8 + [False] * 3  # by title
    assert "and 3 more:" in html and "all 11 active offers of UNODC in the offers list" in html
    assert 'href="/offers?provider=UNODC&amp;status=active"' in html
    listed = clients.state.get("/offers?provider=UNODC&status=active").get_data(as_text=True)
    assert all(f"Programme {n:02d} zzmany" in listed for n in range(11))
    themed = clients.state.get("/directory?theme=financing").get_data(as_text=True)
    assert "11 active offers from 1 provider" in themed
    assert 'href="/offers?provider=UNODC&amp;status=active&amp;theme=financing"' in themed


def test_the_directory_by_theme_and_region(app, clients, people):
    make_offer(app, people.provider, title="Financing in Central Asia zzfin", regions=["143"])
    make_offer(app, people.other_provider, title="Borders in Kazakhstan zzborder", countries=["KAZ"],
               themes=["border-management"])
    make_offer(app, people.outside, title="Anywhere financing zzany")
    make_offer(app, people.provider, title="West Africa zzwest", regions=["011"])

    def shown(query):
        html = clients.state.get(f"/directory?{query}").get_data(as_text=True)
        return {w for w in ("zzfin", "zzborder", "zzany", "zzwest") if w in html}, html

    titles, html = shown("theme=border-management")
    assert titles == {"zzborder"} and '<option value="border-management" selected>' in html
    assert "International Monetary Fund" in html and "United Nations Office on Drugs and Crime" not in html
    titles, html = shown("region=143")  # Central Asia: region list, a country in it, or anywhere
    assert titles == {"zzfin", "zzborder", "zzany"} and "that can deliver in Central Asia" in html
    assert shown("region=011")[0] == {"zzwest", "zzany"}
    assert shown("region=002")[0] == {"zzwest", "zzany"}  # Africa contains Western Africa's countries
    assert shown("theme=financing&region=011")[0] == {"zzwest", "zzany"}
    titles, html = shown("theme=wmd")
    assert titles == set() and "No provider has an active offer matching this." in html
    assert shown("theme=<script>&region=zzzz&q=%22")[1].count("<script>") <= 1  # only the page's own tags


@pytest.fixture
def kaz(app, people):
    """KAZ: an open request with a match in delivery, one completed, a draft; NGA: one request."""
    ids = {"open": make_request(app, people.state, title="Open request zzopen"),
           "done": make_request(app, people.state, title="Delivered request zzdone"),
           "draft": make_request(app, people.state, draft=True, title="Draft zzdraft"),
           "nga": make_request(app, people.other_state, title="Nigerian zznga")}
    move(app, people.coordinator, ids["open"], "accept")
    move(app, people.coordinator, ids["done"], "accept")
    ids["offer_kaz"] = make_offer(app, people.provider, title="Programme for KAZ zzoffkaz", countries=["KAZ"])
    ids["offer_ca"] = make_offer(app, people.other_provider, title="Central Asia programme zzoffca", regions=["143"])
    ids["offer_any"] = make_offer(app, people.outside, title="Anywhere programme zzoffany")
    ids["offer_wa"] = make_offer(app, people.provider, title="West Africa programme zzoffwa", regions=["011"])
    with app.app_context():
        coordinator = db.session.get(User, people.coordinator.id)
        provider = db.session.get(User, people.provider.id)
        in_delivery = propose_match(coordinator, {"request_id": ids["open"], "offer_id": ids["offer_kaz"]})
        done = propose_match(coordinator, {"request_id": ids["done"], "offer_id": ids["offer_kaz"]})
        db.session.commit()
        for match, steps in ((in_delivery, ["accept", "start"]), (done, ["accept", "start", "complete"])):
            for step in steps:
                match_move(step)(provider, db.session.get(Match, match.id), {"outcome": "Forty analysts trained."} if step == "complete" else {})
                db.session.commit()
        ids["match_delivery"], ids["match_done"] = in_delivery.id, done.id
    return ids


def test_a_country_profile(app, clients, people, kaz):
    html = clients.coordinator.get("/countries/KAZ").get_data(as_text=True)
    assert "Kazakhstan" in html and "Central Asia" in html
    assert "zzopen" in html and "zzdone" in html and "zzdraft" not in html and "zznga" not in html
    assert {"zzoffkaz", "zzoffca", "zzoffany"} <= {w for w in ("zzoffkaz", "zzoffca", "zzoffany", "zzoffwa")
                                                   if w in html} and "zzoffwa" not in html
    assert f"/matches/{kaz['match_delivery']}" in html and f"/matches/{kaz['match_done']}" in html
    assert "In delivery" in html and "Completed" in html
    nga = clients.coordinator.get("/countries/NGA").get_data(as_text=True)
    assert "zznga" in nga and "zzoffwa" in nga and "zzoffany" in nga and "zzoffkaz" not in nga
    assert "No assistance under way or delivered in Nigeria" in nga


@pytest.mark.parametrize("person,sees_requests,sees_matches", [
    ("state", {"zzopen", "zzdone", "zzdraft"}, True),
    ("other_state", set(), False),
    ("provider", {"zzopen", "zzdone"}, True),          # UNODC delivers both matches
    ("other_provider", {"zzopen", "zzdone"}, False),   # sees the requests (Task Force entity), not the matches
    ("outside", set(), False),                         # task_force visibility: not for outside providers
    ("admin", {"zzopen", "zzdone"}, True),
])
def test_each_person_sees_only_their_part_of_a_country(app, clients, people, kaz, person, sees_requests,
                                                       sees_matches):
    html = getattr(clients, person).get("/countries/KAZ").get_data(as_text=True)
    assert {w for w in ("zzopen", "zzdone", "zzdraft") if w in html} == sees_requests
    assert (f"/matches/{kaz['match_delivery']}" in html) == sees_matches
    assert (f"/matches/{kaz['match_done']}" in html) == sees_matches
    assert "zzoffkaz" in html  # active offers are open to every signed-in person


def test_country_codes(clients, people):
    assert clients.state.get("/countries/kaz").status_code == 200
    assert clients.state.get("/countries/ZZZ").status_code == 404
    assert clients.state.get("/countries/KAZAKHSTAN").status_code == 404
    response = clients.state.get("/countries?country=nga")
    assert response.status_code == 302 and response.headers["Location"].endswith("/countries/NGA")
    listing = clients.state.get("/countries").get_data(as_text=True)
    assert "/countries/KAZ" in listing and "Asia" in listing and listing.count('href="/countries/') >= 193
