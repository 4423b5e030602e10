"""The audit trail page (coordinators and admins): every audit event with who, when and what, filtered
by record, person and dates (filters.AuditFilters, the same reading as the export), paginated. Read-only:
the trail is append-only, and nothing here (or anywhere) edits or deletes an event."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from exchange.audit.filters import AUDIT_RECORD_TYPES, AuditFilters
from exchange.audit.models import AuditEvent
from exchange.audit.queries import filter_audit, sort_audit
from exchange.audit.words import action_words, record_type_words
from exchange.core.access import allow
from exchange.core.extensions import db
from exchange.core.statuses import Role
from exchange.web.forms import page_number, problem_messages

bp = Blueprint("audit_trail", __name__, url_prefix="/audit", template_folder="templates")
# Every page that shows audit events (a record's history, the admin's home) names their actions in words.
bp.add_app_template_filter(action_words, "action_words")
PER_PAGE = 50
RECORD_TYPES = AUDIT_RECORD_TYPES


def events_query(filters: AuditFilters):
    """The events `filters` selects (filter_audit), newest first."""
    return sort_audit(filter_audit(select(AuditEvent).options(selectinload(AuditEvent.actor)), filters))


def export_args(query: dict[str, str]) -> dict[str, str]:
    """The page's filters as the export's query arguments: the dates as `start` and `end`, the names that
    the report filters check (a date the page refused is not in `query`)."""
    renamed = {"from": "start", "to": "end"}
    return {renamed.get(k, k): v for k, v in query.items()}


@bp.route("")
@allow(*Role.OFFICE)
def index():
    filters, problems = AuditFilters.parse(request.args)
    query = filters.as_args()
    pagination = db.paginate(events_query(filters), page=page_number(), per_page=PER_PAGE, error_out=False)
    return render_template("audit/index.html", pagination=pagination, filters=filters,
                           problems=problem_messages(problems),
                           args=request.args, query=query, export_query=export_args(query),
                           record_types=RECORD_TYPES, title=_("Audit trail"),
                           action_words=action_words, record_type_words=record_type_words)
