"""Who may enter each route (`@allow`, checked before every request by the guard), and the questions of
role and organisation that every area's policy and the move tables ask ("is this the requesting State?",
"is this the Task Force office?"). What each person may *see* is each area's `policy.py`, answered as SQL
filters; `core/visibility.py` asks those filters of one record.

Every page and API endpoint declares its rule with `@allow(...)`; `enforce_route_rule` refuses what the
rule does not let in, and a test walks `app.url_map` so that no route can go without one.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request

from exchange.core.statuses import Role

PUBLIC = "public"


@dataclass(frozen=True)
class RouteRule:
    """Who may enter a route: nobody signed in (public), or these roles; `approved` asks for an
    approved organisation (an outside provider awaiting approval may only reach the routes without it)."""

    roles: frozenset[Role]
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


def allow(*roles: Role | str, approved: bool = True):
    """Declare who may enter the decorated view: `allow(PUBLIC)`, `allow(*Role.OFFICE)`, `allow(*Role)`."""
    if roles == (PUBLIC,):
        rule = RouteRule(frozenset(), public=True, approved=False)
    else:
        unknown = set(roles) - set(Role)
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


def is_requesting_state(user, req) -> bool:
    """`user` speaks for the State that filed this request."""
    return user.role == Role.MEMBER_STATE and user.organisation_id == req.organisation_id


def is_offer_provider(user, offer) -> bool:
    return user.role == Role.PROVIDER and user.organisation_id == offer.organisation_id \
        and user.organisation.is_approved


def is_office(user) -> bool:
    return user.role in Role.OFFICE and user.organisation.is_approved


def may_edit_offer(user, offer) -> bool:
    """The offer's (approved) provider or the Task Force office: the offer moves ask it too."""
    return is_offer_provider(user, offer) or is_office(user)


def may_see_audit(user) -> bool:
    return is_office(user)


def may_see_overlaps(user) -> bool:
    """Overlap warnings link to other States' requests and to matches: the Task Force office only."""
    return is_office(user)
