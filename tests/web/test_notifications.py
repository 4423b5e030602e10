"""Notifications: the right people hear of each event, the inbox lists them newest first with unread
ones marked, opening one marks it read and leads to its record, "mark all read", and the unread count
in the navigation bar."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from exchange.core.extensions import db
from exchange.messages.models import Notification
from tests.helpers import writes_in_reads


def test_events_reach_the_right_people(app, people, clients, world):
    request_id = world.request()
    assert [n.kind for n in world.notifications_of(people.coordinator)] == ["request.submitted"]
    # The State filed it itself: it is told only that the request was received.
    assert [n.kind for n in world.notifications_of(people.state)] == ["request.received"]
    clients.coordinator.post(f"/triage/{request_id}/accept")
    assert [n.kind for n in world.notifications_of(people.state)] == ["request.received", "request.accept"]
    match_id = world.match("proposed", request_id, world.offer(people.provider))
    assert "match.proposed" in [n.kind for n in world.notifications_of(people.provider)]
    assert not world.notifications_of(people.outside) and not world.notifications_of(people.other_state)
    clients.provider.post(f"/matches/{match_id}/move/accept")
    assert "match.accept" in [n.kind for n in world.notifications_of(people.state)]
    assert "match.accept" in [n.kind for n in world.notifications_of(people.coordinator)]
    assert "match.accept" not in [n.kind for n in world.notifications_of(people.provider)]


def test_inbox_lists_newest_first_and_marks_unread(app, people, clients, world):
    request_id = world.request("open")
    with app.app_context():
        db.session.execute(delete(Notification).where(Notification.kind == "request.received"))
        older = db.session.scalar(select(Notification).where(Notification.user_id == people.state.id))
        older.at -= timedelta(hours=1)
        older.message, older.params = "The older one", None  # a row from before params: its stored words
        db.session.add(Notification(user_id=people.state.id, kind="test", message="The newer one",
                                    record_type="request", record_id=request_id))
        db.session.commit()
    html = clients.state.get("/inbox").get_data(as_text=True)
    assert html.index("The newer one") < html.index("The older one")
    assert html.count("inbox-unread") == 2 and "2 unread" in html
    assert ('badge rounded-pill text-bg-warning ms-1"><span aria-hidden="true">2</span>'
            '<span class="visually-hidden">2 unread notifications</span>') in html  # navbar
    assert "The newer one" not in clients.coordinator.get("/inbox").get_data(as_text=True)


def test_opening_a_notification_marks_it_read_and_goes_to_its_record(app, people, clients, world):
    request_id = world.request("open")
    clients.state.post("/inbox/read-all")  # the acknowledgement of filing, read
    note = world.notifications_of(people.state, "request.accept")[0]
    with writes_in_reads() as writes:
        response = clients.state.get(f"/inbox/{note.id}")
    assert response.status_code == 302 and response.headers["Location"] == f"/requests/{request_id}"
    assert writes == []  # marked read after the GET, in a transaction of its own
    assert world.notifications_of(people.state, "request.accept")[0].read_at is not None
    assert "inbox-unread" not in clients.state.get("/inbox").get_data(as_text=True)
    # Someone else's notification, or none: not found, nothing marked.
    other = world.notifications_of(people.coordinator)[0]
    assert clients.state.get(f"/inbox/{other.id}").status_code == 404
    assert clients.state.get("/inbox/999999").status_code == 404
    assert world.notifications_of(people.coordinator)[0].read_at is None


@pytest.mark.parametrize("kind,record_type,location", [
    ("match.accept", "match", "/matches/{id}"),
    ("message.posted", "match", "/matches/{id}#thread"),  # a message leads to the record's thread
    ("message.posted", "request", "/requests/{id}#thread"),
    ("reminder.request", "request", "/requests/{id}"),
    ("test", "offer", "/offers/{id}"),
    ("organisation.approved", "organisation", "/"),  # an organisation's news: its people's home page
])
def test_a_notification_leads_to_the_page_of_its_record(app, people, clients, kind, record_type, location):
    with app.app_context():
        note = Notification(user_id=people.state.id, kind=kind, message="News", record_type=record_type,
                            record_id=people.state.organisation_id if record_type == "organisation" else 42)
        db.session.add(note)
        db.session.commit()
        note_id = note.id
    assert clients.state.get(f"/inbox/{note_id}").headers["Location"] == location.format(id=42)


def test_mark_all_read(app, people, clients, world):
    world.request("open")
    world.request()
    assert clients.coordinator.get("/inbox").get_data(as_text=True).count("inbox-unread") == 2
    response = clients.coordinator.post("/inbox/read-all", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "2 notifications marked read." in html and "inbox-unread" not in html
    assert all(n.read_at for n in world.notifications_of(people.coordinator))
    assert not any(n.read_at for n in world.notifications_of(people.state))  # only one's own
    again = clients.coordinator.post("/inbox/read-all", follow_redirects=True)
    assert "Nothing was unread." in again.get_data(as_text=True)


def test_unread_filter_and_empty_inbox(app, people, clients, world):
    assert "Your inbox is empty." in clients.state.get("/inbox").get_data(as_text=True)
    world.request("open")
    clients.state.post("/inbox/read-all")
    assert "No unread notifications." in clients.state.get("/inbox?unread=1").get_data(as_text=True)
    assert "accepted" in clients.state.get("/inbox").get_data(as_text=True)
    assert clients.anonymous.get("/inbox").status_code == 302


def _notes_about(app, org_code: str, language: str | None):
    """Approve the outside provider `org_code` with a coordinator speaking French (its people are told), and read
    the notification its first user gets in `language`."""
    from exchange.core.i18n import speaking
    from exchange.messages.models import written
    from exchange.people.models import Organisation, User
    with app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.code == org_code))
        user = db.session.scalar(select(User).where(User.organisation_id == org.id))
        note = db.session.scalar(select(Notification).where(Notification.user_id == user.id,
                                                            Notification.kind == "organisation.approved"))
        with app.test_request_context("/"), speaking(language):
            return note.message, written(note.message, note.params)


def test_plain_english_words_with_their_values_in_read_as_written(app, people):
    from exchange.messages.notify import notify, users_of
    from exchange.people.models import Organisation
    with app.app_context():
        org = db.session.get(Organisation, people.outside.organisation_id)
        org_code = org.code
        with app.test_request_context("/"):
            notify(users_of([org]), "organisation.approved", f"{org.name} may now post offers.", about=org)
        db.session.commit()
    stored, french = _notes_about(app, org_code, "fr")
    assert stored == french and stored.endswith(" may now post offers.")


def test_dates_and_marked_words_among_the_values_are_written_for_the_reader(app):
    from datetime import date

    from flask_babel import lazy_gettext

    from exchange.core.i18n import speaking
    from exchange.messages.models import written
    from exchange.messages.notify import _params
    with app.test_request_context("/"):
        english, params = _params(lazy_gettext("%(name)s is now: %(approval)s.", name="Fondation X",
                                               approval=lazy_gettext("Approved")), None)
        assert english == "Fondation X is now: Approved." and params["values"]["approval"] == {"msgid": "Approved"}
        with speaking("es"):
            assert written(english, params) == "Fondation X tiene ahora el estado: Aprobada."
        _, dated = _params(lazy_gettext("Revoked %(when)s"), {"when": date(2026, 12, 1)})
        with speaking("fr"):
            assert written("", dated) == "Révoqué le 1 déc. 2026"
