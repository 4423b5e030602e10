"""Quality evaluation of the matching engine on labelled sets.

Two sets ship beside this module:

* ``dataset.json`` (the *old* set): 46 offers and 40 requests written with the engine, in
  English, French, Spanish, Russian and Arabic, some with imprecise themes;
* ``hard_set.json`` (the *hard* set, issue 13): 78 offers and 75 requests written apart from the
  engine, all six UN languages, tagged by ``group`` (wrong_themes, empty_themes, long,
  very_short, near_duplicate, no_relevant_offer) and ``language``.  Never edit it to suit the
  engine; ``check_hard_set.py`` checks its shape.

Relevance is graded (3 the right offer, 2 useful, 1 marginal, unlisted 0).  ``evaluate()`` ranks
the offers for every request with each system and returns, overall and per slice, nDCG@5, MRR
(first offer graded >= 2) and the *no-match accuracy*: for a request with no relevant offer the
system must say "no strong match" (its best score under the system's threshold), for the others
it must not.  nDCG and MRR are averaged over requests that have a relevant offer.

Systems: ``engine`` (``MatchingIndex``; with text vectors when an embedder is given),
``themes`` (Jaccard of themes), ``bm25`` (Okapi BM25 over words and Han bigrams), ``embedding``
(raw cosine: the request's vector against the offer's passages, best one, hard rules applied;
only with an embedder) and, with scikit-learn and ``with_text_baselines``, TF-IDF baselines.
Every baseline ranks only eligible offers.

Thresholds ("no strong match" below) are measured, for every system alike, by two-fold
cross-validation on the set reported: requests split by id (even / odd positions); each half's
threshold is measured on the other half and applied to it, so no request is judged by a
threshold measured on itself.  ``measure_threshold``: each request gives a positive (the score of
its best-ranked relevant offer, if it has one) and a negative (the best score among the offers it
does not grade, i.e. what the system would show if its relevant offers were gone, or its real
best for a request with no relevant offer); the threshold is the one that classifies these best
(balanced accuracy, midpoint of the best gap).  The engine's own constant
``engine.NO_MATCH_BELOW`` was measured the same way on the whole hard set; the report also gives
the engine's accuracy at that constant (in-sample, so slightly optimistic).
"""
from __future__ import annotations

import json
import math
import re
from collections import Counter
from datetime import date
from itertools import pairwise
from pathlib import Path

from exchange.matching.engine import NO_MATCH_BELOW, MatchingIndex, OfferData, RequestData, eligible

HERE = Path(__file__).parent
DATASET = HERE / "dataset.json"
HARD_SET = HERE / "hard_set.json"
K = 5
GROUPS = ("wrong_themes", "empty_themes", "long", "very_short", "near_duplicate", "no_relevant_offer")


def _d(s):
    return date.fromisoformat(s) if s else None


def load(path: Path | str = DATASET):
    """(offers, requests, relevance, meta, country_names) from a JSON set.  ``meta[id]`` holds
    ``language``, ``imprecise`` and ``groups`` (tags from the set, or derived for the old one)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    countries = data["countries"]
    offers = [OfferData(
        id=o["id"], active=o.get("active", True), countries=frozenset(o["countries"]),
        regions=frozenset(o["regions"]), themes=frozenset(o["themes"]),
        modalities=frozenset(o["modalities"]), languages=frozenset(o["languages"]),
        title=o["title"], description=o["description"],
        available_from=_d(o.get("available_from")), available_until=_d(o.get("available_until")),
        capacity=o.get("capacity"), load=o.get("load", 0)) for o in data["offers"]]
    requests, relevance, meta = [], {}, {}
    for r in data["requests"]:
        requests.append(RequestData(
            id=r["id"], country=r["country"], areas=frozenset(countries[r["country"]]["areas"]),
            themes=frozenset(r["themes"]), modalities=frozenset(r["modalities"]),
            languages=frozenset(r["languages"]), title=r["title"], description=r["description"],
            beneficiary=r.get("beneficiary", ""), desired_start=_d(r.get("desired_start")),
            desired_end=_d(r.get("desired_end")), urgency=r.get("urgency", "medium")))
        rel = {int(k): v for k, v in r["relevance"].items()}
        relevance[r["id"]] = rel
        groups = list(r.get("group", []))
        if "group" not in r:
            if r.get("imprecise_themes"):
                groups.append("imprecise_themes")
            if not rel:
                groups.append("no_relevant_offer")
        meta[r["id"]] = {"imprecise": r.get("imprecise_themes", False),
                         "language": r.get("language") or _lang(r["description"]),
                         "groups": groups}
    names = {c: v["name"] for c, v in countries.items()}
    return offers, requests, relevance, meta, names


def _lang(text: str) -> str:
    from exchange.matching.text import analyse
    return analyse(text).language


# --------------------------------------------------------------------------- metrics

def ndcg(ranked: list[int], rel: dict[int, int], k: int = K) -> float:
    dcg = sum((2 ** rel.get(oid, 0) - 1) / math.log2(i + 2) for i, oid in enumerate(ranked[:k]))
    ideal = sorted(rel.values(), reverse=True)[:k]
    idcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def mrr(ranked: list[int], rel: dict[int, int], min_grade: int = 2) -> float:
    for i, oid in enumerate(ranked):
        if rel.get(oid, 0) >= min_grade:
            return 1.0 / (i + 1)
    return 0.0


def says_no_match(scored: list[tuple[int, float]], threshold: float) -> bool:
    """A system says "no strong match" when it has nothing, or its best score is under its threshold."""
    return not scored or scored[0][1] < threshold


def no_match_ok(scored: list[tuple[int, float]], rel: dict[int, int], threshold: float) -> bool:
    """Right when it says "no strong match" exactly for requests with no relevant offer."""
    return says_no_match(scored, threshold) == (not any(g >= 2 for g in rel.values()))


def measure_threshold(scored: dict[int, list[tuple[int, float]]], relevance: dict[int, dict[int, int]]) -> float:
    """The "no strong match" threshold of a system, from full rankings on a set whose requests
    all have relevant offers: positives are the scores of each request's best-ranked relevant
    offer, negatives the best score among the offers it does not grade; the threshold best
    separating them (balanced accuracy; midpoint of the best gap, the lower one on ties)."""
    pos, neg = [], []
    for rid, ranked in scored.items():
        rel = relevance[rid]
        p = next((s for oid, s in ranked if rel.get(oid, 0) >= 2), None)
        n = next((s for oid, s in ranked if oid not in rel), None)
        if p is not None:
            pos.append(p)
        neg.append(n if n is not None else -1.0)
    if not pos:
        return 0.0
    cands = sorted(set(pos) | set(neg))
    cuts = [(a + b) / 2 for a, b in pairwise(cands)] or [cands[0]]
    best, best_acc = cuts[0], -1.0
    for t in cuts:
        acc = (sum(p >= t for p in pos) / len(pos) + sum(n < t for n in neg) / len(neg)) / 2
        if acc > best_acc + 1e-12:
            best, best_acc = t, acc
    return best


# --------------------------------------------------------------------------- baselines

def _themes_baseline(offers, request) -> list[tuple[int, float]]:
    scored = []
    for o in offers:
        if not eligible(request, o):
            continue
        union = request.themes | o.themes
        j = len(request.themes & o.themes) / len(union) if union else 0.0
        if j > 0:
            scored.append((-j, o.id))
    return [(oid, -s) for s, oid in sorted(scored)]


_BM25_TOKEN = re.compile(r"[^\W\d_]+|\d+")
_HAN = re.compile(r"[\u3400-\u9fff]")


def bm25_tokens(text: str) -> list[str]:
    """Lower-cased words of two letters or more; a run of Han characters gives its bigrams."""
    out = []
    for tok in _BM25_TOKEN.findall(text.casefold()):
        if _HAN.match(tok):
            out += [tok[i:i + 2] for i in range(max(1, len(tok) - 1))]
        elif len(tok) >= 2:
            out.append(tok)
    return out


def bm25_rank(offers, requests, k1: float = 1.5, b: float = 0.75) -> dict[int, list[tuple[int, float]]]:
    """Okapi BM25 of each request's text against the offers' texts (eligible offers only)."""
    docs = [bm25_tokens(o.text) for o in offers]
    n = len(docs)
    avgdl = sum(map(len, docs)) / max(n, 1)
    df = Counter(t for d in docs for t in set(d))
    idf = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}
    tfs = [Counter(d) for d in docs]
    out = {}
    for r in requests:
        q = set(bm25_tokens(r.text))
        cand = []
        for o, tf, d in zip(offers, tfs, docs):
            if not eligible(r, o):
                continue
            s = sum(idf[t] * tf[t] * (k1 + 1) / (tf[t] + k1 * (1 - b + b * len(d) / avgdl))
                    for t in q if t in tf)
            if s > 0:
                cand.append((-s, o.id))
        out[r.id] = [(oid, -s) for s, oid in sorted(cand)]
    return out


def embedding_rank(offers, requests, rvec, ovec) -> dict[int, list[tuple[int, float]]]:
    """Raw embedding baseline: cosine of the request's whole-text vector with the offer's best
    passage (whole text included), eligible offers only."""
    out = {}
    for r in requests:
        q = rvec[r.id].whole
        cand = [(-float((ovec[o.id].vectors @ q).max()), o.id) for o in offers if eligible(r, o)]
        out[r.id] = [(oid, -s) for s, oid in sorted(cand)]
    return out


def _tfidf_baselines(offers, requests) -> dict[str, dict[int, list[tuple[int, float]]]]:
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
    except ImportError:  # optional
        return {}
    out = {}
    otexts = [o.text for o in offers]
    for name, vec in (("tfidf-words", TfidfVectorizer(sublinear_tf=True, strip_accents="unicode")),
                      ("tfidf-char", TfidfVectorizer(sublinear_tf=True, strip_accents="unicode",
                                                     analyzer="char_wb", ngram_range=(3, 5)))):
        vec.fit(otexts + [r.text for r in requests])
        om = vec.transform(otexts)
        ranks = {}
        for r in requests:
            sims = (om @ vec.transform([r.text]).T).toarray().ravel()
            cand = [(-sims[i], o.id) for i, o in enumerate(offers) if eligible(r, o) and sims[i] > 0]
            ranks[r.id] = [(oid, -s) for s, oid in sorted(cand)]
        out[name] = ranks
    return out


# --------------------------------------------------------------------------- running

def attach_vectors(offers, requests, embedder):
    """Offers and requests carrying their text vectors (requests as queries, offers as passages)."""
    from dataclasses import replace

    from exchange.matching.embeddings import many_text_vectors
    ov = many_text_vectors(embedder, [(o.title, o.description) for o in offers], "passage")
    rv = many_text_vectors(embedder, [(r.title, r.description, r.beneficiary) for r in requests], "query")
    if hasattr(embedder, "save"):
        embedder.save()
    return ([replace(o, vectors=v) for o, v in zip(offers, ov)],
            [replace(r, vectors=v) for r, v in zip(requests, rv)])


def run_systems(offers, requests, names, embedder=None, with_text_baselines: bool = False,
                limit: int | None = None) -> dict[str, dict[int, list[tuple[int, float]]]]:
    """Ranked (offer id, score) per request for every system."""
    limit = limit or len(offers)
    systems: dict[str, dict[int, list[tuple[int, float]]]] = {}
    if embedder is not None:
        offers, requests = attach_vectors(offers, requests, embedder)
    index = MatchingIndex(offers, requests)
    systems["engine"] = {r.id: [(s.offer_id, s.score) for s in index.offers_for(r, limit=limit)]
                         for r in requests}
    systems["themes"] = {r.id: _themes_baseline(offers, r) for r in requests}
    systems["bm25"] = bm25_rank(offers, requests)
    if embedder is not None:
        systems["embedding"] = embedding_rank(offers, requests, {r.id: r.vectors for r in requests},
                                              {o.id: o.vectors for o in offers})
    if with_text_baselines:
        systems.update(_tfidf_baselines(offers, requests))
    return systems


def slices_of(requests, meta) -> dict[str, list[int]]:
    langs = sorted({m["language"] for m in meta.values()}, key=lambda x: (x != "en", x))
    out = {"all": [r.id for r in requests],
           "english": [r.id for r in requests if meta[r.id]["language"] == "en"],
           "not english": [r.id for r in requests if meta[r.id]["language"] != "en"]}
    for lang in langs:
        if lang != "en":
            out[f"lang {lang}"] = [r.id for r in requests if meta[r.id]["language"] == lang]
    tags = [g for g in GROUPS + ("imprecise_themes",) if any(g in m["groups"] for m in meta.values())]
    for g in tags:
        out[g] = [r.id for r in requests if g in meta[r.id]["groups"]]
    return {k: v for k, v in out.items() if v}


def cross_validated_thresholds(ranks: dict[int, list[tuple[int, float]]],
                               relevance: dict[int, dict[int, int]]) -> dict[int, float]:
    """Request id -> the threshold measured on the other half of the requests (two folds by
    position in id order)."""
    ids = sorted(ranks)
    folds = [ids[0::2], ids[1::2]]
    out = {}
    for k in (0, 1):
        t = measure_threshold({i: ranks[i] for i in folds[1 - k]}, relevance) if folds[1 - k] else 0.0
        out.update({i: t for i in folds[k]})
    return out


def evaluate(path: Path | str = DATASET, with_text_baselines: bool = True, embedder=None) -> dict:
    """Run engine and baselines on a labelled set; metrics per system and slice."""
    offers, requests, relevance, meta, names = load(path)
    by_id = {o.id: o for o in offers}
    rankings = run_systems(offers, requests, names, embedder, with_text_baselines)
    slices = slices_of(requests, meta)
    req = {r.id: r for r in requests}
    systems = {}
    thresholds = {}
    for name, ranks in rankings.items():
        cv = cross_validated_thresholds(ranks, relevance)
        thresholds[name] = measure_threshold(ranks, relevance)
        systems[name] = {}
        for sname, ids in slices.items():
            graded = [i for i in ids if relevance[i]]
            ranked = {i: [oid for oid, _ in ranks[i]] for i in ids}
            m = {"n": len(ids), "n_graded": len(graded),
                 "no_match": round(sum(no_match_ok(ranks[i], relevance[i], cv[i]) for i in ids) / len(ids), 4)}
            if graded:
                m["ndcg@5"] = round(sum(ndcg(ranked[i], relevance[i]) for i in graded) / len(graded), 4)
                m["mrr"] = round(sum(mrr(ranked[i], relevance[i]) for i in graded) / len(graded), 4)
            systems[name][sname] = m
    violations = {name: sum(not eligible(req[rid], by_id[oid]) for rid, sc in ranks.items() for oid, _ in sc[:10])
                  for name, ranks in rankings.items()}
    eng = rankings["engine"]
    constant = NO_MATCH_BELOW if embedder is not None else 0.0
    at_constant = round(sum(no_match_ok(eng[r.id], relevance[r.id], constant) for r in requests) / len(requests), 4)
    per_request = {r.id: {"title": r.title, "engine": [oid for oid, _ in eng[r.id][:5]],
                          "top_score": eng[r.id][0][1] if eng[r.id] else None,
                          "relevant": relevance[r.id], "groups": meta[r.id]["groups"],
                          "language": meta[r.id]["language"],
                          "ndcg@5": round(ndcg([oid for oid, _ in eng[r.id]], relevance[r.id]), 4)}
                   for r in requests}
    return {"set": Path(path).name, "offers": len(offers), "requests": len(requests), "k": K,
            "systems": systems, "thresholds": thresholds,
            "engine_no_match_at_constant": (constant, at_constant),
            "violations": violations, "per_request": per_request,
            "model": getattr(embedder, "name", None)}


def format_report(result: dict) -> str:
    """Plain-text table: systems side by side, per slice."""
    systems = result["systems"]
    names = list(systems)
    lines = [f"Matching evaluation on {result.get('set', '')}: {result['requests']} requests, "
             f"{result['offers']} offers (nDCG@{result['k']}, MRR of the first offer graded >= 2, "
             f"no-match: right about 'no strong match')"
             + (f"; model {result['model']}" if result.get("model") else "; no embedding model"), ""]
    header = f"{'slice':<18}{'n':>4}  " + "".join(f"{n[:12]:>22}" for n in names)
    lines.append(header)
    lines.append(f"{'':<22}  " + "".join(f"{'nDCG  MRR  no-m':>22}" for _ in names))
    for sname, m in systems["engine"].items():
        row = f"{sname:<18}{m['n']:>4}  "
        for n in names:
            s = systems[n].get(sname, {})
            nd = f"{s['ndcg@5']:.3f}" if "ndcg@5" in s else "  -  "
            mr = f"{s['mrr']:.3f}" if "mrr" in s else "  -  "
            row += f"{nd + ' ' + mr + ' ' + format(s.get('no_match', 0), '.2f'):>22}"
        lines.append(row)
    constant, at_constant = result["engine_no_match_at_constant"]
    lines += ["", "no-m: 'no strong match' right, threshold by two-fold cross-validation on this set; "
              "thresholds measured on the whole set: "
              + ", ".join(f"{n} {t:.3f}" for n, t in result["thresholds"].items()),
              f"engine at its constant NO_MATCH_BELOW {constant:.2f}: no-match right for {at_constant:.2f} (in-sample)",
              "hard-rule violations in the top 10: " + ", ".join(f"{n} {v}" for n, v in result["violations"].items())]
    e, b = systems["engine"]["all"], systems["themes"]["all"]
    if "ndcg@5" in e and "ndcg@5" in b:
        lines += [f"engine vs themes-only baseline: nDCG@5 {e['ndcg@5']:.3f} vs {b['ndcg@5']:.3f} "
                  f"(x{e['ndcg@5'] / b['ndcg@5'] if b['ndcg@5'] else float('inf'):.2f}), "
                  f"MRR {e['mrr']:.3f} vs {b['mrr']:.3f}"]
    graded = [(rid, pr) for rid, pr in result["per_request"].items() if pr["relevant"]]
    worst = sorted(graded, key=lambda kv: kv[1]["ndcg@5"])[:5]
    lines += ["", "weakest requests (engine):"]
    for rid, pr in worst:
        lines.append(f"  {rid} {pr['title'][:50]:<50} nDCG@5 {pr['ndcg@5']:.3f} top {pr['engine']} "
                     f"relevant {pr['relevant']}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- cross-validating a weight

TEXT_THEMES_GRID = (0.0, 0.025, 0.05, 0.075, 0.10, 0.125, 0.15, 0.20, 0.25)


def _engine_ranks_with_text_themes(offers, requests, weight: float) -> dict[int, list[tuple[int, float]]]:
    """The engine's rankings with the text themes' weight set to ``weight`` (module constants patched for
    the call only, the sums that depend on it too)."""
    from exchange.matching import engine as E
    saved = {k: getattr(E, k) for k in ("EW_TTHEME", "_EW_SUM", "_EW_SUM_NO_THEME", "_EW_REST")}
    try:
        E.EW_TTHEME = weight
        E._EW_SUM = E.EW_TEXT + E.EW_THEME + E.EW_LEX + E.EW_LANG + E.EW_MOD + E.EW_TIME + weight
        E._EW_SUM_NO_THEME = E._EW_SUM - E.EW_THEME
        E._EW_REST = E.EW_THEME + E.EW_LANG + E.EW_MOD + E.EW_TIME + weight
        index = MatchingIndex(offers, requests)
        return {r.id: [(s.offer_id, s.score) for s in index.offers_for(r, limit=len(offers))] for r in requests}
    finally:
        for k, v in saved.items():
            setattr(E, k, v)


def cross_validate_text_themes(path: Path | str = HARD_SET, embedder=None, grid=TEXT_THEMES_GRID,
                               folds=(2, 3, 5)) -> dict:
    """How the text themes' weight (``engine.EW_TTHEME``) was chosen: each weight of ``grid`` in-sample,
    and for k folds of the requests (by position in id order, as the thresholds' two folds) the weight
    each fold picks on the other requests (nDCG@5 + MRR, ties to the smaller weight) and the metrics of
    the held-out requests ranked with it, overall and per slice."""
    offers, requests, relevance, meta, _names = load(path)
    if embedder is not None:
        offers, requests = attach_vectors(offers, requests, embedder)
    ranks = {w: _engine_ranks_with_text_themes(offers, requests, w) for w in grid}
    slices = slices_of(requests, meta)

    def metrics(rk, ids):
        graded = [i for i in ids if relevance[i]]
        if not graded:
            return None
        return (round(sum(ndcg([o for o, _ in rk[i]], relevance[i]) for i in graded) / len(graded), 4),
                round(sum(mrr([o for o, _ in rk[i]], relevance[i]) for i in graded) / len(graded), 4))

    ids = sorted(r.id for r in requests)
    out = {"in_sample": {w: metrics(ranks[w], ids) for w in grid}, "folds": {}}
    for k in folds:
        held: dict[int, list[tuple[int, float]]] = {}
        picks = []
        for f in range(k):
            test = ids[f::k]
            train = [i for i in ids if i not in set(test)]
            best = max(grid, key=lambda w: (round(sum(metrics(ranks[w], train) or (0.0,)), 6), -w))
            picks.append(best)
            held.update({i: ranks[best][i] for i in test})
        out["folds"][k] = {"picks": picks,
                           "slices": {name: metrics(held, sids) for name, sids in slices.items()}}
    return out


def format_cross_validation(cv: dict) -> str:
    lines = ["text themes' weight: in-sample nDCG@5 / MRR"]
    lines += [f"  {w:<6} {m[0]:.3f} / {m[1]:.3f}" for w, m in cv["in_sample"].items()]
    for k, f in cv["folds"].items():
        lines.append(f"{k} folds pick {f['picks']}; out of fold:")
        lines += [f"  {name:<18} {m[0]:.3f} / {m[1]:.3f}" for name, m in f["slices"].items() if m]
    return "\n".join(lines)
