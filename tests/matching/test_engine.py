"""Hard rules, scores, reasons, ranking and index maintenance."""
from __future__ import annotations

from dataclasses import replace
from datetime import date as D

import pytest

from exchange.matching.engine import MatchingIndex, Reason, eligible, rank, score_pair
from tests.factories import CENTRAL_ASIA as CA
from tests.factories import WESTERN_AFRICA as WAF
from tests.factories import engine_offer as off
from tests.factories import engine_request as req

# ---------------------------------------------------------------- hard rules

def test_inactive_offer_is_never_a_candidate():
    assert not eligible(req(), off(active=False))
    assert eligible(req(), off())


@pytest.mark.parametrize("countries,regions,ok", [
    ((), (), True),                 # anywhere
    (("TJK",), (), True),           # the country itself
    (("KAZ",), (), False),          # another country
    ((), ("143",), True),           # its sub-region
    ((), ("001",), True),           # the world
    ((), ("011",), False),          # another region
    (("KAZ",), ("143",), True),
])
def test_place(countries, regions, ok):
    assert eligible(req(country="TJK", areas=CA), off(countries=countries, regions=regions)) is ok


@pytest.mark.parametrize("rs,re,of,ou,ok", [
    (None, None, D(2020, 1, 1), D(2020, 2, 1), True),      # open request overlaps anything
    (D(2026, 1, 1), D(2026, 6, 1), None, None, True),       # open offer
    (D(2026, 1, 1), D(2026, 6, 1), D(2026, 6, 1), None, True),  # touching ends overlap
    (D(2026, 1, 1), D(2026, 6, 1), D(2026, 6, 2), None, False),
    (D(2026, 1, 1), D(2026, 6, 1), None, D(2025, 12, 31), False),
    (D(2026, 1, 1), None, None, D(2025, 12, 31), False),
    (None, D(2026, 1, 1), D(2026, 1, 2), None, False),
])
def test_dates(rs, re, of, ou, ok):
    assert eligible(req(desired_start=rs, desired_end=re), off(available_from=of, available_until=ou)) is ok


@pytest.mark.parametrize("capacity,load,ok", [(None, 99, True), (3, 2, True), (3, 3, False), (0, 0, False)])
def test_capacity(capacity, load, ok):
    assert eligible(req(), off(capacity=capacity, load=load)) is ok


def test_ineligible_pairs_are_never_suggested():
    index = MatchingIndex([off(1, active=False), off(2, countries=("KAZ",)), off(3)])
    assert [s.offer_id for s in index.offers_for(req())] == [3]


# ---------------------------------------------------------------- relevance, score, reasons

def test_unrelated_offer_is_not_suggested():
    r = req(themes=("financing",), description="money laundering")
    o = off(themes=("maritime-security",), description="port facility security assessments")
    assert score_pair(r, o) is None


def test_text_finds_offer_when_themes_are_imprecise():
    r = req(themes=("rule-of-law",), title="Targeted sanctions",
            description="Help to freeze terrorist assets of persons on the 1267 list without delay.")
    o = off(themes=("financing",), title="Freezing terrorist assets",
            description="Training on targeted financial sanctions and asset freezing.")
    s = score_pair(r, o)
    assert s is not None and 0 < s.score <= 1
    assert any(x.key == "similar_wording" and "freezing of assets" in x.terms for x in s.reasons)
    assert any(str(x).startswith("Similar wording:") and "freezing of assets" in str(x) for x in s.reasons)


def test_reasons_in_plain_words():
    r = req(themes=("financing", "border-management"), modalities=("training",), languages=("ru",),
            description="cash couriers")
    o = off(regions=("143",), themes=("financing",), modalities=("training", "workshop"), languages=("ru", "en"),
            description="Detecting cash couriers at borders")
    s = MatchingIndex([o]).offers_for(r)[0]
    assert s.reasons[0] == Reason("both_on", themes=("financing",))
    assert Reason("delivers_in_area", place="143") in s.reasons
    assert Reason("offers", modalities=("training",), languages=("ru",)) in s.reasons
    english = [str(x) for x in s.reasons]
    assert english[0] == "Both on terrorist financing"
    assert "Delivers in Central Asia" in english
    assert "Offers training in Russian" in english
    assert any(x.startswith("Similar wording: cash couriers") for x in english)


def test_country_reason_names_the_country_by_its_code():
    s = MatchingIndex([off(countries=("TJK",))]).offers_for(req())[0]
    assert Reason("delivers_in_country", place="TJK") in s.reasons
    s = MatchingIndex([off()]).offers_for(req())[0]
    assert Reason("delivers_anywhere") in s.reasons and "Delivers anywhere" in [str(x) for x in s.reasons]


def test_the_records_language_arrives_and_changes_no_score():
    o = off(themes=("financing",), description="Detecting cash couriers at borders")
    r = req(themes=("financing",), description="cash couriers")
    plain = score_pair(r, o)
    written = score_pair(replace(r, language="ru"), replace(o, language="en"))
    assert (written.score, written.reasons) == (plain.score, plain.reasons)
    index = MatchingIndex([replace(o, language="en")], [replace(r, language="ru")])
    assert index.request(r.id).language == "ru" and index.offer(o.id).language == "en"
    assert [(s.offer_id, s.score) for s in index.offers_for(replace(r, language="ru"))] == [(o.id, plain.score)]


def test_urgency_boosts_offers_available_now():
    start = D(2026, 3, 1)
    now = off(1, available_from=D(2026, 1, 1))
    later = off(2, available_from=D(2026, 5, 1))

    def gap(urgency):
        r = req(urgency=urgency, desired_start=start)
        return score_pair(r, now).score - score_pair(r, later).score

    assert gap("low") == pytest.approx(gap("medium"))
    assert gap("critical") > gap("high") > gap("medium")
    assert Reason("available_now", urgency="critical") in score_pair(req(urgency="critical", desired_start=start),
                                                                     now).reasons
    assert not any(x.key == "available_now" for x in score_pair(req(urgency="medium", desired_start=start), now).reasons)


def test_time_fit_prefers_full_coverage():
    r = req(desired_start=D(2026, 1, 1), desired_end=D(2026, 12, 31))
    full = score_pair(r, off(1))
    part = score_pair(r, off(2, available_until=D(2026, 3, 31)))
    assert full.score > part.score
    assert "Available for the requested dates" in [str(x) for x in full.reasons]
    assert "Available for part of the requested period" in [str(x) for x in part.reasons]


def test_scores_in_unit_interval_and_rounded():
    r = req(themes=("financing",), modalities=("training",), languages=("en",),
            title="AML/CFT training", description="money laundering and terrorist financing")
    s = score_pair(r, off(title="AML/CFT training", description="money laundering and terrorist financing"))
    assert 0.9 <= s.score <= 1.0
    assert s.score == round(s.score, 4)


# ---------------------------------------------------------------- ranking

def test_ranking_best_first_ties_by_id():
    offers = [off(i) for i in (5, 3, 9)] + [off(7, themes=("financing", "wmd"))]
    got = MatchingIndex(offers).offers_for(req(), limit=10)
    assert [s.offer_id for s in got] == [3, 5, 9, 7]
    assert got == rank(got)
    assert [s.offer_id for s in MatchingIndex(offers).offers_for(req(), limit=2)] == [3, 5]


def test_deterministic_regardless_of_insertion_order():
    offers = [off(i, themes=("financing",) if i % 2 else ("financing", "wmd"), description=f"money laundering {i}")
              for i in range(1, 30)]
    a = MatchingIndex(offers).offers_for(req(description="money laundering"), limit=30)
    b = MatchingIndex(list(reversed(offers))).offers_for(req(description="money laundering"), limit=30)
    assert a == b


# ---------------------------------------------------------------- maintenance

def test_upsert_and_remove_offer():
    index = MatchingIndex([off(1)])
    r = req()
    assert [s.offer_id for s in index.offers_for(r)] == [1]
    index.upsert_offer(off(2, themes=("financing",), modalities=("training",), description="training"))
    assert {s.offer_id for s in index.offers_for(r)} == {1, 2}
    index.upsert_offer(off(1, active=False))
    assert [s.offer_id for s in index.offers_for(r)] == [2]
    index.remove_offer(2)
    index.remove_offer(404)  # unknown ids are ignored
    assert index.offers_for(r) == []


def test_requests_for_and_upsert_remove_request():
    o = off(1, regions=("143",))
    index = MatchingIndex([o], [req(1), req(2, country="SEN", areas=WAF), req(3, themes=("wmd",))])
    got = index.requests_for(o)
    assert [s.request_id for s in got] == [1]
    assert got[0].to_dict()["request_id"] == 1
    index.upsert_request(req(4, country="KAZ"))
    assert [s.request_id for s in index.requests_for(o)] == [1, 4]
    index.remove_request(1)
    assert [s.request_id for s in index.requests_for(o)] == [4]
    assert index.requests_for(off(9, active=False)) == []


def test_requests_for_scores_match_offers_for():
    o = off(1, description="money laundering training")
    r = req(1, description="training on money laundering")
    index = MatchingIndex([o], [r])
    assert index.requests_for(o)[0].score == index.offers_for(r)[0].score


def test_rebuild_all_equals_offers_for():
    offers = [off(i, regions=("143",) if i % 3 == 0 else (), countries=("SEN",) if i % 3 == 1 else (),
                  themes=("financing",) if i % 2 else ("border-management",),
                  description="document fraud" if i % 2 == 0 else "money laundering") for i in range(1, 25)]
    requests = [req(100 + j, country="SEN" if j % 2 else "TJK", areas=WAF if j % 2 else CA,
                    themes=("financing",) if j % 3 else ("rule-of-law",),
                    description="forged passports" if j % 3 else "money laundering") for j in range(12)]
    index = MatchingIndex(offers, requests)
    calls = []
    allres = index.rebuild_all(limit=5, progress=lambda i, n: calls.append((i, n)))
    assert set(allres) == {r.id for r in requests}
    for r in requests:
        assert allres[r.id] == index.offers_for(r, limit=5)
    assert calls[0] == (0, 12) and calls[-1] == (12, 12)


def test_suggestion_to_dict():
    s = MatchingIndex([off(1)]).offers_for(req())[0]
    d = s.to_dict()
    assert set(d) == {"offer_id", "score", "reasons", "strong"} and isinstance(d["reasons"], list)
    assert d["strong"] is True  # without vectors scores are never flagged "no strong match"


def test_bench_runs_on_small_sizes():
    from exchange.matching.bench import format_bench, run_bench
    r = run_bench(200, 100, samples=20, brute_sample=3, trace_memory=False)
    assert r["brute_mismatches"] == 0
    assert r["rebuild_cpu_s"] >= 0 and r["one_cpu_p95_ms"] >= 0
    out = format_bench(r)
    assert "full rebuild" in out and "CPU time" in out
