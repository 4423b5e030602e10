"""Matching engine: requests for assistance against offers of assistance.

Plain Python over plain data (no Flask, no database).  Two entry points:

* ``eligible`` and ``score_pair`` score one pair in plain Python; they are the
  reference ("brute force") definition of the engine.
* ``MatchingIndex`` holds offers and requests, prunes candidates through postings
  (offers by country, by M49 area, "anywhere", by theme and by topic concept found in
  the text) and scores the remaining candidates with numpy/scipy in one go.  It
  returns exactly what ``score_pair`` over every offer would return, only faster.

Score (in [0, 1]) of an eligible pair::

    base  = 0.30 themes (Ochiai overlap) + 0.40 text (cosine / 0.5, capped at 1)
          + 0.12 modalities + 0.10 languages + 0.08 time fit
    score = base * (1 - u) + u * soon     u = urgency weight (high 0.05, critical 0.10),
                                          soon = 1 when the offer is available by the
                                          desired start, fading to 0 ninety days later

A pair is suggested only if it is relevant: at least one shared theme, or at least one
shared topic concept in the texts with a text cosine >= ``TEXT_MIN``.

With text vectors (``RequestData.vectors`` / ``OfferData.vectors``, ``embeddings.TextVectors``
of the same model on both sides) the embedding cosine of the whole texts is the main evidence
(``EW_*`` weights below, with the themes the request's text is about beside the themes it chose), a
pair is also relevant when that cosine is >= ``SIM_MIN`` (themes are evidence, not a gate), the
reasons quote the offer's closest passage, and a suggestion under
``NO_MATCH_BELOW`` is flagged ``strong=False`` ("no strong match").  Vectors are optional: pairs
without them are scored as above.  The engine never embeds: callers pass stored vectors in.
"""
from __future__ import annotations

import gc
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from exchange.matching import text as T
from exchange.matching.lexicon import (
    CONCEPTS,
    CONCEPTS_BY_ID,
    LANGUAGE_NAMES,
    M49_AREAS,
    MODALITY_NAMES,
    THEME_NAMES,
)

if TYPE_CHECKING:
    from exchange.matching.embeddings import TextVectors

W_THEME, W_TEXT, W_MOD, W_LANG, W_TIME = 0.30, 0.40, 0.12, 0.10, 0.08
TEXT_SATURATION = 0.5   # cosine at which the text component is full
TEXT_MIN = 0.12         # cosine needed for a text-only (no shared theme) suggestion
URGENCY_WEIGHT = {"low": 0.0, "medium": 0.0, "high": 0.05, "critical": 0.10}
SOON_DAYS = 90.0

# With text vectors (both sides embedded by the same model) the embedding carries the match:
#   base  = 0.616 text (cosine of the whole texts, calibrated: (cos - SIM_LO) / (SIM_HI - SIM_LO))
#         + 0.208 lexicon text (the TF-IDF/concept part above) + 0.105 themes + 0.075 text themes
#         + 0.035 languages + 0.018 modalities + 0.018 time fit
#   score = base / (sum of the weights; without the themes' weight when the request names no theme),
#           then urgency as above.
# "Text themes": the Ochiai overlap of the themes the request's *text* is about (the themes of the lexicon
# concepts found in it) with the offer's themes, so a request with wrong or no themes still has themes.
# Weights: the earlier ones (chosen on the old evaluation set; the lexicon's raised to 0.225 before
# normalising, 0.208 after, where the hard set's cross-validated no-match accuracy decided between 0.225
# and 0.25) and the text themes' 0.075, chosen by cross-validation on the hard set
# (evaluation.cross_validate_text_themes; docs/MATCHING.md says everything that looked at the hard set).
EW_TEXT, EW_THEME, EW_LEX, EW_LANG, EW_MOD, EW_TIME = 0.616, 0.105, 0.208, 0.035, 0.018, 0.018
EW_TTHEME = 0.075
_EW_SUM = EW_TEXT + EW_THEME + EW_LEX + EW_LANG + EW_MOD + EW_TIME + EW_TTHEME
_EW_SUM_NO_THEME = _EW_SUM - EW_THEME  # a request that names no theme is not marked down for it
SIM_LO, SIM_HI = 0.10, 0.80   # cosine mapped to 0 .. 1 (clipped)
SIM_MIN = 0.25                # cosine needed for a text-only suggestion (no shared theme)
SIM_TEXT_CARRIED = 0.45       # cosine at which the reasons say the text carried the match
# Best score under this: "no strong match" (the suggestions are still listed, flagged).
# Measured on the hard set with embeddings (evaluation.measure_threshold on the whole set: 0.437 with the
# weights above; cross-validated accuracy on its two halves 0.91; docs/MATCHING.md).
NO_MATCH_BELOW = 0.44
NO_MATCH_BELOW_LEXICON = 0.0  # without vectors the scores are not calibrated: never flagged
QUOTE_CHARS = 180

_NEG = -(10 ** 9)
_POS = 10 ** 9

THEME_CODES = tuple(THEME_NAMES)
MODALITY_CODES = tuple(MODALITY_NAMES)
TOPIC_CONCEPTS = tuple(c.id for c in CONCEPTS if c.kind == "topic")
_CONCEPT_BIT = {cid: i for i, cid in enumerate(TOPIC_CONCEPTS)}
assert len(TOPIC_CONCEPTS) <= 64


# --------------------------------------------------------------------------- data

@dataclass(frozen=True)
class RequestData:
    """A Member State's request, as the engine sees it."""

    id: int
    country: str
    areas: frozenset[str]
    themes: frozenset[str]
    modalities: frozenset[str]
    languages: frozenset[str]
    title: str
    description: str
    beneficiary: str = ""
    desired_start: date | None = None
    desired_end: date | None = None
    urgency: str = "medium"
    language: str | None = None   # ISO 639-1 of the texts as written (None: not known); never scored
    vectors: TextVectors | None = field(default=None, compare=False, repr=False)

    @property
    def text(self) -> str:
        return "\n".join((self.title, self.description, self.beneficiary))


@dataclass(frozen=True)
class OfferData:
    """A provider's offer, as the engine sees it."""

    id: int
    active: bool
    countries: frozenset[str]
    regions: frozenset[str]
    themes: frozenset[str]
    modalities: frozenset[str]
    languages: frozenset[str]
    title: str
    description: str
    available_from: date | None = None
    available_until: date | None = None
    capacity: int | None = None
    load: int = 0
    language: str | None = None   # ISO 639-1 of the texts as written (None: not known); never scored
    vectors: TextVectors | None = field(default=None, compare=False, repr=False)

    @property
    def text(self) -> str:
        return "\n".join((self.title, self.description))

    @property
    def anywhere(self) -> bool:
        return not self.countries and not self.regions


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason for a suggestion: a key and its values (codes, and words taken from the texts). The engine
    writes no sentence: ``matching.reasons`` words a reason in the reader's language; ``str()`` gives a plain
    English rendering (evaluation, benchmarks, the stored snapshot).

    Keys: ``both_on`` (themes), ``delivers_in_country`` (place: ISO3), ``delivers_in_area`` (place: M49),
    ``delivers_worldwide``, ``delivers_anywhere``, ``offers`` (modalities, languages), ``works_in``
    (languages), ``texts_match_themes_differ``, ``texts_match_no_theme``, ``closest_passage`` (quote),
    ``similar_wording`` (terms), ``dates_covered``, ``dates_partly_covered``, ``available_now`` (urgency)."""

    key: str
    themes: tuple[str, ...] = ()
    modalities: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    place: str = ""
    terms: tuple[str, ...] = ()
    quote: str = ""
    urgency: str = ""

    def __str__(self) -> str:
        return english(self)


class LazyReasons(Sequence):
    """The reasons of a suggestion, written when first read: ``MatchingIndex`` ranks every request's
    offers at once, and writing 100 000 reasons (a few tens of microseconds each) would cost more than the
    ranking; a page or the snapshot reads them for the few suggestions it shows. Behaves as the tuple of
    ``Reason`` it stands for (equal to it, same hash, same repr)."""

    __slots__ = ("_args", "_value")

    def __init__(self, make: Callable[..., tuple[Reason, ...]], *args):
        self._args = (make, *args)
        self._value: tuple[Reason, ...] | None = None

    def _get(self) -> tuple[Reason, ...]:
        if self._value is None:
            make, *args = self._args
            self._value = tuple(make(*args))
            self._args = None
        return self._value

    def __getitem__(self, i):
        return self._get()[i]

    def __len__(self) -> int:
        return len(self._get())

    def __iter__(self):
        return iter(self._get())

    def __eq__(self, other) -> bool:
        if isinstance(other, (tuple, LazyReasons)):
            return self._get() == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._get())

    def __repr__(self) -> str:
        return repr(self._get())


@dataclass(frozen=True, slots=True)
class Suggestion:
    """An offer suggested for a request."""

    offer_id: int
    score: float
    reasons: tuple[Reason, ...] = field(default=())
    strong: bool = True   # False: under the "no strong match" threshold (still listed)

    def to_dict(self) -> dict:
        return {"offer_id": self.offer_id, "score": self.score, "reasons": [str(r) for r in self.reasons],
                "strong": self.strong}


@dataclass(frozen=True, slots=True)
class RequestSuggestion:
    """A request suggested for an offer (the reverse direction)."""

    request_id: int
    score: float
    reasons: tuple[Reason, ...] = field(default=())
    strong: bool = True

    def to_dict(self) -> dict:
        return {"request_id": self.request_id, "score": self.score, "reasons": [str(r) for r in self.reasons],
                "strong": self.strong}


# --------------------------------------------------------------------------- hard rules

def _ord(d: date | None, default: int) -> int:
    return d.toordinal() if d is not None else default


def delivers_in(request: RequestData, offer: OfferData) -> bool:
    """Offer can be delivered in the request's country."""
    return (offer.anywhere or request.country in offer.countries
            or not offer.regions.isdisjoint(request.areas))


def dates_overlap(request: RequestData, offer: OfferData) -> bool:
    """Offer availability can overlap the desired dates (open ends overlap anything)."""
    return (_ord(offer.available_from, _NEG) <= _ord(request.desired_end, _POS)
            and _ord(offer.available_until, _POS) >= _ord(request.desired_start, _NEG))


def has_capacity(offer: OfferData) -> bool:
    return offer.capacity is None or offer.load < offer.capacity


def eligible(request: RequestData, offer: OfferData) -> bool:
    """The hard rules: active, delivers there, dates can overlap, capacity left."""
    return offer.active and has_capacity(offer) and delivers_in(request, offer) and dates_overlap(request, offer)


# --------------------------------------------------------------------------- scalar scoring

def _ochiai(a: frozenset, b: frozenset) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))


def _time_fit(rs: int, re_: int, os_: int, oe: int) -> float:
    if rs == _NEG and re_ == _POS:
        return 1.0
    if os_ <= rs and oe >= re_:
        return 1.0
    if rs != _NEG and re_ != _POS:
        inter = min(re_, oe) - max(rs, os_) + 1
        return min(1.0, max(0.0, inter / (re_ - rs + 1)))
    return 0.5


def _soon(os_: int, rs: int) -> float:
    if os_ == _NEG:
        return 1.0
    if rs == _NEG:
        return 0.5
    late = os_ - rs
    return 1.0 if late <= 0 else max(0.0, 1.0 - late / SOON_DAYS)


@dataclass(frozen=True)
class _Parts:
    theme: float
    text: float
    cos: float
    mod: float
    lang: float
    time: float
    soon: float
    u: float
    sim: float | None = None   # embedding cosine of the whole texts, None without vectors
    tt: float = 0.0            # text themes: the request text's themes against the offer's themes
    named_themes: bool = True  # the request names themes


def _calibrated(sim: float) -> float:
    return min(1.0, max(0.0, (sim - SIM_LO) / (SIM_HI - SIM_LO)))


def _combine(p: _Parts) -> float:
    if p.sim is None:
        base = W_THEME * p.theme + W_TEXT * p.text + W_MOD * p.mod + W_LANG * p.lang + W_TIME * p.time
    else:
        base = (EW_TEXT * _calibrated(p.sim) + EW_THEME * p.theme + EW_LEX * p.text + EW_LANG * p.lang
                + EW_MOD * p.mod + EW_TIME * p.time + EW_TTHEME * p.tt) / (
                    _EW_SUM if p.named_themes else _EW_SUM_NO_THEME)
    return base * (1.0 - p.u) + p.u * p.soon


def same_model(request: RequestData, offer: OfferData) -> bool:
    """Both sides carry vectors of the same model and dimension (else: lexicon only)."""
    rv, ov = request.vectors, offer.vectors
    return (rv is not None and ov is not None and rv.model == ov.model
            and rv.vectors.shape[1] == ov.vectors.shape[1])


def embedding_sim(request: RequestData, offer: OfferData) -> float | None:
    """Cosine of the two whole-text vectors, or None when they cannot be compared."""
    if not same_model(request, offer):
        return None
    return float(np.dot(request.vectors.vectors[0].astype(np.float64), offer.vectors.vectors[0].astype(np.float64)))


def strong_below(has_vectors: bool) -> float:
    return NO_MATCH_BELOW if has_vectors else NO_MATCH_BELOW_LEXICON


def no_strong_match(suggestions: Iterable[Suggestion | RequestSuggestion]) -> bool:
    """True when nothing is listed or the best suggestion is under the threshold."""
    first = next(iter(suggestions), None)
    return first is None or not first.strong


def _parts(request: RequestData, offer: OfferData, cos: float, sim: float | None = None) -> _Parts:
    mod = _ochiai(request.modalities, offer.modalities) if request.modalities and offer.modalities else 0.5
    if request.languages and offer.languages:
        lang = 1.0 if not request.languages.isdisjoint(offer.languages) else 0.0
    else:
        lang = 0.5
    rs, re_ = _ord(request.desired_start, _NEG), _ord(request.desired_end, _POS)
    os_, oe = _ord(offer.available_from, _NEG), _ord(offer.available_until, _POS)
    return _Parts(
        theme=_ochiai(request.themes, offer.themes),
        text=min(1.0, cos / TEXT_SATURATION),
        cos=cos, mod=mod, lang=lang,
        time=_time_fit(rs, re_, os_, oe),
        soon=_soon(os_, rs),
        u=URGENCY_WEIGHT.get(request.urgency, 0.0),
        sim=sim,
        tt=_ochiai(text_themes(request.text), offer.themes) if sim is not None else 0.0,
        named_themes=bool(request.themes),
    )


def text_themes(text: str) -> frozenset[str]:
    """The themes a text is about: those of the lexicon's topic concepts found in it."""
    return frozenset(CONCEPTS_BY_ID[c].theme for c in T.concepts_of(T.analyse(text)))


def _relevant(request: RequestData, offer: OfferData, cos: float, sim: float | None = None) -> bool:
    if not request.themes.isdisjoint(offer.themes):
        return True
    if sim is not None and sim >= SIM_MIN:
        return True
    if cos < TEXT_MIN:
        return False
    rc = T.concepts_of(T.analyse(request.text))
    oc = T.concepts_of(T.analyse(offer.text))
    return not rc.isdisjoint(oc)


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _place_reason(request: RequestData, offer: OfferData) -> Reason:
    if request.country in offer.countries:
        return Reason("delivers_in_country", place=request.country)
    shared = offer.regions & request.areas
    if shared:
        best = max(shared, key=lambda c: (M49_AREAS.get(c, ("", 3))[1], c))
        if best == "001":
            return Reason("delivers_worldwide")
        return Reason("delivers_in_area", place=best)
    return Reason("delivers_anywhere")


def reasons_for(request: RequestData, offer: OfferData, parts: _Parts) -> tuple[Reason, ...]:
    """The reasons of an eligible, relevant pair, as keys and values (``Reason``)."""
    out: list[Reason] = []
    themes = tuple(sorted(request.themes & offer.themes,
                          key=lambda t: (THEME_CODES.index(t) if t in THEME_CODES else 99, t)))
    if themes:
        out.append(Reason("both_on", themes=themes))
    elif parts.tt > 0:  # no chosen theme shared, but the request's text is on the offer's themes
        on = tuple(sorted(text_themes(request.text) & offer.themes,
                          key=lambda t: (THEME_CODES.index(t) if t in THEME_CODES else 99, t)))
        out.append(Reason("text_on", themes=on))
    out.append(_place_reason(request, offer))
    mods = tuple(sorted(request.modalities & offer.modalities,
                        key=lambda m: (MODALITY_CODES.index(m) if m in MODALITY_CODES else 99, m)))
    langs = tuple(sorted(request.languages & offer.languages))
    if mods:
        out.append(Reason("offers", modalities=mods, languages=langs))
    elif langs:
        out.append(Reason("works_in", languages=langs))
    if parts.sim is not None and parts.sim >= SIM_TEXT_CARRIED:
        if not themes:
            out.append(Reason("texts_match_themes_differ" if request.themes else "texts_match_no_theme"))
        quote = closest_passage(request, offer)
        if quote:
            out.append(Reason("closest_passage", quote=quote))
    if parts.cos > 0:
        ra = T.analyse(request.text)
        terms = T.shared_terms(ra, T.vector(request.text), T.vector(offer.text))
        if terms and (parts.cos >= TEXT_MIN or not themes):
            out.append(Reason("similar_wording", terms=tuple(terms)))
    if request.desired_start or request.desired_end:
        out.append(Reason("dates_covered" if parts.time >= 1.0 else "dates_partly_covered"))
    if parts.u > 0 and parts.soon >= 1.0:
        out.append(Reason("available_now", urgency=request.urgency))
    return tuple(out)


_ENGLISH = {
    "both_on": "Both on {themes}", "text_on": "The request's text is on {themes}",
    "delivers_in_country": "Delivers in {place}",
    "delivers_in_area": "Delivers in {place}", "delivers_worldwide": "Delivers worldwide",
    "delivers_anywhere": "Delivers anywhere", "works_in": "Works in {languages}",
    "texts_match_themes_differ": "The texts match, though the themes chosen differ",
    "texts_match_no_theme": "The texts match (the request names no theme)",
    "closest_passage": "Closest in the offer: \u201c{quote}\u201d", "similar_wording": "Similar wording: {terms}",
    "dates_covered": "Available for the requested dates",
    "dates_partly_covered": "Available for part of the requested period",
    "available_now": "Available now for a {urgency} request",
}


def english(reason: Reason) -> str:
    """A reason in plain English with the lexicon's names (countries by their code): for evaluation,
    benchmarks and the stored snapshot; people read ``matching.reasons``' wording in their language."""
    languages = _join([LANGUAGE_NAMES.get(code, code) for code in reason.languages])
    if reason.key == "offers":
        text = "Offers " + _join([MODALITY_NAMES.get(m, m) for m in reason.modalities])
        return text + (" in " + languages if languages else "")
    place = M49_AREAS.get(reason.place, (reason.place, 3))[0] if reason.key == "delivers_in_area" else reason.place
    return _ENGLISH[reason.key].format(
        themes=_join([THEME_NAMES.get(t, t) for t in reason.themes]), place=place, languages=languages,
        quote=reason.quote, terms=", ".join(reason.terms), urgency=reason.urgency)


def _round4(x: float) -> float:
    """Rounded to 4 decimals exactly as the index does (``np.rint(x * 10000)``; Python's
    ``round(x, 4)`` differs on values whose product lands on a half)."""
    return int(np.rint(x * 10000.0)) / 10000.0


def closest_passage(request: RequestData, offer: OfferData) -> str:
    """The offer's passage (a sentence, or a few short ones) closest to the request's text,
    shortened to ``QUOTE_CHARS``; empty without comparable vectors."""
    if not same_model(request, offer):
        return ""
    ov = offer.vectors
    rows = range(1, len(ov.passages)) if len(ov.passages) > 1 else range(len(ov.passages))
    sims = [float(np.dot(request.vectors.vectors[0], ov.vectors[j])) for j in rows]
    if not sims:
        return ""
    text = ov.passages[list(rows)[int(np.argmax(sims))]].replace("\n", " ").strip()
    if len(text) > QUOTE_CHARS:
        cut = text[:QUOTE_CHARS].rsplit(" ", 1)[0] if " " in text[:QUOTE_CHARS] else text[:QUOTE_CHARS]
        text = cut.rstrip(",;:") + "\u2026"
    return text


def score_pair(request: RequestData, offer: OfferData) -> Suggestion | None:
    """Reference scoring of one pair: None when not eligible or not relevant."""
    if not eligible(request, offer):
        return None
    cos = T.cosine(T.vector(request.text), T.vector(offer.text))
    sim = embedding_sim(request, offer)
    if not _relevant(request, offer, cos, sim):
        return None
    p = _parts(request, offer, cos, sim)
    score = _round4(_combine(p))
    return Suggestion(offer.id, score, reasons_for(request, offer, p),
                      strong=score >= strong_below(sim is not None))


def rank(suggestions: Iterable[Suggestion | RequestSuggestion], limit: int | None = None) -> list:
    """Best first, ties by id ascending."""
    out = sorted(suggestions, key=lambda s: (-s.score, getattr(s, "offer_id", None) or getattr(s, "request_id", 0)))
    return out if limit is None else out[:limit]


# --------------------------------------------------------------------------- compiled tables

class _Codes:
    """Code -> bit registry (at most ``width`` distinct codes)."""

    def __init__(self, initial: Iterable[str] = (), width: int = 64, what: str = "code"):
        self.bits: dict[str, int] = {}
        self.width, self.what = width, what
        for c in initial:
            self.bit(c)

    def bit(self, code: str) -> int:
        b = self.bits.get(code)
        if b is None:
            if len(self.bits) >= self.width:
                raise ValueError(f"too many distinct {self.what} codes (at most {self.width})")
            b = self.bits[code] = len(self.bits)
        return b

    def mask(self, codes: Iterable[str], words: int = 1) -> list[int]:
        out = [0] * words
        for c in codes:
            b = self.bit(c)
            out[b // 64] |= 1 << (b % 64)
        return out


def _u64(values: list[int]) -> np.ndarray:
    return np.array(values, dtype=np.uint64) if values else np.zeros(0, dtype=np.uint64)


class _Table:
    """Column arrays + text CSR + postings for one side (offers or requests)."""

    def __init__(self, items: list, index: MatchingIndex, kind: str, grow_vocab: bool = True,
                 replace_cache: bool = True):
        self.kind = kind
        self.items = items  # sorted by id (a merged table: its base's rows, then its delta's)
        n = len(items)
        self.alive = np.ones(n, dtype=bool)  # False: a row replaced by a later one or removed
        self._row_of: dict[int, int] | None = None
        self.n = n
        # whole-text vectors of the index's model (rows without them: lexicon only)
        self.model, dim = index._vector_model()
        self.hasvec = np.array([x.vectors is not None and x.vectors.model == self.model
                                and x.vectors.vectors.shape[1] == dim for x in items], dtype=bool)
        self.anyvec = bool(self.hasvec.any())
        # float32 as stored; blocks upcast to float64 (exact), so sums match score_pair's
        self.vec = np.zeros((n, dim if self.anyvec else 0), dtype=np.float32)
        for row in np.flatnonzero(self.hasvec):
            self.vec[row] = items[row].vectors.vectors[0]
        self._vec64: np.ndarray | None = None
        self.ids = np.array([x.id for x in items], dtype=np.int64)
        tcodes, mcodes, lcodes = index._themes, index._mods, index._langs
        self.theme = _u64([tcodes.mask(x.themes)[0] for x in items])
        self.mod = _u64([mcodes.mask(x.modalities)[0] for x in items])
        lm = [lcodes.mask(x.languages, 4) for x in items]
        self.lang = np.array(lm, dtype=np.uint64).reshape(n, 4)
        self.ntheme = np.array([len(x.themes) for x in items], dtype=np.float64)
        self.nmod = np.array([len(x.modalities) for x in items], dtype=np.float64)
        self.haslang = np.array([bool(x.languages) for x in items], dtype=bool)
        # text: concepts and TF-IDF row of each item, compiled once per item object and kept by the index
        # (an upsert recompiles one row; the module's text caches are not filled with every indexed text)
        vocab = index._vocab
        cache = index._compiled.get(kind, {}) if grow_vocab else {}
        kept: dict[int, tuple] = {}
        concepts_of_row: list[frozenset] = []
        conc = []
        cols_of_row: list[np.ndarray] = []
        vals_of_row: list[np.ndarray] = []
        for x in items:
            hit = cache.get(x.id)
            if hit is None or hit[0] is not x:
                a = T.analyse_uncached(x.text) if grow_vocab else T.analyse(x.text)
                concepts = T.concepts_of(a)
                m = 0
                for cid in concepts:
                    m |= 1 << _CONCEPT_BIT[cid]
                cols, vals = [], []
                for tok, w in T.vector_of(a).items():
                    col = vocab.get(tok)
                    if col is None:
                        if not grow_vocab:
                            continue
                        col = vocab[tok] = len(vocab)
                    cols.append(col)
                    vals.append(w)
                hit = (x, concepts, m, np.array(cols, dtype=np.int32), np.array(vals, dtype=np.float64))
            if grow_vocab:
                kept[x.id] = hit
            concepts_of_row.append(hit[1])
            conc.append(hit[2])
            cols_of_row.append(hit[3])
            vals_of_row.append(hit[4])
        if grow_vocab:
            if replace_cache:
                index._compiled[kind] = kept
            else:
                index._compiled.setdefault(kind, {}).update(kept)
        self.conc = _u64(conc)
        # text themes: the themes of the concepts found in the text
        tthemes = [frozenset(CONCEPTS_BY_ID[c].theme for c in cs) for cs in concepts_of_row]
        self.ttheme = _u64([tcodes.mask(t)[0] for t in tthemes])
        self.nttheme = np.array([len(t) for t in tthemes], dtype=np.float64)
        # text CSR
        self.indptr = np.zeros(n + 1, dtype=np.int64)
        if n:
            np.cumsum([len(c) for c in cols_of_row], out=self.indptr[1:])
        self.indices = np.concatenate(cols_of_row) if n else np.zeros(0, dtype=np.int32)
        self.data = np.concatenate(vals_of_row) if n else np.zeros(0, dtype=np.float64)
        self.text = sp.csr_matrix((self.data, self.indices, self.indptr), shape=(n, max(len(vocab), 1)))
        # postings by theme and by topic concept
        self.by_theme: dict[str, np.ndarray] = {}
        self.by_concept: dict[str, np.ndarray] = {}
        tmp_t: dict[str, list[int]] = {}
        tmp_c: dict[str, list[int]] = {}
        for row, (x, concepts) in enumerate(zip(items, concepts_of_row)):
            for t in x.themes:
                tmp_t.setdefault(t, []).append(row)
            for c in concepts:
                tmp_c.setdefault(c, []).append(row)
        self.by_theme = {k: np.array(v, dtype=np.int64) for k, v in tmp_t.items()}
        self.by_concept = {k: np.array(v, dtype=np.int64) for k, v in tmp_c.items()}
        # place postings + per-side columns
        tmp_country: dict[str, list[int]] = {}
        tmp_area: dict[str, list[int]] = {}
        if kind == "offer":
            anywhere = []
            for row, o in enumerate(items):
                if o.anywhere:
                    anywhere.append(row)
                for c in o.countries:
                    tmp_country.setdefault(c, []).append(row)
                for a in o.regions:
                    tmp_area.setdefault(a, []).append(row)
            self.anywhere = np.array(anywhere, dtype=np.int64)
            self.ok = np.array([o.active and has_capacity(o) for o in items], dtype=bool)
            self.start = np.array([_ord(o.available_from, _NEG) for o in items], dtype=np.int64)
            self.end = np.array([_ord(o.available_until, _POS) for o in items], dtype=np.int64)
        else:
            for row, r in enumerate(items):
                tmp_country.setdefault(r.country, []).append(row)
                for a in r.areas:
                    tmp_area.setdefault(a, []).append(row)
            self.start = np.array([_ord(r.desired_start, _NEG) for r in items], dtype=np.int64)
            self.end = np.array([_ord(r.desired_end, _POS) for r in items], dtype=np.int64)
            self.urg = np.array([URGENCY_WEIGHT.get(r.urgency, 0.0) for r in items], dtype=np.float64)
        self.by_country = {k: np.array(v, dtype=np.int64) for k, v in tmp_country.items()}
        self.by_area = {k: np.array(v, dtype=np.int64) for k, v in tmp_area.items()}

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_vec64"] = state["_row_of"] = None  # derived: made again when needed
        state["text"] = state["text"].shape  # the CSR of the arrays below, made again on load
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.text = sp.csr_matrix((self.data, self.indices, self.indptr), shape=state["text"])

    def row_of(self, item_id: int) -> int | None:
        """The row holding this id's latest version (None: not in this table)."""
        if self._row_of is None:
            self._row_of = {int(i): row for row, i in enumerate(self.ids.tolist())}
        return self._row_of.get(item_id)

    def kill(self, item_id: int) -> bool:
        """Mark this id's row dead (replaced or removed): no query finds it any more. True when it had one."""
        row = self.row_of(item_id)
        if row is None or not self.alive[row]:
            return False
        if not self.alive.flags.writeable:  # mapped from a snapshot: copied on first write
            self.alive = self.alive.copy()
        self.alive[row] = False
        if self.kind == "offer":
            if not self.ok.flags.writeable:
                self.ok = self.ok.copy()
            self.ok[row] = False
        return True

    @property
    def dead(self) -> int:
        return int(self.n - np.count_nonzero(self.alive))

    @classmethod
    def merged(cls, base: _Table, delta: _Table) -> _Table:
        """One table of ``base``'s rows then ``delta``'s (the same index and kind): arrays concatenated,
        postings shifted, nothing analysed again."""
        t = cls.__new__(cls)
        n0 = base.n
        t.kind, t.items, t.n = base.kind, base.items + delta.items, base.n + delta.n
        t.model = base.model if base.anyvec else delta.model
        t.anyvec = base.anyvec or delta.anyvec
        dim = max(base.vec.shape[1], delta.vec.shape[1])

        def vec(x: _Table) -> np.ndarray:
            return x.vec if x.vec.shape[1] == dim else np.zeros((x.n, dim), dtype=np.float32)
        t.vec = np.concatenate([vec(base), vec(delta)]) if t.anyvec else np.zeros((t.n, 0), dtype=np.float32)
        t._vec64, t._row_of = None, None
        for name in ("alive", "hasvec", "ids", "theme", "mod", "lang", "ntheme", "nmod", "haslang", "conc",
                     "ttheme", "nttheme", "start", "end", *(("ok",) if base.kind == "offer" else ("urg",))):
            setattr(t, name, np.concatenate([getattr(base, name), getattr(delta, name)]))
        t.indptr = np.concatenate([base.indptr, delta.indptr[1:] + base.indptr[-1]])
        t.indices = np.concatenate([base.indices, delta.indices])
        t.data = np.concatenate([base.data, delta.data])
        t.text = sp.csr_matrix((t.data, t.indices, t.indptr),
                               shape=(t.n, max(base.text.shape[1], delta.text.shape[1])))

        def postings(a: dict, b: dict) -> dict:
            out = dict(a)
            for k, v in b.items():
                out[k] = np.concatenate([a[k], v + n0]) if k in a else v + n0
            return out
        for name in ("by_theme", "by_concept", "by_country", "by_area"):
            setattr(t, name, postings(getattr(base, name), getattr(delta, name)))
        if base.kind == "offer":
            t.anywhere = np.concatenate([base.anywhere, delta.anywhere + n0])
        return t

    def vec64(self) -> np.ndarray:
        """The whole-text vectors upcast to float64 (exact), once: the rebuild's blocks gather rows of it."""
        if self._vec64 is None:
            self._vec64 = self.vec.astype(np.float64)
        return self._vec64

    def text_rows(self, rows: np.ndarray, ncols: int) -> sp.csr_matrix:
        m = self.text[rows] if len(rows) != self.n else self.text
        return sp.csr_matrix((m.data, m.indices, m.indptr), shape=(m.shape[0], ncols))


def _union(arrays: list[np.ndarray]) -> np.ndarray:
    arrays = [a for a in arrays if a is not None and len(a)]
    if not arrays:
        return np.zeros(0, dtype=np.int64)
    if len(arrays) == 1:
        return arrays[0]
    return np.unique(np.concatenate(arrays))


def _popcount(x: np.ndarray) -> np.ndarray:
    return np.bitwise_count(x).astype(np.float64)


def _pair_mask(R: _Table, ri: np.ndarray, O: _Table, oi: np.ndarray, cos, sim, usev):
    """Eligible (dates) and relevant pairs of request rows ``ri`` and offer rows ``oi`` (index arrays that
    broadcast: a column and a row for a dense block, or two flat arrays for chosen pairs; place, active
    and capacity already filtered). Also returns the shared-theme counts."""
    st = _popcount(R.theme[ri] & O.theme[oi])
    dates_ok = (O.start[oi] <= R.end[ri]) & (O.end[oi] >= R.start[ri])
    shared_conc = (R.conc[ri] & O.conc[oi]) != 0
    relevant = (st > 0) | (shared_conc & (cos >= TEXT_MIN))
    if usev is not None:
        relevant |= usev & (sim >= SIM_MIN)
    return dates_ok & relevant, st


def _pair_scores(R: _Table, ri: np.ndarray, O: _Table, oi: np.ndarray, cos, sim, usev, st=None) -> np.ndarray:
    """Scores of the pairs (``ri``, ``oi`` as in ``_pair_mask``; ``cos``, ``sim`` and ``usev`` of their shape).
    Every operation is elementwise, so a pair's score is the same computed in a dense block or alone."""
    if st is None:
        st = _popcount(R.theme[ri] & O.theme[oi])
    shape = np.broadcast_shapes(ri.shape, oi.shape)
    rs, re_ = R.start[ri], R.end[ri]
    os_, oe = O.start[oi], O.end[oi]
    nt = R.ntheme[ri] * O.ntheme[oi]
    theme_c = np.divide(st, np.sqrt(nt), out=np.zeros(shape), where=nt > 0)
    text_c = np.minimum(1.0, cos / TEXT_SATURATION)
    nm = R.nmod[ri] * O.nmod[oi]
    sm = _popcount(R.mod[ri] & O.mod[oi])
    mod_c = np.where(nm > 0, np.divide(sm, np.sqrt(nm), out=np.zeros(shape), where=nm > 0), 0.5)
    shared_lang = np.zeros(shape, dtype=bool)
    for w in range(4):
        a, b = R.lang[ri, w], O.lang[oi, w]
        if a.any() and b.any():  # (an all-zero word shares nothing)
            shared_lang |= (a & b) != 0
    both_lang = R.haslang[ri] & O.haslang[oi]
    lang_c = np.where(both_lang, shared_lang.astype(np.float64), 0.5)
    # time fit
    open_req = (rs == _NEG) & (re_ == _POS)
    covered = (os_ <= rs) & (oe >= re_)
    finite = (rs != _NEG) & (re_ != _POS)
    inter = np.minimum(re_, oe) - np.maximum(rs, os_) + 1
    span = np.where(finite, re_ - rs + 1, 1)
    frac = np.clip(inter / span, 0.0, 1.0)
    time_c = np.where(open_req | covered, 1.0, np.where(finite, frac, 0.5))
    # soon
    late = os_ - rs
    soon = np.where(os_ == _NEG, 1.0, np.where(rs == _NEG, 0.5,
                    np.where(late <= 0, 1.0, np.maximum(0.0, 1.0 - late / SOON_DAYS))))
    u = R.urg[ri]
    if usev is None or not usev.all():
        base = W_THEME * theme_c + W_TEXT * text_c + W_MOD * mod_c + W_LANG * lang_c + W_TIME * time_c
    if usev is not None:
        ntt = R.nttheme[ri] * O.ntheme[oi]
        tt_c = np.divide(_popcount(R.ttheme[ri] & O.theme[oi]), np.sqrt(ntt), out=np.zeros(shape), where=ntt > 0)
        ebase = (EW_TEXT * np.clip((sim - SIM_LO) / (SIM_HI - SIM_LO), 0.0, 1.0) + EW_THEME * theme_c
                 + EW_LEX * text_c + EW_LANG * lang_c + EW_MOD * mod_c + EW_TIME * time_c + EW_TTHEME * tt_c) / (
                     np.where(R.ntheme[ri] > 0, _EW_SUM, _EW_SUM_NO_THEME))
        base = ebase if usev.all() else np.where(usev, ebase, base)
    return base * (1.0 - u) + u * soon


def _block_texts(R: _Table, rr: np.ndarray, O: _Table, oo: np.ndarray, ncols: int):
    """(cos, sim, usev) of a dense block: lexicon cosine, embedding cosine and where it applies (None, None
    without comparable vectors)."""
    cos = (R.text_rows(rr, ncols) @ O.text_rows(oo, ncols).T).toarray()
    if R.anyvec and O.anyvec and R.model == O.model:
        usev = R.hasvec[rr][:, None] & O.hasvec[oo][None, :]
        sim = R.vec[rr].astype(np.float64) @ O.vec[oo].astype(np.float64).T
        return cos, sim, usev
    return cos, None, None


def _score_block(R: _Table, rr: np.ndarray, O: _Table, oo: np.ndarray, ncols: int):
    """Scores (g x k) of request rows ``rr`` against offer rows ``oo`` (both already
    place-filtered and active/capacity-filtered).  Returns (score, mask) where mask marks
    eligible (dates) and relevant pairs."""
    cos, sim, usev = _block_texts(R, rr, O, oo, ncols)
    ri, oi = rr[:, None], oo[None, :]
    mask, st = _pair_mask(R, ri, O, oi, cos, sim, usev)
    return _pair_scores(R, ri, O, oi, cos, sim, usev, st), mask


# Upper bound of a score with vectors: every part but the two texts at its maximum (1).
_EW_REST = EW_THEME + EW_LANG + EW_MOD + EW_TIME + EW_TTHEME
_BOUND_MARGIN = 2e-4  # a pair this far under the k-th score may still round level with it (4 decimals)
DELTA_ROWS = 256      # records upserted into the delta table before it is merged into the base
_BLOCK_ROWS = 128     # requests scored together (a dense block of rows x candidates; smaller: less memory)


def _rows_of(indptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions in a CSR's data of the entries of ``rows`` (in order), and each entry's row (0..len(rows))."""
    starts, counts = indptr[rows], indptr[rows + 1] - indptr[rows]
    at = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(int(counts.sum()))
    return at, np.repeat(np.arange(len(rows)), counts)


def _block_lexicon(R: _Table, rr: np.ndarray, O: _Table, oo: np.ndarray, ncols: int) -> np.ndarray:
    """Lexicon cosines (g x k, dense) of request rows ``rr`` (a block: at most ``_BLOCK_ROWS``) against offer
    rows ``oo``: the same sums of products as the sparse product ``_block_texts`` computes, but almost
    every pair shares a word, so the result is dense: the block's requests become a dense matrix over the
    terms they use (a few thousand x g) and the offers' sparse rows, restricted to those terms, multiply it
    (an axpy of length g per offer entry; scipy's sparse x sparse product builds a sparse result, 1.7x slower)."""
    g, k = len(rr), len(oo)
    at, row = _rows_of(R.indptr, rr)
    terms, col = np.unique(R.indices[at], return_inverse=True)
    if len(terms) == 0 or k == 0:
        return np.zeros((g, k))
    dense = np.zeros((len(terms) + 1, g))  # (the last row, zeros: the terms no request of the block uses)
    dense[col, row] = R.data[at]
    lut = np.full(ncols, len(terms), dtype=np.int64)
    lut[terms] = np.arange(len(terms))
    oat, _ = _rows_of(O.indptr, oo)
    indptr = np.zeros(k + 1, dtype=np.int64)
    np.cumsum(O.indptr[oo + 1] - O.indptr[oo], out=indptr[1:])
    offers = sp.csr_matrix((O.data[oat], lut[O.indices[oat]], indptr), shape=(k, len(terms) + 1))
    return np.ascontiguousarray((offers @ dense).T)


def _block_top(R: _Table, rr: np.ndarray, O: _Table, oo: np.ndarray, ncols: int, limit: int):
    """Best ``limit`` offers of each request row of a block, exactly as ``_score_block`` + ``_top`` would
    give them, as flat arrays ordered by row then rank: (where each row's entries start (g + 1), offer ids,
    rounded scores, with vectors, strong).

    With vectors most candidates cannot reach a request's top: each pair's score is bounded by its two
    text terms (``_EW_REST`` for everything else), the exact scores of the ``2 * limit`` pairs with the
    best bounds give a floor for the k-th score, and only the pairs whose bound reaches that floor are
    scored exactly (a few per cent of the block)."""
    g, k = len(rr), len(oo)
    cos = _block_lexicon(R, rr, O, oo, ncols)
    if R.anyvec and O.anyvec and R.model == O.model:
        usev = R.hasvec[rr][:, None] & O.hasvec[oo][None, :]
        sim = R.vec[rr].astype(np.float64) @ O.vec64()[oo].T
    else:
        sim = usev = None
    ri, oi = rr[:, None], oo[None, :]
    mask, st = _pair_mask(R, ri, O, oi, cos, sim, usev)
    if usev is None or k <= 3 * limit or limit <= 0:
        rows, cols = np.nonzero(mask)
        score = _pair_scores(R, ri, O, oi, cos, sim, usev, st)[rows, cols]
    else:
        u = R.urg[rr][:, None]
        norm = np.where(R.ntheme[rr] > 0, _EW_SUM, _EW_SUM_NO_THEME)[:, None]
        # bound = (EW_TEXT * clip((sim - SIM_LO) / (SIM_HI - SIM_LO)) + EW_LEX * min(1, cos / SAT) + _EW_REST)
        #         / norm * (1 - u) + u, written in place (the same operations, in the same order)
        bound = np.subtract(sim, SIM_LO)
        bound /= SIM_HI - SIM_LO
        np.clip(bound, 0.0, 1.0, out=bound)
        bound *= EW_TEXT
        lex = np.divide(cos, TEXT_SATURATION)
        np.minimum(lex, 1.0, out=lex)
        lex *= EW_LEX
        bound += lex
        bound += _EW_REST
        bound /= norm
        bound *= 1.0 - u
        bound += u
        if not usev.all():
            bound[~usev] = np.inf
        bound[~mask] = -np.inf
        p = 2 * limit
        best = np.argpartition(bound, k - p, axis=1)[:, k - p:]  # (any p of the best bounds give a floor)
        pr, pc = np.repeat(np.arange(g), p), best.ravel()
        first = _pair_scores(R, rr[pr], O, oo[pc], cos[pr, pc], sim[pr, pc], usev[pr, pc], st[pr, pc])
        first = np.where(mask[pr, pc], first, -np.inf).reshape(g, p)
        floor = np.partition(first, p - limit, axis=1)[:, p - limit]  # k-th best of those: <= the true k-th
        # (-inf floor: fewer than k relevant, keep all; -inf bounds are not relevant)
        rows, cols = np.nonzero((bound >= (floor - _BOUND_MARGIN)[:, None]) & mask)
        score = _pair_scores(R, rr[rows], O, oo[cols], cos[rows, cols], sim[rows, cols], usev[rows, cols],
                             st[rows, cols])
    q = np.rint(score * 10000.0).astype(np.int64)
    ids = O.ids[oo][cols]
    order = np.lexsort((ids, -q, rows))
    rows_s = rows[order]
    rank = np.arange(len(order)) - np.searchsorted(rows_s, rows_s, side="left")
    chosen = order[rank < limit]
    rows, cols = rows[chosen], cols[chosen]
    withv = R.hasvec[rr][rows] & O.hasvec[oo][cols] if usev is not None else np.zeros(len(chosen), dtype=bool)
    score = q[chosen] / 10000.0
    strong = np.where(withv, score >= NO_MATCH_BELOW, score >= NO_MATCH_BELOW_LEXICON)
    return np.searchsorted(rows, np.arange(g + 1)), ids[chosen], score, withv, strong


def _top(score_row: np.ndarray, mask_row: np.ndarray, ids: np.ndarray, limit: int) -> list[tuple[int, float, int]]:
    """Best ``limit`` (id, rounded score, position in the row) among masked entries, ties by id ascending."""
    sel = np.flatnonzero(mask_row)
    if len(sel) == 0 or limit <= 0:
        return []
    q = np.rint(score_row[sel] * 10000.0).astype(np.int64)
    if len(sel) > limit:
        kth = np.partition(q, len(q) - limit)[len(q) - limit]
        keep = q >= kth
        q, sel = q[keep], sel[keep]
    sid = ids[sel]
    order = np.lexsort((sid, -q))[:limit]
    return [(int(sid[i]), int(q[i]) / 10000.0, int(sel[i])) for i in order]


# --------------------------------------------------------------------------- index

class MatchingIndex:
    """Offers and requests, indexed by place, theme and text concept."""

    def __init__(self, offers: Iterable[OfferData] = (), requests: Iterable[RequestData] = ()):
        self._offers: dict[int, OfferData] = {o.id: o for o in offers}
        self._requests: dict[int, RequestData] = {r.id: r for r in requests}
        self._themes = _Codes(THEME_CODES, 64, "theme")
        self._mods = _Codes(MODALITY_CODES, 64, "modality")
        self._langs = _Codes(LANGUAGE_NAMES, 256, "language")
        self._vocab: dict[str, int] = {}
        self._compiled: dict[str, dict[int, tuple]] = {}  # kind -> id -> (item, concepts, mask, cols, vals)
        # Each side: a base table, and the ids upserted since it was compiled, in a small delta table
        # compiled apart (their base rows are dead); queries read both.
        self._tables: dict[str, _Table | None] = {"offer": None, "request": None}
        self._delta_ids: dict[str, set[int]] = {"offer": set(), "request": set()}
        self._deltas: dict[str, _Table | None] = {"offer": None, "request": None}
        self._model: tuple[str, int] | None = None

    def __getstate__(self) -> dict:
        """Pickled (``matching.snapshot``) without the compiled rows' text arrays: on load they become views
        of the tables' (mapped) arrays again."""
        state = dict(self.__dict__)
        state["_compiled"] = {kind: {i: hit[:3] for i, hit in rows.items()} for kind, rows in self._compiled.items()}
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        light, self._compiled = self._compiled, {}
        for kind in ("offer", "request"):
            self._compiled[kind] = {}
            self._rebind(kind, light.get(kind, {}))

    def _rebind(self, kind: str, cache: dict[int, tuple] | None = None, first_row: int = 0) -> None:
        """Point the compiled rows of ``kind`` (from ``first_row`` of the base table on) at their table's
        arrays (views, not copies; the delta's rows keep their own)."""
        cache = self._compiled.get(kind, {}) if cache is None else cache
        out = self._compiled.setdefault(kind, {})
        for table in (self._tables[kind], self._deltas[kind]):
            if table is None:
                continue
            ptr, ind, dat = table.indptr, table.indices, table.data
            rows = np.flatnonzero(table.alive)
            for row in rows[rows >= first_row].tolist():
                x = table.items[row]
                hit = cache.get(x.id)
                if hit is not None and hit[0] is x:
                    a, b = int(ptr[row]), int(ptr[row + 1])
                    out[x.id] = (x, hit[1], hit[2], ind[a:b], dat[a:b])

    @property
    def _otable(self) -> _Table | None:  # (the base tables, as before)
        return self._tables["offer"]

    @property
    def _rtable(self) -> _Table | None:
        return self._tables["request"]

    def _vector_model(self) -> tuple[str, int]:
        """(model name, dimension) most offers and requests carry vectors of ("", 0): none)."""
        if self._model is None:
            counts: dict[tuple[str, int], int] = {}
            for x in (*self._offers.values(), *self._requests.values()):
                if x.vectors is not None:
                    key = (x.vectors.model, int(x.vectors.vectors.shape[1]))
                    counts[key] = counts.get(key, 0) + 1
            self._model = max(sorted(counts), key=lambda k: counts[k]) if counts else ("", 0)
        return self._model

    def _changed_model(self, item) -> bool:
        if item.vectors is not None and (item.vectors.model, item.vectors.vectors.shape[1]) != self._model:
            self._model = None
            self._reset("offer")
            self._reset("request")
            return True
        return False

    def _reset(self, kind: str) -> None:
        self._tables[kind] = self._deltas[kind] = None
        self._delta_ids[kind] = set()

    # ---- maintenance
    def offer(self, offer_id: int) -> OfferData | None:
        """The indexed offer (with its vectors), or None."""
        return self._offers.get(offer_id)

    def request(self, request_id: int) -> RequestData | None:
        """The indexed request (with its vectors), or None."""
        return self._requests.get(request_id)

    def upsert_offer(self, offer: OfferData) -> None:
        """Add or replace an offer: its row is compiled into the delta table; nothing else is compiled again."""
        self._offers[offer.id] = offer
        if not self._changed_model(offer):
            self._changed("offer", offer.id, True)

    def remove_offer(self, offer_id: int) -> None:
        if self._offers.pop(offer_id, None) is not None:
            self._changed("offer", offer_id, False)

    def upsert_request(self, request: RequestData) -> None:
        """Add or replace a request (as ``upsert_offer``)."""
        self._requests[request.id] = request
        if not self._changed_model(request):
            self._changed("request", request.id, True)

    def remove_request(self, request_id: int) -> None:
        if self._requests.pop(request_id, None) is not None:
            self._changed("request", request_id, False)

    def _changed(self, kind: str, item_id: int, present: bool) -> None:
        base = self._tables[kind]
        if base is None:
            return  # compiled whole on first use
        base.kill(item_id)
        ids = self._delta_ids[kind]
        if present:
            ids.add(item_id)
        else:
            ids.discard(item_id)
        self._deltas[kind] = None
        if len(ids) > DELTA_ROWS:
            self._merge(kind)
        elif base.dead > max(DELTA_ROWS, base.n // 3):
            self._reset(kind)  # mostly dead rows: compiled whole again on next use

    def _merge(self, kind: str) -> _Table:
        """The base table with the delta's rows appended (no text analysed again)."""
        base, delta = self._table(kind), self._delta(kind)
        if delta is not None:
            first = base.n
            self._tables[kind] = base = _Table.merged(base, delta)
            self._deltas[kind], self._delta_ids[kind] = None, set()
            self._rebind(kind, first_row=first)
        return base

    def _table(self, kind: str) -> _Table:
        if self._tables[kind] is None:
            items = self._offers if kind == "offer" else self._requests
            self._tables[kind] = _Table([items[i] for i in sorted(items)], self, kind)
            self._deltas[kind], self._delta_ids[kind] = None, set()
            self._rebind(kind)
        return self._tables[kind]

    def _delta(self, kind: str) -> _Table | None:
        ids = self._delta_ids[kind]
        if not ids:
            return None
        if self._deltas[kind] is None:
            items = self._offers if kind == "offer" else self._requests
            self._deltas[kind] = _Table([items[i] for i in sorted(ids)], self, kind, replace_cache=False)
        return self._deltas[kind]

    def _sides(self, kind: str) -> list[_Table]:
        """The tables a query reads: the base and the delta (when there is one)."""
        base = self._table(kind)
        delta = self._delta(kind)
        return [base] if delta is None else [base, delta]

    def _offer_table(self) -> _Table:
        """All offers in one table (the delta merged in)."""
        self._table("offer")
        return self._merge("offer")

    def _request_table(self) -> _Table:
        self._table("request")
        return self._merge("request")

    def build(self) -> None:
        """Compile both sides now (otherwise done lazily on first query)."""
        self._offer_table()
        self._request_table()

    # ---- candidates
    def _place_offer_rows(self, O: _Table, country: str, areas: Iterable[str]) -> np.ndarray:
        rows = _union([O.anywhere, O.by_country.get(country)] + [O.by_area.get(a) for a in sorted(areas)])
        return rows[O.ok[rows]] if len(rows) else rows

    def _topic_offer_rows(self, O: _Table, request: RequestData) -> np.ndarray:
        concepts = T.concepts_of(T.analyse(request.text))
        return _union([O.by_theme.get(t) for t in sorted(request.themes)]
                      + [O.by_concept.get(c) for c in sorted(concepts)])

    def _candidates_in(self, O: _Table, request: RequestData) -> np.ndarray:
        place = self._place_offer_rows(O, request.country, request.areas)
        if O.anyvec and self._has_model_vectors(request):
            return place  # the text alone may make any offer relevant
        topic = self._topic_offer_rows(O, request)
        return np.intersect1d(place, topic, assume_unique=True)

    def candidate_offer_rows(self, request: RequestData) -> np.ndarray:
        """Rows (of ``_offer_table()``: the delta merged in) of offers that deliver there, are open, and share a
        theme or a concept (with vectors: every offer that delivers there)."""
        return self._candidates_in(self._offer_table(), request)

    def candidate_count(self, request: RequestData) -> int:
        """How many offers ``offers_for`` scores for this request (the pruning's result)."""
        return sum(len(self._candidates_in(O, request)) for O in self._sides("offer"))

    def _has_model_vectors(self, item) -> bool:
        model, dim = self._vector_model()
        return item.vectors is not None and item.vectors.model == model and item.vectors.vectors.shape[1] == dim

    # ---- queries
    def offers_for(self, request: RequestData, limit: int = 10) -> list[Suggestion]:
        """Top ``limit`` offers for ``request`` (indexed or not), best first."""
        top: list[tuple[int, float, int]] = []
        R = None
        for O in self._sides("offer"):
            oo = self._candidates_in(O, request)
            if len(oo) == 0:
                continue
            if R is None:
                R = _Table([request], self, "request", grow_vocab=False)
            if R.anyvec and O.anyvec and R.model == O.model:
                # with vectors: the rebuild's bound, so only the few pairs that can reach the top are scored
                _at, ids, scores, _withv, _strong = _block_top(R, np.zeros(1, dtype=np.int64), O, oo,
                                                               len(self._vocab), limit)
                top += [(oid, sc, 0) for oid, sc in zip(ids.tolist(), scores.tolist())]
                continue
            score, mask = _score_block(R, np.zeros(1, dtype=np.int64), O, oo, len(self._vocab))
            top += _top(score[0], mask[0], O.ids[oo], limit)
        top.sort(key=lambda t: (-t[1], t[0]))
        return [self._suggest(request, self._offers[oid], s) for oid, s, _ in top[:limit]]

    def requests_for(self, offer: OfferData, limit: int = 10) -> list[RequestSuggestion]:
        """Top ``limit`` indexed requests for ``offer``, best first."""
        if not (offer.active and has_capacity(offer)):
            return []
        top: list[tuple[int, float, int]] = []
        O = None
        concepts = None
        for R in self._sides("request"):
            if offer.anywhere:
                place = np.arange(R.n, dtype=np.int64)
            else:
                place = _union([R.by_country.get(c) for c in sorted(offer.countries)]
                               + [R.by_area.get(a) for a in sorted(offer.regions)])
            if R.anyvec and self._has_model_vectors(offer):
                rr = place
            else:
                if concepts is None:
                    concepts = T.concepts_of(T.analyse(offer.text))
                topic = _union([R.by_theme.get(t) for t in sorted(offer.themes)]
                               + [R.by_concept.get(c) for c in sorted(concepts)])
                rr = np.intersect1d(place, topic, assume_unique=True)
            rr = rr[R.alive[rr]] if len(rr) else rr
            if len(rr) == 0:
                continue
            if O is None:
                O = _Table([offer], self, "offer", grow_vocab=False)
            score, mask = _score_block(R, rr, O, np.zeros(1, dtype=np.int64), len(self._vocab))
            top += _top(score[:, 0], mask[:, 0], R.ids[rr], limit)
        top.sort(key=lambda t: (-t[1], t[0]))
        out = []
        for rid, s, _ in top[:limit]:
            sug = self._suggest(self._requests[rid], offer, s)
            out.append(RequestSuggestion(rid, sug.score, sug.reasons, sug.strong))
        return out

    def rebuild_all(self, limit: int = 10,
                    progress: Callable[[int, int], None] | None = None) -> dict[int, list[Suggestion]]:
        """Top ``limit`` offers for every indexed request.  Requests sharing a place
        (country and areas) share their place candidates and are scored as one block.

        The cyclic garbage collector is paused meanwhile: the 100 000 suggestions made here hold no
        cycles (reference counting frees them), and the collections their allocations would trigger
        scan every object the index holds (0.3 s of a 2 s rebuild)."""
        paused = gc.isenabled()
        gc.disable()
        try:
            return self._rebuild_all(limit, progress)
        finally:
            if paused:
                gc.enable()

    def _rebuild_all(self, limit: int, progress: Callable[[int, int], None] | None) -> dict[int, list[Suggestion]]:
        O = self._offer_table()
        R = self._request_table()
        ncols = len(self._vocab)
        groups: dict[tuple, list[int]] = {}
        for row, r in enumerate(R.items):
            if not R.alive[row]:
                continue
            groups.setdefault((r.country, tuple(sorted(r.areas))), []).append(row)
        out: dict[int, list[Suggestion]] = {}
        offers, make = self._offers, self._reasons
        done, n = 0, int(np.count_nonzero(R.alive))
        if progress:
            progress(0, n)
        for (country, areas), rows in sorted(groups.items()):
            place = self._place_offer_rows(O, country, areas)
            rows_arr = np.array(rows, dtype=np.int64)
            if len(place) == 0:
                for row in rows:
                    out[int(R.ids[row])] = []
            else:
                # topic pruning for the block: offers sharing a theme or concept with any request
                t_mask = np.bitwise_or.reduce(R.theme[rows_arr])
                c_mask = np.bitwise_or.reduce(R.conc[rows_arr])
                keep = ((O.theme[place] & t_mask) != 0) | ((O.conc[place] & c_mask) != 0)
                if O.anyvec and R.hasvec[rows_arr].any():
                    keep |= O.hasvec[place]
                oo = place[keep]
                for start in range(0, len(rows_arr), _BLOCK_ROWS):
                    rr = rows_arr[start:start + _BLOCK_ROWS]
                    if not len(oo):
                        out.update((int(R.ids[row]), []) for row in rr)
                        continue
                    at, *top = _block_top(R, rr, O, oo, ncols, limit)
                    at = at.tolist()
                    oids, scores, withv, strong = (a.tolist() for a in top)
                    for i, row in enumerate(rr.tolist()):
                        # (what _suggest does, written out: 100 000 suggestions are made here)
                        req = R.items[row]
                        a, b = at[i], at[i + 1]
                        out[req.id] = [Suggestion(oid, sc, LazyReasons(make, req, offers[oid], w), st)
                                       for oid, sc, w, st in zip(oids[a:b], scores[a:b], withv[a:b], strong[a:b])]
            done += len(rows)
            if progress:
                progress(done, n)
        return out

    def _suggest(self, request: RequestData, offer: OfferData, score: float,
                 with_vectors: bool | None = None) -> Suggestion:
        if with_vectors is None:
            with_vectors = self._has_model_vectors(request) and self._has_model_vectors(offer)
        return Suggestion(offer.id, score, LazyReasons(self._reasons, request, offer, with_vectors),
                          score >= (NO_MATCH_BELOW if with_vectors else NO_MATCH_BELOW_LEXICON))

    def _reasons(self, request: RequestData, offer: OfferData, with_vectors: bool) -> tuple[Reason, ...]:
        cos = T.cosine(T.vector(request.text), T.vector(offer.text))
        sim = embedding_sim(request, offer) if with_vectors else None
        return reasons_for(request, offer, _parts(request, offer, cos, sim))
