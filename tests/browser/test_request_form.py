"""In a real browser (CSRF on): a focal point files a request through the guided form as a draft,
comes back, edits and submits it; a provider posts an offer. Screenshots of the form and the list."""
from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from exchange.core.extensions import db
from exchange.offers.models import Offer
from exchange.requests.models import AssistanceRequest
from tests.helpers import screenshot, sign_in


def test_a_focal_point_files_edits_and_submits_a_request(live_app, new_page, people):
    page = new_page()
    sign_in(page, people.state.email)
    page.get_by_role("link", name="New request").first.click()
    assert page.locator("h1").inner_text() == "New assistance request"
    page.get_by_label("Title").fill("Training for the Financial Intelligence Unit")
    page.get_by_label("Institution that benefits").fill("Financial Intelligence Unit, Ministry of Finance")
    page.get_by_label("Terrorist financing").check()
    page.get_by_label("Training", exact=True).check()
    # The review section summarises what is filled in (JavaScript enhancement) and what is missing.
    review = page.locator("#request-review")
    assert "Training for the Financial Intelligence Unit" in review.inner_text()
    assert "Missing: needed before you submit" in review.inner_text()
    screenshot(page, "request-form")
    page.get_by_role("button", name="Save as draft").click()
    assert "saved as a draft" in page.locator(".flash-messages").inner_text()
    assert "Draft" in page.locator("h1 + div, .badge-status").first.inner_text()

    # Coming back later: the list shows the draft; edit it, complete it, and submit it.
    page.get_by_role("link", name="My requests").first.click()
    assert page.get_by_text("Training for the Financial Intelligence Unit").is_visible()
    screenshot(page, "request-list")
    page.get_by_role("link", name="R-").first.click()
    page.get_by_role("link", name="Edit").click()
    assert page.get_by_label("Terrorist financing").is_checked()
    page.get_by_label("What is needed").fill(
        "The unit has six analysts and no case management system. We need a two-week course for 20 analysts "
        "on analysing suspicious transaction reports, before June 2026.")
    page.get_by_label("Russian (UN official language)").check()
    page.get_by_label("Estimated budget (US dollars)").fill("45000")
    page.get_by_label("High", exact=True).check()
    page.get_by_role("button", name="Submit for review").click()
    assert "submitted for review" in page.locator(".flash-messages").inner_text()
    screenshot(page, "request-detail")
    with live_app.app_context():
        req = db.session.scalar(select(AssistanceRequest).where(
            AssistanceRequest.title == "Training for the Financial Intelligence Unit"))
        assert (req.status, req.urgency, req.estimated_budget_usd) == ("submitted", "high", 45000)
        assert req.language_codes == ["ru"] and req.modality_codes == ["training"]
        db.session.remove()


def test_errors_show_beside_the_fields_in_the_browser(live_app, new_page, people):
    page = new_page()
    sign_in(page, people.state.email)
    page.goto("/requests/new")
    page.get_by_label("Title").fill("Help")
    page.get_by_role("button", name="Submit for review").click()
    assert page.locator("#title-error").inner_text() == "Enter a title of 5 to 200 characters."
    assert page.locator("#themes-error").is_visible()
    assert page.get_by_label("Title").input_value() == "Help"
    screenshot(page, "request-form-errors")


def test_a_provider_posts_an_offer(live_app, new_page, people):
    page = new_page()
    sign_in(page, people.provider.email)
    page.get_by_role("link", name="Offers").first.click()
    page.get_by_role("link", name="New offer").click()
    page.get_by_label("Title").fill("Regional workshops on terrorist financing")
    page.get_by_label("What you offer").fill("Two-week workshops for financial intelligence analysts in Central Asia.")
    page.get_by_label("Terrorist financing (pillar II)").check()
    page.get_by_label("Workshop or seminar").check()
    page.get_by_label("Russian", exact=True).check()
    page.get_by_label("Regions (UN M49)").select_option("143")
    page.get_by_label("Capacity").fill("4")
    page.get_by_role("button", name="Post the offer").click()
    assert "posted" in page.locator(".flash-messages").inner_text()
    assert "Central Asia" in page.locator("main").inner_text()
    screenshot(page, "offer-detail")
    page.get_by_role("link", name="Directory").first.click()
    assert page.get_by_role("link", name="Regional workshops on terrorist financing").is_visible()
    with live_app.app_context():
        offer = db.session.scalar(select(Offer).where(Offer.title == "Regional workshops on terrorist financing"))
        assert offer.region_codes == ["143"] and offer.capacity == 4 and offer.organisation.code == "UNODC"
        db.session.remove()


def test_the_pages_of_this_part_pass_axe_wcag_checks(live_app, new_page, people):
    from tests.helpers import violations
    page = new_page()
    sign_in(page, people.state.email)
    page.goto("/requests/new")
    page.get_by_label("Title").fill("Help")
    page.get_by_role("button", name="Submit for review").click()  # the form with errors beside fields
    problems = {"/requests/new (errors)": violations(page)}
    page.get_by_label("Title").fill("Border police training on travel documents")
    page.get_by_role("button", name="Save as draft").click()
    detail = page.url
    for path in ("/requests", "/requests/new", detail, detail + "/edit", "/offers", "/directory", "/countries",
                 "/countries/KAZ", "/requests?q=nothing-matches-this"):
        page.goto(path)
        problems[path] = violations(page)
    provider = new_page()
    sign_in(provider, people.provider.email)
    for path in ("/offers/new", "/offers"):
        provider.goto(path)
        problems["provider " + path] = violations(provider)
    problems = {k: v for k, v in problems.items() if v}
    assert not problems, problems


def test_the_language_select_follows_the_text_until_the_person_chooses(live_app, new_page, people):
    page = new_page()
    sign_in(page, people.state.email)
    page.goto("/requests/new?lang=fr")
    chooser = page.locator("select[name=content_language]")
    assert chooser.input_value() == "fr"  # nothing typed yet: the page's language
    page.locator("input[name=title]").fill("Capacitación de los analistas de la unidad de inteligencia financiera")
    page.locator("textarea[name=description]").fill(
        "La unidad necesita capacitación para veinte analistas sobre los reportes de operaciones sospechosas "
        "y el rastreo de la financiación del terrorismo antes de junio.")
    expect(chooser).to_have_value("es", timeout=5000)
    chooser.select_option("pt")  # the person's own choice stays
    page.locator("textarea[name=description]").fill("Formation des analystes à l'examen des déclarations "
                                                    "d'opérations suspectes et au suivi du financement du terrorisme.")
    page.wait_for_timeout(1500)
    assert chooser.input_value() == "pt"
