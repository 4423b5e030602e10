"""The security events page (admins): sign-ins and their failures, lockouts, MFA and password changes,
tokens issued, revoked and refused, 403s — newest first, filtered by action, person, client address and
dates (queries.filter_security_events, with the audit trail's reading of dates and persons), paginated.
Read-only, like the audit trail the events belong to."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import queries
from ..access import allow
from ..extensions import db
from ..models import AuditEvent
from ..security_events import ACTIONS
from .forms import page_number

bp = Blueprint("security_review", __name__, url_prefix="/admin/security")
PER_PAGE = 50


@bp.route("")
@allow("admin")
def index():
    _, problems = queries.security_event_filters(request.args)
    query = {k: request.args.get(k, "").strip() for k in queries.SECURITY_FILTERS
             if request.args.get(k, "").strip() and k not in problems}
    stmt = queries.sort_audit(queries.filter_security_events(
        select(AuditEvent).options(selectinload(AuditEvent.actor)), query))
    pagination = db.paginate(stmt, page=page_number(), per_page=PER_PAGE, error_out=False)
    return render_template("security/index.html", pagination=pagination, problems=problems, args=request.args,
                           query=query, actions=ACTIONS, title="Security events")
