"""The domain lexicon: acronyms, multilingual concepts, normalisation."""
from __future__ import annotations

import pytest

from exchange.matching import text as T
from exchange.matching.engine import MatchingIndex
from tests.factories import WESTERN_AFRICA as WAF
from tests.factories import engine_offer as off
from tests.factories import engine_request as req


def concepts(s):
    return T.concepts_of(T.analyse(s))


def test_aml_cft_meets_money_laundering_and_terrorist_financing():
    assert concepts("AML/CFT") == concepts("money laundering and terrorist financing") == {
        "money-laundering", "terrorist-financing"}
    assert T.cosine(T.vector("AML/CFT"), T.vector("money laundering and terrorist financing")) > 0.99
    assert concepts("financing of terrorism") == {"terrorist-financing"}


def test_mrtd_meets_machine_readable_travel_documents():
    assert concepts("MRTD") == concepts("machine-readable travel documents") == {"mrtd"}
    assert "mrtd" in concepts("documents de voyage lisibles à la machine")


@pytest.mark.parametrize("text,expected", [
    ("blanchiment de capitaux et financement du terrorisme", {"money-laundering", "terrorist-financing"}),
    ("lavado de activos y financiamiento del terrorismo", {"money-laundering", "terrorist-financing"}),
    ("отмывание денег и финансирование терроризма", {"money-laundering", "terrorist-financing"}),
    ("غسل الأموال وتمويل الإرهاب", {"money-laundering", "terrorist-financing"}),
    ("faux passeports", {"document-fraud"}),
    ("pasaportes falsos", {"document-fraud"}),
    ("поддельных паспортов", {"document-fraud"}),
    ("جوازات السفر المزورة", {"document-fraud"}),
    ("freeze terrorist assets", {"asset-freezing"}),  # one word may sit inside a phrase
    ("打击洗钱和恐怖主义融资", {"money-laundering", "terrorist-financing"}),
    ("识别伪造护照", {"document-fraud"}),
    ("执行第1540号决议的出口管制", {"wmd-nonproliferation"}),
    ("机场和港口设施的安保", {"aviation-security", "maritime-security"}),
])
def test_multilingual_concepts(text, expected):
    assert expected <= concepts(text)


def test_accents_and_case_are_folded():
    assert T.analyse("GARDES-FRONTIÈRES").tokens == T.analyse("gardes-frontieres").tokens


def test_ambiguous_short_words_do_not_trigger_concepts():
    assert concepts("под контролем") == frozenset()          # Russian "under", not ПОД/ФТ
    assert "maritime-security" not in concepts("судья и суд")  # court, not ship


def test_french_forged_passports_request_finds_english_document_fraud_offer():
    fraud = off(1, themes=("border-management",), title="Document fraud courses for border officers",
                description="Courses for border guards on detecting forged and fraudulent passports.")
    aviation = off(2, themes=("border-management",), title="Advance passenger information",
                   description="API and PNR systems for airlines.")
    arms = off(3, themes=("border-management",), title="Small arms control",
               description="Marking and tracing of small arms and light weapons.")
    r = req(country="SEN", areas=WAF, themes=("border-management",), languages=("fr",),
            title="Faux passeports",
            description="Former les gardes-frontières à détecter les faux passeports.")
    got = MatchingIndex([aviation, arms, fraud]).offers_for(r)
    assert got[0].offer_id == 1
    assert any("document fraud" in str(x) for x in got[0].reasons)


def test_chinese_terms_match_inside_a_run_of_han_characters_longest_first():
    # no spaces in Chinese: a term is found inside the clause; "生物识别护照" is a biometric passport
    assert concepts("为边防人员提供识别伪造护照的培训") == {"border-control", "document-fraud"}
    assert concepts("生物识别护照") == {"mrtd"}
    assert "chemical-biological" not in concepts("生物识别护照")
    assert "#m-training" in T.analyse("为边防人员提供培训").tokens
    assert concepts("恐怖主义") == frozenset()  # a word every text of the exchange uses
    assert T.tokenize("执行第1540号决议") == ["执行第", "1540", "号决议"]
    assert concepts("执行第1540号决议") == {"wmd-nonproliferation"}


def test_chinese_request_finds_the_english_offer_through_the_lexicon():
    fraud = off(1, themes=("border-management",), title="Document fraud courses for border officers",
                description="Courses for border guards on detecting forged and fraudulent passports.")
    arms = off(3, themes=("border-management",), title="Small arms control",
               description="Marking and tracing of small arms and light weapons.")
    r = req(country="SEN", areas=WAF, themes=("border-management",), languages=("zh",),
            title="伪造护照", description="培训边防人员识别伪造护照。")
    got = MatchingIndex([arms, fraud]).offers_for(r)
    assert got[0].offer_id == 1 and got[0].score > got[1].score
    assert any("document fraud" in str(x) for x in got[0].reasons)


def test_language_detection():
    assert T.analyse("Le Sénégal souhaite former les gardes-frontières").language == "fr"
    assert T.analyse("Solicitamos capacitación para los analistas").language == "es"
    assert T.analyse("Обучение следователей").language == "ru"
    assert T.analyse("تدريب المحققين").language == "ar"
    assert T.analyse("Training of investigators").language == "en"
    assert T.analyse("调查人员培训 (FIU)").language == "zh"


def test_empty_text():
    assert T.vector("") == {}
    assert T.cosine(T.vector(""), T.vector("money laundering")) == 0.0
