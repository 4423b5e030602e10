"""The API's reference lists and suggestion reasons answer in the Accept-Language language: names and
descriptions translated, codes the same in every language (API.md "Languages")."""
from __future__ import annotations

import pytest

from exchange.core.extensions import db
from tests.factories import make_offer, make_request


def _items(api, token, path, language=None):
    headers = {"Accept-Language": language} if language else {}
    response = api.get(path, token, headers=headers)
    assert response.status_code == 200
    return response.json["items"]


def test_theme_names_in_french_arabic_and_chinese_with_the_same_codes(api, tokens):
    english = {t["code"]: t for t in _items(api, tokens.state, "/api/v1/themes?per_page=100")}
    assert english["financing"]["name"] == "Terrorist financing"
    for language, expected, pillar in [("fr", "Financement du terrorisme", "Prévenir et combattre le terrorisme"),
                                       ("ar", "تمويل الإرهاب", "منع الإرهاب ومكافحته"),
                                       ("zh", "资助恐怖主义", "防止和打击恐怖主义")]:
        themes = {t["code"]: t for t in _items(api, tokens.state, "/api/v1/themes?per_page=100", language)}
        assert set(themes) == set(english)
        assert themes["financing"]["name"] == expected
        assert themes["financing"]["pillar"] == "II" and themes["financing"]["pillar_name"] == pillar
        assert themes["financing"]["lead_entities"] == english["financing"]["lead_entities"]
        assert all(themes[c]["name"] != english[c]["name"] for c in themes)
        assert all(themes[c]["description"] != english[c]["description"] for c in themes)


@pytest.mark.parametrize("path,code_key,code,english,russian", [
    ("/api/v1/countries?per_page=100", "iso3", "KAZ", "Kazakhstan", "Казахстан"),
    ("/api/v1/regions?per_page=100", "code", "143", "Central Asia", "Центральная Азия"),
    ("/api/v1/modalities", "code", "training", "Training", "Обучение"),
    ("/api/v1/languages?per_page=100", "code", "ar", "Arabic", "арабский"),
    ("/api/v1/organisations?kind=task_force_entity&per_page=100", "code", "UNODC",
     "United Nations Office on Drugs and Crime", "Управление Организации Объединенных Наций по наркотикам и преступности"),
])
def test_reference_lists_in_russian(api, tokens, path, code_key, code, english, russian):
    en = {row[code_key]: row["name"] for row in _items(api, tokens.state, path)}
    ru = {row[code_key]: row["name"] for row in _items(api, tokens.state, path, "ru")}
    assert set(en) == set(ru) and (en[code], ru[code]) == (english, russian)


def test_an_unknown_language_answers_in_english(api, tokens):
    themes = {t["code"]: t["name"] for t in _items(api, tokens.state, "/api/v1/themes?per_page=100", "de")}
    assert themes["financing"] == "Terrorist financing"


@pytest.fixture
def suggestion(app, people):
    with app.app_context():
        req = make_request(people, languages=["ru"])
        offer = make_offer(people, "other_provider", regions=["143"], languages=["ru", "en"])
        db.session.commit()
        return req.id, offer.id


def test_suggestion_reasons_in_the_callers_language_and_codes_in_every_language(api, tokens, suggestion):
    request_id, offer_id = suggestion
    path = f"/api/v1/requests/{request_id}/matches"
    by_language = {}
    for language in ("en", "fr", "ru", "zh", "ar"):
        items = _items(api, tokens.coordinator, path, language)
        by_language[language] = next(i for i in items if i["offer_id"] == offer_id)
    en, fr, ru, zh = (by_language[x] for x in ("en", "fr", "ru", "zh"))
    assert "Both on terrorist financing" in en["reasons"] and "Delivers in Central Asia" in en["reasons"]
    assert "Tous deux portent sur le financement du terrorisme" in fr["reasons"]
    assert "Zone d’intervention : Asie centrale" in fr["reasons"]
    assert "Место оказания помощи: Центральная Азия" in ru["reasons"]
    assert "双方均涉及资助恐怖主义" in zh["reasons"]
    assert all(len(x["reasons"]) == len(en["reasons"]) for x in by_language.values())
    assert all(x["reason_codes"] == en["reason_codes"] for x in by_language.values())
    assert {"key": "both_on", "themes": ["financing"]} in en["reason_codes"]
    assert {"key": "delivers_in_area", "place": "143"} in en["reason_codes"]
    assert all(x["score"] == en["score"] for x in by_language.values())
