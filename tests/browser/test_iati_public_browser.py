"""In a real browser: a provider imports its IATI file of twelve activities, sees three new, eight matching its
records and one invalid, saves none while the bad one is chosen, then saves the eleven after deselecting it;
the public summary without sign-in shows only consented records; the new pages pass axe in English and Arabic
(screenshots at 1366 px and 390 px in test-artifacts/)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from exchange.core.extensions import db
from exchange.offers.models import Offer
from tests.factories import IATI_NEW_IDS, make_iati_twelve, make_request
from tests.helpers import screenshot, sign_in, violations


def _counts(page) -> dict[str, int]:
    return {kind: int(page.locator(f'[data-count="{kind}"]').inner_text())
            for kind in ("new", "changed", "unchanged", "invalid", "unmatched")}


def _offers(live_app) -> int:
    with live_app.app_context():
        return db.session.scalar(select(func.count(Offer.id)))


def test_a_provider_imports_twelve_activities_and_saves_the_eleven_valid_ones(live_app, new_page, people, tmp_path):
    with live_app.app_context():
        data = make_iati_twelve(people)
    path = tmp_path / "unodc-activities.xml"
    path.write_bytes(data["file"])
    page = new_page()
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, people.provider.email)
    page.get_by_role("link", name="Import IATI").click()
    page.get_by_label("IATI activity file (XML)").set_input_files(str(path))
    page.get_by_role("button", name="Check the file").click()
    counts = _counts(page)
    assert counts["new"] == 3 and counts["changed"] + counts["unchanged"] == 8 and counts["invalid"] == 1
    assert "Unknown countries: ZZ." in page.locator("#iati-row-12").inner_text()
    assert page.locator("#choose-12").is_checked()
    assert not violations(page)
    screenshot(page, "iati-import-report-1366-en")
    before = _offers(live_app)

    page.get_by_role("button", name="Save the chosen activities").click()
    assert page.locator("#iati-refused").is_visible()
    assert _offers(live_app) == before  # nothing saved while the bad one is chosen

    page.locator("#choose-12").uncheck()
    page.get_by_role("button", name="Save the chosen activities").click()
    assert page.locator("#iati-done").is_visible()
    assert "11 activities saved." in page.locator(".flash-messages").inner_text()
    assert _offers(live_app) == before + 3
    with live_app.app_context():
        assert db.session.scalar(select(func.count(Offer.id)).where(Offer.iati_identifier.in_(IATI_NEW_IDS))) == 3
    screenshot(page, "iati-import-saved-1366-en")


@pytest.mark.parametrize("width", [1366, 390])
def test_the_public_summary_shows_only_consented_records(live_app, new_page, people, width):
    with live_app.app_context():
        make_request(people, "open", title="Published need: border screening equipment", publish_summary=True,
                     themes=["border-management"])
        make_request(people, "open", title="Unpublished need kept to the Task Force", themes=["financing"])
        make_request(people, "open", title="Restricted need never shown", publish_summary=True,
                     visibility="restricted")
        db.session.commit()
    for language in ("en", "ar"):
        page = new_page()
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"/public?lang={language}")
        text = page.locator("main").inner_text()
        assert "Published need: border screening equipment" in text
        assert "Unpublished need" not in text and "Restricted need" not in text
        assert page.locator("#public-requests").inner_text().strip() in ("1", "١")
        if language == "ar":
            assert page.locator("html").get_attribute("dir") == "rtl"
        assert not violations(page), language
        screenshot(page, f"public-summary-{width}-{language}")


@pytest.mark.parametrize("person, paths", [
    ("provider", ["/imports/iati"]),
    ("coordinator", ["/imports/requests", "/imports/iati"]),
    ("admin", ["/admin/working-groups", "/admin/working-groups/financing", "/admin/working-groups/new"]),
])
def test_new_pages_pass_axe_in_english_and_arabic(new_page, people, person, paths):
    page = new_page()
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, getattr(people, person).email)
    problems = {}
    for language in ("en", "ar"):
        for path in paths:
            page.goto(f"{path}?lang={language}")
            found = violations(page)
            if found:
                problems[f"{path} {language}"] = found
            screenshot(page, f"{path.strip('/').replace('/', '-')}-1366-{language}")
    page.goto("/?lang=en")
    assert not problems, problems


@pytest.mark.parametrize("width", [1366, 390])
def test_the_reconciliation_report_in_arabic(live_app, new_page, people, tmp_path, width):
    from tests.factories import iati_activity, iati_file
    path = tmp_path / "activities.xml"
    path.write_bytes(iati_file([iati_activity("XM-DAC-41122-AR-1"),
                                iati_activity("XM-DAC-41122-AR-2", countries=("ZZ",))]))
    page = new_page()
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, people.provider.email)
    page.goto("/imports/iati?lang=ar")
    page.locator("input[name=file]").set_input_files(str(path))
    page.locator("main form[enctype] button[type=submit]").click()
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator('[data-count="new"]').inner_text().strip() in ("1", "١")
    assert not violations(page)
    screenshot(page, f"iati-import-report-{width}-ar")
    page.goto("/?lang=en")


def test_the_requests_import_report_passes_axe(new_page, people, tmp_path):
    from tests.factories import as_requests_csv, request_import_rows
    path = tmp_path / "needs.csv"
    path.write_bytes(as_requests_csv(request_import_rows(3, {1: {"country": "XXX"}})))
    page = new_page()
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, people.coordinator.email)
    page.goto("/imports/requests")
    page.locator("input[name=file]").set_input_files(str(path))
    page.locator("main form[enctype] button[type=submit]").click()
    assert "Unknown country" in page.locator("#import-problems").inner_text()
    assert not violations(page)
    screenshot(page, "imports-requests-report-1366-en")
