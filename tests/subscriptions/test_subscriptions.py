"""Saved searches through the real layers: saved from the list's filters on the page, one notification per
new matching record (however often it moves), none for what its owner may not see (drafts, restricted
requests not shared with them, requests before the search was saved, other filters), e-mailed by the
owner's choice; the notification settings page (at once, daily digest, not at all; in the inbox and by
e-mail) and the authorisation of every route for every role."""
from __future__ import annotations

from sqlalchemy import select

from exchange.core.extensions import db
from exchange.messages.models import Notification, NotificationPreference
from exchange.subscriptions.models import SavedSearch, SubscriptionHit
from tests.factories import (
    make_offer,
    make_request,
    make_saved_search,
    move_request,
    set_notification_choices,
    update_request,
)
from tests.helpers import mail_server

CLIENTS = {"member_state": "state", "provider": "provider", "coordinator": "coordinator", "admin": "admin"}


def _told(app, user_id: int, kind: str = "subscription.request") -> list[int]:
    with app.app_context():
        return sorted(n.record_id for n in db.session.scalars(
            select(Notification).where(Notification.user_id == user_id, Notification.kind == kind)))


def test_a_search_saved_from_the_list_tells_of_each_new_matching_request_once(app, people, clients):
    page = clients.provider.get("/subscriptions/new?kind=request&theme=border-management&region=011")
    assert page.status_code == 200 and "border-management" in page.text
    saved = clients.provider.post("/subscriptions", data={
        "record_type": "request", "name": "Border management in Western Africa",
        "f-theme": "border-management", "f-region": "011"})
    assert saved.status_code == 302
    with app.app_context():
        search = db.session.scalars(select(SavedSearch)).one()
        assert search.params == {"theme": "border-management", "region": "011"}
        wanted = make_request(people, "submitted", by="other_state", themes=["border-management"],
                              title="Border posts on the Niger")   # NGA: Western Africa
        other_theme = make_request(people, "submitted", by="other_state", themes=["financing"])
        other_place = make_request(people, "submitted", themes=["border-management"])  # KAZ: Central Asia
        db.session.commit()
        wanted_id = wanted.id
        for action in ("review", "accept"):  # it moves on: still one notification
            move_request(people, wanted, action)
            db.session.commit()
        update_request(people, wanted, title="Border posts on the Niger river")
        db.session.commit()
        del other_theme, other_place
    assert _told(app, people.provider.id) == [wanted_id]
    inbox = clients.provider.get("/inbox")
    assert "Border management in Western Africa" in inbox.text and "Border posts on the Niger" in inbox.text


def test_no_notification_for_drafts_restricted_requests_or_what_came_before(app, people):
    with app.app_context():
        before = make_request(people, "submitted", themes=["financing"])
        db.session.commit()
        make_saved_search(people, "provider", theme="financing")
        make_saved_search(people, "other_provider", theme="financing")
        db.session.commit()
        before_id = before.id
        move_request(people, before, "review")  # moved after the search was saved: not new
        db.session.commit()
        draft = make_request(people, "draft", themes=["financing"])
        restricted = make_request(people, "submitted", by="other_state", themes=["financing"], visibility="restricted")
        shared = make_request(people, "submitted", themes=["financing"], visibility="restricted",
                              shared_with=["UNODC"])
        db.session.commit()
        ids = {"draft": draft.id, "restricted": restricted.id, "shared": shared.id}
        # The draft submitted later becomes new and visible: told then, once.
        move_request(people, draft, "submit", by="state")
        db.session.commit()
    assert before_id not in _told(app, people.provider.id)
    assert _told(app, people.provider.id) == sorted([ids["draft"], ids["shared"]])     # UNODC
    assert _told(app, people.other_provider.id) == [ids["draft"]]                      # IMF: not shared with it


def test_an_offer_search_tells_the_coordinator_of_new_offers(app, people):
    with app.app_context():
        make_saved_search(people, "coordinator", "Training offers", "offer", modality="training")
        db.session.commit()
        offer = make_offer(people, "provider", modalities=["training"])
        make_offer(people, "provider", modalities=["equipment"])
        db.session.commit()
        offer_id = offer.id
    assert _told(app, people.coordinator.id, "subscription.offer") == [offer_id]


def test_telling_twice_adds_nothing(app, people):
    from exchange.subscriptions.telling import tell_subscribers_now
    with app.app_context():
        make_saved_search(people, "coordinator", theme="financing")
        db.session.commit()
        req = make_request(people, "submitted", themes=["financing"])
        db.session.commit()
        assert tell_subscribers_now("request", [req.id]) == 0  # the job after the commit told already
        assert db.session.scalar(select(db.func.count()).select_from(SubscriptionHit)) == 1
        request_id = req.id
    assert _told(app, people.coordinator.id) == [request_id]


def test_the_owner_s_choice_decides_the_e_mail(app, people):
    with app.app_context():
        make_saved_search(people, "coordinator", theme="financing")
        make_saved_search(people, "provider", theme="financing")
        set_notification_choices(people, "provider", subscription=("now", "off"))
        db.session.commit()
    with mail_server(app) as handler, app.app_context():
        make_request(people, "submitted", themes=["financing"])
        db.session.commit()
    subjects = {(tos[0], m["Subject"]) for tos, m in handler.messages}
    assert (people.coordinator.email, "[The Exchange] New request matching your saved search") in subjects
    assert all(to != people.provider.email for to, _ in subjects)
    assert len(_told(app, people.provider.id)) == 1  # in the inbox all the same


def test_not_at_all_anywhere_writes_nothing(app, people):
    with app.app_context():
        make_saved_search(people, "provider", theme="financing")
        set_notification_choices(people, "provider", subscription=("off", "off"))
        db.session.commit()
        make_request(people, "submitted", themes=["financing"])
        db.session.commit()
    assert _told(app, people.provider.id) == []


def test_bad_searches_are_refused_and_change_nothing(app, people, clients):
    for data in ({"record_type": "request", "name": "", "f-theme": "financing"},
                 {"record_type": "request", "name": "x" * 121},
                 {"record_type": "people", "name": "Who"}):
        response = clients.coordinator.post("/subscriptions", data=data)
        assert response.status_code == 422, data
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(SavedSearch)) == 0


def test_the_settings_page_keeps_each_choice_and_refuses_nonsense(app, people, clients):
    page = clients.state.get("/subscriptions")
    assert page.status_code == 200 and "Daily digest" in page.text
    assert "Your saved searches" not in page.text  # a State keeps no saved searches
    form = {f"{c}-{ch}": "now" for c in ("request", "match", "message", "reminder", "subscription", "organisation")
            for ch in ("in_app", "email")}
    response = clients.state.post("/subscriptions/preferences", data=form | {"reminder-email": "daily",
                                                                             "message-in_app": "off"})
    assert response.status_code == 302
    with app.app_context():
        rows = {(r.category, r.in_app, r.email) for r in db.session.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id == people.state.id))}
    assert rows == {("reminder", "now", "daily"), ("message", "off", "now")}
    assert clients.state.post("/subscriptions/preferences", data=form | {"match-email": "hourly"}).status_code == 422
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(NotificationPreference)) == 2


def test_every_route_for_every_role(app, people, clients):
    with app.app_context():
        own = make_saved_search(people, "provider", theme="financing")
        db.session.commit()
        own_id = own.id
    for role, name in CLIENTS.items():
        client = getattr(clients, name)
        saver = role in ("provider", "coordinator")
        assert client.get("/subscriptions").status_code == 200, role
        assert client.get("/subscriptions/new?kind=request").status_code == (200 if saver else 403), role
        assert client.post("/subscriptions", data={"record_type": "request", "name": f"By {role}"}).status_code \
            == (302 if saver else 403), role
        if role != "provider":  # not theirs: 404 for a saver, 403 for the others
            assert client.post(f"/subscriptions/{own_id}/delete").status_code == (404 if saver else 403), role
    anonymous = clients.anonymous
    for path in ("/subscriptions", "/subscriptions/new"):
        assert anonymous.get(path).status_code == 302
    assert anonymous.post(f"/subscriptions/{own_id}/delete").status_code in (302, 400, 403)
    assert clients.provider.post(f"/subscriptions/{own_id}/delete").status_code == 302
    with app.app_context():
        assert db.session.get(SavedSearch, own_id) is None
        assert sorted(s.name for s in db.session.scalars(select(SavedSearch))) == ["By coordinator", "By provider"]
