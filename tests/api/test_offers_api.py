"""Offers through the API: posting by role, validation, editing with versions, pause/resume/close,
who sees closed offers, and the delivery-place filter."""
from __future__ import annotations

import pytest

from exchange.offers.models import Offer
from exchange.offers.operations import offer_move
from tests.factories import OFFER


def test_a_provider_posts_for_its_own_organisation(api, tokens):
    response = api.post("/api/v1/offers", tokens.provider, json=OFFER | {
        "countries": ["KAZ", "TJK"], "regions": ["143"], "capacity": 3, "budget_usd": 50000,
        "available_from": "2026-01-01", "available_until": "2026-12-31"})
    assert response.status_code == 201, response.json
    body = response.json
    assert body["organisation"] == "UNODC" and body["status"] == "active" and body["status_label"] == "Active"
    assert body["countries"] == ["KAZ", "TJK"] and body["regions"] == ["143"] and body["anywhere"] is False
    assert body["capacity"] == 3 and body["available_until"] == "2026-12-31" and body["created_at"].endswith("Z")
    assert body["reference"] == f"O-{body['id']:05d}" and isinstance(body["version"], int)
    assert api.get(f"/api/v1/offers/{body['id']}", tokens.state).json == body
    anywhere = api.post("/api/v1/offers", tokens.outside, json=OFFER | {"countries": [], "regions": []}).json
    assert anywhere["anywhere"] is True and anywhere["organisation"] == "nordic-fund" and anywhere["capacity"] is None


def test_who_posts_for_whom(api, tokens):
    assert api.post("/api/v1/offers", tokens.provider, json=OFFER | {"organisation": "IMF"}).status_code == 422
    no_org = api.post("/api/v1/offers", tokens.coordinator, json=OFFER)
    assert no_org.status_code == 422 and "organisation" in no_org.json["error"]["fields"]
    not_provider = api.post("/api/v1/offers", tokens.coordinator, json=OFFER | {"organisation": "KAZ"})
    assert not_provider.status_code == 422
    on_behalf = api.post("/api/v1/offers", tokens.coordinator, json=OFFER | {"organisation": "WCO"})
    assert on_behalf.status_code == 201 and on_behalf.json["organisation"] == "WCO"
    assert api.post("/api/v1/offers", tokens.admin, json=OFFER | {"organisation": "IMF"}).status_code == 201
    assert api.post("/api/v1/offers", tokens.state, json=OFFER).status_code == 403
    assert api.post("/api/v1/offers", tokens.pending, json=OFFER).status_code == 403


INVALID = [("title", {"title": "abc"}), ("description", {"description": "short"}), ("themes", {"themes": []}),
           ("modalities", {"modalities": ["x"]}), ("languages", {"languages": []}),
           ("countries", {"countries": ["XXX"]}), ("regions", {"regions": ["999"]}),
           ("capacity", {"capacity": 0}), ("budget_usd", {"budget_usd": -5}),
           ("available_until", {"available_from": "2026-06-01", "available_until": "2026-01-01"}),
           ("contact_email", {"contact_email": "not-an-email"}), ("extra", {"extra": 1}), ("title", {"title": None})]


@pytest.mark.parametrize("field,changes", INVALID, ids=[f for f, _ in INVALID])
def test_offer_fields_are_validated(api, tokens, world, field, changes):
    response = api.post("/api/v1/offers", tokens.provider, json=OFFER | changes)
    assert response.status_code == 422 and field in response.json["error"]["fields"], response.json
    assert world.count(Offer) == 0


def test_patch_with_version_by_owner_or_office(api, tokens, world):
    oid = world.offer()
    version = api.get(f"/api/v1/offers/{oid}", tokens.provider).json["version"]
    assert api.patch(f"/api/v1/offers/{oid}", tokens.provider, json={"capacity": 2}).status_code == 422
    assert api.patch(f"/api/v1/offers/{oid}", tokens.other_provider,
                     json={"capacity": 2, "version": version}).status_code == 403
    assert api.patch(f"/api/v1/offers/{oid}", tokens.state, json={"capacity": 2, "version": version}).status_code == 403
    ok = api.patch(f"/api/v1/offers/{oid}", tokens.provider, json={"capacity": 2, "regions": ["002"],
                                                                   "version": version})
    assert ok.status_code == 200 and ok.json["capacity"] == 2 and ok.json["regions"] == ["002"]
    stale = api.patch(f"/api/v1/offers/{oid}", tokens.coordinator, json={"capacity": 9, "version": version})
    assert stale.status_code == 409
    assert world.row(Offer, oid).capacity == 2
    moved = api.patch(f"/api/v1/offers/{oid}", tokens.provider, json={"organisation": "IMF",
                                                                      "version": ok.json["version"]})
    assert moved.status_code == 422 and "organisation" in moved.json["error"]["fields"]


@pytest.mark.parametrize("action,start,person,expected,after", [
    ("pause", "active", "provider", 200, "paused"), ("pause", "active", "coordinator", 200, "paused"),
    ("pause", "active", "admin", 200, "paused"), ("pause", "paused", "provider", 409, "paused"),
    ("pause", "active", "other_provider", 403, "active"), ("pause", "active", "state", 403, "active"),
    ("resume", "paused", "provider", 200, "active"), ("resume", "active", "provider", 409, "active"),
    ("resume", "paused", "outside", 403, "paused"),
    ("close", "active", "provider", 200, "closed"), ("close", "paused", "coordinator", 200, "closed"),
    ("close", "closed", "provider", 409, "closed"), ("close", "closed", "other_provider", 404, "closed"),
])
def test_offer_moves(api, tokens, world, action, start, person, expected, after):
    oid = world.offer(status=start)
    response = api.post(f"/api/v1/offers/{oid}/{action}", tokens[person])
    assert response.status_code == expected, response.json
    if expected == 200:
        assert response.json["status"] == after
    assert world.status_of(Offer, oid) == after


def test_offer_moves_take_only_a_version(app, api, tokens, people, world):
    oid = world.offer()
    for body in ({"why": "x"}, {"version": "1"}, [1], [], 0, "", True):
        response = api.post(f"/api/v1/offers/{oid}/pause", tokens.provider, json=body)
        assert response.status_code == 422 and response.json["error"]["code"] == "validation_error", body
    assert world.status_of(Offer, oid) == "active"
    # not the caller's move, or not from this status: said before any complaint about the body
    assert api.post(f"/api/v1/offers/{oid}/pause", tokens.other_provider, json={"why": "x"}).status_code == 403
    assert api.post(f"/api/v1/offers/{oid}/resume", tokens.provider, json={"why": "x"}).status_code == 409
    version = api.get(f"/api/v1/offers/{oid}", tokens.provider).json["version"]
    paused = api.post(f"/api/v1/offers/{oid}/pause", tokens.provider, json={"version": version})
    assert paused.status_code == 200 and paused.json["status"] == "paused"

    from exchange.core.errors import ValidationFailed
    from exchange.core.extensions import db
    from exchange.people.models import User
    with app.app_context():  # the operation checks the body itself, whoever calls it
        provider = db.session.get(User, people.provider.id)
        with pytest.raises(ValidationFailed) as refused:
            offer_move("resume")(provider, db.session.get(Offer, oid), {"why": "x"})
        assert "why" in refused.value.fields
        db.session.rollback()
        offer = db.session.get(Offer, oid)
        offer_move("resume")(provider, offer)  # pages pass no body
        assert offer.status == "active"
        db.session.rollback()


def test_closed_offers_are_seen_by_their_provider_and_the_office_only(api, tokens, world):
    oid = world.offer(status="closed")
    for person, status in (("provider", 200), ("coordinator", 200), ("admin", 200), ("other_provider", 404),
                           ("state", 404), ("outside", 404)):
        assert api.get(f"/api/v1/offers/{oid}", tokens[person]).status_code == status, person
    assert api.get("/api/v1/offers", tokens.state).json["total"] == 0
    assert api.get("/api/v1/offers", tokens.provider).json["total"] == 1


def test_offer_filters(api, tokens, world):
    asia = world.offer(regions=["143"], title="Central Asia CFT programme")
    kaz = world.offer(by="other_provider", countries=["KAZ"], themes=["legal-framework"], languages=["ru"])
    anywhere = world.offer(by="outside", modalities=["equipment"], title="Forensic kits for anywhere")
    nga = world.offer(countries=["NGA"], title="Nigeria only programme")

    def ids(query):
        response = api.get(f"/api/v1/offers?{query}", tokens.coordinator)
        assert response.status_code == 200, response.json
        return sorted(item["id"] for item in response.json["items"])

    assert ids("country=KAZ") == sorted([asia, kaz, anywhere])
    assert ids("country=NGA") == sorted([anywhere, nga])
    assert ids("region=143") == [asia]
    assert ids("provider=IMF") == [kaz] and ids("provider=UNODC") == sorted([asia, nga])
    assert ids("theme=legal-framework") == [kaz] and ids("language=ru&modality=training") == sorted([asia, kaz, nga])
    assert ids("modality=equipment") == [anywhere] and ids("pillar=II") == sorted([asia, kaz, anywhere, nga])
    assert ids("q=forensic kits") == [anywhere] and ids("q=nigeria") == [nga]
    assert ids("status=paused") == [] and ids("country=XYZ") == [anywhere]
    assert api.get("/api/v1/offers?per_page=500", tokens.coordinator).status_code == 422
    titles = [i["title"] for i in api.get("/api/v1/offers?sort=title", tokens.coordinator).json["items"]]
    assert titles == sorted(titles, key=str.lower)
