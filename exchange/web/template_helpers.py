"""What every template may use: labels, formatting, the navigation for the signed-in role."""
from __future__ import annotations

from flask import Flask
from flask_login import current_user
from markupsafe import Markup, escape

from exchange.core import workflow
from exchange.core.access import is_office, is_requesting_state, may_enter
from exchange.core.statuses import MatchStatus, RequestStatus, Role
from exchange.people.models import ORG_KIND_LABELS

NAV = {
    Role.MEMBER_STATE: [
        ("home.index", "Home"), ("requests.index", "My requests"), ("requests.new", "New request"),
        ("offers.index", "Offers"), ("directory.index", "Directory"), ("reports.matrix", "Matrix"),
        ("reports.dashboard", "Dashboard"), ("matches.index", "Matches"), ("inbox.index", "Inbox"),
    ],
    Role.PROVIDER: [
        ("home.index", "Home"), ("requests.index", "Requests"), ("offers.index", "Offers"),
        ("directory.index", "Directory"), ("reports.matrix", "Matrix"), ("reports.dashboard", "Dashboard"),
        ("imports.offers", "Import offers"), ("matches.index", "Matches"), ("inbox.index", "Inbox"),
    ],
    Role.COORDINATOR: [
        ("home.index", "Home"), ("triage.queue", "Triage"), ("requests.index", "Requests"),
        ("offers.index", "Offers"), ("directory.index", "Directory"), ("matches.index", "Matches"),
        ("admin.providers", "Providers"), ("reports.matrix", "Matrix"), ("reports.dashboard", "Dashboard"),
        ("reports.progress", "Reports"), ("audit_trail.index", "Audit trail"), ("inbox.index", "Inbox"),
    ],
    Role.ADMIN: [
        ("home.index", "Home"), ("requests.index", "Requests"), ("offers.index", "Offers"),
        ("directory.index", "Directory"), ("admin.users", "Users"), ("admin.organisations", "Organisations"),
        ("admin.providers", "Providers"), ("reports.matrix", "Matrix"), ("reports.dashboard", "Dashboard"),
        ("reports.progress", "Reports"), ("matches.index", "Matches"), ("audit_trail.index", "Audit trail"),
        ("security_review.index", "Security events"), ("inbox.index", "Inbox"),
    ],
}


def status_badge(kind: str, status: str) -> Markup:
    """A request's, match's or offer's status as a coloured badge with its label (the colour is never the
    only sign: the label is always written)."""
    member = workflow.STATUSES[kind].of(status)
    label, colour = (member.label, member.colour) if member else (status, "secondary")
    return Markup(f'<span class="badge badge-status text-bg-{escape(colour)}">{escape(label)}</span>')


def register(app: Flask) -> None:
    # The filters `date`, `datetime`, `number`, `money` and `percent` write values per locale: core/i18n.py.
    # Pure helpers only (no query, no matching engine): a page's data is loaded by its view (core/panels.py
    # for the parts other areas show); tests/web/test_template_globals.py holds every global to that.
    # The access policy's answers, for templates that show a link or a button only to who may use it.
    app.jinja_env.globals.update(
        may_enter=lambda endpoint: may_enter(current_user, endpoint),
        is_office=is_office, is_requesting_state=is_requesting_state, status_badge=status_badge)

    @app.context_processor
    def inject():
        nav = []
        if current_user.is_authenticated:
            nav = [(endpoint, label) for endpoint, label in NAV.get(current_user.role, [])
                   if may_enter(current_user, endpoint)]
        return {"nav_items": nav, "role_labels": Role.labels(), "org_kind_labels": ORG_KIND_LABELS,
                "RequestStatus": RequestStatus, "MatchStatus": MatchStatus}
