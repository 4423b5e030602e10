"""The page shell in the six languages: <html lang dir>, the right-to-left stylesheet, the navigation, the
language switch, error pages (400/403/404/405/413/500, CSRF) and WTForms' own messages."""
from __future__ import annotations

import re
from html import unescape

import pytest
from babel.support import Translations
from wtforms.i18n import messages_path

from exchange.app import create_app
from exchange.core.access import PUBLIC, allow
from tests.helpers import test_config

ERROR_TITLES = {
    404: {"en": "Page not found", "ar": "الصفحة غير موجودة", "zh": "找不到页面", "fr": "Page introuvable",
          "ru": "Страница не найдена", "es": "Página no encontrada"},
    403: {"en": "You do not have access to this page", "ar": "ليس لديك إذن بالوصول إلى هذه الصفحة",
          "zh": "您无权访问此页面", "fr": "Vous n'avez pas accès à cette page", "ru": "У вас нет доступа к этой странице",
          "es": "No tiene acceso a esta página"},
    405: {"en": "This action is not available here", "ar": "هذا الإجراء غير متاح هنا", "zh": "此处无法执行此操作",
          "fr": "Cette action n'est pas disponible ici", "ru": "Это действие здесь недоступно",
          "es": "Esta acción no está disponible aquí"},
}


def _html_tag(html: str) -> str:
    return re.search(r"<html[^>]*>", html).group(0)


@pytest.mark.parametrize("code, direction", [("ar", "rtl"), ("zh", "ltr"), ("en", "ltr"), ("fr", "ltr"),
                                             ("ru", "ltr"), ("es", "ltr")])
def test_lang_and_direction_of_the_page(client_for, code, direction):
    html = client_for(None).get(f"/login?lang={code}").get_data(as_text=True)
    assert _html_tag(html) == f'<html lang="{code}" dir="{direction}">'
    assert ("bootstrap.rtl.min.css" in html) == (code == "ar")


@pytest.fixture
def client_for(app, clients):
    def make(person):
        return app.test_client() if person is None else getattr(clients, person)
    return make


def test_the_language_switch_names_each_language_in_itself_and_marks_the_current_one(client_for):
    html = client_for(None).get("/login?lang=ru&next=/requests").get_data(as_text=True)
    links = re.findall(r'<a class="text-white[^"]*"\s+href="([^"]+)" lang="(\w+)" hreflang="(\w+)"\s*'
                       r'(aria-current="true")?>([^<]+)</a>', html)
    assert [(lang, name) for _, lang, _, _, name in links] == [
        ("ar", "العربية"), ("zh", "中文"), ("en", "English"), ("fr", "Français"), ("ru", "Русский"), ("es", "Español")]
    assert all(lang == hreflang for _, lang, hreflang, _, _ in links)
    assert [lang for _, lang, _, current, _ in links if current] == ["ru"]
    assert all("next=%2Frequests" in href and f"lang={lang}" in href for href, lang, _, _, _ in links)
    assert 'aria-label="Язык"' in html and "Перейти к основному содержанию" in html


def test_navigation_and_account_bar_in_arabic(client_for):
    html = client_for("coordinator").get("/?lang=ar").get_data(as_text=True)
    for words in ("الصفحة الرئيسية", "الفرز", "الطلبات", "المطابقات", "سجل التدقيق", "صندوق الوارد", "تسجيل الخروج",
                  "منسق فرقة العمل", 'aria-label="التنقل الرئيسي"', "مكتب فرقة العمل"):
        assert words in html, words
    assert "Audit trail" not in html and "Sign out" not in html


@pytest.mark.parametrize("code", ["en", "ar", "zh", "fr", "ru", "es"])
def test_error_pages_speak_the_page_language(client_for, code):
    anonymous, provider = client_for(None), client_for("provider")
    missing = anonymous.get(f"/no-such-page?lang={code}")
    assert missing.status_code == 404 and ERROR_TITLES[404][code] in unescape(missing.get_data(as_text=True))
    refused = provider.get(f"/triage?lang={code}")
    assert refused.status_code == 403 and ERROR_TITLES[403][code] in unescape(refused.get_data(as_text=True))
    wrong_method = provider.delete(f"/?lang={code}")
    assert wrong_method.status_code == 405 and ERROR_TITLES[405][code] in unescape(wrong_method.get_data(as_text=True))
    provider.get(f"/?lang={code}")  # the choice is kept on the account…
    assert ERROR_TITLES[404][code] in unescape(provider.get("/nowhere").get_data(as_text=True))
    provider.get("/?lang=en")  # …so give it back


def test_the_error_page_links_home_and_to_sign_in_in_one_sentence(client_for):
    html = unescape(client_for(None).get("/nowhere?lang=fr").get_data(as_text=True))
    assert '<a href="/">Allez à votre page d\'accueil</a> ou <a href="/login">connectez-vous</a>.' in html
    assert "Erreur 404" in html


def test_400_413_and_500_pages_in_a_language(app):
    strict = create_app(test_config(TESTING=False, PROPAGATE_EXCEPTIONS=False, UPLOAD_MAX_BYTES=1024 * 1024))

    @strict.route("/boom-for-test")
    @allow(PUBLIC)
    def boom():
        raise RuntimeError("boom")

    client = strict.test_client()
    nul = client.get("/login?lang=es&q=%00")
    assert nul.status_code == 400
    assert "El texto no puede contener caracteres NUL." in nul.get_data(as_text=True)
    big = client.post("/login?lang=zh", data=b"x" * (strict.config["MAX_CONTENT_LENGTH"] + 1),
                      content_type="application/octet-stream")
    assert big.status_code == 413 and "上传的文件过大" in big.get_data(as_text=True)
    crash = client.get("/boom-for-test?lang=ru")
    assert crash.status_code == 500 and "На нашей стороне произошла ошибка" in crash.get_data(as_text=True)


def test_a_form_without_its_csrf_token_is_refused_in_the_page_language(app, people):
    guarded = create_app(test_config(WTF_CSRF_ENABLED=True))
    client = guarded.test_client()
    client.get("/login?lang=ar")  # the cookie remembers Arabic
    response = client.post("/login", data={"email": people.state.email, "password": "x"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "أُرسلت الاستمارة دون رمز الأمان الخاص بها" in html and 'dir="rtl"' in html
    assert "CSRF" not in html


@pytest.mark.parametrize("code", ["ar", "zh", "fr", "ru", "es"])
def test_wtforms_own_messages_use_its_catalogues(app, clients, code):
    # The sign-in form says what to do in our own words ("Enter your e-mail address."); a form keeping WTForms'
    # own message (the admin's new user) says it in WTForms' catalogue's words.
    expected = Translations.load(messages_path(), [code], domain="wtforms").gettext("This field is required.")
    assert expected != "This field is required."
    html = clients.admin.post(f"/admin/users/new?lang={code}", data={"email": "", "name": "", "role": "",
                                                                       "organisation": ""}).get_data(as_text=True)
    assert unescape(expected) in unescape(html) and "This field is required." not in html
