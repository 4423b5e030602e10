"""The labelled evaluation: the engine must beat the themes-only baseline clearly."""
from __future__ import annotations

from exchange.matching.evaluation import evaluate, format_report, load, mrr, ndcg


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
