"""Reference names in the reader's language: CLDR for countries, areas and languages (the UN's own names in
English), the catalogue for themes, modalities, working groups, Task Force entities and pillars; codes never
change, unknown codes are named by themselves."""
from __future__ import annotations

import pytest

from exchange.core.i18n import speaking
from exchange.reference import names
from exchange.reference.data import load_countries, load_regions, load_themes


@pytest.mark.parametrize("language,kind,code,expected", [
    ("en", "country", "KAZ", "Kazakhstan"),
    ("ru", "country", "KAZ", "Казахстан"),
    ("zh", "country", "KAZ", "哈萨克斯坦"),
    ("ar", "country", "KAZ", "كازاخستان"),
    ("es", "country", "KAZ", "Kazajistán"),
    ("en", "country", "BOL", "Bolivia (Plurinational State of)"),  # the UN's name in English
    ("fr", "region", "143", "Asie centrale"),
    ("ru", "region", "143", "Центральная Азия"),
    ("en", "region", "143", "Central Asia"),
    ("fr", "language", "ru", "russe"),
    ("zh", "language", "ar", "阿拉伯语"),
    ("en", "language", "ru", "Russian"),
    ("fr", "theme", "financing", "Financement du terrorisme"),
    ("ar", "theme", "financing", "تمويل الإرهاب"),
    ("en", "theme", "financing", "Terrorist financing"),
    ("es", "modality", "training", "Capacitación"),
    ("fr", "organisation", "UNODC", "Office des Nations Unies contre la drogue et le crime"),
    ("ru", "organisation", "UNODC", "Управление Организации Объединенных Наций по наркотикам и преступности"),
    ("zh", "organisation", "KAZ", "哈萨克斯坦"),  # a Member State's organisation: its country
    ("es", "working_group", "financing", "Lucha contra la financiación del terrorismo"),
    ("fr", "pillar", "II", "Prévenir et combattre le terrorisme"),
    ("ru", "pillar_title", "IV", "Меры, гарантирующие всеобщее уважение прав человека и верховенство права в "
                                 "качестве фундаментальной основы борьбы с терроризмом"),
    ("en", "pillar_title", "II", "Measures to prevent and combat terrorism"),
])
def test_names_in_each_language(app, language, kind, code, expected):
    with app.app_context(), speaking(language):
        assert names.name(kind, code) == expected


def test_unknown_codes_and_other_organisations_keep_their_own_names(app):
    with app.app_context(), speaking("fr"):
        assert names.name("theme", "no-such-theme") == "no-such-theme"
        assert names.name("organisation", "NGO-X", "Friends of Justice") == "Friends of Justice"
        assert names.name("country", None) == ""


def test_every_country_area_and_theme_has_a_name_in_every_language(app):
    for language in ("ar", "zh", "fr", "ru", "es"):
        with app.app_context(), speaking(language):
            for row in load_countries():
                assert names.name("country", row["iso3"]) not in ("", row["iso3"])
            for row in load_regions():
                assert names.name("region", row["code"]) not in ("", row["code"])
            for row in load_themes():
                translated = names.name("theme", row["code"])
                assert translated and translated != row["name"], (language, row["code"])
                assert names.description("theme", row["code"]) != row["description"]


def test_model_labels_follow_the_language(app):
    from exchange.core.extensions import db
    from exchange.reference.models import Country, Theme
    with app.app_context():
        kaz, theme = db.session.get(Country, "KAZ"), db.session.get(Theme, "financing")
        with speaking("ru"):
            assert (kaz.label, theme.label) == ("Казахстан", "Финансирование терроризма")
        assert (kaz.label, kaz.name, theme.label) == ("Kazakhstan", "Kazakhstan", "Terrorist financing")


@pytest.mark.parametrize("typed", ["Kazakhstan", "Казахстан", "哈萨克斯坦", "kazajistán", "KAZ"])
def test_countries_found_by_their_name_in_any_language(typed):
    assert names.find_countries(typed) == ["KAZ"]


def test_nothing_typed_finds_nothing():
    assert names.find_countries("  ") == [] and names.find_countries("Atlantis") == []
