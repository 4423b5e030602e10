"""The Exchange in other languages, in a real Chromium, as new users would try it: a focal point from Niger
switches to French on the sign-in page, files a request in French from start to finish and gets the
acknowledgement e-mail in French; an Arabic-speaking focal point does the same, right to left; a
Chinese-speaking coordinator triages in Chinese; the progress report PDF comes in all six languages.
Labels are looked up in the catalogues (the words a French page must show), then found on the page."""
from __future__ import annotations

from email.header import decode_header, make_header

import pytest
from flask_babel import gettext
from playwright.sync_api import expect
from sqlalchemy import select

from exchange.core.extensions import db
from exchange.core.i18n import LANGUAGES
from exchange.people.models import User
from exchange.requests.models import AssistanceRequest
from tests.factories import make_request, make_user
from tests.helpers import pdf_text, screenshot, sign_in, squeezed

pytestmark = pytest.mark.browser

DESCRIPTIONS = {
    "fr": ("Formation des agents des frontières à la détection des faux documents de voyage",
           "Notre police des frontières manque de formation pour repérer les documents de voyage falsifiés aux "
           "postes frontaliers du nord. Nous demandons une formation de deux semaines pour trente agents."),
    "ar": ("تدريب موظفي الحدود على كشف وثائق السفر المزورة",
           "تفتقر شرطة الحدود لدينا إلى التدريب على كشف وثائق السفر المزورة في المعابر الحدودية الشمالية. "
           "نطلب دورة تدريبية مدتها أسبوعان لثلاثين موظفا."),
}


def tr(app, language: str, message: str, **values) -> str:
    """The words a page in `language` shows for this English text (from the catalogues)."""
    with app.test_request_context(f"/?lang={language}"):
        return gettext(message, **values)


def mail_to(mailbox, email: str) -> list:
    return [message for recipients, message in mailbox.messages if email in recipients]


def focal_point(app, country: str) -> str:
    email = f"focal@{country.lower()}.lang.example"
    with app.app_context():
        make_user(email, "member_state", country)
        db.session.commit()
    return email


def file_a_request(page, app, language: str, country: str) -> AssistanceRequest:
    """From the home page: the New request link, the form filled in `language`, submitted."""
    title, description = DESCRIPTIONS[language]
    page.get_by_role("link", name=tr(app, language, "New request")).first.click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.get_by_label(tr(app, language, "Title"), exact=True).fill(title)
    page.get_by_label(tr(app, language, "Institution that benefits"), exact=True).fill("Police des frontières")
    page.get_by_label(tr(app, language, "What is needed"), exact=True).fill(description)
    page.locator("input[name=themes][value=border-management]").check()
    page.locator("input[name=modalities][value=training]").check()
    page.locator(f"input[name=languages][value={language}]").check()
    page.locator("input[name=urgency][value=high]").check()
    screenshot(page, f"request-form-{language}")
    page.locator("button[name=action][value=submit]").click()
    page.wait_for_load_state()
    expect(page.locator(".flash-messages")).to_be_visible()
    with app.app_context():
        req = db.session.scalar(select(AssistanceRequest).where(AssistanceRequest.title == title))
        db.session.expunge_all()
    assert req is not None and req.status == "submitted" and req.country_iso3 == country
    return req


@pytest.mark.parametrize(("language", "country"), [("fr", "NER"), ("ar", "JOR")])
def test_a_focal_point_chooses_a_language_on_the_sign_in_page_and_files_in_it(live_app, new_page, mailbox,
                                                                              language, country):
    email = focal_point(live_app, country)
    page = new_page()
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("link", name=LANGUAGES[language]).click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("h1")).to_have_text(tr(live_app, language, "Sign in to the Exchange"))
    if language == "ar":
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        # Mirrored: the brand, first in the header, sits on the right half of the page.
        brand = page.locator(".site-brand").bounding_box()
        assert brand["x"] > page.viewport_size["width"] / 2
        screenshot(page, "login-ar")
    sign_in(page, email)
    with live_app.app_context():
        assert db.session.scalar(select(User.language).where(User.email == email)) == language
    req = file_a_request(page, live_app, language, country)
    assert req.content_language == language
    expect(page.locator(f'[lang="{language}"]').filter(has_text=DESCRIPTIONS[language][0]).first).to_be_visible()
    screenshot(page, f"request-detail-{language}")
    # The acknowledgement, in the focal point's language.
    received = [m for m in mail_to(mailbox, email)
                if str(make_header(decode_header(m["Subject"]))).endswith(
                    tr(live_app, language, "Your request has been received"))]
    assert received, [str(make_header(decode_header(m["Subject"]))) for _, m in mailbox.messages]
    body = received[-1].get_payload(decode=True).decode()
    assert tr(live_app, language, "%(ref)s was received. The Task Force office will review it and tell you what "
              "follows.", ref=f"{req.reference} ({req.title})") in body


def test_a_coordinator_triages_in_chinese(live_app, new_page, people):
    with live_app.app_context():
        req = make_request(people, title="Strengthening border controls against foreign terrorist fighters",
                           description="The border service asks for training on risk analysis and the use of "
                                       "advance passenger information at airports and land crossings.",
                           themes=["border-management"], modalities=["training"], languages=["en"])
        db.session.commit()
        request_id, reference = req.id, req.reference
    page = new_page()
    sign_in(page, people.coordinator.email)
    page.get_by_role("link", name=LANGUAGES["zh"]).click()
    expect(page.locator("html")).to_have_attribute("lang", "zh")
    page.get_by_role("link", name=tr(live_app, "zh", "Triage")).first.click()
    expect(page.locator("h1")).to_contain_text(tr(live_app, "zh", "Case queue"))
    screenshot(page, "triage-zh")
    page.locator(f"#case-queue tr[data-request-id='{request_id}'] td.case-next a").click()
    page.locator(f"form[action$='/{request_id}/accept'] button[type=submit]").first.click()
    page.wait_for_load_state()
    with live_app.app_context():
        assert db.session.get(AssistanceRequest, request_id).status == "open"
    assert reference in page.locator(".flash-messages").inner_text()
    expect(page.locator("html")).to_have_attribute("lang", "zh")


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_the_progress_report_pdf_in_each_language(live_app, new_page, people, language):
    page = new_page()
    sign_in(page, people.coordinator.email)
    response = page.request.get(f"/reports/progress.pdf?lang={language}")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    text = squeezed(pdf_text(response.body()))
    assert squeezed(tr(live_app, language, "Progress report")) in text
