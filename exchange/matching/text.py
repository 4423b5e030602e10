"""Text analysis for matching: normalisation, domain-lexicon concepts, light stemming
and frozen TF-IDF weighting.

``analyse(text)`` turns a request or offer text (any of en/fr/es/ru/ar/zh) into tokens:

* ``#concept`` tokens for every lexicon phrase found (language independent, so a
  French request and an English offer meet there), plus an ``@theme`` token for the
  theme the concept belongs to (a softer, broader match);
* stemmed plain words (Snowball stemmer of the detected language) for what the
  lexicon does not know, after dropping stopwords and words every text here uses.

``vector(text)`` weights them (sublinear tf x idf, l2-normalised).  The idf is frozen:
it is learned once from a background corpus shipped with the package (the UN
Secretary-General's report A/62/898 on the Strategy and the Task Force working-group
page, one document per paragraph), so the similarity of two texts depends on those two
texts only.  That keeps ``score_pair`` exactly equal to what the index computes, makes
results independent of the order offers were added, and makes upserts O(1).
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import snowballstemmer

from exchange.matching.lexicon import CONCEPTS, CONCEPTS_BY_ID, GENERIC_WORDS, STOPWORDS, ZH_TERMS

CONCEPT_WEIGHT = 4.0      # weight of a #concept token (plain words use their idf)
THEME_TOKEN_WEIGHT = 1.5  # weight of an @theme token
MODALITY_WEIGHT = 1.0     # weight of a modality concept (training, workshop...)
UNKNOWN_IDF_CAP = 4.5     # idf given to words the background never saw

_HAN_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# a run of Han characters is a token of its own (Chinese has no spaces; "1540号决议" -> 1540, 号决议)
_WORD = re.compile(rf"[{_HAN_CHARS}]+|[^\W{_HAN_CHARS}]+", re.UNICODE)
_AR_PREFIXES = ("وال", "بال", "كال", "فال", "لل", "ال")
_STEMMER_LANG = {"en": "english", "fr": "french", "es": "spanish", "ru": "russian", "ar": "arabic"}


def _fold(text: str) -> str:
    """Lower-case, fold accents/diacritics, unify Arabic letter variants."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return (text.replace("ـ", "").replace("ة", "ه").replace("ى", "ي")
            .replace("ß", "ss").replace("œ", "oe").replace("æ", "ae"))


def _arabic_light(tok: str) -> str:
    if tok and "\u0600" <= tok[0] <= "\u06ff":
        for p in _AR_PREFIXES:
            if tok.startswith(p) and len(tok) - len(p) >= 2:
                return tok[len(p):]
    return tok


def _is_han(tok: str) -> bool:
    return "\u3400" <= tok[0] <= "\u9fff" or "\uf900" <= tok[0] <= "\ufaff"


def tokenize(text: str) -> list[str]:
    """Folded word tokens, Arabic article stripped."""
    return [_arabic_light(t) for t in _WORD.findall(_fold(text)) if t != "_"]


_STOP = frozenset(_arabic_light(w) for w in (_fold(s) for s in STOPWORDS))
_STOP_BY_LANG = {
    "fr": frozenset(["le", "la", "les", "des", "du", "une", "et", "pour", "avec", "dans", "sur", "aux", "au", "est", "nos", "notre", "ces", "cette"]),
    "es": frozenset(["el", "los", "las", "del", "una", "y", "para", "con", "por", "sobre", "al", "es", "nuestro", "nuestra"]),
    "en": frozenset(["the", "of", "and", "for", "with", "to", "in", "on", "our", "is", "are", "this", "that"]),
}


@cache
def _stemmer(lang: str):
    return snowballstemmer.stemmer(_STEMMER_LANG[lang])


@lru_cache(maxsize=200_000)
def _stem(lang: str, word: str) -> str:
    if len(word) <= 3 or word.isdigit():
        return word
    return _stemmer(lang if lang in _STEMMER_LANG else "en").stemWord(word)


def _generic_stems() -> frozenset[str]:
    out = set()
    for w in GENERIC_WORDS:
        w = _arabic_light(_fold(w))
        out.add(w)
        for lang in _STEMMER_LANG:
            out.add(_stem(lang, w))
    return frozenset(out)


_GENERIC = _generic_stems()


# --------------------------------------------------------------------------- lexicon compile

@dataclass(frozen=True)
class _Pattern:
    words: tuple[tuple[str, bool], ...]  # (text, is_prefix)
    concepts: tuple[str, ...]
    chars: int


def _compile():
    merged: dict[tuple, set[str]] = {}
    for concept in CONCEPTS:
        for pat in concept.patterns:
            words: list[tuple[str, bool]] = []
            for raw in pat.split():
                star = raw.endswith("*")
                toks = tokenize(raw.rstrip("*"))
                for i, t in enumerate(toks):
                    words.append((t, star and i == len(toks) - 1))
            kept = [w for w in words if w[0] not in _STOP or w[1]] or words
            if kept:
                merged.setdefault(tuple(kept), set()).add(concept.id)
    first: dict[tuple[str, bool], list[_Pattern]] = {}
    for words, concepts in merged.items():
        p = _Pattern(words, tuple(sorted(concepts)), sum(len(w) for w, _ in words))
        first.setdefault(words[0], []).append(p)
    for lst in first.values():
        lst.sort(key=lambda p: (-len(p.words), -p.chars))
    return first


_FIRST = _compile()


def _compile_han() -> dict[str, tuple[str, ...]]:
    terms: dict[str, set[str]] = {}
    for cid, group in ZH_TERMS.items():
        for term in group.split("|"):
            term = _fold(term.strip())
            if term:
                terms.setdefault(term, set()).add(cid)
    return {t: tuple(sorted(c)) for t, c in terms.items()}


_HAN_TERMS = _compile_han()
_HAN_MAX = max(map(len, _HAN_TERMS), default=1)


def han_concepts(run: str) -> list[tuple[str, tuple[str, ...]]]:
    """(term, concept ids) of the lexicon's Chinese terms found in a run of Han characters, scanned left
    to right, the longest term at each position first."""
    out, i, n = [], 0, len(run)
    while i < n:
        for k in range(min(_HAN_MAX, n - i), 0, -1):
            hit = _HAN_TERMS.get(run[i:i + k])
            if hit:
                out.append((run[i:i + k], hit))
                i += k
                break
        else:
            i += 1
    return out
_MAX_PREFIX = max(len(w) for (w, star) in _FIRST if star)


@lru_cache(maxsize=200_000)
def _candidates(tok: str) -> tuple[_Pattern, ...]:
    found = list(_FIRST.get((tok, False), ()))
    for k in range(1, min(len(tok), _MAX_PREFIX) + 1):
        found.extend(_FIRST.get((tok[:k], True), ()))
    if len(tok) > 3 and tok[0] == "و":
        found.extend(_candidates(_arabic_light(tok[1:])))
    found.sort(key=lambda p: (-len(p.words), -p.chars))
    return tuple(dict.fromkeys(found))


def _word_match(tok: str, w: tuple[str, bool]) -> bool:
    if (tok.startswith(w[0]) if w[1] else tok == w[0]):
        return True
    # Arabic conjunction "wa-" glued to the word: "وتمويل" = "and financing"
    return len(tok) > 3 and tok[0] == "و" and _word_match(_arabic_light(tok[1:]), w)


def _match_at(toks: list[str], i: int, p: _Pattern) -> int:
    """End position if pattern ``p`` matches at ``i`` (one extra word may sit between
    two pattern words: "freeze terrorist assets"), else 0."""
    j = i + 1
    gap = 1
    for w in p.words[1:]:
        if j < len(toks) and _word_match(toks[j], w):
            j += 1
        elif gap and j + 1 < len(toks) and _word_match(toks[j + 1], w):
            j += 2
            gap = 0
        else:
            return 0
    return j


def _detect_language(tokens: list[str]) -> str:
    cyr = ar = han = han_tokens = 0
    for t in tokens:
        c = t[0]
        if "\u0400" <= c <= "\u04ff":
            cyr += 1
        elif "\u0600" <= c <= "\u06ff":
            ar += 1
        elif _is_han(t):
            han += len(t)  # characters: a Chinese clause is one token
            han_tokens += 1
    latin = len(tokens) - cyr - ar - han_tokens
    if han > 2 * latin and han >= cyr and han >= ar:
        return "zh"
    if cyr > latin and cyr >= ar:
        return "ru"
    if ar > latin:
        return "ar"
    hits = {lang: sum(1 for t in tokens if t in sw) for lang, sw in _STOP_BY_LANG.items()}
    best = max(("en", "fr", "es"), key=lambda lang: (hits[lang], lang == "en"))
    return best


# --------------------------------------------------------------------------- analysis

@dataclass(frozen=True)
class Analysis:
    """Tokens of a text and, for each token, the words to show in a reason."""

    tokens: tuple[str, ...]
    labels: dict[str, str]
    language: str


def _emit(cids: tuple[str, ...], out: list[str], labels: dict[str, str]) -> None:
    """The tokens of matched concepts: ``#concept`` and its ``@theme`` (generic ones: nothing)."""
    for cid in cids:
        c = CONCEPTS_BY_ID[cid]
        if c.kind == "generic":
            continue
        key = "#" + cid
        out.append(key)
        labels.setdefault(key, c.label)
        if c.theme:
            out.append("@" + c.theme)


@lru_cache(maxsize=50_000)
def analyse(text: str) -> Analysis:
    """Concept tokens, theme tokens and stemmed plain words of ``text``."""
    raw = tokenize(text)
    lang = _detect_language(raw) if raw else "en"
    toks = [t for t in raw if t not in _STOP]
    out: list[str] = []
    labels: dict[str, str] = {}
    i, n = 0, len(toks)
    while i < n:
        tok = toks[i]
        if _is_han(tok):
            for term, cids in han_concepts(tok):
                _emit(cids, out, labels)
            i += 1
            continue
        matched = None
        end = i + 1
        for p in _candidates(tok):
            if not _word_match(tok, p.words[0]):
                continue
            end = _match_at(toks, i, p)
            if end:
                matched = p
                break
        if matched is not None:
            _emit(matched.concepts, out, labels)
            i = end
            continue
        i += 1
        if len(tok) < 3 or tok.isdigit() or tok in _GENERIC:
            continue
        stem = _stem(lang, tok)  # (Latin words of a Chinese text: the English stemmer)
        if stem in _GENERIC:
            continue
        out.append(stem)
        labels.setdefault(stem, tok)
    return Analysis(tuple(out), labels, lang)


def concepts_of(analysis: Analysis) -> frozenset[str]:
    """Topic concept ids found (modality and generic concepts excluded)."""
    return frozenset(t[1:] for t in analysis.tokens
                     if t[0] == "#" and CONCEPTS_BY_ID[t[1:]].kind == "topic")


# --------------------------------------------------------------------------- weighting

def _background_idf() -> tuple[dict[str, float], float]:
    path = Path(__file__).with_name("data") / "background.txt"
    paras = [p for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    df: dict[str, int] = {}
    for p in paras:
        for t in set(analyse(p).tokens):
            df[t] = df.get(t, 0) + 1
    n = len(paras)
    idf = {t: math.log((1 + n) / (1 + d)) + 1.0 for t, d in df.items()}
    return idf, min(math.log(1 + n) + 1.0, UNKNOWN_IDF_CAP)


_IDF, _IDF_UNKNOWN = _background_idf()


def token_weight(tok: str) -> float:
    """Global weight of one token (idf for plain words, fixed for concepts)."""
    c = tok[0]
    if c == "#":
        return MODALITY_WEIGHT if CONCEPTS_BY_ID[tok[1:]].kind == "modality" else CONCEPT_WEIGHT
    if c == "@":
        return THEME_TOKEN_WEIGHT
    return _IDF.get(tok, _IDF_UNKNOWN)


def analyse_uncached(text: str) -> Analysis:
    """``analyse`` without keeping the result (the index compiles thousands of texts once and keeps
    what it needs of them; the cache is for the few texts reasons are written for)."""
    return analyse.__wrapped__(text)


@lru_cache(maxsize=50_000)
def vector(text: str) -> dict[str, float]:
    """l2-normalised sublinear TF-IDF vector of ``text`` as {token: weight}."""
    return vector_of(analyse(text))


def vector_of(analysis: Analysis) -> dict[str, float]:
    """``vector`` of an analysed text."""
    counts: dict[str, int] = {}
    for t in analysis.tokens:
        counts[t] = counts.get(t, 0) + 1
    vec = {t: (1.0 + math.log(c)) * token_weight(t) for t, c in counts.items()}
    norm = math.sqrt(sum(v * v for v in vec.values()))
    if norm == 0:
        return {}
    return {t: v / norm for t, v in sorted(vec.items())}


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    """Cosine of two normalised vectors."""
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b[t] for t, v in a.items() if t in b)


def shared_terms(a: Analysis, va: dict[str, float], vb: dict[str, float], k: int = 3) -> list[str]:
    """Words to show for the strongest shared tokens (concept labels first), using
    the wording of the first text."""
    shared = [(va[t] * vb[t], t) for t in va.keys() & vb.keys() if t[0] != "@"]
    shared.sort(key=lambda x: (-x[0], x[1]))
    out: list[str] = []
    for _, t in shared:
        label = a.labels.get(t, t)
        if label and label not in out:
            out.append(label)
        if len(out) == k:
            break
    return out
