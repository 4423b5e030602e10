"""Plain words on screen: no "version 4", an edit's history names the fields by their labels, a move says what
happened in a sentence (not "M-00014: accept — done"), titles are links in lists, and sharing a request with
providers is a checklist that works without JavaScript."""
from __future__ import annotations

import re

from exchange.requests.models import AssistanceRequest


def test_history_names_the_changed_fields_and_no_page_shows_a_version(app, people, clients, world):
    request_id = world.request()
    page = clients.coordinator.get(f"/requests/{request_id}")
    version = re.search(r'name="version" value="(\d+)"', page.get_data(as_text=True)).group(1)
    clients.coordinator.post(f"/requests/{request_id}/edit", data={
        "version": version, "title": "Training for the FIU", "description": "x" * 60,
        "desired_start": "2027-03-01", "estimated_budget_usd": "50000", "urgency": "high",
        "themes": ["financing"], "modalities": ["training"], "languages": ["en"], "visibility": "task_force",
        "beneficiary": "FIU", "content_language": "en"})
    html = clients.coordinator.get(f"/requests/{request_id}").get_data(as_text=True)
    changed = re.search(r"Changed: ([^<]+)", html)
    assert changed, "the edit is in the history"
    assert "desired_start" not in changed.group(1) and "estimated_budget_usd" not in changed.group(1)
    assert "Desired start" in changed.group(1) or "Start" in changed.group(1)
    assert not re.search(r"version \d", html)
    french = clients.coordinator.get(f"/requests/{request_id}?lang=fr").get_data(as_text=True)
    assert "desired_start" not in re.search(r"Modifi[^:]*: ([^<]+)", french).group(1)


def test_a_move_says_what_happened_in_words(app, people, clients, world):
    match_id = world.match()
    answer = clients.provider.post(f"/matches/{match_id}/move/accept", follow_redirects=True)
    html = answer.get_data(as_text=True)
    assert "You accepted M-" in html and "— done" not in html
    request_id = world.request()
    answer = clients.coordinator.post(f"/requests/{request_id}/move/review", follow_redirects=True)
    assert f"{AssistanceRequest.reference_for(request_id)} is now in review." in answer.get_data(as_text=True)
    other = world.request()
    answer = clients.coordinator.post(f"/requests/{other}/move/review?lang=es", follow_redirects=True)
    assert f"{AssistanceRequest.reference_for(other)} está ahora en examen." in answer.get_data(as_text=True)


def test_titles_are_links_in_lists(app, people, clients, world):
    request_id = world.request("open", title="Training for the customs service")
    match_id = world.match(request_id=request_id)
    requests = clients.coordinator.get("/requests").get_data(as_text=True)
    assert re.search(rf'<a href="/requests/{request_id}">.*?Training for the customs service', requests, re.DOTALL)
    matches = clients.state.get("/matches").get_data(as_text=True)
    row = matches.split(f'href="/matches/{match_id}"', 1)[1].split("</tr>", 1)[0]
    assert f'href="/requests/{request_id}"' in row and "/offers/" in row


def test_sharing_is_a_checklist_that_works_without_javascript(app, people, clients, world):
    request_id = world.request(visibility="restricted")
    html = clients.coordinator.get(f"/requests/{request_id}").get_data(as_text=True)
    assert 'type="checkbox" name="shared_with" value="UNODC"' in html and 'id="share-filter"' in html
    assert "multiple size" not in html  # no Ctrl-click list
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    clients.coordinator.post(f"/requests/{request_id}/share", data={"version": version,
                                                                   "shared_with": ["", "UNODC", "IMF"]})
    html = clients.coordinator.get(f"/requests/{request_id}").get_data(as_text=True)
    assert re.search(r'value="UNODC" id="share-UNODC" checked', html)
    assert clients.provider.get(f"/requests/{request_id}").status_code == 200
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    clients.coordinator.post(f"/requests/{request_id}/share", data={"version": version, "shared_with": [""]})
    assert clients.provider.get(f"/requests/{request_id}").status_code == 404  # unticked: shared with nobody
