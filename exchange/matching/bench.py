"""Speed benchmark of the matching engine on synthetic but realistic data.

``run_bench()`` generates requests and offers (themes skewed, countries spread over
UN M49 regions, texts built from the domain lexicon in five languages), builds a
``MatchingIndex`` and measures: index build, full rebuild of the top-10 for every
request, p50/p95 of one request's refresh (``offers_for`` against the built index),
refresh right after an upsert, peak memory, and the ratio against brute force
(``score_pair`` on every pair, timed on a sample of requests and extrapolated).
``format_bench()`` prints the figures.  It never fails on slowness.

Used by ``benchmarks/matching_bench.py`` and meant for a ``flask matching bench`` command.
"""
from __future__ import annotations

import gc
import os
import random
import resource
import statistics
import sys
import time
import tracemalloc
from dataclasses import replace
from datetime import date, timedelta

from exchange.matching.engine import MatchingIndex, OfferData, RequestData, rank, score_pair
from exchange.matching.lexicon import CONCEPTS, MODALITY_NAMES, THEME_NAMES

TARGETS = {"rebuild_s": 5.0, "one_p95_ms": 20.0, "peak_mb": 500.0}
TARGETS_VECTORS = {"rebuild_s": 2.0, "one_p95_ms": 10.0, "peak_mb": 400.0}  # issue 13, stored vectors


def attach_random_vectors(offers, requests, dimension: int = 512, seed: int = 7):
    """Precomputed stand-ins for stored vectors (no model): per theme a random direction, each
    text the normalised sum of its themes' directions and noise, so that cosines spread like
    real ones (same theme ~0.4-0.6, unrelated ~0). Each text has the rows the service loads: a
    request its whole text, an offer its whole text and (at least three) passages."""
    import numpy as np

    from exchange.matching.embeddings import TextVectors, normalise, passages_of
    rng = np.random.default_rng(seed)
    centre = {t: rng.standard_normal(dimension).astype(np.float32) for t in sorted(THEME_NAMES)}

    def vec(x):
        v = rng.standard_normal(dimension).astype(np.float32) * 1.2
        for t in x.themes:
            v += centre[t]
        if isinstance(x, RequestData):  # the service loads a request's whole-text row only
            ps = (passages_of((x.title, x.description, x.beneficiary))[0],)
        else:  # an offer's passages are quoted: as if each description had three sentences or so
            ps = passages_of((x.title, x.description))
            ps = ps if len(ps) > 1 else (ps[0], x.title, x.description[:len(x.description) // 2],
                                         x.description[len(x.description) // 2:])
        rows = [v] + [v + rng.standard_normal(dimension).astype(np.float32) for _ in ps[1:]]
        return TextVectors(ps, normalise(np.stack(rows)), f"random-{dimension}")
    return ([replace(o, vectors=vec(o)) for o in offers], [replace(r, vectors=vec(r)) for r in requests])

# M49 parents: leaf area -> chain up to the region
_PARENT = {
    "015": "002", "202": "002", "014": "202", "017": "202", "018": "202", "011": "202",
    "419": "019", "029": "419", "013": "419", "005": "419", "021": "019",
    "143": "142", "030": "142", "035": "142", "034": "142", "145": "142",
    "151": "150", "154": "150", "039": "150", "155": "150",
    "053": "009", "054": "009", "057": "009", "061": "009",
}
_LEAVES = sorted(set(_PARENT) - set(_PARENT.values()))
_LEAF_SHARE = {"014": 18, "011": 16, "017": 9, "018": 5, "015": 7, "145": 18, "034": 9, "143": 5,
               "035": 11, "030": 5, "029": 13, "013": 8, "005": 12, "021": 2, "151": 10, "039": 12,
               "154": 10, "155": 7, "053": 2, "054": 5, "057": 5, "061": 4}
_REGION_LANG = {"002": ["en", "fr", "ar"], "019": ["es", "en"], "142": ["en", "ru", "ar"],
                "150": ["en", "ru", "fr"], "009": ["en"]}
_FILLER = ["ministry", "officials", "staff", "agency", "unit", "department", "regional", "provincial", "district", "local", "central", "coordination", "plan", "strategy", "policy", "procedures", "standard", "operating", "practices", "management", "oversight", "data", "information", "exchange", "cooperation", "partners", "donors", "months", "year", "pilot", "phase", "follow-up", "mentoring", "sustainability", "ownership", "inter-agency", "task", "team", "network", "quality", "review", "report", "recommendations", "priorities", "gaps", "challenges", "lessons", "learned", "urban", "rural", "northern", "southern", "eastern", "western", "coastal", "capital", "city", "airport", "station", "women", "youth", "leaders", "practitioners", "analysts", "inspectors", "officers", "trainers", "managers"]


def _areas(leaf: str) -> frozenset[str]:
    out, c = {leaf, "001"}, leaf
    while c in _PARENT:
        c = _PARENT[c]
        out.add(c)
    return frozenset(out)


def _phrase_bank() -> dict[str, list[str]]:
    bank: dict[str, list[str]] = {t: [] for t in THEME_NAMES}
    for c in CONCEPTS:
        if c.theme:
            for p in c.patterns:
                bank[c.theme].append(p.replace("*", "s" if p[-1:] == "*" and p.isascii() else ""))
    return bank


def make_data(n_requests: int = 10_000, n_offers: int = 5_000, seed: int = 42):
    """Synthetic (offers, requests, country_names)."""
    rnd = random.Random(seed)
    themes = list(THEME_NAMES)
    theme_w = [1.0 / (i + 1) ** 0.9 for i in range(len(themes))]
    rnd.shuffle(theme_w)
    mods = list(MODALITY_NAMES)
    bank = _phrase_bank()
    # ~190 countries spread over the leaves
    countries: list[tuple[str, frozenset[str]]] = []
    total = sum(_LEAF_SHARE.values())
    for leaf in _LEAVES:
        for i in range(max(1, round(190 * _LEAF_SHARE.get(leaf, 3) / total))):
            countries.append((f"{leaf}{chr(65 + i // 26)}{chr(65 + i % 26)}"[-3:].upper().replace("0", "Q"), _areas(leaf)))
    codes = sorted({c for c, _ in countries})
    country_areas = dict(countries)
    country_w = [1.0 / (i + 1) ** 0.6 for i in range(len(codes))]
    names = {c: f"Country {c}" for c in codes}
    base = date(2026, 1, 1)

    def region_of(areas):
        return next(a for a in areas if a in _REGION_LANG)

    def text(ts):
        words = []
        for _ in range(rnd.randint(2, 4)):
            words.append(rnd.choice(bank[rnd.choice(sorted(ts))]) if ts else rnd.choice(_FILLER))
        words += rnd.sample(_FILLER, rnd.randint(8, 25))
        words.append(f"ref{rnd.randint(1, 50_000)}")
        rnd.shuffle(words)
        return " ".join(words)

    def pick_themes(k):
        return frozenset(rnd.choices(themes, theme_w, k=k))

    offers = []
    for i in range(1, n_offers + 1):
        kind = rnd.random()
        if kind < 0.2:
            ocs, regs = frozenset(), frozenset()
        elif kind < 0.6:
            regs = frozenset(rnd.sample(sorted(set(_PARENT) | set(_PARENT.values())), rnd.randint(1, 2)))
            ocs = frozenset()
        else:
            ocs, regs = frozenset(rnd.choices(codes, country_w, k=rnd.randint(1, 5))), frozenset()
        ts = pick_themes(rnd.randint(1, 3))
        start = base + timedelta(days=rnd.randint(-200, 300)) if rnd.random() < 0.5 else None
        end = (start or base) + timedelta(days=rnd.randint(30, 700)) if rnd.random() < 0.5 else None
        offers.append(OfferData(
            id=i, active=rnd.random() < 0.9, countries=ocs, regions=regs, themes=ts,
            modalities=frozenset(rnd.sample(mods, rnd.randint(1, 3))),
            languages=frozenset(rnd.sample(["en", "fr", "es", "ru", "ar"], rnd.randint(1, 3))),
            title=text(ts)[:80], description=text(ts), available_from=start, available_until=end,
            capacity=rnd.choice([None, None, 5, 10]), load=rnd.randint(0, 6)))
    requests = []
    for j in range(1, n_requests + 1):
        c = rnd.choices(codes, country_w)[0]
        areas = country_areas[c]
        ts = pick_themes(rnd.randint(1, 2))
        text_themes = ts if rnd.random() < 0.85 else pick_themes(1)  # some imprecise themes
        start = base + timedelta(days=rnd.randint(0, 400)) if rnd.random() < 0.6 else None
        end = start + timedelta(days=rnd.randint(30, 365)) if start and rnd.random() < 0.8 else None
        requests.append(RequestData(
            id=j, country=c, areas=areas, themes=ts,
            modalities=frozenset(rnd.sample(mods, rnd.randint(1, 2))),
            languages=frozenset(rnd.sample(_REGION_LANG[region_of(areas)], 1)),
            title=text(text_themes)[:80], description=text(text_themes),
            beneficiary=rnd.choice(["", "Ministry of Justice", "Border Police", "Financial Intelligence Unit"]),
            desired_start=start, desired_end=end,
            urgency=rnd.choices(["low", "medium", "high", "critical"], [2, 5, 2, 1])[0]))
    return offers, requests, names


def stored_round_trip(items, kind: str = "request") -> dict:
    """Store every item's vectors as the app does (one row per passage, float32 bytes) in an in-memory
    SQLite table, then read them back into ``TextVectors`` as ``service.build_index`` does: seconds each."""
    import sqlite3

    import numpy as np

    from exchange.matching.embeddings import TextVectors
    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE text_vectors (record_type TEXT, record_id INTEGER, passage INTEGER, text TEXT, "
                "dimension INTEGER, vector BLOB, PRIMARY KEY (record_type, record_id, passage))")
    t0 = time.perf_counter()
    rows = [(kind, x.id, i, x.vectors.passages[i], x.vectors.dimension, np.asarray(x.vectors.vectors[i], "<f4").tobytes())
            for x in items if x.vectors is not None for i in range(len(x.vectors.passages))]
    con.executemany("INSERT INTO text_vectors VALUES (?, ?, ?, ?, ?, ?)", rows)
    con.commit()
    t_store = time.perf_counter() - t0
    t0 = time.perf_counter()
    out, cur, buf = {}, None, []

    def flush():
        if buf:
            dim = buf[0][3]
            out[cur] = TextVectors(tuple(b[1] for b in buf), np.frombuffer(b"".join(b[2] for b in buf), "<f4")
                                   .reshape(len(buf), dim), "stored")
    for rid, _passage, text, dim, blob in con.execute(
            "SELECT record_id, passage, text, dimension, vector FROM text_vectors WHERE record_type = ? "
            "ORDER BY record_id, passage", (kind,)):
        if rid != cur:
            flush()
            cur, buf = rid, []
        buf.append((rid, text, blob, dim))
    flush()
    t_load = time.perf_counter() - t0
    con.close()
    return {"rows": len(rows), "records": len(out), "store_s": t_store, "load_s": t_load}


def measure_embedding(n_texts: int = 64, seed: int = 1) -> dict:
    """Texts embedded per second by the app's model (USE-m3, loaded here: slow), in batches of 32 as the
    backfill does, and the latency of one text alone (as after one save)."""
    from exchange.matching.embeddings import default_embedder, many_text_vectors
    _, requests, _ = make_data(n_texts, 1, seed)
    texts = [(r.title, r.description, r.beneficiary) for r in requests]
    e = default_embedder()
    t0 = time.perf_counter()
    e.embed_queries(["load the model"])
    t_load = time.perf_counter() - t0
    t0 = time.perf_counter()
    tvs = many_text_vectors(e, texts, "query")
    t_batch = time.perf_counter() - t0
    singles = []
    for parts in texts[:5]:
        t0 = time.perf_counter()
        many_text_vectors(e, [parts], "query")
        singles.append(time.perf_counter() - t0)
    passages = sum(len(tv.passages) for tv in tvs)
    return {"model": e.name, "load_s": t_load, "records": len(texts), "passages": passages,
            "records_per_s": len(texts) / t_batch, "passages_per_s": passages / t_batch,
            "one_record_s": statistics.median(singles)}


_MAP_CODE = """
import json, resource, sys, time
t0 = time.perf_counter()
from exchange.matching import snapshot
from exchange.matching.engine import RequestData
t1 = time.perf_counter()
header, index = snapshot.read_file(sys.argv[1], b"bench")
t2 = time.perf_counter()
import pickle
request = pickle.loads(bytes.fromhex(sys.argv[2]))
got = index.offers_for(request)
t3 = time.perf_counter()
mem = {}
for line in open("/proc/self/smaps_rollup"):
    k, _, v = line.partition(":")
    if k in ("Rss", "Anonymous"):
        mem[k] = int(v.split()[0]) / 1024
print(json.dumps({"import_s": t1 - t0, "map_s": t2 - t1, "first_query_ms": (t3 - t2) * 1000, "mem": mem,
                  "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "found": len(got)}))
"""


def snapshot_round_trip(index, request) -> dict:
    """Write the index as ``matching.snapshot`` does, then map it in a fresh process (as a web worker does):
    the write's time and size, the mapping's time, the first query, and that process's memory (what is its
    own, what is the file's pages, shared with every other process mapping it)."""
    import json
    import pickle
    import subprocess
    import tempfile
    from pathlib import Path

    from exchange.matching import snapshot
    folder = Path(tempfile.mkdtemp(prefix="matching-snapshot-"))
    path = folder / "index.snap"
    t0 = time.perf_counter()
    snapshot.write_file(path, b"bench", {"key": "bench"}, index)
    t_write = time.perf_counter() - t0
    root = str(Path(__file__).resolve().parents[2])
    out = subprocess.run([sys.executable, "-c", _MAP_CODE, str(path), pickle.dumps(request).hex()], check=True,
                         capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=root), timeout=600)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    size = path.stat().st_size / 2 ** 20
    path.unlink()
    folder.rmdir()
    return {"write_s": t_write, "file_mb": size, **got}


def _loadavg() -> float | None:
    """The 1-minute load average (the machine may be shared: timings are read beside it)."""
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return None


def _maxrss_mb() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return r / (1024 * 1024) if sys.platform == "darwin" else r / 1024


def run_bench(n_requests: int = 10_000, n_offers: int = 5_000, seed: int = 42, samples: int = 300,
              brute_sample: int = 30, limit: int = 10, trace_memory: bool = True, log=None,
              vectors: int = 0, embed_texts: int = 0) -> dict:
    """Run the benchmark and return its figures (seconds, milliseconds, megabytes).
    ``vectors``: dimension of precomputed random text vectors to attach (0: none);
    ``embed_texts``: also measure the real model on this many texts (loads it: slow)."""
    say = log or (lambda *_: None)
    say(f"generating {n_requests} requests and {n_offers} offers...")
    offers, requests, _names = make_data(n_requests, n_offers, seed)
    if vectors:
        offers, requests = attach_random_vectors(offers, requests, vectors)
    gc.collect()
    rss0 = _maxrss_mb()
    t0 = time.perf_counter()
    index = MatchingIndex(offers, requests)
    index.build()
    t_build = time.perf_counter() - t0
    say(f"index built in {t_build:.2f} s; rebuilding top-{limit} for every request...")
    load_start = _loadavg()
    t0, c0 = time.perf_counter(), time.process_time()
    allres = index.rebuild_all(limit=limit)
    t_rebuild, c_rebuild = time.perf_counter() - t0, time.process_time() - c0
    say(f"rebuilt in {t_rebuild:.2f} s; one request at a time...")
    rnd = random.Random(seed + 1)
    sample = rnd.sample(requests, min(samples, len(requests)))
    lat, cands, cpu = [], [], []
    for r in sample:
        t0, c0 = time.perf_counter(), time.process_time()
        index.offers_for(r, limit=limit)
        lat.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        cands.append(index.candidate_count(r))
    lat.sort()
    p50 = statistics.median(lat)
    p95 = lat[min(len(lat) - 1, int(round(0.95 * (len(lat) - 1))))]
    cpu.sort()
    cpu_p95 = cpu[min(len(cpu) - 1, int(round(0.95 * (len(cpu) - 1))))]
    load_end = _loadavg()
    # a request saved with new vectors: upsert it, then its suggestions (what the service does on its next read)
    saved = []
    for r in sample[:20]:
        r2 = replace(r, description=r.description + " (edited)")
        t0 = time.perf_counter()
        index.upsert_request(r2)
        index.offers_for(r2, limit=limit)
        saved.append((time.perf_counter() - t0) * 1000)
        index.upsert_request(r)
    # refresh after a change: upsert one offer, then ask again (the offer table recompiles)
    upd = []
    for r in sample[:10]:
        o = offers[rnd.randrange(len(offers))]
        index.upsert_offer(replace(o, load=o.load))
        t0 = time.perf_counter()
        index.offers_for(r, limit=limit)
        upd.append((time.perf_counter() - t0) * 1000)
    # a page shows a request's ten suggestions: their reasons are written then
    shown = []
    for r in sample[:50]:
        t0 = time.perf_counter()
        for s in allres[r.id]:
            len(s.reasons)
        shown.append((time.perf_counter() - t0) * 1000)
    peak_serving = _maxrss_mb()  # index, rebuild, queries: what a serving process holds
    say("writing the index's snapshot and mapping it in another process...")
    snap = snapshot_round_trip(index, sample[0])
    say("writing every suggestion's reasons (as the snapshot does)...")
    t0 = time.perf_counter()
    n_reasons = sum(len(s.reasons) for v in allres.values() for s in v)
    t_reasons = time.perf_counter() - t0
    # brute force on a sample, extrapolated
    bsample = sample[:max(1, min(brute_sample, len(sample)))]
    t0 = time.perf_counter()
    mismatches = 0
    for r in bsample:
        brute = rank([s for o in offers if (s := score_pair(r, o)) is not None], limit)
        if brute != allres[r.id]:
            mismatches += 1
    t_brute_one = (time.perf_counter() - t0) / len(bsample)
    t_brute_all = t_brute_one * len(requests)
    suggested = sum(len(v) for v in allres.values())
    peak_rss = _maxrss_mb()
    stored = None
    if vectors:
        say("storing and loading the vectors through SQLite...")
        rq, of = stored_round_trip(requests, "request"), stored_round_trip(offers, "offer")
        stored = {k: rq[k] + of[k] for k in rq}
    embedding = None
    if embed_texts:
        say(f"embedding {embed_texts} texts with the model...")
        embedding = measure_embedding(embed_texts)
    traced_peak = None
    if trace_memory:  # separate pass: tracing slows Python down, so it is not timed
        say("tracing memory of a second build + rebuild...")
        del index, allres
        gc.collect()
        tracemalloc.start()
        index = MatchingIndex(offers, requests)
        index.rebuild_all(limit=limit)
        traced_peak = tracemalloc.get_traced_memory()[1] / 2 ** 20
        tracemalloc.stop()
    return {
        "requests": n_requests, "offers": n_offers, "limit": limit,
        "build_s": t_build, "rebuild_s": t_rebuild, "rebuild_cpu_s": c_rebuild, "one_cpu_p95_ms": cpu_p95,
        "load_average": (load_start, load_end), "cpus": os.cpu_count(), "reasons_s": t_reasons, "reasons_written": n_reasons,
        "saved_request_ms": statistics.median(saved) if saved else None,
        "stored": stored, "embedding": embedding,
        "rebuild_per_request_ms": t_rebuild / max(1, n_requests) * 1000,
        "one_p50_ms": p50, "one_p95_ms": p95, "one_samples": len(lat),
        "after_upsert_ms": statistics.median(upd) if upd else None, "snapshot": snap,
        "candidates_mean": statistics.mean(cands) if cands else 0,
        "suggestions_mean": suggested / max(1, n_requests),
        "brute_sample": len(bsample), "brute_one_ms": t_brute_one * 1000,
        "brute_all_s_extrapolated": t_brute_all,
        "speedup_rebuild_vs_brute": t_brute_all / t_rebuild if t_rebuild else None,
        "speedup_one_vs_brute": t_brute_one * 1000 / p50 if p50 else None,
        "brute_mismatches": mismatches,
        "rss_before_mb": rss0, "peak_rss_mb": peak_rss, "traced_peak_mb": traced_peak,
        "peak_serving_mb": peak_serving, "shown_reasons_ms": statistics.median(shown) if shown else None,
        "targets": TARGETS_VECTORS if vectors else TARGETS, "vectors": vectors,
    }


def _snapshot_lines(snap: dict | None) -> list[str]:
    if not snap:
        return []
    mem = snap["mem"]
    return [f"  snapshot written                       {snap['write_s']:8.2f} s   ({snap['file_mb']:.0f} MB file)",
            f"  ...mapped by another process           {snap['map_s']:8.2f} s   (first query {snap['first_query_ms']:.1f} ms;"
            f" instead of building the index)",
            f"  ...that process's memory               {mem.get('Rss', 0):8.0f} MB  (its own (anonymous) "
            f"{mem.get('Anonymous', 0):.0f} MB; the rest file pages (the snapshot's, shared by every process mapping it,"
            f" and the libraries'))"]


def format_bench(r: dict) -> str:
    """Human-readable figures with the targets beside them (never an error)."""
    def mark(value, target):
        return "ok" if value is not None and value <= target else "OVER TARGET"
    t = r["targets"]
    lines = [
        f"Matching benchmark: {r['requests']} requests x {r['offers']} offers, top-{r['limit']}"
        + (f", precomputed {r['vectors']}-dimension text vectors" if r.get("vectors") else ", no text vectors"),
        f"  index build (analyse texts, compile)   {r['build_s']:8.2f} s",
        f"  full rebuild, every request            {r['rebuild_s']:8.2f} s   target < {t['rebuild_s']:.0f} s: "
        f"{mark(r['rebuild_s'], t['rebuild_s'])}  ({r['rebuild_per_request_ms']:.3f} ms/request; "
        f"CPU time of this process {r['rebuild_cpu_s']:.2f} s)",
        f"  ...every suggestion's reasons written  {r['reasons_s']:8.2f} s   ({r['reasons_written']} reasons; written "
        "when first read: the snapshot writes all)",
        f"  reasons of one request's top-{r['limit']} (a page)   {r['shown_reasons_ms']:8.2f} ms (median of 50)",
        f"  one request, p50 / p95                 {r['one_p50_ms']:8.2f} / {r['one_p95_ms']:.2f} ms   "
        f"target p95 < {t['one_p95_ms']:.0f} ms: {mark(r['one_p95_ms'], t['one_p95_ms'])}  ({r['one_samples']} samples; "
        f"CPU time p95 {r['one_cpu_p95_ms']:.2f} ms)",
        f"  a request saved: upsert + its top-{r['limit']}     {r['saved_request_ms']:8.2f} ms (median of 20)",
        *_snapshot_lines(r.get("snapshot")),
        f"  one request right after an upsert      {r['after_upsert_ms']:8.2f} ms (the offer compiled into the delta table)",
        f"  candidates per request after pruning   {r['candidates_mean']:8.0f} of {r['offers']} offers "
        f"({100 * r['candidates_mean'] / max(1, r['offers']):.0f}%)",
        f"  suggestions per request                {r['suggestions_mean']:8.1f}",
        f"  brute force score_pair, one request    {r['brute_one_ms']:8.1f} ms (sample of {r['brute_sample']})",
        f"  brute force, every request (extrap.)   {r['brute_all_s_extrapolated']:8.1f} s",
        f"  speed-up vs brute force                rebuild x{r['speedup_rebuild_vs_brute']:.0f}, "
        f"one request x{r['speedup_one_vs_brute']:.0f}",
        f"  index == brute force on the sample     {'yes' if r['brute_mismatches'] == 0 else 'NO: ' + str(r['brute_mismatches']) + ' differ'}",
        f"  peak memory (ru_maxrss, whole process) {r['peak_serving_mb']:8.0f} MB   target < {t['peak_mb']:.0f} MB: "
        f"{mark(r['peak_serving_mb'], t['peak_mb'])}  (before index: {r['rss_before_mb']:.0f} MB; data, index, "
        "rebuild, queries)",
        f"  ...after writing every reason and the brute-force check {r['peak_rss_mb']:.0f} MB (the snapshot command)",
    ]
    la = r.get("load_average") or (None, None)
    if la[0] is not None:
        lines.append(f"  load average (1 min) during the timings {la[0]:.2f} -> {la[1]:.2f} on {r.get('cpus')} CPUs "
                     "(a shared machine: wall-clock figures grow with it; CPU times and the ratios to brute force "
                     "less so)")
    if r.get("stored"):
        st = r["stored"]
        lines.append(f"  stored vectors through SQLite          store {st['store_s']:.2f} s, load {st['load_s']:.2f} s "
                     f"({st['records']} records, {st['rows']} rows of float32 bytes)")
    if r.get("embedding"):
        em = r["embedding"]
        lines += [
            f"  model {em['model']}: load {em['load_s']:.1f} s, {em['records_per_s']:.1f} records/s "
            f"({em['passages_per_s']:.1f} passages/s) in batches, one record alone {em['one_record_s']:.2f} s",
            f"  saving a request -> suggestions current  ~{em['one_record_s'] + r['saved_request_ms'] / 1000:.2f} s "
            "(embedding one record + upsert + top-k; plus the service's catch-up queries)"]
    if r.get("traced_peak_mb") is not None:
        lines.append(f"  peak Python allocations (tracemalloc)  {r['traced_peak_mb']:8.0f} MB during build + rebuild "
                     "(separate, untimed pass)")
    return "\n".join(lines)
