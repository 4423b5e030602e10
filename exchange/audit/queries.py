"""Filters of the audit trail and of the security events page (the parameters they take, checked)."""
from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import func, or_, select

from exchange.audit.models import AuditEvent
from exchange.core.filters import _iso_date, _one, in_period
from exchange.core.models import as_id
from exchange.people.models import User

AUDIT_RECORD_TYPES = ("request", "offer", "match", "user", "organisation")


AUDIT_FILTERS = ("record_type", "record_id", "person", "action", "from", "to")


def audit_filters(params: Mapping) -> tuple[dict, dict[str, str]]:
    """The audit trail's filters, cleaned, and a message for each one that could not be understood (that
    one is left out). record_type: one of AUDIT_RECORD_TYPES; record_id: 12 or R-00012 (O-, M-);
    person: part of the actor's e-mail; action: exact, such as request.accept; from and to: ISO dates,
    both inclusive (`start` and `end` are read as `from` and `to` when those are absent)."""
    problems: dict[str, str] = {}
    record_type = _one(params, "record_type")
    if record_type and record_type not in AUDIT_RECORD_TYPES:
        problems["record_type"] = "Choose a record type from the list."
        record_type = ""
    raw_id = _one(params, "record_id").upper()
    record_id = None
    if raw_id:
        record_id = as_id(raw_id.split("-", 1)[1] if raw_id[:2] in ("R-", "O-", "M-") else raw_id)
        if record_id is None:
            problems["record_id"] = "Give a record number, such as 12 or R-00012."
    person = _one(params, "person").lower()[:254]
    action = _one(params, "action")
    if len(action) > AuditEvent.action.type.length:
        problems["action"] = "No action is that long."
        action = ""
    raw_from, raw_to = _one(params, "from", "start"), _one(params, "to", "end")
    start, end = _iso_date(raw_from), _iso_date(raw_to)
    if raw_from and start is None:
        problems["from"] = "Use a date as YYYY-MM-DD."
    if raw_to and end is None:
        problems["to"] = "Use a date as YYYY-MM-DD."
    if start and end and end < start:
        problems["to"] = "The end date must not be before the start date."
        end = None
    return {"record_type": record_type, "record_id": record_id, "person": person, "action": action,
            "from": start, "to": end}, problems


def filter_audit(stmt, params: Mapping):
    """Narrow a select of AuditEvent by the audit trail's filters (`audit_filters`; a filter that cannot
    be understood is left out: callers that must refuse it check `audit_filters` first)."""
    filters, _ = audit_filters(params)
    A = AuditEvent
    if filters["record_type"]:
        stmt = stmt.where(A.record_type == filters["record_type"])
    if filters["record_id"] is not None:
        stmt = stmt.where(A.record_id == filters["record_id"])
    if filters["person"]:
        stmt = stmt.where(A.actor_id.in_(select(User.id).where(
            func.lower(User.email).contains(filters["person"], autoescape=True))))
    if filters["action"]:
        stmt = stmt.where(A.action == filters["action"])
    return stmt.where(*in_period(A.at, filters["from"], filters["to"]))


def sort_audit(stmt):
    """The audit trail's order: the newest first."""
    return stmt.order_by(None).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


SECURITY_FILTERS = ("action", "person", "address", "from", "to")


def security_event_filters(params: Mapping) -> tuple[dict, dict[str, str]]:
    """The security events page's filters, cleaned, and a message for each one not understood. action: one
    of security_events.ACTIONS; person: part of the account's e-mail (or of the e-mail typed, when it named
    no account); address: the start of the client address; from and to: ISO dates, both inclusive."""
    from exchange.audit.security_events import ACTIONS
    filters, problems = audit_filters(params)
    problems = {k: v for k, v in problems.items() if k in SECURITY_FILTERS}
    if filters["action"] and filters["action"] not in ACTIONS:
        problems["action"] = "Choose an action from the list."
        filters["action"] = ""
    return {"action": filters["action"], "person": filters["person"], "address": _one(params, "address")[:100],
            "from": filters["from"], "to": filters["to"]}, problems


def filter_security_events(stmt, params: Mapping):
    """Narrow a select of AuditEvent to the security events the filters in `params` select."""
    filters, _ = security_event_filters(params)
    A = AuditEvent
    stmt = stmt.where(A.action.startswith("security.", autoescape=True))
    if filters["action"]:
        stmt = stmt.where(A.action == filters["action"])
    if filters["person"]:
        stmt = stmt.where(or_(
            A.actor_id.in_(select(User.id).where(func.lower(User.email).contains(filters["person"], autoescape=True))),
            func.lower(A.changes["email"].as_string()).contains(filters["person"], autoescape=True)))
    if filters["address"]:
        stmt = stmt.where(A.changes["address"].as_string().startswith(filters["address"], autoescape=True))
    return stmt.where(*in_period(A.at, filters["from"], filters["to"]))
