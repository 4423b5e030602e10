"""Each role's home page lists what needs that person now, with empty states that say what to do next."""
from __future__ import annotations

from exchange.core.extensions import db
from exchange.core.models import utcnow
from exchange.matches.models import Match
from exchange.matches.operations import match_move
from exchange.requests.models import AssistanceRequest
from exchange.requests.operations import request_move
from tests.web.test_triage import age, new_offer, new_request, open_request, propose, user


def test_empty_homes_say_what_to_do_next(clients):
    state = clients.state.get("/").get_data(as_text=True)
    assert "Nothing needs your attention." in state and 'href="/requests/new"' in state
    provider = clients.provider.get("/").get_data(as_text=True)
    assert "Nothing needs your attention." in provider and "Keep your offers up to date" in provider
    coordinator = clients.coordinator.get("/").get_data(as_text=True)
    assert "The triage queue is empty" in coordinator and "No case has waited 10 days" in coordinator
    assert "No changes recorded yet" in clients.admin.get("/").get_data(as_text=True)
    assert "awaits approval" in clients.pending.get("/").get_data(as_text=True)


def test_state_home(app, people, clients):
    asked = new_request(app, people, title="Request the office asked about")
    with app.app_context():
        request_move("request-info")(user(people.coordinator), db.session.get(AssistanceRequest, asked), {"message": "How many analysts?"})
        db.session.commit()
    request_id = open_request(app, people, title="Request delivered already")
    match_id = propose(app, people, request_id, new_offer(app, people.provider))
    with app.app_context():
        match = db.session.get(Match, match_id)
        for step, raw in (("accept", {}), ("start", {}), ("complete", {"outcome": "Trained"})):
            match_move(step)(user(people.provider), match, raw)
        db.session.commit()
    html = clients.state.get("/").get_data(as_text=True)
    assert "needs information (1)" in html and "How many analysts?" in html
    assert "Deliveries to confirm and rate (1)" in html and f"/matches/{match_id}" in html
    assert "Request delivered already" in html.split("Your recent requests")[1]
    assert "Request the office asked about" not in clients.other_state.get("/").get_data(as_text=True)


def test_provider_home(app, people, clients):
    first = open_request(app, people, title="First request routed on financing")
    second = open_request(app, people, title="Second request routed on financing")
    proposed = propose(app, people, first, new_offer(app, people.provider))
    delivering = propose(app, people, second, new_offer(app, people.provider, title="Another analyst course"))
    with app.app_context():
        match_move("accept")(user(people.provider), db.session.get(Match, delivering), {})
        db.session.commit()
    html = clients.provider.get("/").get_data(as_text=True)
    assert "Proposed matches to answer (1)" in html and f"/matches/{proposed}" in html
    assert "Deliveries to start or report (1)" in html and f"/matches/{delivering}" in html
    assert "New requests on your working groups" in html and "Second request routed" in html
    # The outside provider is not a lead entity on financing and has no match.
    assert "Nothing needs your attention." in clients.outside.get("/").get_data(as_text=True)


def test_coordinator_home(app, people, clients):
    waiting = new_request(app, people, title="Waiting for triage")
    age(app, AssistanceRequest, waiting, 14, "submitted_at", "status_changed_at")
    stalled = open_request(app, people, title="Open and forgotten")
    age(app, AssistanceRequest, stalled, 12)
    html = clients.coordinator.get("/").get_data(as_text=True)
    assert "Requests to triage" in html and "Waiting for triage" in html and "Overdue: 10 working days" in html
    stalled_part = html.split('id="stalled-heading"')[1]
    assert "Open and forgotten" in stalled_part and "Waiting for triage" in stalled_part


def test_coordinator_home_lists_as_stalled_what_reminders_would_remind(app, people, clients):
    """An open request with a match under way is the provider's to move, not stalled for the office."""
    from exchange.messages.reminders import due_reminders
    matched = open_request(app, people, title="Open with a proposed match")
    propose(app, people, matched, new_offer(app, people.provider))
    age(app, AssistanceRequest, matched, 12)
    forgotten = open_request(app, people, title="Open and forgotten")
    age(app, AssistanceRequest, forgotten, 12)
    stalled_part = clients.coordinator.get("/").get_data(as_text=True).split('id="stalled-heading"')[1]
    assert "Open and forgotten" in stalled_part and "Open with a proposed match" not in stalled_part
    with app.app_context():
        reminded = {r.record.id for r in due_reminders(utcnow()) if r.kind == "reminder.request"}
    assert reminded == {forgotten}


def test_admin_home_lists_recent_audit_events(app, people, clients):
    request_id = new_request(app, people)
    html = clients.admin.get("/").get_data(as_text=True)
    assert f"R-{request_id:05d} submitted" in html and people.state.email in html
