"""The suggestion reasons worded in the reader's language (matching.reasons) from the engine's keys and
codes, and each record's content language reaching the engine without changing a score."""
from __future__ import annotations

import pytest

from exchange.core.extensions import db
from exchange.core.i18n import speaking
from exchange.matching import service
from exchange.matching.engine import Reason
from exchange.matching.reasons import MESSAGES, codes, say, say_all
from tests.factories import make_offer, make_request

EVERY_REASON = [
    Reason("both_on", themes=("financing", "border-management")),
    Reason("text_on", themes=("wmd",)),
    Reason("delivers_in_country", place="KAZ"),
    Reason("delivers_in_area", place="143"),
    Reason("delivers_worldwide"),
    Reason("delivers_anywhere"),
    Reason("offers", modalities=("training",)),
    Reason("offers", modalities=("training", "workshop"), languages=("ru", "en")),
    Reason("works_in", languages=("ar",)),
    Reason("texts_match_themes_differ"),
    Reason("texts_match_no_theme"),
    Reason("closest_passage", quote="Training of FIU analysts"),
    Reason("similar_wording", terms=("cash couriers", "borders")),
    Reason("dates_covered"),
    Reason("dates_partly_covered"),
    Reason("available_now", urgency="high"),
    Reason("available_now", urgency="critical"),
]


def test_every_key_has_its_words():
    assert {r.key for r in EVERY_REASON} - {"offers", "available_now"} <= set(MESSAGES)


@pytest.mark.parametrize("language", ["ar", "zh", "en", "fr", "ru", "es"])
def test_every_reason_is_worded_in_every_language(app, language):
    with app.app_context(), speaking(language):
        worded = say_all(EVERY_REASON)
    assert len(worded) == len(EVERY_REASON) and all(worded) and not any("%(" in w for w in worded)
    if language != "en":
        with app.app_context(), speaking("en"):
            english = say_all(EVERY_REASON)
        # everything but what is quoted from the texts themselves is in the reader's language
        assert sum(a != b for a, b in zip(worded, english)) >= len(EVERY_REASON) - 1


def test_english_wording_is_the_engines_english(app):
    """The English pages keep the sentences the engine used to write (str() of a reason), countries and
    areas named by the reference data."""
    with app.app_context(), speaking("en"):
        assert say(Reason("both_on", themes=("financing",))) == "Both on terrorist financing"
        assert say(Reason("delivers_in_country", place="KAZ")) == "Delivers in Kazakhstan"
        assert say(Reason("delivers_in_area", place="143")) == "Delivers in Central Asia"
        assert say(Reason("offers", modalities=("training",), languages=("ru",))) == "Offers training in Russian"
        assert say(Reason("available_now", urgency="critical")) == str(Reason("available_now", urgency="critical"))


def test_reasons_name_places_themes_and_languages_in_the_readers_language(app):
    with app.app_context():
        with speaking("fr"):
            assert say(Reason("delivers_in_country", place="KAZ")) == "Zone d’intervention : Kazakhstan"
            assert say(Reason("both_on", themes=("financing", "border-management"))) == \
                "Tous deux portent sur le financement du terrorisme et la gestion des frontières"
            assert say(Reason("offers", modalities=("training",), languages=("ru", "en"))) == \
                "Propose : formation, en russe et anglais"
        with speaking("ru"):
            assert say(Reason("delivers_in_country", place="KAZ")) == "Место оказания помощи: Казахстан"
        with speaking("zh"):
            assert say(Reason("works_in", languages=("ar",))) == "工作语言：阿拉伯语"
        with speaking("ar"):
            assert say(Reason("delivers_in_area", place="143")) == "يقدَّم في وسط آسيا"


def test_reason_codes_carry_only_the_values_each_reason_has():
    assert codes([Reason("both_on", themes=("financing",)), Reason("delivers_anywhere"),
                  Reason("available_now", urgency="high")]) == [
        {"key": "both_on", "themes": ["financing"]}, {"key": "delivers_anywhere"},
        {"key": "available_now", "urgency": "high"}]


def test_the_records_content_language_reaches_the_engine(app, people):
    with app.app_context():
        req = make_request(people, status="open")
        offer = make_offer(people, "other_provider", regions=["143"])
        db.session.commit()
        before = {s.offer.id: s.score for s in service.suggestions_for_request(people.coordinator, req)}
        req.content_language, offer.content_language = "ru", "en"
        db.session.commit()
        assert service.request_data(req).language == "ru"
        assert service.offer_data(offer, 0).language == "en"
        index = service.current_index()
        assert index.request(req.id).language == "ru" and index.offer(offer.id).language == "en"
        after = {s.offer.id: s.score for s in service.suggestions_for_request(people.coordinator, req)}
        assert after == before and offer.id in after
        req.content_language = None
        assert service.request_data(req).language is None
