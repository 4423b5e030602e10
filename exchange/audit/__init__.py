"""Writing the audit trail: one append-only event per change, in the same transaction as the change; and
reading one record's history."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Connection, insert, select
from sqlalchemy.orm import selectinload

from exchange.audit.models import AuditEvent
from exchange.core.extensions import db
from exchange.core.models import utcnow


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


def record_apart(connection: Connection, actor_id: int | None, action: str, record_type: str,
                 record_id: int | None, summary: str = "", changes: dict | None = None) -> None:
    """Add an audit event through `connection`, in a transaction of its own rather than the session's
    (security events written after a request: see side_writes)."""
    connection.execute(insert(AuditEvent).values(
        at=utcnow(), actor_id=actor_id, action=action, record_type=record_type, record_id=record_id,
        summary=summary, changes={k: _plain(v) for k, v in (changes or {}).items()}))


def record_many(rows: list[dict]) -> None:
    """Add many audit events at once to the current transaction, written as given (the synthetic office's bulk
    seed): each row {"at", "actor_id", "action", "record_type", "record_id", "summary", "changes"}."""
    if rows:
        db.session.execute(insert(AuditEvent), rows)


def diff(before: dict, after: dict) -> dict:
    """The fields whose value changed, as field → [before, after]."""
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}


def created(snapshot: dict) -> dict:
    """The changes of a new record: each field it was given, as field → [None, value]."""
    return {k: [None, v] for k, v in snapshot.items() if v not in (None, "", [])}


def history(record_type: str, record_id: int) -> list[AuditEvent]:
    """A record's events, oldest first, with who made them (the History section of its page)."""
    return list(db.session.scalars(select(AuditEvent).options(selectinload(AuditEvent.actor))
                                   .where(AuditEvent.record_type == record_type, AuditEvent.record_id == record_id)
                                   .order_by(AuditEvent.at, AuditEvent.id)))
