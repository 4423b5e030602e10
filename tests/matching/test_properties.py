"""Property-based tests: hard rules always hold, scores stay in [0, 1], and the pruned
index returns exactly the ranking of brute-force ``score_pair`` over every offer."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from exchange.matching.engine import MatchingIndex, eligible, rank, score_pair
from tests.factories import FAST, engine_offer_lists, engine_requests


@FAST
@given(engine_requests(), engine_offer_lists)
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
@given(st.lists(engine_requests(), min_size=1, max_size=8, unique_by=lambda r: r.id), engine_offer_lists)
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
