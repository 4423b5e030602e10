"""What every template may use: labels, formatting, the navigation for the signed-in role."""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape

from exchange.core import workflow
from exchange.core.access import is_office, is_requesting_state, may_enter
from exchange.core.statuses import MatchStatus, RequestStatus, Role
from exchange.people.models import ORG_KIND_LABELS
from exchange.reference.names import name as reference_name
from exchange.reference.names import organisation_name

NAV = {
    Role.MEMBER_STATE: [
        ("home.index", _l("Home")), ("requests.index", _l("My requests")),
        ("requests.new", _l("New request")), ("offers.index", _l("Offers")),
        ("directory.index", _l("Directory")), ("reports.matrix", _l("Matrix")),
        ("reports.dashboard", _l("Dashboard")), ("matches.index", _l("Matches")),
        ("inbox.index", _l("Inbox")),
    ],
    Role.PROVIDER: [
        ("home.index", _l("Home")), ("requests.index", _l("Requests")), ("offers.index", _l("Offers")),
        ("directory.index", _l("Directory")), ("reports.matrix", _l("Matrix")),
        ("reports.dashboard", _l("Dashboard")), ("imports.offers", _l("Import offers")),
        ("iati_import.upload", _l("Import IATI")),
        ("matches.index", _l("Matches")), ("inbox.index", _l("Inbox")),
    ],
    Role.COORDINATOR: [
        ("home.index", _l("Home")), ("triage.queue", _l("Triage")), ("requests.index", _l("Requests")),
        ("offers.index", _l("Offers")), ("directory.index", _l("Directory")),
        ("matches.index", _l("Matches")), ("admin.providers", _l("Providers")),
        ("reports.matrix", _l("Matrix")), ("reports.dashboard", _l("Dashboard")),
        ("reports.progress", _l("Reports")), ("request_imports.upload", _l("Import requests")),
        ("audit_trail.index", _l("Audit trail")), ("inbox.index", _l("Inbox")),
    ],
    Role.ADMIN: [
        ("home.index", _l("Home")), ("requests.index", _l("Requests")), ("offers.index", _l("Offers")),
        ("directory.index", _l("Directory")), ("admin.users", _l("Users")),
        ("admin.organisations", _l("Organisations")), ("admin.providers", _l("Providers")),
        ("reference_admin.index", _l("Working groups")), ("reports.matrix", _l("Matrix")), ("reports.dashboard", _l("Dashboard")),
        ("reports.progress", _l("Reports")), ("matches.index", _l("Matches")),
        ("audit_trail.index", _l("Audit trail")), ("security_review.index", _l("Security events")),
        ("inbox.index", _l("Inbox")),
    ],
}


def status_badge(kind: str, status: str) -> Markup:
    """A request's, match's or offer's status as a coloured badge with its label (the colour is never the
    only sign: the label is always written); its colour is the status's own (/statuses.css)."""
    member = workflow.STATUSES[kind].of(status)
    if member is None:
        return Markup(f'<span class="badge badge-status text-bg-secondary">{escape(status)}</span>')
    return Markup(f'<span class="badge badge-status {member.css_class}">{escape(member.label)}</span>')


def changed_fields(record_type: str, names) -> str:
    """The fields an edit changed, by their labels in the reader's language ("Desired start, Budget")."""
    from exchange.offers.fields import OFFER
    from exchange.requests.fields import REQUEST
    spec = {"request": REQUEST, "offer": OFFER}.get(record_type)
    return ", ".join(spec.labels_of(names) if spec else names)


def register(app: Flask) -> None:
    # The filters `date`, `datetime`, `number`, `money` and `percent` write values per locale: core/i18n.py.
    # Pure helpers only (no query, no matching engine): a page's data is loaded by its view (core/panels.py
    # for the parts other areas show); tests/web/test_template_globals.py holds every global to that.
    # The access policy's answers, for templates that show a link or a button only to who may use it.
    app.jinja_env.globals.update(
        may_enter=lambda endpoint: may_enter(current_user, endpoint),
        is_office=is_office, is_requesting_state=is_requesting_state, status_badge=status_badge,
        changed_fields=changed_fields,
        # Names of reference codes and organisations in the reader's language.
        reference_name=reference_name, organisation_name=organisation_name)

    @app.context_processor
    def inject():
        nav = []
        if current_user.is_authenticated:
            nav = [(endpoint, str(label)) for endpoint, label in NAV.get(current_user.role, [])
                   if may_enter(current_user, endpoint)]
        return {"nav_items": nav, "role_labels": Role.labels(), "org_kind_labels": ORG_KIND_LABELS,
                "RequestStatus": RequestStatus, "MatchStatus": MatchStatus}
