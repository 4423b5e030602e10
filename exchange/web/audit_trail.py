"""The audit trail page (coordinators and admins): every audit event with who, when and what, filtered
by record, person and dates, paginated. Read-only: the trail is append-only, and nothing here (or
anywhere) edits or deletes an event."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import Blueprint, render_template, request
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..access import allow
from ..extensions import db
from ..models import AuditEvent, User, as_id

bp = Blueprint("audit_trail", __name__, url_prefix="/audit")
PER_PAGE = 50
RECORD_TYPES = ("request", "offer", "match", "user", "organisation")


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def parse_filters(args) -> tuple[dict, dict[str, str]]:
    """Clean filters from the query string and a message for each one that could not be understood."""
    problems: dict[str, str] = {}
    record_type = args.get("record_type", "").strip()
    if record_type and record_type not in RECORD_TYPES:
        problems["record_type"] = "Choose a record type from the list."
        record_type = ""
    raw_id = args.get("record_id", "").strip().upper()
    record_id = None
    if raw_id:
        digits = raw_id.split("-", 1)[1] if raw_id[:2] in ("R-", "O-", "M-") else raw_id
        if as_id(digits) is not None:
            record_id = int(digits)
        else:
            problems["record_id"] = "Give a record number, such as 12 or R-00012."
    email = args.get("person", "").strip().lower()[:254]
    start, end = _date(args.get("from", "")), _date(args.get("to", ""))
    if args.get("from") and start is None:
        problems["from"] = "Use a date as YYYY-MM-DD."
    if args.get("to") and end is None:
        problems["to"] = "Use a date as YYYY-MM-DD."
    if start and end and end < start:
        problems["to"] = "The end date must not be before the start date."
        end = None
    return {"record_type": record_type, "record_id": record_id, "person": email, "from": start, "to": end}, problems


def events_query(filters: dict):
    stmt = select(AuditEvent).options(selectinload(AuditEvent.actor))
    if filters["record_type"]:
        stmt = stmt.where(AuditEvent.record_type == filters["record_type"])
    if filters["record_id"] is not None:
        stmt = stmt.where(AuditEvent.record_id == filters["record_id"])
    if filters["person"]:
        stmt = stmt.where(AuditEvent.actor_id.in_(select(User.id).where(
            func.lower(User.email).like(f"%{filters['person']}%"))))
    if filters["from"]:
        stmt = stmt.where(AuditEvent.at >= datetime.combine(filters["from"], datetime.min.time()))
    if filters["to"]:
        stmt = stmt.where(AuditEvent.at < datetime.combine(filters["to"] + timedelta(days=1), datetime.min.time()))
    return stmt.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


@bp.route("")
@allow("coordinator", "admin")
def index():
    filters, problems = parse_filters(request.args)
    page = max(request.args.get("page", 1, type=int), 1)
    pagination = db.paginate(events_query(filters), page=page, per_page=PER_PAGE, error_out=False)
    query = {k: request.args.get(k, "") for k in ("record_type", "record_id", "person", "from", "to")
             if request.args.get(k, "") and k not in problems}
    return render_template("audit/index.html", pagination=pagination, filters=filters, problems=problems,
                           args=request.args, query=query, record_types=RECORD_TYPES, title="Audit trail")
