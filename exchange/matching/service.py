"""Feeding the matching engine from the database, and reading its suggestions for people.

The engine (`engine.py`) is plain Python over plain data. This module turns rows into its
`RequestData` / `OfferData`, keeps one in-process index per database, and brings that index up to
date before every read: a cheap query of what changed since the last look (offers, requests and
matches by `updated_at`) upserts only those records, so suggestions stay current when a request or
an offer changes without rebuilding everything. Suggestions a person sees are filtered through
the access policy. `rebuild_suggestions` stores every request's top offers in the `suggestions`
table: a dated snapshot for `flask matching rebuild` and for analysis; pages and the API always read
live suggestions from the index.
"""
from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from exchange.core.extensions import db
from exchange.core.models import utcnow
from exchange.core.statuses import MatchStatus, OfferStatus, RequestStatus
from exchange.matches.models import Match, Suggestion
from exchange.matching.engine import MatchingIndex, OfferData, RequestData
from exchange.offers.models import Offer
from exchange.offers.policy import offer_scope
from exchange.reference.models import Country, Region
from exchange.requests.models import AssistanceRequest, request_themes
from exchange.requests.policy import request_scope

# Requests the engine indexes for the reverse direction (offer → requests it could serve).


def _areas(country: Country) -> frozenset[str]:
    return frozenset(country.areas)


def request_data(req: AssistanceRequest) -> RequestData:
    return RequestData(
        id=req.id, country=req.country_iso3, areas=_areas(req.country), themes=frozenset(req.theme_codes),
        modalities=frozenset(req.modality_codes), languages=frozenset(req.language_codes), title=req.title or "",
        description=req.description or "", beneficiary=req.beneficiary or "", desired_start=req.desired_start,
        desired_end=req.desired_end, urgency=req.urgency or "medium")


def is_live(offer: Offer, today: date | None = None) -> bool:
    """An offer takes requests while it is active and not past its `available_until` (the matrix's rule too)."""
    today = today or date.today()
    return offer.status == OfferStatus.ACTIVE and (offer.available_until is None or offer.available_until >= today)


def offer_data(offer: Offer, load: int) -> OfferData:
    return OfferData(
        id=offer.id, active=is_live(offer), countries=frozenset(offer.country_codes),
        regions=frozenset(offer.region_codes), themes=frozenset(offer.theme_codes),
        modalities=frozenset(offer.modality_codes), languages=frozenset(offer.language_codes),
        title=offer.title or "", description=offer.description or "", available_from=offer.available_from,
        available_until=offer.available_until, capacity=offer.capacity, load=load)


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


@dataclass
class _Cached:
    index: MatchingIndex
    seen_offers: datetime | None
    seen_requests: datetime | None
    seen_matches: datetime | None
    day: date                       # offers that expire are dropped when the day changes


_lock = threading.Lock()
_indexes: dict[str, _Cached] = {}


def _latest(column) -> datetime | None:
    return db.session.scalar(select(func.max(column)))


def _names() -> tuple[dict[str, str], dict[str, str]]:
    areas = dict(db.session.execute(select(Region.code, Region.name)).all())
    countries = dict(db.session.execute(select(Country.iso3, Country.name)).all())
    return areas, countries


def build_index(progress: Callable[[int, int], None] | None = None) -> MatchingIndex:
    """A fresh index of every active offer and every request open to matching."""
    loads = _loads()
    offers = [offer_data(o, loads.get(o.id, 0))
              for o in db.session.scalars(_offer_query().where(Offer.status == OfferStatus.ACTIVE)) if is_live(o)]
    requests = [request_data(r) for r in db.session.scalars(
        _request_query().where(AssistanceRequest.status.in_(RequestStatus.LIVE)))]
    areas, countries = _names()
    return MatchingIndex(offers=offers, requests=requests, area_names=areas, country_names=countries)


def _key() -> str:
    return str(db.engine.url)


def current_index() -> MatchingIndex:
    """The process's index for this database, brought up to date with what changed since the last call."""
    with _lock:
        cached = _indexes.get(_key())
        latest = (_latest(Offer.updated_at), _latest(AssistanceRequest.updated_at), _latest(Match.updated_at))
        if cached is None:
            cached = _Cached(build_index(), *latest, date.today())
            _indexes[_key()] = cached
            return cached.index
        _catch_up(cached, latest)
        return cached.index


def _catch_up(cached: _Cached, latest) -> None:
    offers_since, requests_since, matches_since = cached.seen_offers, cached.seen_requests, cached.seen_matches
    changed_offer_ids: set[int] = set()
    today = date.today()
    if today != cached.day:  # offers whose last day has passed since the last look
        changed_offer_ids |= set(db.session.scalars(select(Offer.id).where(
            Offer.available_until < today, Offer.available_until >= cached.day)))
        cached.day = today
    if latest[2] is not None and (matches_since is None or latest[2] > matches_since):
        stmt = select(Match.offer_id)
        if matches_since is not None:
            stmt = stmt.where(Match.updated_at >= matches_since)
        changed_offer_ids |= set(db.session.scalars(stmt))
    if latest[0] is not None and (offers_since is None or latest[0] > offers_since):
        stmt = select(Offer.id)
        if offers_since is not None:
            stmt = stmt.where(Offer.updated_at >= offers_since)
        changed_offer_ids |= set(db.session.scalars(stmt))
    if changed_offer_ids:
        loads = _loads(changed_offer_ids)
        for offer in db.session.scalars(_offer_query().where(Offer.id.in_(changed_offer_ids))):
            if is_live(offer, today):
                cached.index.upsert_offer(offer_data(offer, loads.get(offer.id, 0)))
            else:
                cached.index.remove_offer(offer.id)
    if latest[1] is not None and (requests_since is None or latest[1] > requests_since):
        stmt = _request_query()
        if requests_since is not None:
            stmt = stmt.where(AssistanceRequest.updated_at >= requests_since)
        for req in db.session.scalars(stmt):
            if req.status in RequestStatus.LIVE:
                cached.index.upsert_request(request_data(req))
            else:
                cached.index.remove_request(req.id)
    cached.seen_offers, cached.seen_requests, cached.seen_matches = latest


def forget_indexes() -> None:
    """Drop every cached index (tests; after restoring a database)."""
    with _lock:
        _indexes.clear()


# ------------------------------------------------------------------------------------------------
# What people see.

@dataclass(frozen=True)
class OfferSuggestion:
    offer: Offer
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class RequestSuggestion:
    request: AssistanceRequest
    score: float
    reasons: tuple[str, ...]


def suggestions_for_requests(user, reqs: Iterable[AssistanceRequest],
                             limit: int = 10) -> dict[int, list[OfferSuggestion]]:
    """For each request, offers ranked best first (ties by offer id), only those `user` may see: one look-up
    in the index a request, one query for all the offers."""
    index = current_index()
    ranked = {req.id: index.offers_for(request_data(req), limit=max(limit * 3, 30)) for req in reqs}
    ids = sorted({s.offer_id for suggestions in ranked.values() for s in suggestions})
    visible = {o.id: o for o in db.session.scalars(
        select(Offer).options(selectinload(Offer.organisation)).where(Offer.id.in_(ids), offer_scope(user)))} \
        if ids else {}
    return {request_id: [OfferSuggestion(visible[s.offer_id], s.score, tuple(s.reasons)) for s in suggestions
                         if s.offer_id in visible][:limit]
            for request_id, suggestions in ranked.items()}


def suggestions_for_request(user, req: AssistanceRequest, limit: int = 10) -> list[OfferSuggestion]:
    """Offers ranked for this request, best first (ties by offer id), only those `user` may see."""
    return suggestions_for_requests(user, [req], limit)[req.id]


def suggestions_for_offer(user, offer: Offer, limit: int = 10) -> list[RequestSuggestion]:
    """Requests this offer could serve, best first, only those `user` may see."""
    ranked = current_index().requests_for(offer_data(offer, _loads([offer.id]).get(offer.id, 0)),
                                          limit=max(limit * 5, 50))
    ids = [s.request_id for s in ranked]
    visible = {r.id: r for r in db.session.scalars(
        select(AssistanceRequest).options(selectinload(AssistanceRequest.country)).where(
            AssistanceRequest.id.in_(ids), request_scope(user)))}
    return [RequestSuggestion(visible[s.request_id], s.score, tuple(s.reasons)) for s in ranked
            if s.request_id in visible][:limit]


def rebuild_suggestions(limit: int = 10, progress: Callable[[int, int], None] | None = None) -> int:
    """Recompute every indexed request's top offers into the `suggestions` table; returns the rows."""
    forget_indexes()
    index = current_index()
    top = index.rebuild_all(limit=limit, progress=progress)
    now = utcnow()
    db.session.execute(delete(Suggestion))
    rows = [{"request_id": request_id, "offer_id": s.offer_id, "score": s.score, "rank": rank,
             "reasons": list(s.reasons), "computed_at": now}
            for request_id, suggestions in top.items() for rank, s in enumerate(suggestions, start=1)]
    if rows:
        db.session.execute(Suggestion.__table__.insert(), rows)
    return len(rows)


def score_of(req: AssistanceRequest, offer: Offer) -> float | None:
    """The engine's score of one pair (None when a hard rule excludes it or nothing relates them)."""
    from exchange.matching.engine import score_pair
    suggestion = score_pair(request_data(req), offer_data(offer, _loads([offer.id]).get(offer.id, 0)))
    return suggestion.score if suggestion else None


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


def overlaps_for_requests(reqs: Iterable[AssistanceRequest], threshold: float = 0.25) -> dict[int, list[Overlap]]:
    """For each request: other live requests of the same country that resemble it, and assistance under way
    or delivered there on one of its themes — for coordinators, so nobody duplicates work. Two queries (and
    their eager loads) for any number of requests."""
    from exchange.matching.text import cosine, vector

    reqs = list(reqs)
    countries = sorted({req.country_iso3 for req in reqs})
    R = AssistanceRequest
    in_countries = [R.country_iso3.in_(countries), R.status.in_(RequestStatus.LIVE)]
    themes_of: dict[int, set[str]] = defaultdict(set)
    for request_id, theme in db.session.execute(select(request_themes.c.request_id, request_themes.c.theme_code)
                                                .join(R, R.id == request_themes.c.request_id).where(*in_countries)):
        themes_of[request_id].add(theme)
    live: dict[str, list[_LiveRequest]] = defaultdict(list)
    for row in db.session.execute(select(R.id, R.country_iso3, R.title, R.description, R.beneficiary, R.status)
                                  .where(*in_countries).order_by(R.id)):
        live[row.country_iso3].append(_LiveRequest(row.id, row.title, " ".join(
            [row.title or "", row.description or "", row.beneficiary or ""]), row.status, themes_of[row.id]))
    under_way: dict[str, list[Match]] = defaultdict(list)
    for match in db.session.scalars(
            select(Match).join(Match.request).options(
                selectinload(Match.request).selectinload(AssistanceRequest.themes),
                selectinload(Match.offer).selectinload(Offer.organisation))
            .where(AssistanceRequest.country_iso3.in_(countries), Match.status.in_(MatchStatus.DELIVERY))
            .order_by(Match.id)):
        under_way[match.request.country_iso3].append(match)

    vectors: dict[int, dict] = {}

    def vector_of(request_id: int, text: str):
        if request_id not in vectors:
            vectors[request_id] = vector(text)
        return vectors[request_id]

    result: dict[int, list[Overlap]] = {}
    for req in reqs:
        themes, found = set(req.theme_codes), []
        mine = vector_of(req.id, " ".join([req.title or "", req.description or "", req.beneficiary or ""]))
        for other in live[req.country_iso3]:
            if other.id == req.id:
                continue
            shared = themes & other.themes
            similarity = cosine(mine, vector_of(other.id, other.text))
            if similarity >= threshold or (shared and similarity >= threshold / 2):
                why = f"similar wording ({similarity:.0%})" + (f", both on {', '.join(sorted(shared))}" if shared else "")
                reference = R.reference_for(other.id)
                found.append(Overlap(f"Resembles {reference} “{other.title}” "
                                     f"({other.status.replace('_', ' ')}): {why}.", f"/requests/{other.id}", reference))
        for match in under_way[req.country_iso3]:
            shared = themes & set(match.request.theme_codes)
            if match.request_id != req.id and shared:
                state = "under way" if match.status == MatchStatus.IN_DELIVERY else "delivered"
                found.append(Overlap(
                    f"{match.offer.organisation.code} assistance already {state} in {req.country.name} on "
                    f"{', '.join(sorted(shared))}: {match.reference} “{match.offer.title}”.", f"/matches/{match.id}",
                    match.reference))
        result[req.id] = found
    return result


def overlaps_for_request(req: AssistanceRequest, threshold: float = 0.25) -> list[Overlap]:
    """Overlaps of one request (see `overlaps_for_requests`)."""
    return overlaps_for_requests([req], threshold)[req.id]


__all__ = ["build_index", "current_index", "forget_indexes", "offer_data", "overlaps_for_request",
           "overlaps_for_requests", "rebuild_suggestions", "request_data", "score_of", "suggestions_for_offer",
           "suggestions_for_request", "suggestions_for_requests"]
