"""Offer pages through the Flask test client: posting (providers for themselves, the office on a
provider's behalf), every field's validation beside the field, stale edits, pause/reopen/close,
who may do what, and the list's filters, sorting, pages and empty states."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from exchange.core.extensions import db
from exchange.offers.models import Offer
from exchange.offers.operations import update_offer
from exchange.people.models import User
from tests.helpers import error_beside

DESCRIPTION = "Two-week regional workshops for financial intelligence analysts, in Russian and English."


def offer_form(**changes) -> dict:
    data = {"title": "Workshops on countering terrorist financing", "description": DESCRIPTION,
            "themes": ["financing"], "modalities": ["workshop", "training"], "languages": ["ru", "en"],
            "countries": ["KAZ"], "regions": ["143"], "available_from": "2026-01-01",
            "available_until": "2026-12-31", "capacity": "3", "budget_usd": "120000",
            "contact_name": "Anna Officer", "contact_email": "anna@unodc.test.example"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def offer_raw(**changes) -> dict:
    """The fields of the offers this module builds (through the factories), with `changes`."""
    raw = {"title": "Workshops on countering terrorist financing", "description": DESCRIPTION,
           "themes": ["financing"], "modalities": ["workshop"], "languages": ["en"], "countries": [], "regions": []}
    raw.update(changes)
    return raw


def load(app, offer_id: int) -> Offer:
    with app.app_context():
        offer = db.session.get(Offer, offer_id)
        _ = offer.country_codes, offer.region_codes, offer.theme_codes, offer.organisation.code
        db.session.expunge_all()
        return offer


def count_offers(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Offer))


def test_a_provider_posts_an_offer(app, clients, people):
    page = clients.provider.get("/offers/new").get_data(as_text=True)
    assert "Leave both countries and regions empty if the programme can be delivered anywhere" in page
    assert 'name="organisation"' not in page
    response = clients.provider.post("/offers/new", data=offer_form())
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    offer = load(app, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert (offer.organisation.code, offer.status, offer.capacity, offer.budget_usd) == ("UNODC", "active", 3, 120000)
    assert offer.country_codes == ["KAZ"] and offer.region_codes == ["143"]
    detail = clients.state.get(f"/offers/{offer.id}").get_data(as_text=True)
    assert "Workshops on countering terrorist financing" in detail and "Central Asia" in detail
    assert "anna@unodc.test.example" in detail and "posted" in detail  # history


def test_the_office_posts_on_a_providers_behalf(app, clients, people):
    html = clients.coordinator.post("/offers/new", data=offer_form()).get_data(as_text=True)
    assert "Choose the provider: give the code of a provider organisation." in error_beside(html, "organisation")
    response = clients.coordinator.post("/offers/new", data=offer_form(organisation="IMF"))
    assert response.status_code == 302
    assert load(app, int(response.headers["Location"].rsplit("/", 1)[1])).organisation.code == "IMF"
    # A provider cannot post for someone else (the field is ignored for providers, its own is used).
    response = clients.provider.post("/offers/new", data=offer_form(organisation="IMF"))
    assert load(app, int(response.headers["Location"].rsplit("/", 1)[1])).organisation.code == "UNODC"


def test_states_and_unapproved_providers_cannot_post(clients, people):
    assert clients.state.get("/offers/new").status_code == 403
    assert clients.state.post("/offers/new", data=offer_form()).status_code == 403
    assert clients.pending.get("/offers/new").status_code == 403


INVALID = [
    ("title", {"title": "Abc"}, "Enter a title of 5 to 200 characters."),
    ("description", {"description": "Short."}, "Describe what you offer in 20 to 10,000 characters."),
    ("themes", {"themes": []}, "Choose at least one theme."),
    ("modalities", {"modalities": ["nonsense"]}, "Unknown modalities: nonsense."),
    ("languages", {"languages": []}, "Choose at least one language."),
    ("countries", {"countries": ["ZZZ"]}, "Unknown countries: ZZZ."),
    ("regions", {"regions": ["999"]}, "Unknown regions: 999."),
    ("available_from", {"available_from": "next week"}, "Available from: enter a real date as year-month-day"),
    ("available_until", {"available_until": "2025-01-01"}, "The end must not be before the start."),
    ("capacity", {"capacity": "0"}, "Capacity: enter a whole number from 1 to 100,000"),
    ("capacity", {"capacity": "three"}, "Capacity: enter a whole number from 1 to 100,000"),
    ("budget_usd", {"budget_usd": "-1"}, "Budget (US dollars): enter a whole number from 0"),
    ("contact_email", {"contact_email": "not-an-address"}, "Contact e-mail: enter an e-mail address like name@example.org."),
    ("contact_name", {"contact_name": "n" * 201}, "Contact person: enter at most 200 characters."),
]


@pytest.mark.parametrize("field,changes,message", INVALID, ids=[f"{f}-{i}" for i, (f, _c, _m) in enumerate(INVALID)])
def test_each_invalid_field_is_shown_beside_it(app, clients, people, field, changes, message):
    response = clients.provider.post("/offers/new", data=offer_form(**changes))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in error_beside(html, field), error_beside(html, field)
    assert count_offers(app) == 0
    if field != "description":
        assert DESCRIPTION in html
    if field != "countries":
        assert re.search(r'<option selected value="KAZ">|<option value="KAZ" selected', html)


def test_a_stale_offer_edit_is_refused_and_keeps_what_was_typed(app, clients, people, world):
    offer_id = world.offer(people.provider, **offer_raw())
    version = load(app, offer_id).version
    with app.app_context():
        offer = db.session.get(Offer, offer_id)
        update_offer(db.session.get(User, people.coordinator.id), offer,
                                {"version": version, "capacity": 9})
        db.session.commit()
    response = clients.provider.post(f"/offers/{offer_id}/edit",
                                     data=offer_form(title="My new programme title", version=str(version)))
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone changed this record since you read it" in html and 'value="My new programme title"' in html
    offer = load(app, offer_id)
    assert offer.title != "My new programme title" and offer.capacity == 9
    response = clients.provider.post(f"/offers/{offer_id}/edit",
                                     data=offer_form(title="My new programme title", version=str(offer.version)))
    assert response.status_code == 302 and load(app, offer_id).title == "My new programme title"


def test_only_the_provider_or_the_office_edits(app, clients, people, world):
    offer_id = world.offer(people.provider, **offer_raw())
    response = clients.other_provider.get(f"/offers/{offer_id}/edit")
    assert response.status_code == 302
    version = load(app, offer_id).version
    clients.other_provider.post(f"/offers/{offer_id}/edit", data=offer_form(title="Hijacked title",
                                                                            version=str(version)))
    assert load(app, offer_id).title != "Hijacked title"
    assert clients.admin.get(f"/offers/{offer_id}/edit").status_code == 200


def test_pause_reopen_close(app, clients, people, world):
    offer_id = world.offer(people.provider, **offer_raw())
    page = clients.provider.get(f"/offers/{offer_id}").get_data(as_text=True)
    assert f"/offers/{offer_id}/move/pause" in page and f"/offers/{offer_id}/move/resume" not in page
    assert "/move/" not in clients.other_provider.get(f"/offers/{offer_id}").get_data(as_text=True)
    html = clients.other_provider.post(f"/offers/{offer_id}/move/pause", follow_redirects=True).get_data(as_text=True)
    assert "Nothing was changed" in html and load(app, offer_id).status == "active"
    clients.provider.post(f"/offers/{offer_id}/move/pause")
    assert load(app, offer_id).status == "paused"
    html = clients.provider.post(f"/offers/{offer_id}/move/pause", follow_redirects=True).get_data(as_text=True)
    assert "The move “Pause” is not possible on an offer whose status is “Paused”." in html
    clients.provider.post(f"/offers/{offer_id}/move/resume")
    assert load(app, offer_id).status == "active"
    clients.coordinator.post(f"/offers/{offer_id}/move/close")
    assert load(app, offer_id).status == "closed"
    # A closed offer is gone for other providers and States; its provider still sees it.
    assert clients.other_provider.get(f"/offers/{offer_id}").status_code == 404
    assert clients.state.get(f"/offers/{offer_id}").status_code == 404
    assert clients.provider.get(f"/offers/{offer_id}").status_code == 200


@pytest.fixture
def offers(app, people, world):
    ids = {
        "kaz": world.offer(people.provider, **offer_raw(title="Kazakhstan only zzkaz", countries=["KAZ"])),
        "central_asia": world.offer(people.other_provider, **offer_raw(title="Central Asia zzcentral", regions=["143"],
                                                                       themes=["border-management"])),
        "anywhere": world.offer(people.outside, **offer_raw(title="Anywhere at all zzany", languages=["fr"])),
        "west_africa": world.offer(people.provider, **offer_raw(title="Western Africa zzwest", regions=["011"],
                                                                modalities=["equipment"])),
    }
    return ids


def _titles(html: str) -> set[str]:
    return set(re.findall(r"zz(kaz|central|any|west)\b", html))


def test_offer_filters(clients, offers):
    get = clients.state.get
    assert _titles(get("/offers").get_data(as_text=True)) == {"kaz", "central", "any", "west"}
    assert _titles(get("/offers?country=KAZ").get_data(as_text=True)) == {"kaz", "central", "any"}
    assert _titles(get("/offers?country=NGA").get_data(as_text=True)) == {"any", "west"}
    assert _titles(get("/offers?provider=UNODC").get_data(as_text=True)) == {"kaz", "west"}
    assert _titles(get("/offers?theme=border-management").get_data(as_text=True)) == {"central"}
    assert _titles(get("/offers?pillar=II").get_data(as_text=True)) == {"kaz", "central", "any", "west"}
    assert _titles(get("/offers?region=011").get_data(as_text=True)) == {"west"}
    assert _titles(get("/offers?modality=equipment").get_data(as_text=True)) == {"west"}
    assert _titles(get("/offers?language=fr").get_data(as_text=True)) == {"any"}
    html = get("/offers?q=zzcentral&provider=IMF").get_data(as_text=True)
    assert _titles(html) == {"central"} and 'value="zzcentral"' in html and '<option value="IMF" selected>' in html
    html = get("/offers?status=paused").get_data(as_text=True)
    assert _titles(html) == set() and "No offer matches these filters." in html
    html = get("/offers?sort=title").get_data(as_text=True)
    assert re.findall(r"zz(kaz|central|any|west)\b", html)[:4] == ["any", "central", "kaz", "west"]


def test_offer_pages_of_twenty(app, clients, people, world):
    for i in range(22):
        world.offer(people.provider, **offer_raw(title=f"Programme number {i:02d}"))
    first = clients.state.get("/offers").get_data(as_text=True)
    second = clients.state.get("/offers?page=2").get_data(as_text=True)
    assert len(re.findall(r"Programme number \d\d", first)) == 20
    assert len(re.findall(r"Programme number \d\d", second)) == 2
    assert "22 offers" in first and "Page 1 of 2" in first


def test_offer_empty_states(clients, people):
    assert "Post the first offer" in clients.provider.get("/offers").get_data(as_text=True)
    html = clients.state.get("/offers").get_data(as_text=True)
    assert "No offer has been posted yet." in html and "Post the first offer" not in html
