"""Writing the audit trail: one append-only event per change, in the same transaction as the change."""
from __future__ import annotations

from datetime import date, datetime

from .extensions import db
from .models import AuditEvent


def _plain(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    return value


def record(actor, action: str, record_type: str, record_id: int | None, summary: str = "",
           changes: dict | None = None) -> AuditEvent:
    """Add an audit event to the current transaction. `changes` maps field → [before, after]."""
    event = AuditEvent(actor_id=getattr(actor, "id", None), action=action, record_type=record_type,
                       record_id=record_id, summary=summary,
                       changes={k: _plain(v) for k, v in (changes or {}).items()})
    db.session.add(event)
    return event


def diff(before: dict, after: dict) -> dict:
    """The fields whose value changed, as field → [before, after]."""
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}
