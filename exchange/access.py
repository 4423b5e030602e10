"""The one access policy: who may enter each route, see each record, and change it.

Every page and API endpoint declares its rule with `@allow(...)`; `enforce_route_rule` (a
before-request hook) refuses what the rule does not let in, and a test walks `app.url_map` so
that no route can go without one. Record-level questions ("may this user see this request?",
"which requests may this user see?") are answered here too, as SQL filters, so that lists,
pages, search, exports and the API all agree.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request
from sqlalchemy import and_, exists, false, or_, select, true

from .errors import Forbidden, NotFound
from .extensions import db
from .models import AssistanceRequest, Match, Offer, Organisation, as_id
from .models.assistance import request_shares

PUBLIC = "public"
ROLES = ("member_state", "provider", "coordinator", "admin")
OFFICE_ROLES = ("coordinator", "admin")  # the Task Force office


@dataclass(frozen=True)
class RouteRule:
    """Who may enter a route: nobody signed in (public), or these roles; `approved` asks for an
    approved organisation (an outside provider awaiting approval may only reach the routes without it)."""

    roles: frozenset[str]
    public: bool = False
    approved: bool = True

    def admits(self, user) -> bool:
        if self.public:
            return True
        if not getattr(user, "is_authenticated", False):
            return False
        if user.role not in self.roles:
            return False
        return not self.approved or user.organisation.is_approved


def allow(*roles: str, approved: bool = True):
    """Declare who may enter the decorated view: `allow(PUBLIC)`, `allow("coordinator", "admin")`, `allow(*ROLES)`."""
    if roles == (PUBLIC,):
        rule = RouteRule(frozenset(), public=True, approved=False)
    else:
        unknown = set(roles) - set(ROLES)
        if unknown or not roles:
            raise ValueError(f"unknown roles {unknown}")
        rule = RouteRule(frozenset(roles), approved=approved)

    def decorate(view):
        view.access_rule = rule
        return view

    return decorate


STATIC_ENDPOINTS = {"static", "bootstrap.static"}


def rule_for(endpoint: str | None) -> RouteRule | None:
    if endpoint is None:
        return None
    if endpoint in STATIC_ENDPOINTS:
        return RouteRule(frozenset(), public=True, approved=False)
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "access_rule", None)


def may_enter(user, endpoint: str) -> bool:
    """Whether the route's rule admits `user` (pages show links only to where a person may go)."""
    rule = rule_for(endpoint)
    return rule is not None and rule.admits(user)


class RouteDenied(Exception):
    """Raised by the route check; pages turn it into a login redirect or 403, the API into 401/403."""

    def __init__(self, signed_in: bool):
        self.signed_in = signed_in


def enforce_route_rule(user) -> None:
    """Refuse the current request unless its route's rule admits `user`. Routes without a rule are closed."""
    if request.endpoint is None:  # 404/405: let the error handlers answer
        return
    if not may_enter(user, request.endpoint):
        raise RouteDenied(getattr(user, "is_authenticated", False))


# --------------------------------------------------------------------------------------------
# Records: what each person may see.

ACCEPTED_REQUEST_STATUSES = ("open", "matched", "in_delivery", "completed", "closed")
# Requests a coordinator can still propose matches for.
MATCHABLE_REQUEST_STATUSES = ("open", "matched", "in_delivery")


def request_scope(user):
    """SQL filter: the assistance requests `user` may see."""
    R = AssistanceRequest
    if not getattr(user, "is_authenticated", False) or not user.active:
        return false()
    own_state = and_(R.organisation_id == user.organisation_id)
    if user.role == "member_state":
        return own_state
    if not user.organisation.is_approved:
        return false()
    not_draft = R.status != "draft"
    if user.role in ("coordinator", "admin"):
        return not_draft
    # provider
    org = user.organisation
    takes_part = exists().where(Match.request_id == R.id, Match.offer_id == Offer.id,
                                Offer.organisation_id == org.id)
    shared = exists().where(request_shares.c.request_id == R.id, request_shares.c.organisation_id == org.id)
    by_visibility = [
        and_(R.visibility == "restricted", shared),
        and_(R.visibility == "providers", R.status.in_(ACCEPTED_REQUEST_STATUSES)),
    ]
    if org.kind == "task_force_entity":
        by_visibility.append(R.visibility.in_(("task_force", "providers")))
    return and_(not_draft, or_(takes_part, *by_visibility))


def offer_scope(user):
    """SQL filter: the offers `user` may see. The directory is open to every signed-in person;
    closed offers only to their provider and the Task Force office."""
    if not getattr(user, "is_authenticated", False) or not user.active:
        return false()
    if user.role in ("coordinator", "admin"):
        return true()
    own = Offer.organisation_id == user.organisation_id
    if user.role == "provider" and not user.organisation.is_approved:
        return own
    return or_(own, Offer.status != "closed")


def match_scope(user):
    """SQL filter: the matches `user` takes part in (all of them for the Task Force office)."""
    if not getattr(user, "is_authenticated", False) or not user.active:
        return false()
    if user.role in ("coordinator", "admin"):
        return true() if user.organisation.is_approved else false()
    if user.role == "member_state":
        return Match.request_id.in_(select(AssistanceRequest.id).where(
            AssistanceRequest.organisation_id == user.organisation_id))
    if not user.organisation.is_approved:
        return false()
    return Match.offer_id.in_(select(Offer.id).where(Offer.organisation_id == user.organisation_id))


def visible_requests(user):
    return select(AssistanceRequest).where(request_scope(user))


def visible_offers(user):
    return select(Offer).where(offer_scope(user))


def visible_matches(user):
    return select(Match).where(match_scope(user))


def _scope_of(record):
    for model, scope in ((AssistanceRequest, request_scope), (Offer, offer_scope), (Match, match_scope)):
        if isinstance(record, model):
            return model, scope
    raise TypeError(f"No visibility rule for {type(record).__name__}")


def _sees_organisation(user, org: Organisation) -> bool:
    return bool(user.active) and (user.organisation_id == org.id or is_office(user))


def may_see(user, record) -> bool:
    """Whether `user` may see this request, offer or match (its scope filter asked of the one row), or this
    organisation's own news (its members and the Task Force office)."""
    return bool(who_may_see([user], record))


def who_may_see(users, record) -> list:
    """Those of `users` who may see `record`, in order: every notification, e-mail, reminder and thread
    recipient list passes through here (notify.notify). The scopes depend only on a person's role,
    organisation and being active, so one query answers each such group, not each person."""
    users = [u for u in users if u is not None]
    if isinstance(record, Organisation):
        return [u for u in users if _sees_organisation(u, record)]
    model, scope = _scope_of(record)
    answers: dict[tuple, bool] = {}
    result = []
    for user in users:
        key = (user.role, user.organisation_id, bool(user.active))
        if key not in answers:
            answers[key] = db.session.scalar(
                select(model.id).where(model.id == record.id, scope(user))) is not None
        if answers[key]:
            result.append(user)
    return result


def _get_visible(model, scope, user, record_id):
    record_id = as_id(record_id)
    if record_id is None:
        raise NotFound(f"No such {_label(model).lower()}.")
    record = db.session.scalar(select(model).where(model.id == record_id, scope(user)))
    if record is None:
        raise NotFound(f"{_label(model)} {record_id} does not exist or is not visible to you.")
    return record


def _label(model) -> str:
    return {"AssistanceRequest": "Request", "Offer": "Offer", "Match": "Match"}.get(model.__name__, "Record")


def get_request(user, request_id) -> AssistanceRequest:
    """The request if `user` may see it; NotFound otherwise, exactly as for one that does not exist."""
    return _get_visible(AssistanceRequest, request_scope, user, request_id)


def get_offer(user, offer_id) -> Offer:
    return _get_visible(Offer, offer_scope, user, offer_id)


def get_match(user, match_id) -> Match:
    return _get_visible(Match, match_scope, user, match_id)


# --------------------------------------------------------------------------------------------
# Records: who may change what (the status moves live in workflow.py and ask these).

REQUEST_STATE_EDITABLE = ("draft", "submitted", "in_review", "needs_info")
REQUEST_ENDED = ("rejected", "withdrawn", "closed", "completed")


def is_requesting_state(user, req: AssistanceRequest) -> bool:
    return user.role == "member_state" and user.organisation_id == req.organisation_id


def is_offer_provider(user, offer: Offer) -> bool:
    return user.role == "provider" and user.organisation_id == offer.organisation_id \
        and user.organisation.is_approved


def is_office(user) -> bool:
    return user.role in OFFICE_ROLES and user.organisation.is_approved


def may_file_request(user) -> bool:
    return user.role in ("member_state", "coordinator")


def may_edit_request(user, req: AssistanceRequest) -> bool:
    if is_requesting_state(user, req):
        return req.status in REQUEST_STATE_EDITABLE
    return user.role == "coordinator" and req.status != "draft" and req.status not in REQUEST_ENDED


def require_edit_request(user, req: AssistanceRequest) -> None:
    if not may_edit_request(user, req):
        if is_requesting_state(user, req):
            raise Forbidden("This request can no longer be edited by its State: a coordinator has accepted it. "
                            "Write to the Task Force office in its messages instead.")
        raise Forbidden("You may not edit this request.")


def may_share_request(user, req: AssistanceRequest | None = None) -> bool:
    """Coordinators share a request with named providers (when filing it on a State's behalf, too)."""
    return user.role == "coordinator"


def may_propose_match(user, req: AssistanceRequest | None = None) -> bool:
    """Coordinators propose matches, for a request that is open to matching (if one is named)."""
    return user.role == "coordinator" and (req is None or req.status in MATCHABLE_REQUEST_STATUSES)


def may_post_offer(user) -> bool:
    return (user.role == "provider" and user.organisation.is_approved) or is_office(user)


def may_edit_offer(user, offer: Offer) -> bool:
    return is_offer_provider(user, offer) or is_office(user)


def require_edit_offer(user, offer: Offer) -> None:
    if not may_edit_offer(user, offer):
        raise Forbidden("Only the offer's provider or the Task Force office may change this offer.")


def may_manage_tokens_of(actor, owner) -> bool:
    """Whether `actor` may issue, see and revoke `owner`'s API tokens: the owner, an admin, or the command
    line (no actor)."""
    return actor is None or actor.id == owner.id or actor.role == "admin"


def may_see_audit(user) -> bool:
    return is_office(user)


def may_see_overlaps(user) -> bool:
    """Overlap warnings link to other States' requests and to matches: the Task Force office only."""
    return is_office(user)


def may_see_message_thread(user, record) -> bool:
    """Threads follow the record: whoever may see a request or match may read and write its thread."""
    if isinstance(record, AssistanceRequest):
        return record.status != "draft" or is_requesting_state(user, record)
    return True


def may_see_request_suggestions(user, req: AssistanceRequest) -> bool:
    """Coordinators (and admins) always; the requesting State once its request is open; providers who may
    see the request (the offers shown are those they may see)."""
    if user.role in (*OFFICE_ROLES, "provider"):
        return True
    return is_requesting_state(user, req) and req.status in ACCEPTED_REQUEST_STATUSES


def require_see_request_suggestions(user, req: AssistanceRequest) -> None:
    if not may_see_request_suggestions(user, req):
        raise Forbidden("Suggestions are shown to the requesting State once its request is open.")


def may_see_offer_suggestions(user, offer: Offer) -> bool:
    """The offer's provider and the Task Force office."""
    return may_edit_offer(user, offer)


def require_see_offer_suggestions(user, offer: Offer) -> None:
    if not may_see_offer_suggestions(user, offer):
        raise Forbidden("Only the offer's provider and the Task Force office see its suggested requests.")
