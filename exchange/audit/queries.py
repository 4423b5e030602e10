"""The SQL of the audit trail's and the security events page's filters (read as `filters.AuditFilters` and
`filters.SecurityEventFilters`), and their order."""
from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import func, or_, select

from exchange.audit.models import AuditEvent
from exchange.core.filters import in_period
from exchange.people.models import User

if TYPE_CHECKING:
    from exchange.audit.filters import AuditFilters, SecurityEventFilters


def _actor_email_contains(part: str):
    return AuditEvent.actor_id.in_(select(User.id).where(func.lower(User.email).contains(part, autoescape=True)))


def filter_audit(stmt, filters: AuditFilters):
    """Narrow a select of AuditEvent to the events `filters` selects."""
    A = AuditEvent
    if filters.record_type:
        stmt = stmt.where(A.record_type == filters.record_type)
    if filters.record_id is not None:
        stmt = stmt.where(A.record_id == filters.record_id)
    if filters.person:
        stmt = stmt.where(_actor_email_contains(filters.person))
    if filters.action:
        stmt = stmt.where(A.action == filters.action)
    return stmt.where(*in_period(A.at, filters.start, filters.end))


def sort_audit(stmt):
    """The audit trail's order: the newest first."""
    return stmt.order_by(None).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


def filter_security_events(stmt, filters: SecurityEventFilters):
    """Narrow a select of AuditEvent to the security events `filters` selects."""
    A = AuditEvent
    stmt = stmt.where(A.action.startswith("security.", autoescape=True))
    if filters.action:
        stmt = stmt.where(A.action == filters.action)
    if filters.person:
        stmt = stmt.where(or_(
            _actor_email_contains(filters.person),
            func.lower(A.changes["email"].as_string()).contains(filters.person, autoescape=True)))
    if filters.address:
        stmt = stmt.where(A.changes["address"].as_string().startswith(filters.address, autoescape=True))
    return stmt.where(*in_period(A.at, filters.start, filters.end))
