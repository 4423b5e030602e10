"""The case queue through the pages: who may use it, the case owner (assign to me, reassign, audited), bulk
actions record by record with their results, saved views per person, the office's clock that stops while the
case waits on the State or a provider, and the page's cost with a busy office (200 live requests, 4
coordinators: statements and time printed)."""
from __future__ import annotations

import time
from datetime import datetime, timedelta

from sqlalchemy import event, func, select

from exchange.audit.models import AuditEvent
from exchange.core.extensions import db
from exchange.core.models import utcnow
from exchange.matches.models import TriageView
from exchange.requests import clock
from exchange.requests.models import AssistanceRequest
from tests.factories import assign_case, make_match, make_offer, make_office, make_request
from tests.helpers import signed_in_client

QUEUE_ROUTES = [("get", "/triage"), ("post", "/triage/bulk"), ("post", "/triage/views"),
                ("post", "/triage/views/1/delete")]


def test_only_coordinators_use_the_queue_and_its_actions(app, people, clients, world):
    request_id = world.request()
    routes = QUEUE_ROUTES + [("get", f"/triage/{request_id}"), ("post", f"/triage/{request_id}/assign")]
    for person in ("state", "provider", "admin", "other_state", "outside"):
        client = getattr(clients, person, None) or signed_in_client(app, getattr(people, person).id)
        for method, path in routes:
            assert getattr(client, method)(path, data={"owner_id": "me"}).status_code == 403, (person, path)
    for method, path in routes:
        answer = getattr(app.test_client(), method)(path)
        assert answer.status_code in (302, 401) and "/login" in answer.headers.get("Location", "/login"), path
    assert world.row(AssistanceRequest, request_id).owner_id is None


def test_assign_to_me_and_reassign_are_audited_and_told(app, people, clients, world):
    request_id = world.request()
    page = clients.coordinator.get(f"/requests/{request_id}").get_data(as_text=True)
    assert "Assign to me" in page and "No owner yet." in page
    assert "Assign to me" not in clients.state.get(f"/requests/{request_id}").get_data(as_text=True)
    answer = clients.coordinator.post(f"/triage/{request_id}/assign", data={"owner_id": "me"},
                                      follow_redirects=True)
    assert "is now owned by" in answer.get_data(as_text=True)
    assert world.row(AssistanceRequest, request_id).owner_id == people.coordinator.id
    with app.app_context():
        from tests.factories import make_user
        second = make_user("second@ctitf.test.example", "coordinator", "CTITF", "Second Coordinator")
        db.session.commit()
        second_id = second.id
    clients.coordinator.post(f"/triage/{request_id}/assign", data={"owner_id": str(second_id)})
    assert world.row(AssistanceRequest, request_id).owner_id == second_id
    with app.app_context():
        events = list(db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "request.assigned", AuditEvent.record_id == request_id).order_by(AuditEvent.id)))
        assert [e.changes["owner"] for e in events] == [[None, people.coordinator.display_name],
                                                        [people.coordinator.display_name, "Second Coordinator"]]
    told = [n for n in world.notifications_of(people.state) if n.kind == "request.assigned"]
    assert told == []  # the State is not told who owns the case; the new owner is
    with app.app_context():
        from exchange.messages.models import Notification
        assert db.session.scalar(select(func.count()).where(Notification.user_id == second_id,
                                                            Notification.kind == "request.assigned")) == 1


def test_a_case_is_owned_only_by_a_coordinator(app, people, clients, world):
    request_id = world.request()
    for value in (str(people.provider.id), str(people.admin.id), "999999", "abc"):
        answer = clients.coordinator.post(f"/triage/{request_id}/assign", data={"owner_id": value},
                                          follow_redirects=True)
        assert answer.status_code == 200 and "Nothing was changed" in answer.get_data(as_text=True), value
    assert world.row(AssistanceRequest, request_id).owner_id is None


def test_bulk_actions_say_what_was_done_and_what_was_refused(app, people, clients, world):
    fresh = [world.request(title=f"Fresh request {n} on financing") for n in range(3)]
    reviewed = world.request("in_review", title="Already in review")
    hidden_draft = world.request(draft=True)
    ticked = [*fresh, reviewed, hidden_draft]
    answer = clients.coordinator.post("/triage/bulk", data={"action": "review", "request_id": ticked},
                                      follow_redirects=True)
    html = answer.get_data(as_text=True)
    assert "Done on 3 cases" in html and "Refused on 2 cases" in html
    assert AssistanceRequest.reference_for(reviewed) in html.split("Refused on", 1)[1]
    assert "No such request." in html  # the draft is not the coordinator's to see
    assert [world.status_of(AssistanceRequest, i) for i in fresh] == ["in_review"] * 3
    assert world.status_of(AssistanceRequest, reviewed) == "in_review"
    with app.app_context():  # the refused record has no half-done trace: no event, no notification
        assert db.session.scalar(select(func.count()).where(
            AuditEvent.action == "request.review", AuditEvent.record_id == reviewed)) == 1

    assign = clients.coordinator.post("/triage/bulk", data={"action": "assign-me", "request_id": fresh},
                                      follow_redirects=True)
    assert "Done on 3 cases" in assign.get_data(as_text=True)
    assert {world.row(AssistanceRequest, i).owner_id for i in fresh} == {people.coordinator.id}

    nothing = clients.coordinator.post("/triage/bulk", data={"action": "destroy", "request_id": fresh},
                                       follow_redirects=True)
    assert "Nothing was changed" in nothing.get_data(as_text=True)
    none_ticked = clients.coordinator.post("/triage/bulk", data={"action": "review"}, follow_redirects=True)
    assert "Tick the cases" in none_ticked.get_data(as_text=True)


def test_a_standard_question_is_asked_in_the_language_the_state_wrote_in(app, people, clients, world):
    french = world.request(title="Formation de la cellule de renseignement financier",
                           description="La cellule demande une formation sur l'analyse des déclarations "
                                       "de soupçon et le financement du terrorisme.", content_language="fr")
    english = world.request()
    bad = clients.coordinator.post("/triage/bulk", data={"action": "ask", "question": "nope",
                                                         "request_id": [french]}, follow_redirects=True)
    assert "Nothing was changed" in bad.get_data(as_text=True)
    assert world.status_of(AssistanceRequest, french) == "submitted"
    clients.coordinator.post("/triage/bulk", data={"action": "ask", "question": "dates",
                                                   "request_id": [french, english]})
    assert world.row(AssistanceRequest, french).status_note.startswith("Veuillez")
    assert world.row(AssistanceRequest, english).status_note == (
        "Please give the dates or the period in which the assistance is needed.")
    assert world.notifications_of(people.state, "request.request-info")


def test_views_are_each_coordinators_own(app, people, clients, world):
    world.request()
    saved = clients.coordinator.post("/triage/views", data={"name": "  Urgent  financing ",
                                                            "query": "urgency=high&theme=financing&junk=1"},
                                     follow_redirects=True)
    assert "Urgent financing" in saved.get_data(as_text=True)
    with app.app_context():
        view = db.session.scalar(select(TriageView))
        assert view.query == "theme=financing&urgency=high" and view.user_id == people.coordinator.id
        from tests.factories import make_user
        other = make_user("other@ctitf.test.example", "coordinator", "CTITF", "Other Coordinator")
        db.session.commit()
        other_client, view_id = signed_in_client(app, other.id), view.id
    assert "Urgent financing" not in other_client.get("/triage").get_data(as_text=True)
    assert other_client.post(f"/triage/views/{view_id}/delete").status_code == 404
    empty = clients.coordinator.post("/triage/views", data={"name": " ", "query": "owner=me"},
                                     follow_redirects=True)
    assert "Enter a name of 1 to 80 characters." in empty.get_data(as_text=True)
    clients.coordinator.post(f"/triage/views/{view_id}/delete")
    assert world.count(TriageView) == 0


def test_built_in_views_find_mine_overdue_and_waiting_on_the_state(app, people, clients, world):
    mine = world.request(title="Mine and overdue")
    world.age(AssistanceRequest, mine, 21, "submitted_at", "clock_since")
    waiting = world.request("needs_info", title="Waiting on the State")
    other = world.request(title="Somebody else's")
    with app.app_context():
        assign_case(people, db.session.get(AssistanceRequest, mine), people.coordinator)
        db.session.commit()
    page = clients.coordinator.get("/triage").get_data(as_text=True)
    assert 'id="view-my-overdue"' in page and 'id="view-waiting-state"' in page and 'id="view-mine"' in page
    my_overdue = clients.coordinator.get("/triage?owner=me&overdue=1").get_data(as_text=True)
    assert f'data-request-id="{mine}"' in my_overdue
    assert f'data-request-id="{other}"' not in my_overdue and f'data-request-id="{waiting}"' not in my_overdue
    on_state = clients.coordinator.get("/triage?status=needs_info").get_data(as_text=True)
    assert f'data-request-id="{waiting}"' in on_state and f'data-request-id="{mine}"' not in on_state
    assert clients.coordinator.get("/triage?owner=bogus&sort=nope&order=zz").status_code == 200


def test_the_office_clock_stops_while_the_case_waits_on_the_state_or_a_provider(app, people):
    monday = datetime(2026, 3, 2, 9)
    with app.app_context():
        req = make_request(people)
        req.clock_days, req.clock_since = 0, monday
        req.status = "needs_info"
        clock.wind(req, now=monday + timedelta(days=2))  # Wednesday: two working days banked, stopped
        assert (req.clock_days, req.clock_since) == (2, None)
        assert clock.office_days(req.clock_days, req.clock_since, monday + timedelta(days=30)) == 2
        req.status = "in_review"
        clock.wind(req, now=monday + timedelta(days=7))  # the State answered the next Monday
        assert clock.office_days(req.clock_days, req.clock_since, monday + timedelta(days=9)) == 4
        req.status = "open"
        offer = make_offer(people)
        clock.wind(req, now=monday + timedelta(days=9))
        db.session.flush()
        make_match(people, req, offer)  # a provider is asked: the clock stops
        assert req.clock_since is None
        db.session.rollback()


def test_a_request_waiting_on_the_state_is_not_overdue_for_the_office(app, people, clients, world):
    request_id = world.request()
    world.age(AssistanceRequest, request_id, 2, "submitted_at", "clock_since")
    world.move_request(request_id, "request-info", {"message": "Which agencies take part?"})
    world.age(AssistanceRequest, request_id, 30, "submitted_at")  # a month waiting on the State
    html = clients.coordinator.get("/triage").get_data(as_text=True)
    row = html.split(f'data-request-id="{request_id}"', 1)[1].split("</tr>", 1)[0]
    assert "Clock stopped" in row and "Overdue" not in row


def _statements_and_time(app, client, path: str) -> tuple[int, float]:
    count = [0]

    def on_execute(*_args):
        count[0] += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        started = time.perf_counter()
        assert client.get(path).status_code == 200
        seconds = time.perf_counter() - started
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
    return count[0], seconds


def test_a_busy_office_queue_costs_the_same_statements_for_20_or_200_cases(app, people, clients):
    with app.app_context():
        make_office(people, open_requests=20, coordinators=4)
        db.session.commit()
    clients.coordinator.get("/triage")
    few, few_seconds = _statements_and_time(app, clients.coordinator, "/triage")
    with app.app_context():
        make_office(people, open_requests=180, coordinators=1)
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(AssistanceRequest)) == 200
    clients.coordinator.get("/triage")
    many, many_seconds = _statements_and_time(app, clients.coordinator, "/triage")
    overdue, overdue_seconds = _statements_and_time(app, clients.coordinator, "/triage?owner=me&overdue=1")
    print(f"\n/triage: 20 cases {few} statements {few_seconds * 1000:.0f} ms; 200 cases {many} statements "
          f"{many_seconds * 1000:.0f} ms; my overdue {overdue} statements {overdue_seconds * 1000:.0f} ms")
    assert many == few, (few, many)
    assert utcnow()


def test_a_stalled_case_with_an_owner_reminds_its_owner_only(app, people, world):
    from exchange.messages.reminders import send_reminders
    from tests.factories import make_user
    owned = world.request(title="Owned and stalled")
    unowned = world.request(title="Nobody's and stalled")
    with app.app_context():
        second = make_user("second@ctitf.test.example", "coordinator", "CTITF", "Second Coordinator")
        assign_case(people, db.session.get(AssistanceRequest, owned), second)
        db.session.commit()
        second_id = second.id
    world.age(AssistanceRequest, owned, 20, "status_changed_at")
    world.age(AssistanceRequest, unowned, 20, "status_changed_at")
    with app.app_context():
        send_reminders(utcnow())
        db.session.commit()
        from exchange.messages.models import Notification
        reminded = {(n.record_id, n.user_id) for n in db.session.scalars(
            select(Notification).where(Notification.kind == "reminder.request"))}
    assert {user for record, user in reminded if record == owned} == {second_id}
    assert {user for record, user in reminded if record == unowned} == {people.coordinator.id, second_id}
