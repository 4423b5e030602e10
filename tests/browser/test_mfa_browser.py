"""Two-step sign-in in a real Chromium: a coordinator signs in with a TOTP code computed with pyotp; a
coordinator without it is held on the set-up page, scans nothing but reads the key beside the QR code
(drawn inline: the page loads nothing from outside, the CSP blocks nothing), turns it on and signs in with
it next time; a wrong code is refused. Screenshots of the code page and the set-up page."""
from __future__ import annotations

from urllib.parse import urlsplit

import pyotp
import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD
from tests.helpers import enrol_in_browser, screenshot, sign_in, totp_code, violations

pytestmark = pytest.mark.browser


def type_password(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def watch(page) -> list[str]:
    """Requests to other hosts and CSP complaints, collected while the page is used."""
    problems: list[str] = []
    page.on("request", lambda r: problems.append(r.url)
            if urlsplit(r.url).hostname not in ("127.0.0.1", None) and not r.url.startswith("data:") else None)
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    return problems


def test_a_coordinator_signs_in_with_a_totp_code(app, new_page, people, world):
    secret, _ = world.mfa(people.coordinator.id)
    page = new_page()
    problems = watch(page)
    type_password(page, people.coordinator.email)
    assert urlsplit(page.url).path == "/login/code"
    expect(page.get_by_role("heading", name="Type your code")).to_be_visible()
    assert not violations(page)
    screenshot(page, "mfa-code-page")
    page.goto("/")  # not signed in yet
    assert urlsplit(page.url).path == "/login"
    type_password(page, people.coordinator.email)
    page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".flash-messages")).to_contain_text("Welcome")
    assert "Task Force office" in page.content()
    assert page.get_by_role("button", name="Sign out").is_visible()
    assert problems == []


def test_a_wrong_code_is_refused_in_the_browser(app, new_page, people, world):
    secret, _ = world.mfa(people.coordinator.id)
    page = new_page()
    type_password(page, people.coordinator.email)
    wrong = f"{(int(pyotp.TOTP(secret).now()) + 500_000) % 1_000_000:06d}"
    page.get_by_label("Code").fill(wrong)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("This code is not right").first).to_be_visible()  # the error summary and the field
    assert urlsplit(page.url).path == "/login/code"
    assert page.get_by_label("Code").get_attribute("aria-invalid") == "true"


def test_a_coordinator_without_it_sets_it_up_then_signs_in_with_it(app, new_page, people):
    page = new_page()
    problems = watch(page)
    type_password(page, people.coordinator.email)
    assert urlsplit(page.url).path == "/account/two-step/enrol"
    expect(page.get_by_text("Your role needs two-step sign-in")).to_be_visible()
    page.goto("/triage")  # nothing else can be reached
    assert urlsplit(page.url).path == "/account/two-step/enrol"
    page.get_by_role("button", name="Start").click()
    qr = page.get_by_role("img", name="QR code to scan with your authenticator app")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 100")  # the data: image was drawn
    assert not violations(page)
    screenshot(page, "mfa-setup-page")
    enrol_in_browser_after_start(page)
    page.get_by_role("button", name="Sign out").click()
    type_password(page, people.coordinator.email)
    assert urlsplit(page.url).path == "/login/code"
    page.get_by_label("Code").fill(totp_code(people.coordinator.email))  # a later step than the set-up's
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".flash-messages")).to_contain_text("Welcome")
    assert problems == []


def enrol_in_browser_after_start(page) -> str:
    secret = page.locator("#mfa-secret").inner_text().replace(" ", "")
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_role("list", name="Recovery codes").locator("li")).to_have_count(10)
    page.get_by_role("link", name="I have kept them").click()
    assert "Task Force office" in page.content()
    return secret


def test_the_account_page_offers_it_to_a_member_state(new_page, people):
    page = new_page()
    sign_in(page, people.state.email)
    page.goto("/account/password")
    page.get_by_role("link", name="Two-step sign-in (authenticator app)").click()
    page.get_by_role("link", name="Set up two-step sign-in").click()
    enrol_in_browser(page)
    page.goto("/account/two-step")
    expect(page.get_by_text("Recovery codes left:")).to_contain_text("10")
    assert not violations(page)
