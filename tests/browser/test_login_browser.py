"""In a real browser: each role signs in through the form and lands on its own home page; a wrong
password shows an error; pages load nothing from outside the host."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.helpers import screenshot, sign_in

HOMES = {
    "state": "assistance requests",
    "provider": "United Nations Office on Drugs and Crime",
    "pending": "Your organisation awaits approval",
    "coordinator": "Task Force office",
    "admin": "Administration",
}


@pytest.mark.parametrize("person", list(HOMES))
def test_each_role_signs_in_and_sees_its_home(new_page, people, person):
    page = new_page()
    outside_requests = []
    page.on("request", lambda r: outside_requests.append(r.url)
            if urlsplit(r.url).hostname not in ("127.0.0.1", None) else None)
    user = getattr(people, person)
    sign_in(page, user.email)
    assert page.locator("h1").first.inner_text().lower().find(HOMES[person].lower()) >= 0 or \
        HOMES[person].lower() in page.content().lower()
    assert page.get_by_role("button", name="Sign out").is_visible() or person == "pending"
    screenshot(page, f"home-{person}")
    assert outside_requests == []


def test_wrong_password_shows_an_error(new_page, people):
    page = new_page()
    sign_in(page, people.state.email, "not-the-password")
    # Beside the field and, as a link to it, in the error summary at the top (issue 14).
    assert page.locator("#password-error").inner_text() == "The e-mail or password is not right."
    assert page.locator("[data-error-summary] a[href='#password']").inner_text() == "The e-mail or password is not right."
    assert page.title().startswith("Error:")
    assert "/login" in page.url
    screenshot(page, "login-error")


def test_sign_out_ends_the_session(new_page, people):
    page = new_page()
    sign_in(page, people.coordinator.email)
    page.get_by_role("button", name="Sign out").click()
    assert page.get_by_text("You are signed out.").is_visible()
    page.goto("/")
    assert "/login" in page.url
