"""The whole journey in a real Chromium, four people each in their own browser context: a State files
a request through the form as a draft, comes back and submits it; it is triaged and accepted, two offers from two providers are proposed at once, one provider
declines with a reason, the other accepts, starts and completes with an outcome, and the State confirms
and rates — each person's inbox checked along the way. Screenshots: triage queue, a match page, inboxes."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from exchange.core.extensions import db
from exchange.matches.models import Match
from exchange.requests.models import AssistanceRequest
from tests.factories import REQUEST, make_offer
from tests.helpers import screenshot, sign_in, violations

pytestmark = pytest.mark.browser


@pytest.fixture
def journey(app, people):
    with app.app_context():
        unodc = make_offer(people)
        imf = make_offer(people, "other_provider", title="IMF technical assistance on terrorist financing supervision")
        db.session.commit()
        return {"unodc": unodc.id, "imf": imf.id}


def file_the_request_as_a_draft_then_submit(page, app) -> int:
    """The State's focal point saves a draft through the form, comes back to it, completes and submits it."""
    page.goto("/requests/new")
    page.get_by_label("Title").fill(REQUEST["title"])
    page.get_by_label("Institution that benefits").fill(REQUEST["beneficiary"])
    page.get_by_label("Terrorist financing").check()
    page.get_by_role("button", name="Save as draft").click()
    expect(page.locator(".flash-messages")).to_contain_text("saved as a draft")
    with app.app_context():
        req = db.session.scalar(select(AssistanceRequest).where(AssistanceRequest.title == REQUEST["title"]))
        assert req.status == "draft"
        request_id = req.id
        db.session.remove()
    page.goto(f"/requests/{request_id}/edit")
    page.get_by_label("What is needed").fill(REQUEST["description"])
    page.get_by_label("Training", exact=True).check()
    page.get_by_label("Russian (UN official language)").check()
    page.get_by_label("English (UN official language)").check()
    page.get_by_label("High", exact=True).check()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".flash-messages")).to_contain_text("submitted for review")
    return request_id


def mail_to(mailbox, email: str) -> str:
    """Every e-mail body one person received, joined."""
    return "\n".join(message.get_payload(decode=True).decode() for recipients, message in mailbox.messages
                     if email in recipients)


def inbox_has(page, text: str) -> None:
    page.goto("/inbox")
    expect(page.locator(".inbox-list")).to_contain_text(text)


def test_the_whole_journey(app, people, new_page, journey, mailbox):
    state, coordinator, unodc, imf = new_page(), new_page(), new_page(), new_page()
    sign_in(state, people.state.email)
    sign_in(coordinator, people.coordinator.email)
    sign_in(unodc, people.provider.email)
    sign_in(imf, people.other_provider.email)
    journey["request"] = file_the_request_as_a_draft_then_submit(state, app)
    ref = f"R-{journey['request']:05d}"

    # The coordinator sees the new request in the inbox and in the triage queue.
    inbox_has(coordinator, ref)
    coordinator.goto("/triage")
    row = coordinator.locator(f"#case-queue tr[data-request-id='{journey['request']}']")
    expect(row).to_contain_text("Strengthening our Financial Intelligence Unit")
    screenshot(coordinator, "triage-queue")
    assert violations(coordinator) == []
    row.get_by_role("link", name="Start the review").click()  # the case's triage page
    item = coordinator.locator(f"#request-{journey['request']}")
    # Accept and propose both suggested offers at once.
    item.locator(f'input[name=offer_id][value="{journey["unodc"]}"]').check()
    item.locator(f'input[name=offer_id][value="{journey["imf"]}"]').check()
    item.get_by_label("Note to the providers (optional)").fill("Both fit the FIU's needs; please answer soon.")
    item.get_by_role("button", name=f"Accept {ref}").click()
    expect(coordinator.locator(".flash-messages")).to_contain_text("Proposed to:")

    with app.app_context():
        assert db.session.get(AssistanceRequest, journey["request"]).status == "open"
        matches = {m.offer_id: m.id for m in db.session.scalars(select(Match).where(
            Match.request_id == journey["request"]))}
    unodc_match, imf_match = matches[journey["unodc"]], matches[journey["imf"]]

    # The State hears that its request was accepted and that providers were asked.
    inbox_has(state, "was accepted and is now open")
    expect(state.locator(".inbox-list")).to_contain_text("was asked to help")

    # IMF declines with a reason (an empty reason is refused first, beside the field).
    inbox_has(imf, "Proposed to you")
    imf.locator(".inbox-list a").filter(has_text="Proposed to you").first.click()
    expect(imf).to_have_url(re.compile(f"/matches/{imf_match}$"))
    imf.get_by_label("Reason for declining").fill("no")
    imf.get_by_role("button", name="Decline").click()
    expect(imf.locator("#reason-error")).to_be_visible()
    imf.get_by_label("Reason for declining").fill("Our trainers are committed elsewhere until next year.")
    imf.get_by_role("button", name="Decline").click()
    expect(imf.locator(".flash-messages")).to_contain_text("You declined", ignore_case=True)

    # UNODC accepts, writes in the thread, starts and completes with an outcome.
    inbox_has(unodc, "Proposed to you")
    unodc.goto(f"/matches/{unodc_match}")
    screenshot(unodc, "match-page-proposed")
    assert violations(unodc) == []
    unodc.get_by_role("button", name="Accept").click()
    expect(unodc.locator(".flash-messages")).to_contain_text("You accepted", ignore_case=True)
    unodc.get_by_label("Write a message").fill("We can start in Almaty in May. Who is our contact at the FIU?")
    unodc.get_by_role("button", name="Send message").click()
    unodc.get_by_role("button", name="Start delivery").click()
    expect(unodc.locator(".flash-messages")).to_contain_text("has started", ignore_case=True)
    unodc.get_by_label("Outcome of the delivery").fill("Twenty FIU analysts trained on STR analysis.")
    unodc.get_by_role("button", name="Report completion").click()
    expect(unodc.locator(".flash-messages")).to_contain_text("Completion of", ignore_case=True)

    # The coordinator followed it all.
    inbox_has(coordinator, "declined")
    expect(coordinator.locator(".inbox-list")).to_contain_text("Delivery completed")

    # The State: the message is new for it, and it confirms and rates the delivery.
    inbox_has(state, "Delivery completed")
    expect(state.locator(".site-nav .badge")).to_be_visible()
    screenshot(state, "inbox-state")
    assert violations(state) == []
    state.locator(".inbox-list a").filter(has_text="Delivery completed").first.click()
    expect(state).to_have_url(re.compile(f"/matches/{unodc_match}$"))
    expect(state.locator(".thread-new")).to_contain_text("Who is our contact at the FIU?")
    state.get_by_label("Your rating of the assistance").select_option("5")
    state.get_by_label("Comment (optional)").fill("Excellent, practical training.")
    state.get_by_role("button", name="Confirm delivery").click()
    expect(state.locator(".flash-messages")).to_contain_text("You confirmed the delivery", ignore_case=True)
    expect(state.locator("#result-heading")).to_be_visible()
    expect(state.locator("main")).to_contain_text("rated 5/5")
    screenshot(state, "match-page-confirmed")
    assert violations(state) == []
    for path in ("/", "/matches"):
        state.goto(path)
        assert violations(state) == [], path
    for path in ("/", "/audit", "/matches?status=completed", "/inbox"):
        coordinator.goto(path)
        assert violations(coordinator) == [], path
    unodc.goto("/")
    assert violations(unodc) == []

    inbox_has(unodc, "rated it 5/5")
    with app.app_context():
        match = db.session.get(Match, unodc_match)
        assert (match.status, match.rating, match.feedback) == ("completed", 5, "Excellent, practical training.")
        assert db.session.get(Match, imf_match).status == "declined"
        assert db.session.get(AssistanceRequest, journey["request"]).status == "completed"

    # Every notification also arrived by e-mail, after its change was committed.
    assert "submitted" in mail_to(mailbox, people.coordinator.email).lower() or ref in mail_to(
        mailbox, people.coordinator.email)
    assert "was accepted and is now open" in mail_to(mailbox, people.state.email)
    assert "Delivery completed" in mail_to(mailbox, people.state.email)
    assert "Proposed to you" in mail_to(mailbox, people.other_provider.email)
    assert "Proposed to you" in mail_to(mailbox, people.provider.email)
    assert "rated it 5/5" in mail_to(mailbox, people.provider.email)
    assert "declined" in mail_to(mailbox, people.coordinator.email)
