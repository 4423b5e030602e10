"""WCAG 2.1 AA checks with axe-core (bundled by axe-playwright-python: no network) on the pages people
use, for each role. Parts of the product add their pages to PAGES."""
from __future__ import annotations

import pytest

from tests.helpers import sign_in, violations

# person (None: signed out) → paths to check
PAGES = {
    None: ["/login", "/register", "/password/forgot"],
    "state": ["/", "/account", "/account/password", "/requests", "/requests/new", "/offers", "/directory", "/matches",
              "/inbox", "/countries/KAZ", "/account/tokens", "/account/two-step", "/account/two-step/enrol",
              "/account/confirm", "/subscriptions", "/jobs", "/search?q=Kazakhstan"],
    "provider": ["/", "/offers/new", "/requests", "/matches", "/subscriptions", "/subscriptions/new?kind=offer", "/search?q=UNODC"],
    "pending": ["/"],
    "coordinator": ["/", "/admin/providers", "/triage", "/triage?owner=me&overdue=1", "/audit", "/matrix",
                    "/dashboard", "/reports/progress", "/imports/offers", "/search?q=financing"],
    "admin": ["/", "/admin/users", "/admin/users/new", "/admin/organisations", "/admin/organisations/new",
              "/admin/security", "/jobs/failed"],
}


@pytest.mark.parametrize("person", list(PAGES), ids=lambda p: p or "anonymous")
def test_pages_have_no_wcag_violations(new_page, people, person):
    page = new_page()
    if person:
        sign_in(page, getattr(people, person).email)
    problems = {}
    for path in PAGES[person]:
        page.goto(path)
        found = violations(page)
        if found:
            problems[path] = found
    assert not problems, problems


def test_form_errors_are_announced_beside_their_fields(new_page, people):
    page = new_page()
    page.goto("/register")
    page.get_by_role("button", name="Register").click()
    assert not violations(page)
    email = page.get_by_label("Your e-mail")
    assert email.get_attribute("aria-invalid") == "true"
    assert "enter your e-mail address" in page.locator(f"#{email.get_attribute('id')}-error").inner_text().lower()


def test_the_checker_finds_violations_when_there_are_some(new_page):
    page = new_page()
    page.set_content('<html><body><img src="x.png"><input type="text"><p style="color:#777;background:#888">'
                     'low contrast</p></body></html>')
    found = " ".join(violations(page))
    assert "image-alt" in found and "label" in found


# The main pages in the two languages that test a layout hardest: Arabic (right to left) and Chinese.
LANGUAGE_PAGES = {
    None: ["/login", "/register"],
    "state": ["/", "/requests", "/requests/new", "/offers", "/matches", "/inbox", "/countries/KAZ", "/account"],
    "coordinator": ["/", "/triage", "/matrix", "/dashboard", "/reports/progress", "/audit"],
}


@pytest.mark.parametrize("language", ["ar", "zh"])
@pytest.mark.parametrize("person", list(LANGUAGE_PAGES), ids=lambda p: p or "anonymous")
def test_main_pages_have_no_wcag_violations_in_arabic_and_chinese(new_page, people, person, language):
    page = new_page()
    if person:
        sign_in(page, getattr(people, person).email)
    page.goto(f"/?lang={language}")  # chosen with the switch, remembered after
    problems = {}
    for path in LANGUAGE_PAGES[person]:
        page.goto(path)
        assert page.locator("html").get_attribute("lang") == language, path
        found = violations(page)
        if found:
            problems[path] = found
    assert not problems, problems
