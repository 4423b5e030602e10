"""Property-based tests: hard rules always hold, scores stay in [0, 1], and the pruned
index returns exactly the ranking of brute-force ``score_pair`` over every offer."""
from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exchange.matching.engine import MatchingIndex, eligible, rank, score_pair
from exchange.matching.lexicon import MODALITY_NAMES, THEME_NAMES
from tests.matching.helpers import off, req

PLACES = {"TJK": {"142", "143", "001"}, "KAZ": {"142", "143", "001"}, "SEN": {"002", "202", "011", "001"},
          "PER": {"019", "419", "005", "001"}}
REGIONS = sorted(set().union(*PLACES.values()))
PHRASES = ["money laundering", "terrorist financing", "AML/CFT", "forged passports", "faux passeports",
           "border guards", "nuclear security", "training of judges", "prison radicalization",
           "victims support", "port security", "aviation screening", "MRTD", "lavado de activos",
           "отмывание денег", "غسل الأموال", "hotel tourism", "mediation", "social media propaganda",
           "capacity", "equipment for laboratory", "the"]
themes = st.frozensets(st.sampled_from(sorted(THEME_NAMES)), max_size=3)
mods = st.frozensets(st.sampled_from(sorted(MODALITY_NAMES)), max_size=3)
langs = st.frozensets(st.sampled_from(["en", "fr", "es", "ru", "ar"]), max_size=3)
texts = st.lists(st.sampled_from(PHRASES), max_size=5).map(" ".join)
dates = st.one_of(st.none(), st.integers(0, 400).map(lambda d: date(2026, 1, 1) + timedelta(days=d)))


@st.composite
def requests(draw, id=None):
    country = draw(st.sampled_from(sorted(PLACES)))
    start, end = draw(dates), draw(dates)
    if start and end and end < start:
        start, end = end, start
    return req(id=draw(st.integers(1, 10_000)) if id is None else id, country=country, areas=PLACES[country],
               themes=draw(themes), modalities=draw(mods), languages=draw(langs), title=draw(texts),
               description=draw(texts), beneficiary=draw(texts), desired_start=start, desired_end=end,
               urgency=draw(st.sampled_from(["low", "medium", "high", "critical"])))


@st.composite
def offers(draw, id):
    start, end = draw(dates), draw(dates)
    if start and end and end < start:
        start, end = end, start
    capacity = draw(st.one_of(st.none(), st.integers(0, 3)))
    return off(id=id, active=draw(st.booleans()),
               countries=draw(st.frozensets(st.sampled_from(sorted(PLACES)), max_size=2)),
               regions=draw(st.frozensets(st.sampled_from(REGIONS), max_size=2)),
               themes=draw(themes), modalities=draw(mods), languages=draw(langs), title=draw(texts),
               description=draw(texts), available_from=start, available_until=end, capacity=capacity,
               load=draw(st.integers(0, 4)))


offer_lists = st.integers(0, 25).flatmap(lambda n: st.tuples(*[offers(i + 1) for i in range(n)]))
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(requests(), offer_lists)
def test_index_equals_brute_force_and_never_breaks_hard_rules(r, offs):
    index = MatchingIndex(offs)
    got = index.offers_for(r, limit=100)
    by_id = {o.id: o for o in offs}
    for s in got:
        assert eligible(r, by_id[s.offer_id])
        assert 0.0 <= s.score <= 1.0
        assert s.reasons
    brute = rank([s for o in offs if (s := score_pair(r, o)) is not None])
    assert [(s.offer_id, s.score, s.reasons) for s in got] == [(s.offer_id, s.score, s.reasons) for s in brute]
    assert index.offers_for(r, limit=3) == got[:3]


@FAST
@given(st.lists(requests(), min_size=1, max_size=8, unique_by=lambda r: r.id), offer_lists)
def test_rebuild_and_reverse_direction_agree_with_brute_force(reqs, offs):
    index = MatchingIndex(offs, reqs)
    allres = index.rebuild_all(limit=5)
    for r in reqs:
        brute = rank([s for o in offs if (s := score_pair(r, o)) is not None], 5)
        assert allres[r.id] == brute
    for o in offs[:5]:
        got = index.requests_for(o, limit=50)
        brute = []
        for r in reqs:
            s = score_pair(r, o)
            if s is not None:
                brute.append((r.id, s.score))
        brute.sort(key=lambda x: (-x[1], x[0]))
        assert [(s.request_id, s.score) for s in got] == brute
