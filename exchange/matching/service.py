"""Feeding the matching engine from the database, and reading its suggestions for people.

The engine (`engine.py`) is plain Python over plain data. This module turns rows into its
`RequestData` / `OfferData`, keeps one in-process index per database, and brings that index up to
date before every read: a cheap query of what changed since the last look (offers, requests and
matches by `updated_at`) upserts only those records, so suggestions stay current when a request or
an offer changes without rebuilding everything. Suggestions a person sees are filtered through
the access policy. `rebuild_suggestions` stores every request's top offers in the `suggestions`
table: a dated snapshot for `flask matching rebuild` and for analysis; pages and the API always read
live suggestions from the index.

Stored text vectors (`models.TextVector`, kept current by `refresh.py`) go to the engine with each
record: only those of the configured model whose text hash is the record's present text's (a
stale vector is never used: that record is scored by the lexicon until it is re-embedded). The
index notices vectors stored since its last look (by `computed_at`) as it notices edited records.
"""
from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from flask import current_app
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import and_, delete, func, or_, select, union_all
from sqlalchemy.orm import selectinload

from exchange.core.extensions import db
from exchange.core.i18n import format_percent, speaking
from exchange.core.models import utcnow
from exchange.core.statuses import MatchStatus, OfferStatus, RequestStatus
from exchange.matches.models import Match, Suggestion
from exchange.matching.embeddings import TextVectors
from exchange.matching.engine import MatchingIndex, OfferData, Reason, RequestData
from exchange.matching.models import MatchingChange
from exchange.matching.reasons import codes, say_all
from exchange.matching.store import TEXT_FIELDS, load_vectors, parts_of, text_columns, text_hash
from exchange.offers.fields import OFFER
from exchange.offers.models import Offer
from exchange.offers.policy import offer_scope
from exchange.people.models import Organisation
from exchange.reference.models import Country
from exchange.reference.names import name
from exchange.requests.fields import REQUEST
from exchange.requests.models import AssistanceRequest, request_themes
from exchange.requests.policy import request_scope

# Requests the engine indexes for the reverse direction (offer → requests it could serve).


def _areas(country: Country) -> frozenset[str]:
    return frozenset(country.areas)


def _values(spec, record) -> dict:
    """The fields a spec marks for matching, with the language the record's texts are written in (read
    from the record: the spec may or may not list `content_language`)."""
    values = spec.matching_values(record)
    values.pop("content_language", None)
    return {**values, "language": getattr(record, "content_language", None) or None}


def request_data(req: AssistanceRequest, vectors: TextVectors | None = None) -> RequestData:
    """The engine's view of a request: the fields its spec marks for matching (requests/fields.py), its
    texts' language, its country's M49 areas and its stored text vectors."""
    return RequestData(id=req.id, areas=_areas(req.country), vectors=vectors, **_values(REQUEST, req))


def is_live(offer: Offer, today: date | None = None) -> bool:
    """An offer takes requests while it is active and not past its `available_until` (the matrix's rule too)."""
    today = today or date.today()
    return offer.status == OfferStatus.ACTIVE and (offer.available_until is None or offer.available_until >= today)


def offer_data(offer: Offer, load: int, vectors: TextVectors | None = None) -> OfferData:
    """The engine's view of an offer: the fields its spec marks for matching (offers/fields.py), its texts'
    language, whether it takes requests now, the places its matches hold and its stored text vectors."""
    return OfferData(id=offer.id, active=is_live(offer), load=load, vectors=vectors, **_values(OFFER, offer))


def vector_model() -> str:
    """Name of the model whose stored vectors are used (the model itself is not loaded)."""
    from exchange.matching.refresh import embedder_for
    return embedder_for(current_app).name


def current_vectors(kind: str, records: Iterable, model: str | None = None,
                    stored: dict | None = None) -> dict[int, TextVectors]:
    """The stored vectors of these records that are current (this model, this text), one query
    (none when ``stored`` is given: the rows already loaded)."""
    records = list(records)
    if not records:
        return {}
    if stored is None:
        stored = load_vectors(db.session, kind, model or vector_model(), [r.id for r in records],
                              whole_only=kind == "request")
    out = {}
    for record in records:
        found = stored.get(record.id)
        if found is not None and found[0] == text_hash(parts_of(record)):
            out[record.id] = found[1]
    return out


def _request_query():
    return select(AssistanceRequest).options(
        selectinload(AssistanceRequest.themes), selectinload(AssistanceRequest.modalities),
        selectinload(AssistanceRequest.languages), selectinload(AssistanceRequest.country))


def _offer_query():
    return select(Offer).options(
        selectinload(Offer.themes), selectinload(Offer.modalities), selectinload(Offer.languages),
        selectinload(Offer.countries), selectinload(Offer.regions))


def _loads(offer_ids: Iterable[int] | None = None) -> dict[int, int]:
    stmt = select(Match.offer_id, func.count()).where(Match.status.in_(MatchStatus.BUSY)).group_by(Match.offer_id)
    if offer_ids is not None:
        stmt = stmt.where(Match.offer_id.in_(list(offer_ids)))
    return dict(db.session.execute(stmt).all())


GAP_SECONDS = 600.0          # an id under the highest seen, not yet committed, is looked for this long
STALE_AFTER_SECONDS = 12 * 3600.0   # an index not brought up to date for this long is built (or loaded) again
PRUNE_AFTER_SECONDS = 24 * 3600.0   # data-version rows older than this are deleted (the warm-up job)


@dataclass
class DataVersion:
    """What an index reflects: every ``MatchingChange`` up to ``last``, except the ``gaps`` (ids under ``last``
    not committed when it looked: a PostgreSQL transaction that took its id earlier and commits later, kept
    ``GAP_SECONDS`` (their first notice, epoch seconds) and then given up: rolled back)."""
    last: int = 0
    gaps: dict[int, float] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"last": self.last, "gaps": {str(k): v for k, v in self.gaps.items()}}

    @classmethod
    def from_dict(cls, data: dict) -> DataVersion:
        return cls(int(data["last"]), {int(k): float(v) for k, v in data.get("gaps", {}).items()})


def data_version() -> DataVersion:
    """The present data version (before reading what an index is built from: a change committed meanwhile is
    read again on the first catch-up; ids under the highest that are not there yet are gaps)."""
    last = db.session.scalar(select(func.max(MatchingChange.id))) or 0
    if not last:
        return DataVersion()
    # gaps only among the ids given out in the last GAP_SECONDS (older ones are rolled back or pruned)
    settled = db.session.scalar(select(func.max(MatchingChange.id)).where(
        MatchingChange.at < utcnow() - timedelta(seconds=GAP_SECONDS))) or 0
    low = max(settled + 1, last - 999, 1)
    present = set(db.session.scalars(select(MatchingChange.id).where(MatchingChange.id >= low)))
    now = time.time()
    return DataVersion(last, {i: now for i in range(low, last) if i not in present})


def _changes_since(version: DataVersion) -> tuple[DataVersion, set[int], set[int]]:
    """(the new version, offers changed, requests changed) since ``version``: one primary-key range."""
    M = MatchingChange
    cond = M.id > version.last
    if version.gaps:
        cond = cond | M.id.in_(sorted(version.gaps))
    rows = db.session.execute(select(M.id, M.record_type, M.record_id).where(cond)).all()
    if not rows:
        return version, set(), set()
    now = time.time()
    seen = {r.id for r in rows}
    last = max(version.last, max(seen))
    gaps = {i: t for i, t in version.gaps.items() if i not in seen and now - t < GAP_SECONDS}
    gaps.update((i, now) for i in range(version.last + 1, last) if i not in seen)
    offers = {r.record_id for r in rows if r.record_type == "offer"}
    requests = {r.record_id for r in rows if r.record_type == "request"}
    return DataVersion(last, gaps), offers, requests


@dataclass
class _Cached:
    index: MatchingIndex
    version: DataVersion
    day: date                       # offers that expire are dropped when the day changes
    looked: float = field(default_factory=time.monotonic)  # its last catch-up


_lock = threading.Lock()
_indexes: dict[str, _Cached] = {}
STATS = {"built": 0, "loaded": 0, "caught_up": 0}  # this process's index builds, snapshot loads, catch-ups


def build_index(progress: Callable[[int, int], None] | None = None) -> MatchingIndex:
    """A fresh index of every active offer and every request open to matching."""
    loads = _loads()
    model = vector_model()
    live_offers = [o for o in db.session.scalars(_offer_query().where(Offer.status == OfferStatus.ACTIVE))
                   if is_live(o)]
    live_requests = list(db.session.scalars(
        _request_query().where(AssistanceRequest.status.in_(RequestStatus.LIVE))))
    ov = current_vectors("offer", live_offers, stored=load_vectors(db.session, "offer", model))
    rv = current_vectors("request", live_requests, stored=load_vectors(db.session, "request", model,
                                                                          whole_only=True))
    offers = [offer_data(o, loads.get(o.id, 0), ov.get(o.id)) for o in live_offers]
    requests = [request_data(r, rv.get(r.id)) for r in live_requests]
    return MatchingIndex(offers=offers, requests=requests)


def index_key() -> str:
    """Which index: this database and this vector model."""
    return f"{db.engine.url.render_as_string(hide_password=True)}|{vector_model()}"


def _key() -> str:
    return index_key()


def fresh_index() -> tuple[MatchingIndex, DataVersion]:
    """A new index compiled from the database and the data version it reflects (the version read first)."""
    version = data_version()
    index = build_index()
    index.build()
    return index, version


def current_index() -> MatchingIndex:
    """The process's index for this database, brought up to date with what changed since the last call: from
    the stored snapshot (``snapshot.py``: written by the job worker) when there is a usable one, else built
    here; then only the records whose data version rows are new are read again."""
    from exchange.matching import snapshot
    app = current_app._get_current_object()
    built = False
    with _lock:
        key = _key()
        cached = _indexes.get(key)
        if cached is not None and time.monotonic() - cached.looked > STALE_AFTER_SECONDS:
            cached = None  # the data version rows it would need may be pruned
        if cached is None:
            loaded = snapshot.load(app, key)
            if loaded is not None:
                index, version, day = loaded
                STATS["loaded"] += 1
            else:
                version = data_version()
                index = build_index()
                day = date.today()
                STATS["built"] += 1
                built = True
            cached = _Cached(index, version, day)
            _indexes[key] = cached
        _catch_up(cached)
        index = cached.index
    if built:
        snapshot.request_warm(app)  # the job worker stores one for the other processes and the next start
    return index


def catch_up(index: MatchingIndex, version: DataVersion, day: date) -> tuple[DataVersion, date, bool]:
    """Bring ``index`` (reflecting ``version`` on ``day``) up to date; the version and day it then reflects,
    and whether any record was read again."""
    cached = _Cached(index, version, day)
    changed = _catch_up(cached)
    return cached.version, cached.day, changed


def _catch_up(cached: _Cached) -> bool:
    cached.looked = time.monotonic()
    version, changed_offer_ids, changed_request_ids = _changes_since(cached.version)
    today = date.today()
    if today != cached.day:  # offers whose last day has passed since the last look
        changed_offer_ids |= set(db.session.scalars(select(Offer.id).where(
            Offer.available_until < today, Offer.available_until >= cached.day)))
        cached.day = today
    changed = bool(changed_offer_ids or changed_request_ids)
    if changed:
        STATS["caught_up"] += 1
    if changed_offer_ids:
        loads = _loads(changed_offer_ids)
        changed = list(db.session.scalars(_offer_query().where(Offer.id.in_(changed_offer_ids))))
        vectors = current_vectors("offer", changed)
        gone = set(changed_offer_ids) - {o.id for o in changed}
        for offer in changed:
            if is_live(offer, today):
                cached.index.upsert_offer(offer_data(offer, loads.get(offer.id, 0), vectors.get(offer.id)))
            else:
                cached.index.remove_offer(offer.id)
        for offer_id in gone:  # deleted
            cached.index.remove_offer(offer_id)
    if changed_request_ids:
        changed = list(db.session.scalars(_request_query().where(AssistanceRequest.id.in_(changed_request_ids))))
        vectors = current_vectors("request", changed)
        gone = set(changed_request_ids) - {r.id for r in changed}
        for req in changed:
            if req.status in RequestStatus.LIVE:
                cached.index.upsert_request(request_data(req, vectors.get(req.id)))
            else:
                cached.index.remove_request(req.id)
        for request_id in gone:
            cached.index.remove_request(request_id)
    cached.version = version
    return changed


def forget_indexes() -> None:
    """Drop every cached index (tests; after restoring a database)."""
    with _lock:
        _indexes.clear()


# ------------------------------------------------------------------------------------------------
# What people see.

class _Worded:
    """What a suggestion shows of its reasons (`reasons`, worded by matching.reasons for the reader); the record
    it suggests names the language the quoted texts are written in (`_suggested`)."""

    reasons: tuple[Reason, ...]

    @property
    def reason_texts(self) -> list[str]:
        """The reasons in the reader's language."""
        return say_all(self.reasons)

    @property
    def reason_markup(self) -> list[str]:
        """The reasons for a page: what they quote of the texts marked with its language."""
        return say_all(self.reasons, self._suggested.content_language)

    @property
    def reason_codes(self) -> list[dict]:
        """The reasons as keys and values (the same in every language)."""
        return codes(self.reasons)


@dataclass(frozen=True)
class OfferSuggestion(_Worded):
    offer: Offer
    score: float
    reasons: tuple[Reason, ...]
    strong: bool = True  # False: under the engine's "no strong match" threshold (pages and API say so)

    @property
    def _suggested(self) -> Offer:
        return self.offer


@dataclass(frozen=True)
class RequestSuggestion(_Worded):
    request: AssistanceRequest
    score: float
    reasons: tuple[Reason, ...]
    strong: bool = True

    @property
    def _suggested(self) -> AssistanceRequest:
        return self.request


def suggestions_for_requests(user, reqs: Iterable[AssistanceRequest],
                             limit: int = 10) -> dict[int, list[OfferSuggestion]]:
    """For each request, offers ranked best first (ties by offer id), only those `user` may see: one look-up
    in the index a request, one query for all the offers."""
    index = current_index()
    reqs = list(reqs)
    datas = {req.id: request_data(req) for req in reqs}
    # The index's copy carries its vectors; a request it does not hold (a draft) or holds in another state
    # has them read (one query for all).
    missing = [req for req in reqs if index.request(req.id) != datas[req.id]]
    vectors = current_vectors("request", missing)
    missing_ids = {req.id for req in missing}
    for req in reqs:
        datas[req.id] = replace(datas[req.id], vectors=vectors.get(req.id)) if req.id in missing_ids \
            else index.request(req.id)
    ranked = {req.id: index.offers_for(datas[req.id], limit=max(limit * 3, 30)) for req in reqs}
    ids = sorted({s.offer_id for suggestions in ranked.values() for s in suggestions})
    visible = {o.id: o for o in db.session.scalars(
        select(Offer).options(selectinload(Offer.organisation)).where(Offer.id.in_(ids), offer_scope(user)))} \
        if ids else {}
    # reasons are written when read (engine.LazyReasons): only for the suggestions returned
    return {request_id: [OfferSuggestion(visible[s.offer_id], s.score, tuple(s.reasons), s.strong)
                         for s in [s for s in suggestions if s.offer_id in visible][:limit]]
            for request_id, suggestions in ranked.items()}


def suggestions_for_request(user, req: AssistanceRequest, limit: int = 10) -> list[OfferSuggestion]:
    """Offers ranked for this request, best first (ties by offer id), only those `user` may see."""
    return suggestions_for_requests(user, [req], limit)[req.id]


def suggestions_for_offer(user, offer: Offer, limit: int = 10) -> list[RequestSuggestion]:
    """Requests this offer could serve, best first, only those `user` may see."""
    index = current_index()
    data = offer_data(offer, _loads([offer.id]).get(offer.id, 0))
    if index.offer(offer.id) == data:
        data = index.offer(offer.id)  # with its vectors
    else:
        data = offer_data(offer, data.load, current_vectors("offer", [offer]).get(offer.id))
    ranked = index.requests_for(data, limit=max(limit * 5, 50))
    ids = [s.request_id for s in ranked]
    visible = {r.id: r for r in db.session.scalars(
        select(AssistanceRequest).options(selectinload(AssistanceRequest.country)).where(
            AssistanceRequest.id.in_(ids), request_scope(user)))}
    return [RequestSuggestion(visible[s.request_id], s.score, tuple(s.reasons), s.strong)
            for s in [s for s in ranked if s.request_id in visible][:limit]]


def rebuild_suggestions(limit: int = 10, progress: Callable[[int, int], None] | None = None) -> int:
    """Recompute every indexed request's top offers into the `suggestions` table; returns the rows."""
    forget_indexes()
    index = current_index()
    top = index.rebuild_all(limit=limit, progress=progress)
    now = utcnow()
    db.session.execute(delete(Suggestion))
    with speaking("en"):  # the snapshot is for analysis: its reasons in English
        rows = [{"request_id": request_id, "offer_id": s.offer_id, "score": s.score, "rank": rank,
                 "reasons": say_all(s.reasons), "computed_at": now}
                for request_id, suggestions in top.items() for rank, s in enumerate(suggestions, start=1)]
    if rows:
        db.session.execute(Suggestion.__table__.insert(), rows)
    return len(rows)


def score_of(req: AssistanceRequest, offer: Offer) -> float | None:
    """The engine's score of one pair (None when a hard rule excludes it or nothing relates them)."""
    return selection_of(req, offer)[0]


def selection_of(req: AssistanceRequest, offer: Offer) -> tuple[float | None, list[dict]]:
    """The engine's score of one pair and its reasons as data (`reasons.codes`: the same in every language), as
    a match keeps them when it is proposed; (None, []) when a hard rule excludes the pair or nothing relates them."""
    from exchange.matching.engine import score_pair
    model = vector_model()
    suggestion = score_pair(request_data(req, current_vectors("request", [req], model).get(req.id)),
                            offer_data(offer, _loads([offer.id]).get(offer.id, 0),
                                       current_vectors("offer", [offer], model).get(offer.id)))
    return (suggestion.score, codes(suggestion.reasons)) if suggestion else (None, [])


def worded_reasons(items: Iterable[dict] | None, written_in: str | None = None) -> list[str]:
    """Reasons kept as data (`selection_of`) worded in the reader's language (what they quote marked as written
    in `written_in`); items this version cannot read are left out."""
    fields = {"themes", "modalities", "languages", "terms", "place", "quote", "urgency"}
    reasons = []
    for item in items or ():
        if not isinstance(item, dict) or not isinstance(item.get("key"), str):
            continue
        values = {k: (tuple(v) if isinstance(v, list) else v) for k, v in item.items() if k in fields}
        reasons.append(Reason(item["key"], **values))
    return say_all(reasons, written_in)


# ------------------------------------------------------------------------------------------------
# Overlap: the same need asked twice, or help already given there.

@dataclass(frozen=True)
class _LiveRequest:
    """What overlap detection reads of another request (plain rows: a page may compare with thousands)."""
    id: int
    title: str
    text: str
    status: str
    themes: set[str]


@dataclass(frozen=True)
class Overlap:
    text: str
    link: str
    other_reference: str


OVERLAP_CANDIDATES = 300  # the newest live requests of a country compared by wording (an index range, not a scan)
MOST_SIMILAR = 5          # the other requests shown, the most similar first
MOST_RECENT_DELIVERIES = 5  # the deliveries shown, the newest first


def _candidates(countries: list[str]) -> dict[str, list[_LiveRequest]]:
    """Each country's newest OVERLAP_CANDIDATES live requests (plain rows, their themes): one statement for
    the texts (a union of one index range per country), one for their themes."""
    R = AssistanceRequest
    columns = (R.id, R.country_iso3, R.status, *text_columns("request"))
    parts = [select(*columns).where(R.country_iso3 == country, R.status.in_(RequestStatus.LIVE))
             .order_by(R.id.desc()).limit(OVERLAP_CANDIDATES).subquery() for country in countries]
    rows = [] if not parts else db.session.execute(
        union_all(*(select(part) for part in parts)) if len(parts) > 1 else select(parts[0])).all()
    themes_of: dict[int, set[str]] = defaultdict(set)
    ids = [row.id for row in rows]
    for start in range(0, len(ids), 1_000):
        for request_id, theme in db.session.execute(select(request_themes.c.request_id, request_themes.c.theme_code)
                                                    .where(request_themes.c.request_id.in_(ids[start:start + 1_000]))):
            themes_of[request_id].add(theme)
    live: dict[str, list[_LiveRequest]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: r.id):
        texts = [getattr(row, name) or "" for name in TEXT_FIELDS["request"]]
        live[row.country_iso3].append(_LiveRequest(row.id, row.title, " ".join(texts), row.status,
                                                   themes_of[row.id]))
    return live


@dataclass(frozen=True)
class _Delivery:
    """A match delivering (or having delivered) in a country, as overlap detection reads it."""
    id: int
    request_id: int
    status: str
    provider: str
    title: str
    language: str | None


def _deliveries(reqs: list[AssistanceRequest]) -> dict[int, list[tuple[_Delivery, set[str]]]]:
    """For each request: the newest MOST_RECENT_DELIVERIES matches in delivery or delivered in its country on
    one of its themes (another request's), with the themes they share. One statement takes the newest few
    of each (country, theme) (a window over the matches of those pairs only), one the themes of their requests."""
    R, M, T = AssistanceRequest, Match, request_themes
    pairs = {(req.country_iso3, theme) for req in reqs for theme in req.theme_codes}
    if not pairs:
        return {req.id: [] for req in reqs}
    newest = func.row_number().over(partition_by=(R.country_iso3, T.c.theme_code), order_by=M.id.desc())
    ranked = (select(M.id, M.request_id, M.status, Organisation.code.label("provider"), Offer.title,
                     Offer.content_language.label("language"), R.country_iso3, T.c.theme_code,
                     newest.label("rank"))
              .join(R, R.id == M.request_id).join(T, T.c.request_id == M.request_id)
              .join(Offer, Offer.id == M.offer_id).join(Organisation, Organisation.id == Offer.organisation_id)
              .where(M.status.in_(MatchStatus.DELIVERY),
                     or_(*(and_(R.country_iso3 == country, T.c.theme_code == theme) for country, theme in pairs)))
              .subquery())
    # one more than shown per pair: a request's own match may be among them
    rows = db.session.execute(select(ranked).where(ranked.c.rank <= MOST_RECENT_DELIVERIES + 1)).all()
    by_pair: dict[tuple[str, str], list] = defaultdict(list)
    for row in rows:
        by_pair[(row.country_iso3, row.theme_code)].append(row)
    themes_of: dict[int, set[str]] = defaultdict(set)
    request_ids = sorted({row.request_id for row in rows})
    if request_ids:
        for request_id, theme in db.session.execute(select(T.c.request_id, T.c.theme_code)
                                                    .where(T.c.request_id.in_(request_ids))):
            themes_of[request_id].add(theme)
    result = {}
    for req in reqs:
        themes = set(req.theme_codes)
        found = {row.id: row for theme in themes for row in by_pair[(req.country_iso3, theme)]
                 if row.request_id != req.id}
        newest_first = sorted(found.values(), key=lambda row: row.id, reverse=True)[:MOST_RECENT_DELIVERIES]
        result[req.id] = [(_Delivery(row.id, row.request_id, row.status, row.provider, row.title, row.language),
                           themes & themes_of[row.request_id]) for row in newest_first]
    return result


def overlaps_for_requests(reqs: Iterable[AssistanceRequest], threshold: float = 0.25) -> dict[int, list[Overlap]]:
    """For each request: other live requests of the same country that resemble it (the MOST_SIMILAR most
    similar among the country's newest OVERLAP_CANDIDATES live ones), and assistance under way or delivered
    there on one of its themes (the MOST_RECENT_DELIVERIES newest) — for coordinators, so nobody duplicates
    work. A few statements for any number of requests, each reading a bounded number of rows: the cost does
    not grow with the office's records."""
    from exchange.matching.text import cosine, vector

    reqs = list(reqs)
    R = AssistanceRequest
    live = _candidates(sorted({req.country_iso3 for req in reqs}))
    deliveries = _deliveries(reqs)
    result: dict[int, list[Overlap]] = {}
    for req in reqs:
        themes, similar = set(req.theme_codes), []
        mine = vector(" ".join(parts_of(req)))
        for other in live[req.country_iso3]:
            if other.id == req.id:
                continue
            shared = themes & other.themes
            similarity = cosine(mine, vector(other.text))
            if similarity >= threshold or (shared and similarity >= threshold / 2):
                similar.append((similarity, other, shared))
        similar.sort(key=lambda item: (-item[0], item[1].id))
        found = []
        for similarity, other, shared in similar[:MOST_SIMILAR]:
            reference = R.reference_for(other.id)
            values = {"ref": reference, "title": _as_written(other.title),
                      "status": RequestStatus(other.status).label, "similarity": format_percent(similarity),
                      "themes": _theme_list(shared)}
            text = _marked(_("Resembles %(ref)s “%(title)s” (%(status)s): similar wording (%(similarity)s), both "
                             "on %(themes)s.") if shared else
                           _("Resembles %(ref)s “%(title)s” (%(status)s): similar wording (%(similarity)s)."),
                           values)
            found.append(Overlap(text, f"/requests/{other.id}", reference))
        for match, shared in deliveries[req.id]:
            reference = Match.reference.fget(match)  # the match's reference, from its id
            values = {"provider": match.provider, "country": req.country.label, "themes": _theme_list(shared),
                      "ref": reference, "title": _as_written(match.title, match.language)}
            text = _marked(_("%(provider)s assistance already under way in %(country)s on %(themes)s: %(ref)s "
                             "“%(title)s”.") if match.status == MatchStatus.IN_DELIVERY else
                           _("%(provider)s assistance already delivered in %(country)s on %(themes)s: %(ref)s "
                             "“%(title)s”."), values)
            found.append(Overlap(text, f"/matches/{match.id}", reference))
        result[req.id] = found
    return result


def _as_written(title: str, language: str | None = None) -> Markup:
    """A record's own title inside a sentence of the page's language, marked as written in its own."""
    return Markup('<span lang="{}">{}</span>').format(language or "", title)


def _marked(words: str, values: dict) -> Markup:
    """A translated sentence filled with its values, as Markup (the values escaped, marked titles kept)."""
    return Markup(escape(words)) % values


def _theme_list(codes: Iterable[str]) -> str:
    return ", ".join(name("theme", code) for code in sorted(codes))


def overlaps_for_request(req: AssistanceRequest, threshold: float = 0.25) -> list[Overlap]:
    """Overlaps of one request (see `overlaps_for_requests`)."""
    return overlaps_for_requests([req], threshold)[req.id]


__all__ = ["build_index", "current_index", "forget_indexes", "offer_data", "overlaps_for_request",
           "overlaps_for_requests", "rebuild_suggestions", "request_data", "score_of", "selection_of", "suggestions_for_offer",
           "suggestions_for_request", "suggestions_for_requests", "worded_reasons"]
