"""The labelled evaluation: the engine must beat the themes-only baseline clearly."""
from __future__ import annotations

import json

import pytest

from exchange.matching.embeddings import FakeEmbedder
from exchange.matching.evaluation import (
    bm25_rank,
    bm25_tokens,
    cross_validate_text_themes,
    cross_validated_thresholds,
    evaluate,
    format_cross_validation,
    format_report,
    load,
    measure_threshold,
    mrr,
    ndcg,
    no_match_ok,
    says_no_match,
    slices_of,
)


def test_dataset_shape():
    offers, requests, relevance, meta, _ = load()
    assert len(offers) >= 40 and len(requests) >= 30
    assert {m["language"] for m in meta.values()} >= {"en", "fr", "es", "ru", "ar"}
    assert sum(m["imprecise"] for m in meta.values()) >= 5
    assert all(relevance[r.id] for r in requests)


def test_metrics():
    assert ndcg([1, 2], {1: 3}) == 1.0
    assert ndcg([2, 1], {1: 3}) < 1.0
    assert mrr([5, 1], {1: 3}) == 0.5 and mrr([5], {1: 1}) == 0.0


def test_engine_well_above_themes_baseline():
    result = evaluate(with_text_baselines=False)
    e, b = result["systems"]["engine"], result["systems"]["themes"]
    assert e["all"]["ndcg@5"] > b["all"]["ndcg@5"] + 0.2
    assert e["not english"]["ndcg@5"] > 0.8
    assert e["imprecise_themes"]["ndcg@5"] > 0.8
    report = format_report(result)
    assert "engine" in report and "themes" in report


# --------------------------------------------------------------------------- tiny hand-made set

TINY = {
    "about": "tiny hand-made set for the metric tests",
    "countries": {"TJK": {"name": "Tajikistan", "areas": ["142", "143", "001"]}},
    "offers": [
        {"id": 1, "title": "Forged passports", "description": "Courses for border officers on forged passports.",
         "themes": ["border-management"], "modalities": ["training"], "languages": ["en"],
         "countries": [], "regions": []},
        {"id": 2, "title": "Suspicious transaction reports", "description": "Analysts of financial units.",
         "themes": ["financing"], "modalities": ["training"], "languages": ["en"], "countries": [], "regions": []},
        {"id": 3, "title": "Forged passports again", "description": "Paused twin of offer one, forged passports.",
         "themes": ["border-management"], "modalities": ["training"], "languages": ["en"],
         "countries": [], "regions": [], "active": False},
    ],
    "requests": [
        {"id": 11, "country": "TJK", "language": "en", "title": "Forged passports at the border",
         "description": "Border officers must detect forged passports.", "beneficiary": "",
         "themes": ["border-management"], "modalities": ["training"], "languages": ["en"],
         "relevance": {"1": 3}, "group": ["near_duplicate"], "decoys": [3]},
        {"id": 12, "country": "TJK", "language": "fr", "title": "Rapports de transactions suspectes",
         "description": "Analysts financial units reports suspicious transaction.", "beneficiary": "",
         "themes": ["border-management"], "modalities": ["training"], "languages": ["en"],
         "relevance": {"2": 3}, "group": ["wrong_themes"]},
        {"id": 13, "country": "TJK", "language": "en", "title": "Cyber incident response",
         "description": "Response teams for cyber incidents.", "beneficiary": "",
         "themes": [], "modalities": ["training"], "languages": ["en"],
         "relevance": {}, "group": ["empty_themes", "no_relevant_offer"]},
    ],
}


def _tiny(tmp_path):
    p = tmp_path / "tiny.json"
    p.write_text(json.dumps(TINY), encoding="utf-8")
    return p


def test_no_match_metrics_by_hand():
    assert says_no_match([], 0.5) and says_no_match([(1, 0.4)], 0.5) and not says_no_match([(1, 0.6)], 0.5)
    assert no_match_ok([(1, 0.4)], {}, 0.5) and not no_match_ok([(1, 0.6)], {}, 0.5)
    assert no_match_ok([(1, 0.6)], {1: 3}, 0.5) and not no_match_ok([(1, 0.4)], {1: 3}, 0.5)
    # positives 0.8 / 0.9 (best relevant), negatives 0.3 / 0.5 (best ungraded) -> cut between 0.5 and 0.8
    scored = {1: [(10, 0.8), (11, 0.3)], 2: [(12, 0.5), (13, 0.9)], 3: [(14, 0.2)]}
    rel = {1: {10: 3}, 2: {13: 2}, 3: {}}
    assert measure_threshold(scored, rel) == pytest.approx(0.65)
    cv = cross_validated_thresholds(scored, rel)
    assert set(cv) == {1, 2, 3} and cv[1] == cv[3] == measure_threshold({2: scored[2]}, rel)


def test_bm25_by_hand():
    assert bm25_tokens("AML/CFT 金融情报") == ["aml", "cft", "金融", "融情", "情报"]
    assert bm25_tokens("a I to") == ["to"]


def test_tiny_set_every_system_and_group(tmp_path):
    path = _tiny(tmp_path)
    offers, requests, _relevance, meta, _names = load(path)
    assert meta[13]["groups"] == ["empty_themes", "no_relevant_offer"] and meta[12]["language"] == "fr"
    slices = slices_of(requests, meta)
    assert slices["not english"] == [12] and slices["lang fr"] == [12] and slices["no_relevant_offer"] == [13]
    ranks = bm25_rank(offers, requests)
    assert ranks[11][0][0] == 1 and all(oid != 3 for oid, _ in ranks[11])  # the paused twin is never ranked
    result = evaluate(path, with_text_baselines=False, embedder=FakeEmbedder(64))
    systems = result["systems"]
    assert set(systems) == {"engine", "themes", "bm25", "embedding"}
    assert set(systems["engine"]) >= {"all", "english", "not english", "wrong_themes", "near_duplicate",
                                      "no_relevant_offer", "empty_themes"}
    # request 12 filed under the wrong theme: themes-only finds nothing, the text systems find offer 2
    assert systems["themes"]["wrong_themes"]["ndcg@5"] == 0.0
    assert systems["embedding"]["wrong_themes"]["ndcg@5"] == 1.0
    assert systems["engine"]["wrong_themes"]["mrr"] == 1.0
    assert systems["engine"]["all"]["n_graded"] == 2 and "ndcg@5" not in systems["engine"]["no_relevant_offer"]
    assert result["violations"] == {"engine": 0, "themes": 0, "bm25": 0, "embedding": 0}
    report = format_report(result)
    assert "no_relevant_offer" in report and "embedding" in report and "fake-64" in report


def test_cross_validation_of_the_text_themes_weight_restores_the_engine(tmp_path):
    from exchange.matching import engine as E
    before = (E.EW_TTHEME, E._EW_SUM, E._EW_SUM_NO_THEME, E._EW_REST)
    cv = cross_validate_text_themes(_tiny(tmp_path), embedder=FakeEmbedder(64), grid=(0.0, 0.075, 0.2),
                                    folds=(2,))
    assert (E.EW_TTHEME, E._EW_SUM, E._EW_SUM_NO_THEME, E._EW_REST) == before  # patched for the call only
    assert set(cv["in_sample"]) == {0.0, 0.075, 0.2}
    fold = cv["folds"][2]
    assert len(fold["picks"]) == 2 and set(fold["picks"]) <= {0.0, 0.075, 0.2}
    assert fold["slices"]["all"][1] == 1.0 and fold["slices"]["no_relevant_offer"] is None
    assert "2 folds pick" in format_cross_validation(cv)
