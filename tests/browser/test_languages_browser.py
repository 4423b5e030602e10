"""In a real browser: the shell in Arabic (right to left, Bootstrap's RTL stylesheet) and in Chinese, and the
language switch used with the keyboard and at a phone's width. Screenshots go to test-artifacts/."""
from __future__ import annotations

import pytest

from tests.helpers import screenshot, sign_in, violations

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _page(browser, base_url, **options):
    context = browser.new_context(base_url=base_url, **options)
    return context, context.new_page()


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")


@pytest.mark.parametrize("code", ["ar", "zh"])
def test_shell_pages_in_arabic_and_chinese(browser, base_url, people, world, code):
    world.request("open", title="Training for the financial intelligence unit")
    context, page = _page(browser, base_url)
    try:
        page.goto(f"/login?lang={code}")
        assert page.locator("html").get_attribute("lang") == code
        assert page.locator("html").get_attribute("dir") == ("rtl" if code == "ar" else "ltr")
        rtl_sheet = page.locator('link[href*="bootstrap.rtl.min.css"]')
        assert rtl_sheet.count() == (1 if code == "ar" else 0)
        screenshot(page, f"lang-{code}-login")
        assert violations(page) == []
        page.goto("/login?lang=en")  # the sign-in helper reads the English labels
        sign_in(page, people.state.email)
        page.goto(f"/?lang={code}")
        expected = {"ar": "تسجيل الخروج", "zh": "退出"}[code]
        assert page.get_by_role("button", name=expected).is_visible()
        if code == "ar":  # mirrored: the brand is at the right (the account and the search box follow it)
            brand = page.locator(".site-brand").bounding_box()
            assert brand["x"] > page.viewport_size["width"] / 2
        screenshot(page, f"lang-{code}-home")
        assert violations(page) == []  # WCAG 2.1 AA in this language too (lang attributes, contrast…)
        page.goto("/requests")
        assert page.locator("html").get_attribute("lang") == code  # the choice is kept
        screenshot(page, f"lang-{code}-requests")
        page.goto("/requests/new")  # a form: labels, help and fields mirror with the page
        assert page.locator("html").get_attribute("dir") == ("rtl" if code == "ar" else "ltr")
        screenshot(page, f"lang-{code}-request-form")
    finally:
        page.goto("/?lang=en")  # the account keeps its language: give it back its English
        context.close()


def test_language_switch_by_keyboard_and_at_phone_width(browser, base_url, people):
    context, page = _page(browser, base_url, viewport=PHONE)
    try:
        page.goto("/login?lang=ar")
        links = page.locator(".language-switch a")
        assert links.count() == 6
        for i in range(6):
            link = links.nth(i)
            assert link.get_attribute("lang") == link.get_attribute("hreflang")
        current = page.locator('.language-switch a[aria-current="true"]')
        assert current.count() == 1 and current.get_attribute("lang") == "ar"
        assert page.locator(".language-switch").get_attribute("aria-label") == "اللغة"
        assert _no_sideways_scroll(page)
        screenshot(page, "lang-ar-login-phone")
        # The keyboard: the skip link, the brand, then the languages; Enter follows the focused one.
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.classList.contains('skip-link')")
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.getAttribute('hreflang')") == "ar"
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.getAttribute('hreflang')") == "zh"
        page.keyboard.press("Enter")
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == "zh"
        assert page.locator("html").get_attribute("dir") == "ltr"
        sign_in_page = page.url
        assert "lang=zh" in sign_in_page
        page.goto("/login?lang=en")
        sign_in(page, people.coordinator.email)
        page.goto("/?lang=ar")
        assert _no_sideways_scroll(page)
        screenshot(page, "lang-ar-home-phone")
    finally:
        page.goto("/?lang=en")
        context.close()
