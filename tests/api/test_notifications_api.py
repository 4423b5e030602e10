"""The caller's notifications through the API: `GET /api/v1/notifications` (one's own only, newest first, the
list envelope and its pages, each naming its record, words in the Accept-Language language, `?unread=true`) and
`POST /api/v1/notifications/{id}/read` (one's own: 200 and read; anyone else's or none: 404, nothing changed;
a read-only token: 403), for every role; both in the OpenAPI document."""
from __future__ import annotations

import pytest

from exchange.messages.models import Notification

PERSONS = ["state", "other_state", "provider", "other_provider", "outside", "coordinator", "admin"]


@pytest.fixture
def notified(world, people):
    """A proposed match on a restricted request: its State, its provider and the coordinators are told."""
    request_id = world.request("open", visibility="restricted")
    offer_id = world.offer()
    world.match("proposed", request_id=request_id, offer_id=offer_id)
    return {name: world.notifications_of(getattr(people, name)) for name in PERSONS}


@pytest.mark.parametrize("person", PERSONS)
def test_each_person_lists_their_own_notifications_newest_first(api, tokens, notified, person):
    response = api.get("/api/v1/notifications?per_page=100", tokens[person])
    assert response.status_code == 200
    body = response.get_json()
    assert {"items", "page", "per_page", "total"} <= set(body)
    mine = notified[person]
    assert body["total"] == len(mine)
    assert [item["id"] for item in body["items"]] == [n.id for n in sorted(mine, key=lambda n: (n.at, n.id),
                                                                              reverse=True)]
    for item, note in zip(body["items"], sorted(mine, key=lambda n: (n.at, n.id), reverse=True), strict=True):
        assert (item["record_type"], item["record_id"]) == (note.record_type, note.record_id)
        assert item["kind"] == note.kind and item["read"] is False and item["read_at"] is None
        assert item["message"]


def test_the_provider_is_told_of_the_proposal_and_strangers_of_nothing(api, tokens, notified):
    kinds = {item["kind"] for item in api.get("/api/v1/notifications", tokens.provider).get_json()["items"]}
    assert "match.proposed" in kinds
    assert api.get("/api/v1/notifications", tokens.other_provider).get_json()["total"] == len(notified["other_provider"])
    assert all(n.kind != "match.proposed" for n in notified["other_provider"] + notified["other_state"])


def test_pages_of_the_list(api, tokens, notified):
    total = len(notified["state"])
    assert total >= 2
    first = api.get("/api/v1/notifications?per_page=1&page=1", tokens.state).get_json()
    second = api.get("/api/v1/notifications?per_page=1&page=2", tokens.state).get_json()
    assert first["total"] == second["total"] == total and first["per_page"] == 1
    assert len(first["items"]) == len(second["items"]) == 1 and first["items"][0]["id"] != second["items"][0]["id"]
    assert api.get("/api/v1/notifications?per_page=101", tokens.coordinator).status_code == 422
    assert api.get("/api/v1/notifications?page=0", tokens.coordinator).status_code == 422


def test_the_words_come_in_the_caller_s_language(api, tokens, notified):
    english = api.get("/api/v1/notifications", tokens.provider).get_json()["items"]
    french = api.get("/api/v1/notifications", tokens.provider, headers={"Accept-Language": "fr"}).get_json()["items"]
    assert [i["id"] for i in english] == [i["id"] for i in french]
    assert [i["message"] for i in english] != [i["message"] for i in french]


def test_reading_one_s_own_marks_it_read_once(app, api, tokens, notified, people, world):
    note = next(n for n in notified["provider"] if n.kind == "match.proposed")
    response = api.post(f"/api/v1/notifications/{note.id}/read", tokens.provider)
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == note.id and body["read"] is True and body["read_at"]
    again = api.post(f"/api/v1/notifications/{note.id}/read", tokens.provider).get_json()
    assert again["read_at"] == body["read_at"]
    unread = api.get("/api/v1/notifications?unread=true&per_page=100", tokens.provider).get_json()
    assert note.id not in [i["id"] for i in unread["items"]] and unread["total"] == len(notified["provider"]) - 1
    assert world.row(Notification, note.id).read_at is not None


@pytest.mark.parametrize("person", [p for p in PERSONS if p != "provider"])
def test_another_person_s_notification_answers_404_and_stays_unread(api, tokens, notified, world, person):
    note = notified["provider"][0]
    response = api.post(f"/api/v1/notifications/{note.id}/read", tokens[person])
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    assert world.row(Notification, note.id).read_at is None


def test_no_such_notification_no_token_and_a_read_only_token(app, api, tokens, notified, people, world):
    from exchange.core.extensions import db
    from tests.factories import make_api_token
    assert api.post("/api/v1/notifications/999999/read", tokens.provider).status_code == 404
    assert api.get("/api/v1/notifications").status_code == 401
    note = notified["provider"][0]
    assert api.post(f"/api/v1/notifications/{note.id}/read").status_code == 401
    with app.app_context():
        read_only = make_api_token(people.provider, scope="read")
        db.session.commit()
    assert api.get("/api/v1/notifications", read_only).status_code == 200
    assert api.post(f"/api/v1/notifications/{note.id}/read", read_only).status_code == 403
    assert world.row(Notification, note.id).read_at is None


def test_the_openapi_document_describes_notifications_and_events(api):
    paths = api.get("/api/v1/openapi.json").get_json()["paths"]
    assert "get" in paths["/api/v1/notifications"]
    assert "post" in paths["/api/v1/notifications/{notification_id}/read"]
    assert {"200", "401", "404"} <= set(paths["/api/v1/notifications/{notification_id}/read"]["post"]["responses"])
    events = paths["/api/v1/events"]["get"]["responses"]
    assert "text/event-stream" in events["200"]["content"]
    assert {"401", "503"} <= set(events)


def test_a_notification_held_for_the_digest_is_not_listed_until_released(app, api, tokens, notified, world):
    """A notification its person asked for in the daily digest (inbox_hold set) is not in the inbox yet: the API
    neither lists it nor lets it be read, as the inbox page and the unread count do."""
    from exchange.core.extensions import db
    note = next(n for n in notified["provider"] if n.kind == "match.proposed")
    with app.app_context():
        db.session.get(Notification, note.id).inbox_hold = "daily"
        db.session.commit()
    listed = api.get("/api/v1/notifications?per_page=100", tokens.provider).get_json()
    assert note.id not in [i["id"] for i in listed["items"]] and listed["total"] == len(notified["provider"]) - 1
    assert api.post(f"/api/v1/notifications/{note.id}/read", tokens.provider).status_code == 404
    assert world.row(Notification, note.id).read_at is None
    with app.app_context():
        db.session.get(Notification, note.id).inbox_hold = None
        db.session.commit()
    assert note.id in [i["id"] for i in api.get("/api/v1/notifications?per_page=100",
                                                 tokens.provider).get_json()["items"]]
