"""The security events page (admins): sign-ins and their failures, lockouts, MFA and password changes,
tokens issued, revoked and refused, 403s — newest first, filtered by action, person, client address and
dates (filters.SecurityEventFilters, with the audit trail's reading of dates and persons), paginated.
Read-only, like the audit trail the events belong to."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from exchange.audit.filters import SecurityEventFilters
from exchange.audit.models import AuditEvent
from exchange.audit.queries import filter_security_events, sort_audit
from exchange.audit.security_events import ACTIONS
from exchange.audit.words import action_words
from exchange.core.access import allow
from exchange.core.extensions import db
from exchange.core.statuses import Role
from exchange.web.forms import page_number, problem_messages

bp = Blueprint("security_review", __name__, url_prefix="/admin/security", template_folder="templates")
PER_PAGE = 50


@bp.route("")
@allow(Role.ADMIN)
def index():
    filters, problems = SecurityEventFilters.parse(request.args)
    stmt = sort_audit(filter_security_events(
        select(AuditEvent).options(selectinload(AuditEvent.actor)), filters))
    pagination = db.paginate(stmt, page=page_number(), per_page=PER_PAGE, error_out=False)
    return render_template("security/index.html", pagination=pagination, problems=problem_messages(problems),
                           args=request.args, query=filters.as_args(), actions=ACTIONS, title=_("Security events"),
                           action_words=action_words)
