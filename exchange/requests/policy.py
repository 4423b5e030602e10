"""Assistance requests: who may see them (the SQL scope, registered with core.visibility), file, edit and
share them."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import and_, exists, false, or_, select

from exchange.core import visibility
from exchange.core.access import is_requesting_state
from exchange.core.errors import Forbidden
from exchange.core.statuses import RequestStatus, Role, Visibility
from exchange.requests.models import AssistanceRequest, request_shares

# More ways a provider comes to see a request, added by the areas above (matches: its offers are matched to
# it): each is (user, the requests' table) -> SQL condition.
PROVIDER_GRANTS: list = []


def request_scope(user):
    """SQL filter: the assistance requests `user` may see."""
    R = AssistanceRequest
    if not getattr(user, "is_authenticated", False) or not user.active:
        return false()
    own_state = and_(R.organisation_id == user.organisation_id)
    if user.role == Role.MEMBER_STATE:
        return own_state
    if not user.organisation.is_approved:
        return false()
    not_draft = R.status != RequestStatus.DRAFT
    if user.role in Role.OFFICE:
        return not_draft
    # provider
    org = user.organisation
    shared = exists().where(request_shares.c.request_id == R.id, request_shares.c.organisation_id == org.id)
    by_visibility = [
        and_(R.visibility == Visibility.RESTRICTED, shared),
        and_(R.visibility == Visibility.PROVIDERS, R.status.in_(RequestStatus.ACCEPTED)),
    ]
    if org.kind == "task_force_entity":
        by_visibility.append(R.visibility.in_((Visibility.TASK_FORCE, Visibility.PROVIDERS)))
    return and_(not_draft, or_(*(grant(user, R) for grant in PROVIDER_GRANTS), *by_visibility))


visibility.register(AssistanceRequest, "Request", scope=request_scope)


def visible_requests(user):
    return select(AssistanceRequest).where(request_scope(user))


def get_request(user, request_id) -> AssistanceRequest:
    """The request if `user` may see it; NotFound otherwise, exactly as for one that does not exist."""
    return visibility.get_visible(AssistanceRequest, user, request_id)


def may_file_request(user) -> bool:
    return user.role in (Role.MEMBER_STATE, Role.COORDINATOR)


def files_for_own_state(user) -> bool:
    """A State's focal points file for their own State only; a coordinator chooses the State it files for
    (the operation holds it, and the form offers the choice only to those who have it)."""
    return user.role == Role.MEMBER_STATE


def require_file_request(user) -> None:
    if not may_file_request(user):
        raise Forbidden(_("Only Member States' focal points and coordinators file requests."))


def may_edit_request(user, req: AssistanceRequest) -> bool:
    if is_requesting_state(user, req):
        return req.status in RequestStatus.EDITABLE_BY_STATE
    return (user.role == Role.COORDINATOR and req.status != RequestStatus.DRAFT
            and req.status not in RequestStatus.ENDED)


def require_edit_request(user, req: AssistanceRequest) -> None:
    if not may_edit_request(user, req):
        if is_requesting_state(user, req):
            raise Forbidden(_("This request can no longer be edited by its State: a coordinator has accepted it. "
                              "Write to the Task Force office in its messages instead."))
        raise Forbidden(_("You may not edit this request."))


def may_share_request(user, req: AssistanceRequest | None = None) -> bool:
    """Coordinators share a request with named providers (when filing it on a State's behalf, too)."""
    return user.role == Role.COORDINATOR


def may_assign_request(user, req: AssistanceRequest | None = None) -> bool:
    """Coordinators own cases: each assigns a case to themselves or to another coordinator."""
    return user.role == Role.COORDINATOR and (req is None or req.status in RequestStatus.LIVE)


def may_own_request(user) -> bool:
    """Who can be a case's owner: an active coordinator."""
    return user is not None and user.active and user.role == Role.COORDINATOR


def request_scope_classes(user) -> tuple[dict[Visibility, tuple[RequestStatus, ...]], bool]:
    """The part of `request_scope(user)` that depends only on a request's visibility class and status, for
    reports read from counts (reports/summary.py): {visibility: the statuses in which *every* request of that
    class is visible to `user`}, and whether that is the whole scope (True) or the rest is per record (a
    State's own requests, a provider's shares and matches). Kept beside request_scope so both change together;
    tests/reports/test_summary.py checks, role by role, that the classes and the rest add up to the scope."""
    if not getattr(user, "is_authenticated", False) or not user.active:
        return {}, True
    if user.role == Role.MEMBER_STATE:
        return {}, False
    if not user.organisation.is_approved:
        return {}, True
    every_status = tuple(s for s in RequestStatus if s != RequestStatus.DRAFT)
    if user.role in Role.OFFICE:
        return {v: every_status for v in Visibility}, True
    classes = {Visibility.PROVIDERS: tuple(RequestStatus.ACCEPTED)}
    if user.organisation.kind == "task_force_entity":
        classes = {Visibility.TASK_FORCE: every_status, Visibility.PROVIDERS: every_status}
    return classes, False
