"""Which language a page and an API answer speak (?lang=, the account, the cookie, Accept-Language, English),
how the choice is remembered, right-to-left pages, the switch, locale formatting and content detection."""
from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from sqlalchemy import select

from exchange.core import i18n
from exchange.core.extensions import db
from exchange.people.models import User

HTML_TAG = re.compile(r"<html lang=\"([a-z]+)\" dir=\"(ltr|rtl)\">")


def html_language(response) -> tuple[str, str]:
    match = HTML_TAG.search(response.get_data(as_text=True))
    assert match, response.get_data(as_text=True)[:300]
    return match.group(1), match.group(2)


def account_language(app, user_id):
    with app.app_context():
        return db.session.scalar(select(User.language).where(User.id == user_id))


@pytest.mark.parametrize("code", list(i18n.LANGUAGES))
def test_lang_parameter_chooses_the_language_of_the_login_page(app, code):
    response = app.test_client().get(f"/login?lang={code}")
    assert response.status_code == 200
    assert html_language(response) == (code, "rtl" if code == "ar" else "ltr")


def test_arabic_pages_load_bootstraps_right_to_left_stylesheet_and_others_do_not(app):
    client = app.test_client()
    arabic = client.get("/login?lang=ar").get_data(as_text=True)
    french = client.get("/login?lang=fr").get_data(as_text=True)
    assert "vendor/bootstrap/bootstrap.rtl.min.css" in arabic and "bootstrap.min.css" not in arabic
    assert "bootstrap.rtl.min.css" not in french and "bootstrap.min.css" in french
    assert client.get("/static/vendor/bootstrap/bootstrap.rtl.min.css").status_code == 200


def test_the_browser_language_decides_on_a_first_visit(app):
    client = app.test_client()
    assert html_language(client.get("/login", headers={"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"}))[0] == "fr"
    assert html_language(client.get("/login", headers={"Accept-Language": "zh-Hans-CN"}))[0] == "zh"
    assert html_language(client.get("/login", headers={"Accept-Language": "de-DE,de"}))[0] == "en"
    assert html_language(client.get("/login"))[0] == "en"


def test_a_chosen_language_is_kept_in_a_cookie_before_sign_in(app):
    client = app.test_client()
    first = client.get("/login?lang=ru")
    assert i18n.COOKIE in first.headers.get("Set-Cookie", "")
    # Later visits without ?lang= keep Russian, even when the browser asks for French.
    assert html_language(client.get("/login", headers={"Accept-Language": "fr"}))[0] == "ru"
    # A bad value changes nothing.
    assert html_language(client.get("/login?lang=xx"))[0] == "ru"
    assert html_language(client.get("/login?lang=%3Cscript%3E"))[0] == "ru"


def test_a_signed_in_person_choosing_a_language_keeps_it_on_the_account(app, clients, people):
    client = clients.state
    assert account_language(app, people.state.id) is None
    assert html_language(client.get("/?lang=es"))[0] == "es"
    assert account_language(app, people.state.id) == "es"
    # The account wins over the cookie of another browser and over Accept-Language.
    other = clients.state  # the same session
    other.set_cookie(i18n.COOKIE, "zh")
    assert html_language(other.get("/", headers={"Accept-Language": "fr"}))[0] == "es"


def test_the_api_speaks_accept_language_only(app, api, tokens):
    for header, expected in (({"Accept-Language": "fr"}, "fr"), ({}, "en"), ({"Accept-Language": "ar"}, "ar")):
        response = api.get("/api/v1/requests/999999", tokens.state, headers=header)
        assert response.status_code == 404
        assert response.json["error"]["code"] == "not_found"
        assert "Set-Cookie" not in response.headers or i18n.COOKIE not in response.headers["Set-Cookie"]
    # ?lang= is a page's switch, not the API's.
    response = api.get("/api/v1/requests/999999?lang=ar", tokens.state)
    assert response.json["error"]["code"] == "not_found"


def test_the_switch_offers_every_language_by_its_own_name_and_keeps_the_query(app, clients):
    page = clients.coordinator.get("/requests?status=open&lang=fr").get_data(as_text=True)
    switch = page.split('class="language-switch"')[1].split("</nav>")[0]
    for code, name in i18n.LANGUAGES.items():
        assert f'lang="{code}"' in switch and f'hreflang="{code}"' in switch and f">{name}</a>" in switch
        assert f"/requests?status=open&amp;lang={code}" in switch
    current = [tag for tag in re.findall(r"<a [^>]*>", switch) if "aria-current" in tag]
    assert len(current) == 1 and 'hreflang="fr"' in current[0]


def test_dates_numbers_and_money_are_written_per_locale(app):
    with app.test_request_context("/?lang=fr"):
        assert i18n.format_day(date(2026, 12, 1)) == "1 déc. 2026"
        assert i18n.format_number(12345) == "12\u202f345"
        assert i18n.format_money(125000) == "125\u202f000\xa0$US"
        assert i18n.format_day(None) == i18n.EMPTY
    with app.test_request_context("/?lang=zh"):
        assert i18n.format_day(date(2026, 12, 1)) == "2026年12月1日"
        assert "15:04" in i18n.format_moment(datetime(2026, 12, 1, 15, 4))
    with app.test_request_context("/?lang=en"):
        assert i18n.format_money(125000) == "$125,000"
        assert i18n.format_moment(datetime(2026, 12, 1, 15, 4)) == "Dec 1, 2026, 3:04\u202fPM UTC"


def test_speaking_renders_in_a_recipients_language_outside_a_request(app):
    from flask_babel import get_locale
    with app.app_context():
        with i18n.speaking("ar"):
            assert str(get_locale()) == "ar"
        with i18n.speaking("xx"):  # unknown: English
            assert str(get_locale()) == "en"


@pytest.mark.parametrize(("text", "expected"), [
    ("Nous demandons une formation sur la gestion des frontières et le contrôle des documents.", "fr"),
    ("Запрашиваем обучение по вопросам пограничного контроля и проверки документов.", "ru"),
    ("我们请求提供边境管理和证件检查方面的培训。", "zh"),
    ("نطلب تدريبا على إدارة الحدود وفحص وثائق السفر.", "ar"),
    ("Solicitamos capacitación en gestión de fronteras y control de documentos.", "es"),
    ("We request training on border management and the inspection of travel documents.", "en"),
    ("Formation", None),  # too short to tell
    ("", None),
])
def test_detect_language(text, expected):
    assert i18n.detect_language(text, among=tuple(i18n.LANGUAGES)) == expected


def test_lang_attributes_mark_content_in_another_language(app):
    with app.test_request_context("/?lang=ar"):
        assert str(i18n.lang_attributes("en")) == ' lang="en" dir="ltr"'
        assert str(i18n.lang_attributes("ar")) == ' lang="ar" dir="rtl"'
        assert str(i18n.lang_attributes(None)) == ""
    with app.test_request_context("/?lang=fr"):
        assert str(i18n.lang_attributes("ru")) == ' lang="ru"'
        assert str(i18n.lang_attributes('"><script>')) == ' lang="&#34;&gt;&lt;script&gt;"'
