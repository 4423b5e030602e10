"""Quality evaluation of the matching engine on a labelled set.

``dataset.json`` (shipped beside this module) holds 46 offers and 40 requests modelled
on the assistance described in A/62/898 and the CTITF working-groups page, with graded
relevance (3 the right offer, 2 useful, 1 marginal, unlisted 0).  Requests are in
English, French, Spanish, Russian and Arabic; some have imprecise themes (the chosen
theme says one thing, the text another).

``evaluate()`` ranks offers for every request with the engine and with baselines and
returns nDCG@5 and MRR (first offer graded >= 2); ``format_report()`` prints them side
by side.  Baselines: ``themes`` ranks the eligible offers by Jaccard of themes (the
reference baseline); ``tfidf-words`` and ``tfidf-char`` rank eligible offers by plain
scikit-learn TF-IDF cosine (no lexicon), when scikit-learn is installed.
"""
from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path

from ..engine import MatchingIndex, OfferData, RequestData, eligible

DATASET = Path(__file__).with_name("dataset.json")
K = 5


def _d(s):
    return date.fromisoformat(s) if s else None


def load(path: Path | str = DATASET):
    """(offers, requests, relevance, meta, country_names) from the JSON set."""
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
        relevance[r["id"]] = {int(k): v for k, v in r["relevance"].items()}
        meta[r["id"]] = {"imprecise": r.get("imprecise_themes", False), "language": _lang(r["description"])}
    names = {c: v["name"] for c, v in countries.items()}
    return offers, requests, relevance, meta, names


def _lang(text: str) -> str:
    from ..text import analyse
    return analyse(text).language


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


def _themes_baseline(offers, request) -> list[int]:
    scored = []
    for o in offers:
        if not eligible(request, o):
            continue
        union = request.themes | o.themes
        j = len(request.themes & o.themes) / len(union) if union else 0.0
        if j > 0:
            scored.append((-j, o.id))
    return [oid for _, oid in sorted(scored)]


def _tfidf_baselines(offers, requests) -> dict[str, dict[int, list[int]]]:
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
            ranks[r.id] = [oid for _, oid in sorted(cand)]
        out[name] = ranks
    return out


def evaluate(path: Path | str = DATASET, with_text_baselines: bool = True) -> dict:
    """Run engine and baselines on the labelled set; return metrics per system and slice."""
    offers, requests, relevance, meta, names = load(path)
    index = MatchingIndex(offers, requests, country_names=names)
    rankings: dict[str, dict[int, list[int]]] = {
        "engine": {r.id: [s.offer_id for s in index.offers_for(r, limit=10)] for r in requests},
        "themes": {r.id: _themes_baseline(offers, r) for r in requests},
    }
    if with_text_baselines:
        rankings.update(_tfidf_baselines(offers, requests))
    slices = {
        "all": [r.id for r in requests],
        "english": [r.id for r in requests if meta[r.id]["language"] == "en"],
        "other languages": [r.id for r in requests if meta[r.id]["language"] != "en"],
        "imprecise themes": [r.id for r in requests if meta[r.id]["imprecise"]],
    }
    systems = {}
    for name, ranks in rankings.items():
        systems[name] = {}
        for sname, ids in slices.items():
            if not ids:
                continue
            systems[name][sname] = {
                "ndcg@5": round(sum(ndcg(ranks[i], relevance[i]) for i in ids) / len(ids), 4),
                "mrr": round(sum(mrr(ranks[i], relevance[i]) for i in ids) / len(ids), 4),
                "n": len(ids),
            }
    per_request = {r.id: {"title": r.title, "engine": rankings["engine"][r.id][:5],
                          "relevant": relevance[r.id],
                          "ndcg@5": round(ndcg(rankings["engine"][r.id], relevance[r.id]), 4)}
                   for r in requests}
    return {"offers": len(offers), "requests": len(requests), "k": K, "systems": systems,
            "per_request": per_request}


def format_report(result: dict) -> str:
    """Plain-text table: systems side by side, per slice."""
    systems = result["systems"]
    names = list(systems)
    lines = [f"Matching evaluation: {result['requests']} requests, {result['offers']} offers "
             f"(nDCG@{result['k']}, MRR of the first offer graded >= 2)", ""]
    header = f"{'slice':<18}{'n':>4}  " + "".join(f"{n + ' nDCG':>18}{n + ' MRR':>17}" for n in names)
    lines.append(header)
    for sname, m in systems["engine"].items():
        row = f"{sname:<18}{m['n']:>4}  "
        for n in names:
            s = systems[n].get(sname, {})
            row += f"{s.get('ndcg@5', 0):>18.3f}{s.get('mrr', 0):>17.3f}"
        lines.append(row)
    e, b = systems["engine"]["all"], systems["themes"]["all"]
    lines += ["", f"engine vs themes-only baseline: nDCG@5 {e['ndcg@5']:.3f} vs {b['ndcg@5']:.3f} "
              f"(x{e['ndcg@5'] / b['ndcg@5'] if b['ndcg@5'] else float('inf'):.2f}), "
              f"MRR {e['mrr']:.3f} vs {b['mrr']:.3f}"]
    worst = sorted(result["per_request"].items(), key=lambda kv: kv[1]["ndcg@5"])[:5]
    lines += ["", "weakest requests (engine):"]
    for rid, pr in worst:
        lines.append(f"  {rid} {pr['title'][:50]:<50} nDCG@5 {pr['ndcg@5']:.3f} top {pr['engine']} "
                     f"relevant {pr['relevant']}")
    return "\n".join(lines)
