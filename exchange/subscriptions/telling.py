"""Telling the owners of saved searches of new records: after each commit that files, submits or moves a
request, or posts or moves an offer, a job (`subscriptions.tell`) asks each saved search of that kind whether
the records are among what its owner may see (the access policy's scope: a draft, or a restricted request
not shared with the owner, never is) and match its filters (the list's own query), and are new since the
search was saved. Each match is written once (SubscriptionHit's unique pair) and told through `notify`, which
asks the access policy again and follows the owner's preferences: one notification per new matching record,
however often the record changes or the job runs."""
from __future__ import annotations

import logging

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, inspect, select
from sqlalchemy.orm import Session

from exchange.core import noted
from exchange.core.errors import ValidationFailed
from exchange.core.extensions import db
from exchange.jobs.queue import job
from exchange.messages.notify import notify
from exchange.offers.models import Offer
from exchange.offers.policy import offer_scope
from exchange.offers.queries import filter_offers
from exchange.people.models import User
from exchange.requests.models import AssistanceRequest
from exchange.requests.policy import request_scope
from exchange.requests.queries import filter_requests
from exchange.subscriptions.models import SavedSearch, SubscriptionHit
from exchange.subscriptions.operations import filters_of

log = logging.getLogger(__name__)
# kind → (model, the policy's scope, the list's query, the moment a record became new)
KINDS = {"request": (AssistanceRequest, request_scope, filter_requests, AssistanceRequest.submitted_at),
         "offer": (Offer, offer_scope, filter_offers, Offer.created_at)}
MESSAGES = {"request": _l("%(ref)s matches your saved search “%(search)s”: %(title)s"),
            "offer": _l("%(ref)s matches your saved search “%(search)s”: %(title)s")}


def matching_ids(search: SavedSearch, owner: User, ids: list[int]) -> list[int]:
    """Those of these records that the owner may see, that match the search and that it has not told of."""
    model, scope, narrow, since = KINDS[search.record_type]
    try:
        filters = filters_of(search.record_type, search.params or {})
    except ValidationFailed:  # a filter no longer understood (a code withdrawn): the search tells nothing
        log.warning("Saved search %s has filters that are no longer understood", search.id)
        return []
    stmt = narrow(select(model.id).where(model.id.in_(ids), scope(owner), since >= search.created_at,
                                         ~exists().where(SubscriptionHit.search_id == search.id,
                                                         SubscriptionHit.record_id == model.id)), filters)
    return list(db.session.scalars(stmt))


def tell_subscribers_now(kind: str, ids: list[int]) -> int:
    """Tell every saved search's owner of these records it matches; the caller commits. Returns how many
    notifications were added."""
    model = KINDS[kind][0]
    searches = list(db.session.scalars(select(SavedSearch).join(User, User.id == SavedSearch.user_id)
                                       .where(SavedSearch.record_type == kind, User.active.is_(True))))
    told = 0
    for search in searches:
        found = matching_ids(search, search.user, ids)
        if not found:
            continue
        records = db.session.scalars(select(model).where(model.id.in_(found)).order_by(model.id))
        for record in records:
            db.session.add(SubscriptionHit(search_id=search.id, record_id=record.id))
            told += notify([search.user], f"subscription.{kind}", MESSAGES[kind], about=record,
                           values={"ref": record.reference, "search": search.name, "title": record.title})
    return told


@job("subscriptions.tell")
def tell_subscribers(kind: str, ids: list[int]) -> int:
    told = tell_subscribers_now(kind, ids)
    db.session.commit()  # a second run finds the hits and adds nothing (a concurrent one: the unique pair)
    return told


# ------------------------------------------------------------------------------------------------
# Which records became new or moved in a transaction.

def _kind(obj) -> str | None:
    if isinstance(obj, AssistanceRequest):
        return "request"
    if isinstance(obj, Offer):
        return "offer"
    return None


def _new_or_moved(session: Session) -> list[tuple[str, int]]:
    """(kind, id) of the requests and offers this flush added or moved."""
    found = []
    for obj in list(session.new) + list(session.dirty):
        kind = _kind(obj)
        if kind is None or obj.id is None:
            continue
        if obj not in session.new and not inspect(obj).attrs["status"].history.has_changes():
            continue
        found.append((kind, obj.id))
    return found


def _tell(noted: list[tuple[str, int]]) -> None:
    for kind in ("request", "offer"):
        ids = sorted({i for k, i in noted if k == kind})
        if ids:
            try:
                tell_subscribers(kind, ids)
            except Exception:  # the queue out of reach: logged (records stay findable by the list itself)
                log.exception("Could not queue telling subscribers of %s %s", kind, ids)


def register() -> None:
    """Listen for new and moved records (once per process)."""
    noted.after_commit("subscriptions", _new_or_moved, _tell)
