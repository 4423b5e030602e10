"""The pages of this issue in a real Chromium: a background export followed by the page's script until its
file is offered (the job run by the test's drain while the page polls), a large import followed the same way
through its check, its confirmation and its save, the notification settings and saved searches page, and the
admins' failed jobs, with axe checks and screenshots at 1366 and 390 px in English and Arabic."""
from __future__ import annotations

from sqlalchemy import func, select

from exchange.core.extensions import db
from exchange.jobs.models import Job
from exchange.offers.models import Offer
from tests.factories import as_csv, import_rows, make_request, make_saved_search
from tests.helpers import queued_jobs, run_jobs, screenshot, sign_in, violations

SIZES = {"wide": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def test_an_export_page_follows_its_job_until_the_file_is_ready(new_page, people, live_app):
    with live_app.app_context():
        for i in range(3):
            make_request(people, "submitted", title=f"Border control request {i}")
        db.session.commit()
    page = new_page()
    sign_in(page, people.coordinator.email)
    with queued_jobs():
        page.goto("/requests?q=border")
        page.get_by_role("link", name="Export in the background").click()
        page.get_by_role("button", name="Start the export").click()
        assert "Waiting" in page.locator("[data-job-state]").inner_text()
        assert page.locator("[data-job-download]").is_hidden()
        page.locator("[data-job-reload]").wait_for(state="hidden")  # the script follows the job: no reload
        assert not violations(page)
        screenshot(page, "job-waiting-en")
        run_jobs()
        page.locator("[data-job-download]").wait_for(state="visible", timeout=10_000)
    assert page.locator("[data-job-state]").inner_text() == "Done"
    assert page.locator("[data-job-count]").inner_text() == "3 / 3"
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the file").click()
    assert download.value.suggested_filename == "requests.csv"


def test_a_large_import_page_follows_its_check_then_its_save(new_page, people, live_app, tmp_path, monkeypatch):
    monkeypatch.setitem(live_app.config, "IMPORT_JOB_ROWS", 5)
    path = tmp_path / "offers.csv"
    path.write_bytes(as_csv(import_rows(12)))
    page = new_page()
    sign_in(page, people.provider.email)
    with queued_jobs():
        page.goto("/imports/offers")
        page.locator("input[name=file]").set_input_files(str(path))
        page.get_by_role("button", name="Check the file").click()
        assert page.get_by_role("heading", name="Checking every row").is_visible()
        assert "Waiting" in page.locator("[data-job-state]").inner_text()
        page.locator("[data-job-reload]").wait_for(state="hidden")  # the script follows the job
        assert not violations(page)
        screenshot(page, "import-checking-en")
        run_jobs()
        page.locator("#import-ready").wait_for(timeout=10_000)  # the page reloaded itself when the check ended
        assert "All 12 rows are valid" in page.locator("#import-ready").inner_text()
        assert page.locator("[data-job-count]").inner_text() == "12 of 12 rows"
        assert not violations(page)
        page.get_by_role("button", name="Confirm import of 12 rows").click()
        assert page.get_by_role("heading", name="Saving every row").is_visible()
        run_jobs()
        page.locator("#import-saved").wait_for(timeout=10_000)
    assert "12 offers imported" in page.locator("#import-saved").inner_text()
    assert page.locator("#import-created a").count() == 12
    with live_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Offer)) == 12
    for language in ("en", "ar"):
        page.goto(f"{page.url.split('?')[0]}?lang={language}")
        assert not violations(page), language
        for size, viewport in SIZES.items():
            page.set_viewport_size(viewport)
            screenshot(page, f"import-done-{language}-{size}")


def test_the_pages_without_javascript_show_the_progress_on_reload(browser, base_url, people, live_app):
    context = browser.new_context(base_url=base_url, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, people.provider.email)
        with queued_jobs():
            page.goto("/jobs?kind=offers")
            page.get_by_role("button", name="Start the export").click()
            assert page.locator("[data-job-reload]").is_visible()
            run_jobs()
            page.get_by_role("link", name="reload it").click()
        assert page.get_by_role("link", name="Download the file").is_visible()
    finally:
        context.close()


def test_settings_and_failed_jobs_pages_in_english_and_arabic(new_page, people, live_app):
    with live_app.app_context():
        make_saved_search(people, "provider", "Border management in Western Africa", theme="border-management",
                          region="011")
        db.session.add(Job(name="mail.notifications", args=[[12, 13]], state="failed", attempts=7,
                           error="ConnectionRefusedError: [Errno 111] Connection refused"))
        db.session.commit()
    provider, admin = new_page(), new_page()
    sign_in(provider, people.provider.email)
    sign_in(admin, people.admin.email)
    for language in ("en", "ar"):
        for page, path, name in ((provider, "/subscriptions", "subscriptions"),
                                 (provider, "/subscriptions/new?kind=request&theme=financing", "save-search"),
                                 (admin, "/jobs/failed", "failed-jobs")):
            page.goto(f"{path}{'&' if '?' in path else '?'}lang={language}")
            assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
            assert not violations(page), (path, language)
            for size, viewport in SIZES.items():
                page.set_viewport_size(viewport)
                screenshot(page, f"{name}-{language}-{size}")
    provider.goto("/subscriptions?lang=en")
    provider.get_by_label("Reminders of cases waiting for you: By e-mail").select_option("daily")
    provider.get_by_role("button", name="Save these settings").click()
    assert "Your notification settings are saved." in provider.content()
    admin.goto("/jobs/failed?lang=en")
    admin.get_by_role("button", name="Retry").click()
    assert "The job is queued again." in admin.content()
