"""Each role's home page lists what needs that person now, with empty states that say what to do next."""
from __future__ import annotations

from html import unescape

from exchange.core.models import utcnow
from exchange.requests.models import AssistanceRequest


def test_empty_homes_say_what_to_do_next(clients):
    state = clients.state.get("/").get_data(as_text=True)
    assert "Nothing needs your attention." in state and 'href="/requests/new"' in state
    provider = clients.provider.get("/").get_data(as_text=True)
    assert "Nothing needs your attention." in provider and "Keep your offers up to date" in provider
    coordinator = clients.coordinator.get("/").get_data(as_text=True)
    assert "The triage queue is empty" in coordinator and "No case has waited 10 days" in coordinator
    assert "No changes recorded yet" in clients.admin.get("/").get_data(as_text=True)
    assert "awaits approval" in clients.pending.get("/").get_data(as_text=True)


def test_state_home(app, people, clients, world):
    asked = world.request(title="Request the office asked about")
    world.move_request(asked, "request-info", {"message": "How many analysts?"})
    request_id = world.request("open", title="Request delivered already")
    match_id = world.match("proposed", request_id, world.offer(people.provider))
    for step, raw in (("accept", {}), ("start", {}), ("complete", {"outcome": "Trained"})):
        world.move_match(match_id, step, raw)
    html = clients.state.get("/").get_data(as_text=True)
    assert "needs information (1)" in html and "How many analysts?" in html
    assert "Deliveries to confirm and rate (1)" in html and f"/matches/{match_id}" in html
    assert "Request delivered already" in html.split("Your recent requests")[1]
    assert "Request the office asked about" not in clients.other_state.get("/").get_data(as_text=True)


def test_provider_home(app, people, clients, world):
    first = world.request("open", title="First request routed on financing")
    second = world.request("open", title="Second request routed on financing")
    proposed = world.match("proposed", first, world.offer(people.provider))
    delivering = world.match("proposed", second, world.offer(people.provider, title="Another analyst course"))
    world.move_match(delivering, "accept")
    html = clients.provider.get("/").get_data(as_text=True)
    assert "Proposed matches to answer (1)" in html and f"/matches/{proposed}" in html
    assert "Deliveries to start or report (1)" in html and f"/matches/{delivering}" in html
    assert "New requests on your working groups" in html and "Second request routed" in html
    # The outside provider is not a lead entity on financing and has no match.
    assert "Nothing needs your attention." in clients.outside.get("/").get_data(as_text=True)


def test_coordinator_home(app, people, clients, world):
    waiting = world.request(title="Waiting for triage")
    world.age(AssistanceRequest, waiting, 14, "submitted_at", "status_changed_at", "clock_since")
    stalled = world.request("open", title="Open and forgotten")
    world.age(AssistanceRequest, stalled, 12)
    html = clients.coordinator.get("/").get_data(as_text=True)
    assert "Requests to triage" in html and "Waiting for triage" in html and "Overdue: 10 working days" in html
    stalled_part = html.split('id="stalled-heading"')[1]
    assert "Open and forgotten" in stalled_part and "Waiting for triage" in stalled_part


def test_coordinator_home_lists_as_stalled_what_reminders_would_remind(app, people, clients, world):
    """An open request with a match under way is the provider's to move, not stalled for the office."""
    from exchange.messages.reminders import due_reminders
    matched = world.request("open", title="Open with a proposed match")
    world.match("proposed", matched, world.offer(people.provider))
    world.age(AssistanceRequest, matched, 12)
    forgotten = world.request("open", title="Open and forgotten")
    world.age(AssistanceRequest, forgotten, 12)
    stalled_part = clients.coordinator.get("/").get_data(as_text=True).split('id="stalled-heading"')[1]
    assert "Open and forgotten" in stalled_part and "Open with a proposed match" not in stalled_part
    with app.app_context():
        reminded = {r.record.id for r in due_reminders(utcnow()) if r.kind == "reminder.request"}
    assert reminded == {forgotten}


def test_admin_home_lists_recent_audit_events(app, people, clients, world):
    request_id = world.request()
    html = clients.admin.get("/").get_data(as_text=True)
    assert f"R-{request_id:05d} submitted" in html and people.state.email in html


def test_each_home_speaks_the_language_chosen(app, people, clients, world):
    waiting = world.request(title="Waiting for triage")
    world.age(AssistanceRequest, waiting, 14, "submitted_at", "status_changed_at", "clock_since")
    try:
        state = unescape(clients.state.get("/?lang=fr").get_data(as_text=True))
        assert "Rien ne requiert votre attention." in state and "Nothing needs your attention." not in state
        # A {% trans %} paragraph written over several lines is found as the catalogues extract it (trimmed).
        assert "Déposez ici les demandes d'assistance technique de votre pays" in state
        assert "La Plateforme d'échange — assistance technique en matière de lutte antiterroriste" in state
        coordinator = clients.coordinator.get("/?lang=ru").get_data(as_text=True)
        assert "<h1 class=\"h3\">Канцелярия Целевой группы</h1>" in coordinator
        assert "Просрочено: 10 рабочих дней" in coordinator and "Waiting for triage" in coordinator
        assert "Застопорившиеся дела (10 дней и более без действий)" in coordinator
        assert "Su organización está pendiente de aprobación" in clients.pending.get("/?lang=es").get_data(as_text=True)
        admin = clients.admin.get("/?lang=zh").get_data(as_text=True)
        assert "<h1 class=\"h3\">管理</h1>" in admin and "最近的审计事件" in admin
        provider = clients.provider.get("/?lang=ar").get_data(as_text=True)
        assert "لا يوجد ما يستدعي اهتمامك." in provider and '<html lang="ar" dir="rtl">' in provider
    finally:
        for person in ("state", "coordinator", "pending", "admin", "provider"):
            getattr(clients, person).get("/?lang=en")
