"""The coordinator's day in a real Chromium, with a busy synthetic office (200 live requests, 4 coordinators):
the overdue cases in two clicks from the home page (Triage, then the "Overdue" view), ten ticked and assigned
at once with the result named, the queue's time printed, axe on the queue, the case page, the conversation
and the search page, and screenshots at 1366 and 390 px in English and Arabic."""
from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from exchange.core.extensions import db
from exchange.requests.models import AssistanceRequest
from tests.factories import make_office
from tests.helpers import screenshot, sign_in, violations

pytestmark = pytest.mark.browser


@pytest.fixture
def office(live_app, people):
    with live_app.app_context():
        coordinators = make_office(people, open_requests=200, coordinators=4)
        db.session.commit()
        return [c.id for c in coordinators]


def test_a_coordinator_finds_the_overdue_cases_in_two_clicks_and_assigns_ten(live_app, new_page, people, office):
    page = new_page()
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, people.coordinator.email)
    started = time.perf_counter()
    page.get_by_role("link", name="Triage").first.click()                       # click 1
    page.locator("#view-overdue").click()                                       # click 2
    expect(page.locator("#case-queue")).to_be_visible()
    print(f"\ntwo clicks to the overdue cases: {(time.perf_counter() - started) * 1000:.0f} ms")
    rows = page.locator("#case-queue tbody tr")
    assert rows.count() >= 10
    assert all("Overdue" in rows.nth(i).inner_text() for i in range(rows.count()))
    assert violations(page) == []
    screenshot(page, "case-queue-overdue-1366-en")
    ids = [rows.nth(i).get_attribute("data-request-id") for i in range(10)]
    for request_id in ids:
        page.locator(f"#tick-{request_id}").check()
    page.get_by_label("Assign to", exact=True).select_option(str(office[1]))
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.locator("#bulk-result")).to_contain_text("Done on 10 cases")
    with live_app.app_context():
        owners = set(db.session.scalars(select(AssistanceRequest.owner_id).where(
            AssistanceRequest.id.in_([int(i) for i in ids]))))
        assert owners == {office[1]}
        assert db.session.scalar(select(func.count()).select_from(AssistanceRequest)) == 200
    # Keyboard: j moves to the next row's first link.
    page.locator("#case-queue tbody tr:first-child td a").first.focus()
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.closest('tr').rowIndex") == 2
    # The case page, the conversation and the search page pass axe too.
    page.locator("#case-queue tbody tr:first-child a").nth(2).click()
    expect(page.locator("h1")).to_contain_text("Triage of R-")
    assert violations(page) == []
    screenshot(page, "triage-case-1366-en")
    page.locator("#site-search-q").fill("Kazakhstan")
    page.locator("#site-search-q").press("Enter")
    expect(page.locator("#found-requests")).to_contain_text("100")
    assert violations(page) == []
    screenshot(page, "search-kazakhstan-1366-en")


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("width", [1366, 390])
def test_the_queue_at_desktop_and_phone_widths(live_app, new_page, people, office, language, width):
    page = new_page()
    page.set_viewport_size({"width": width, "height": 844})
    sign_in(page, people.coordinator.email)
    page.goto(f"/triage?lang={language}")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("#case-queue")).to_be_visible()
    assert violations(page) == []
    screenshot(page, f"case-queue-{width}-{language}")
    first = page.locator("#case-queue tbody tr").first.get_attribute("data-request-id")
    page.goto(f"/requests/{first}?lang={language}")
    assert violations(page) == []
    screenshot(page, f"request-owner-conversation-{width}-{language}")
