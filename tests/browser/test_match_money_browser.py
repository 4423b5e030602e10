"""A provider records money and a result on a match through the page's forms in a real browser (with CSRF on and
JavaScript on), the State comments on the result; the match page with money and results has no WCAG violations
(axe-core) in English and Arabic, at 1366 and 390 px (screenshots kept in tests/artifacts)."""
from __future__ import annotations

import pytest

from tests.helpers import screenshot, sign_in, violations


@pytest.fixture
def delivering(world):
    mid = world.match("in_delivery", note="Same theme; the course has room in March.")
    return mid


def test_a_provider_enters_funding_and_a_result_and_the_state_comments(new_page, people, world, delivering):
    page = new_page()
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, people.provider.email)
    page.goto(f"/matches/{delivering}")
    page.get_by_text("Record money").click()
    page.get_by_label("Committed", exact=True).check()
    page.get_by_label("Date").fill("2027-03-01")
    page.get_by_label("Funding organisation").select_option("UNODC")
    page.get_by_label("Amount").fill("25000.50")
    page.get_by_label("Currency").select_option("EUR")
    page.get_by_label("US dollars for one unit").fill("1.1")
    page.get_by_role("button", name="Record the money").click()
    page.wait_for_load_state()
    assert "Recorded: Committed, 25,000.5 EUR" in page.content()
    assert page.locator("#funding-table [data-total=committed]").inner_text() == "$27,501"

    page.get_by_text("Record a result").click()
    page.get_by_label("Indicator").fill("Analysts trained in financial analysis")
    page.get_by_label("Unit", exact=True).fill("people")
    page.get_by_label("Baseline").fill("0")
    page.get_by_label("Target").fill("20")
    page.get_by_label("Actual").fill("18")
    page.get_by_role("button", name="Record the result").click()
    page.wait_for_load_state()
    assert page.locator("#results-table").get_by_text("Analysts trained in financial analysis").count() == 1
    assert not violations(page)
    screenshot(page, "match-money-provider-en-1366")

    page.locator("summary", has_text="Record money").click()
    page.get_by_label("Amount").fill("lots")
    page.get_by_role("button", name="Record the money").click()
    page.wait_for_load_state()
    assert page.locator("#funding-amount").get_attribute("aria-invalid") == "true"
    assert not violations(page)

    world.move_match(delivering, "complete", {"outcome": "Eighteen analysts trained."})
    state = new_page()
    state.set_viewport_size({"width": 1366, "height": 900})
    sign_in(state, people.state.email)
    state.goto(f"/matches/{delivering}")
    state.get_by_label("Your comment on this result").fill("Eighteen of ours attended.")
    state.get_by_role("button", name="Save the comment").click()
    state.wait_for_load_state()
    assert "Eighteen of ours attended." in state.locator("#results-table").inner_text()
    assert not violations(state)


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("width", [1366, 390])
def test_the_match_page_with_money_in_english_and_arabic(new_page, people, world, delivering, language, width):
    world.funding(delivering)
    world.funding(delivering, stage="disbursed", amount="12000", currency="USD", usd_rate="1")
    world.result(delivering)
    page = new_page()
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, people.provider.email)
    page.goto(f"/matches/{delivering}?lang={language}")
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    page.locator("#money summary").click()
    assert not violations(page)
    screenshot(page, f"match-money-{language}-{width}")
    page.goto(f"/dashboard?lang={language}")
    assert page.locator("#dashboard-money-pillar").count() == 1
    assert not violations(page)
    screenshot(page, f"dashboard-money-{language}-{width}")
