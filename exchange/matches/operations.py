"""Operations on matches: a coordinator proposes, the provider accepts or declines, delivery starts and
completes, the State confirms; the request's status follows its matches."""
from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from exchange import audit
from exchange.core import workflow
from exchange.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from exchange.core.extensions import db
from exchange.core.models import utcnow
from exchange.core.schemas import ActionIn, ReasonIn, load
from exchange.core.statuses import MatchStatus, OfferStatus, Role
from exchange.matches.models import Match
from exchange.matches.policy import may_propose_match
from exchange.matches.queries import offer_load
from exchange.matches.schemas import ConfirmIn, MatchIn, OutcomeIn
from exchange.messages.notify import Named, coordinators, notify, users_of
from exchange.offers.models import Offer
from exchange.offers.policy import get_offer
from exchange.requests import clock
from exchange.requests.policy import get_request


def propose_match(user, raw: dict) -> Match:
    """A coordinator pairs a request with an offer."""
    if not may_propose_match(user):
        raise Forbidden(_("Only coordinators propose matches."))
    data = load(MatchIn(), raw)
    try:
        req = get_request(user, data["request_id"])
    except NotFound:
        raise ValidationFailed(_("No such request."), {"request_id": [_("No such request.")]}) from None
    try:
        offer = get_offer(user, data["offer_id"])
    except NotFound:
        raise ValidationFailed(_("No such offer."), {"offer_id": [_("No such offer.")]}) from None
    if not may_propose_match(user, req):
        raise Conflict(_("Matches can be proposed only for open requests; %(ref)s is in status “%(status)s”.",
                         ref=req.reference, status=req.status.label))
    if offer.status != OfferStatus.ACTIVE:
        raise Conflict(_("%(ref)s is in status “%(status)s”: only active offers can be matched.",
                         ref=offer.reference, status=OfferStatus(offer.status).label))
    _refuse_second_live_match(req, offer)
    from exchange.matching.service import selection_of
    score, reasons = selection_of(req, offer)  # kept with the match as they stood when it was proposed
    try:
        with db.session.begin_nested():  # a savepoint: a refused insert leaves the rest of the transaction
            match = Match(request=req, offer=offer, proposed_by_id=user.id, note=data.get("note", ""),
                          status=MatchStatus.PROPOSED, score=score, selection_reasons=reasons)
            db.session.add(match)
    except IntegrityError:
        # Someone proposed the same pair since we looked: the partial unique index uq_matches_live_pair
        # (one live match per request and offer) refused ours; say so as the check above does.
        _refuse_second_live_match(req, offer)
        raise
    audit.record(user, "match.proposed", "match", match.id,
                 f"{match.reference}: {req.reference} proposed to {offer.reference} ({offer.organisation.code})",
                 {"status": [None, MatchStatus.PROPOSED], "request": [None, req.id],
                  "offer": [None, offer.id]})
    clock.wind(req)  # the case now waits on the provider
    notify(users_of([offer.organisation_id], (Role.PROVIDER,)), "match.proposed",
           _l("Proposed to you: %(ref)s from %(country)s — %(title)s", ref=req.reference,
              country=Named("country", req.country_iso3, req.country.name), title=req.title),
           exclude=user, about=match)
    notify(users_of([req.organisation_id], (Role.MEMBER_STATE,)), "match.proposed",
           _l("%(provider)s was asked to help with %(ref)s.", provider=Named("organisation", offer.organisation.code, offer.organisation.name),
              ref=req.reference), exclude=user, about=match)
    return match


def _refuse_second_live_match(req, offer) -> None:
    live = db.session.scalar(select(Match).where(Match.request_id == req.id, Match.offer_id == offer.id,
                                                 Match.status.in_(MatchStatus.LIVE)))
    if live is not None:
        raise Conflict(_("%(request)s and %(offer)s are already matched (%(match)s).", request=req.reference,
                         offer=offer.reference, match=live.reference))


def _book_place(offer: Offer) -> None:
    """Refuse an accept that would take the offer beyond its capacity. The offer's row is locked first
    (SELECT … FOR UPDATE on PostgreSQL; SQLite's write transactions are already BEGIN IMMEDIATE), so
    concurrent accepts of matches on one offer count its places one after the other, each seeing the
    others' committed accepts: capacity 3 takes 3, never 4."""
    capacity = db.session.scalar(select(Offer.capacity).where(Offer.id == offer.id).with_for_update())
    if capacity is None:
        return
    busy = db.session.scalar(select(offer_load()).where(Offer.id == offer.id))
    if busy >= capacity:
        raise Conflict(_("%(ref)s is at capacity (%(capacity)s); complete or withdraw another match first, or "
                         "raise its capacity.", ref=offer.reference, capacity=capacity))


MOVE_MESSAGES = {
    "accept": (_l("%(provider)s accepted %(ref)s."), ("state", "coordinators")),
    "decline": (_l("%(provider)s declined %(ref)s: %(text)s"), ("state", "coordinators")),
    "start": (_l("Delivery started on %(ref)s."), ("state", "coordinators", "provider")),
    "complete": (_l("Delivery completed on %(ref)s: %(text)s. Please confirm it and rate it."),
                 ("state", "coordinators", "provider")),
    "confirm": (_l("%(state)s confirmed delivery of %(ref)s and rated it %(rating)s/5."), ("coordinators", "provider")),
    "withdraw": (_l("The Task Force office withdrew %(ref)s."), ("state", "provider")),
}


def match_move(action: str) -> Callable[..., Match]:
    """The operation making the status move `action` (accept, decline, start, complete, confirm, withdraw) on a
    match, called `operation(actor, match, data)`: `{"reason"}` to decline, `{"outcome"}` to complete,
    `{"rating", "comment"}` to confirm, otherwise nothing but an optional `version`."""
    return workflow.move_operation("match", action, _move_match)


def _move_match(user, match: Match, action: str, raw: dict | None) -> Match:
    move = workflow.check_move("match", action, user, match)
    raw = {} if raw is None else raw
    text, rating = "", None
    before = match.status
    now = utcnow()
    if action == "decline":
        text = match.decline_reason = load(ReasonIn(), raw)["reason"]
    elif action == "complete":
        text = match.outcome = load(OutcomeIn(), raw)["outcome"]
        match.completed_at = now
    elif action == "confirm":
        data = load(ConfirmIn(), raw)
        rating, match.rating, match.feedback, match.confirmed_at = data["rating"], data["rating"], data["comment"], now
    else:
        if isinstance(raw, dict):  # a note or reason sent along is ignored, as it always was
            raw = {k: v for k, v in raw.items() if k not in ("note", "reason")}
        load(ActionIn(), raw)
        if action == "accept":
            _book_place(match.offer)
            match.accepted_at = now
        elif action == "start":
            match.started_at = now
    match.status = move.target_from(before)
    match.status_changed_at = now
    db.session.flush()
    audit.record(user, f"match.{action}", "match", match.id,
                 f"{match.reference}: {move.english_label.lower()}" + (f" — {text}" if text else ""),
                 {"status": [before, match.status]} | ({"rating": [None, rating]} if rating else {}))
    sync_request_status(user, match.request)
    _tell(user, match, action, text, rating)
    return match


def sync_request_status(user, req) -> None:
    """Move the request to follow its matches (matched, in delivery, completed, open again): the system move
    of the workflow table that applies, made on the system's behalf after `user`'s move of a match."""
    statuses = [m.status for m in db.session.scalars(select(Match).where(Match.request_id == req.id))]
    move = workflow.following_move(req.status, statuses)
    clock.wind(req)  # a match proposed or moved may hand the case to a provider, or back to the office
    if move is not None:
        before = req.status
        target = req.status = move.target_from(before)
        req.status_changed_at = utcnow()
        clock.wind(req)
        db.session.flush()
        audit.record(user, "request.followed_matches", "request", req.id,
                     f"{req.reference} is now {target.english_label.lower()}",
                     {"status": [before, target]})


def _tell(user, match: Match, action: str, text: str, rating) -> None:
    template, audiences = MOVE_MESSAGES[action]
    req, offer = match.request, match.offer

    values = {"provider": Named("organisation", offer.organisation.code, offer.organisation.name), "text": text,
              "ref": f"{match.reference} ({req.reference})", "rating": rating,
              "state": Named("country", req.country_iso3, req.country.name)}
    recipients = []
    if "state" in audiences:
        recipients += users_of([req.organisation_id], (Role.MEMBER_STATE,))
    if "coordinators" in audiences:
        recipients += coordinators()
    if "provider" in audiences:
        recipients += users_of([offer.organisation_id], (Role.PROVIDER,))
    notify(recipients, f"match.{action}", template, values=values, exclude=user, about=match)


def save_queue_view(user, raw: dict):
    """Save the case queue's current filters under a name of the coordinator's own (the same name again
    replaces that view's filters). `raw`: {"name", "query"}; the query is read through the queue's filters
    and written back, so only what the queue understands is kept."""
    from urllib.parse import parse_qs, urlencode

    from exchange.matches.models import TriageView
    from exchange.matches.queue import QueueFilters
    if user.role != Role.COORDINATOR:
        raise Forbidden(_("Only coordinators keep views of the case queue."))
    name = " ".join(str(raw.get("name", "")).split())
    if not 1 <= len(name) <= 80:
        raise ValidationFailed(_("Give the view a name."), {"name": [_("Enter a name of 1 to 80 characters.")]})
    filters, problems = QueueFilters.parse(parse_qs(str(raw.get("query", ""))[:1000]))
    if problems:
        raise ValidationFailed(_("Some filters are not valid."), problems)
    query = urlencode(filters.as_args())
    view = db.session.scalar(select(TriageView).where(TriageView.user_id == user.id, TriageView.name == name))
    if view is None:
        view = TriageView(user_id=user.id, name=name, query=query)
        db.session.add(view)
    else:
        view.query = query
    db.session.flush()
    return view


def delete_queue_view(user, view_id: int) -> None:
    """Remove one of the coordinator's own saved views (another person's is not found)."""
    from exchange.matches.models import TriageView
    view = db.session.get(TriageView, view_id)
    if view is None or view.user_id != user.id:
        raise NotFound(_("No such view."))
    db.session.delete(view)
    db.session.flush()
