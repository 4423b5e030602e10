"""Message threads on requests and matches: who may read and write, validation, notifications to the
other participants, and unread markers per person."""
from __future__ import annotations

from sqlalchemy import func, select

from exchange.core.extensions import db
from exchange.messages.models import Message, ThreadRead


def count_messages(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Message))


def test_request_thread_notifies_the_other_participants(app, people, clients, world):
    request_id = world.request("open")
    match_id = world.match("proposed", request_id, world.offer(people.provider))
    response = clients.state.post(f"/requests/{request_id}/messages", data={"message": "Our FIU has 20 analysts."})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/requests/{request_id}#thread")
    assert count_messages(app) == 1
    for person in (people.coordinator, people.provider):  # the office and the provider of its match
        notes = world.notifications_of(person, "message.posted")
        assert len(notes) == 1 and "Our FIU has 20 analysts." in notes[0].message
        assert (notes[0].record_type, notes[0].record_id) == ("request", request_id)
    assert not world.notifications_of(people.state, "message.posted")  # not to the writer
    assert not world.notifications_of(people.other_provider, "message.posted")  # IMF has no match here
    assert match_id


def test_match_thread_is_for_those_taking_part(app, people, clients, world):
    request_id = world.request("open")
    match_id = world.match("proposed", request_id, world.offer(people.provider))
    assert clients.provider.post(f"/matches/{match_id}/messages", data={"message": "Dates in May?"}).status_code == 302
    assert [n.kind for n in world.notifications_of(people.state, "message.posted")] == ["message.posted"]
    assert world.notifications_of(people.coordinator, "message.posted")
    # Not taking part: as if the match did not exist; nothing written.
    assert clients.other_provider.post(f"/matches/{match_id}/messages", data={"message": "Hi"}).status_code == 404
    assert clients.other_state.post(f"/matches/{match_id}/messages", data={"message": "Hi"}).status_code == 404
    assert clients.other_state.post(f"/requests/{request_id}/messages", data={"message": "Hi"}).status_code == 404
    assert clients.pending.post(f"/matches/{match_id}/messages", data={"message": "Hi"}).status_code == 403
    assert count_messages(app) == 1


def test_drafts_have_no_thread_for_others(app, people, clients, world):
    draft = world.request(draft=True)
    assert clients.coordinator.post(f"/requests/{draft}/messages", data={"message": "Hello"}).status_code == 404
    assert count_messages(app) == 0


def test_messages_are_validated_and_what_was_typed_is_kept(app, people, clients, world):
    request_id = world.request("open")
    match_id = world.match("proposed", request_id, world.offer(people.provider))
    for body in ("", "   ", "x" * 5001):
        response = clients.provider.post(f"/matches/{match_id}/messages", data={"message": body},
                                         follow_redirects=True)
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "Your message was not sent" in html
        assert "Write a message (at most 5,000 characters)." in html
    assert count_messages(app) == 0
    response = clients.provider.post(f"/matches/{match_id}/messages", data={"message": "y" * 5001},
                                     follow_redirects=True)
    assert "y" * 1500 in response.get_data(as_text=True)  # the draft comes back (bounded)
    html = clients.provider.get(f"/matches/{match_id}").get_data(as_text=True)
    assert "y" * 1500 not in html  # once only
    assert not world.notifications_of(people.state, "message.posted")
    # The body is shown as text, never as markup.
    clients.provider.post(f"/matches/{match_id}/messages", data={"message": "<script>alert(1)</script>"})
    html = clients.state.get(f"/matches/{match_id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_unread_markers_per_person(app, people, clients, world):
    request_id = world.request("open")
    match_id = world.match("proposed", request_id, world.offer(people.provider))
    clients.provider.post(f"/matches/{match_id}/messages", data={"message": "First question"})
    clients.provider.post(f"/matches/{match_id}/messages", data={"message": "Second question"})
    listing = clients.state.get("/matches").get_data(as_text=True)
    assert "2 new" in listing
    first_visit = clients.state.get(f"/matches/{match_id}").get_data(as_text=True)
    assert "2 new" in first_visit and first_visit.count(">New</span>") == 2
    second_visit = clients.state.get(f"/matches/{match_id}").get_data(as_text=True)
    assert ">New</span>" not in second_visit and "First question" in second_visit
    assert "2 new" not in clients.state.get("/matches").get_data(as_text=True)
    # The writer never sees their own messages as new; the coordinator has not read them yet.
    assert ">New</span>" not in clients.provider.get(f"/matches/{match_id}").get_data(as_text=True)
    assert "2 new" in clients.coordinator.get("/matches").get_data(as_text=True)
    clients.state.post(f"/matches/{match_id}/messages", data={"message": "Answer"})
    assert ">New</span>" in clients.provider.get(f"/matches/{match_id}").get_data(as_text=True)
    with app.app_context():
        markers = db.session.scalar(select(func.count()).select_from(ThreadRead).where(
            ThreadRead.record_type == "match", ThreadRead.record_id == match_id))
    assert markers == 2  # the provider and the State; the coordinator has not opened the thread


def test_request_workflow_partial_shows_matches_question_and_thread(app, people, clients, world):
    """The partial the request page includes: rendered here as the signed-in State would see it."""
    from flask import render_template_string
    from flask_login import login_user

    from exchange.core.panels import load_panels
    from exchange.people.models import User
    from exchange.requests.models import AssistanceRequest
    from exchange.requests.views import REQUEST_PAGE_PLACES
    asked = world.request()
    clients.coordinator.post(f"/triage/{asked}/request-info", data={"message": "How many analysts?"})
    clients.coordinator.post(f"/requests/{asked}/messages", data={"message": "Also: which ministry leads?"})
    opened = world.request("open", title="Open request with a match")
    match_id = world.match("proposed", opened, world.offer(people.provider))

    def workflow(user_id: int, request_id: int) -> str:
        user, req = db.session.get(User, user_id), db.session.get(AssistanceRequest, request_id)
        login_user(user)
        return render_template_string('{% include "requests/_workflow.html" %}', req=req,
                                      panels=load_panels("request", user, req, REQUEST_PAGE_PLACES))

    with app.test_request_context("/"):
        html = workflow(people.state.id, asked)
        assert "How many analysts?" in html and "Also: which ministry leads?" in html and ">New</span>" in html
        assert f'action="/requests/{asked}/messages"' in html
        html = workflow(people.state.id, opened)
        assert f"/matches/{match_id}" in html and "Proposed" in html and "needs information" not in html
        html = workflow(people.other_provider.id, opened)
        assert f"/matches/{match_id}" not in html  # IMF does not take part in that match


def test_a_message_records_its_language_and_the_page_marks_it(app, people, clients, world):
    request_id = world.request("open")
    body = "Наше подразделение финансовой разведки насчитывает двадцать аналитиков и нуждается в обучении."
    clients.state.post(f"/requests/{request_id}/messages", data={"message": body})
    clients.state.post(f"/requests/{request_id}/messages", data={"message": "OK"})  # too short to tell
    with app.app_context():
        languages = list(db.session.scalars(select(Message.content_language).order_by(Message.id)))
    assert languages == ["ru", None]
    html = clients.coordinator.get(f"/requests/{request_id}").get_data(as_text=True)
    assert f'<div class="thread-body" lang="ru">{body}</div>' in html
    assert '<div class="thread-body">OK</div>' in html
