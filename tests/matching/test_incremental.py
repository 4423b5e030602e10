"""The index kept current by small steps: an upsert compiles only its record (into a delta table that is
merged into the base in bulk), and whatever the sequence of upserts and removals, the index answers exactly
as one built afresh from the same records; a pickled index (the snapshot's form, its arrays read-only
views) answers the same and still takes upserts."""
from __future__ import annotations

import pickle
import random
from dataclasses import replace

import pytest

from exchange.matching import engine
from exchange.matching.bench import attach_random_vectors, make_data
from exchange.matching.engine import MatchingIndex


@pytest.fixture(scope="module")
def data():
    offers, requests, _names = make_data(300, 150, seed=5)
    return attach_random_vectors(offers, requests, dimension=32)


def answers(index: MatchingIndex, requests, offers):
    return ([[(s.offer_id, s.score, s.strong) for s in index.offers_for(r, limit=5)] for r in requests],
            [[(s.request_id, s.score) for s in index.requests_for(o, limit=5)] for o in offers],
            {rid: [(s.offer_id, s.score) for s in top] for rid, top in index.rebuild_all(limit=5).items()})


def edits(offers, requests, seed=1):
    """A mixed sequence of changes: edited texts and themes, paused offers, removed and new records."""
    rnd = random.Random(seed)
    out = []
    for i in range(60):
        o = rnd.choice(offers)
        kind = i % 4
        if kind == 0:
            out.append(("offer", replace(o, description=o.description + " border checkpoints training")))
        elif kind == 1:
            out.append(("offer", replace(o, active=False)))
        elif kind == 2:
            r = rnd.choice(requests)
            out.append(("request", replace(r, themes=frozenset({"border-management"}))))
        else:
            out.append(("remove", rnd.choice(requests).id))
    out.append(("offer", replace(offers[0], id=10_000, description="Brand new offer on terrorist financing")))
    return out


def apply(index, changes, requests, offers):
    live_r = {r.id: r for r in requests}
    live_o = {o.id: o for o in offers}
    for kind, x in changes:
        if kind == "offer":
            index.upsert_offer(x)
            live_o[x.id] = x
        elif kind == "request":
            index.upsert_request(x)
            live_r[x.id] = x
        else:
            index.remove_request(x)
            live_r.pop(x, None)
    return list(live_r.values()), list(live_o.values())


@pytest.mark.parametrize("delta_rows", [4, 256])
def test_upserts_and_removals_answer_as_a_fresh_index(data, monkeypatch, delta_rows):
    monkeypatch.setattr(engine, "DELTA_ROWS", delta_rows)  # 4: the delta is merged into the base many times
    offers, requests = data
    index = MatchingIndex(offers, requests)
    index.build()
    now_r, now_o = apply(index, edits(offers, requests), requests, offers)
    fresh = MatchingIndex(now_o, now_r)
    probe_r, probe_o = now_r[:40] + requests[:5], now_o[:20]
    assert answers(index, probe_r, probe_o) == answers(fresh, probe_r, probe_o)


def test_an_upsert_compiles_its_record_only(data, monkeypatch):
    offers, requests = data
    index = MatchingIndex(offers, requests)
    index.build()
    base_o, base_r = index._tables["offer"], index._tables["request"]
    compiled = []
    original = engine._Table.__init__

    def counting(self, items, *args, **kwargs):
        compiled.append(len(items))
        original(self, items, *args, **kwargs)
    monkeypatch.setattr(engine._Table, "__init__", counting)
    index.upsert_offer(replace(offers[3], description="Changed: maritime security of ports"))
    index.upsert_request(replace(requests[7], description="Changed: prison radicalisation"))
    index.offers_for(requests[7])
    index.requests_for(offers[3])
    assert index._tables["offer"] is base_o and index._tables["request"] is base_r  # not compiled again
    assert max(compiled) == 1  # the delta tables (one record each) and the query's own record
    assert index.candidate_count(requests[7]) > 0


def test_a_pickled_index_with_read_only_arrays_answers_the_same_and_takes_upserts(data):
    offers, requests = data
    index = MatchingIndex(offers, requests)
    index.build()
    buffers = []
    payload = pickle.dumps(index, protocol=5, buffer_callback=lambda b: buffers.append(b) or False)
    read_only = [memoryview(bytes(b.raw())) for b in buffers]  # as a read-only mapping gives them
    loaded = pickle.loads(payload, buffers=read_only)
    assert not loaded._tables["request"].vec.flags.writeable
    probe_r, probe_o = requests[:30], offers[:15]
    assert answers(loaded, probe_r, probe_o) == answers(index, probe_r, probe_o)
    changes = edits(offers, requests, seed=2)
    now_r, now_o = apply(loaded, changes, requests, offers)
    apply(index, changes, requests, offers)
    assert answers(loaded, now_r[:30], now_o[:15]) == answers(MatchingIndex(now_o, now_r), now_r[:30], now_o[:15])
