"""The one place live events are made: the unit of work. Every change of state or content adds an audit event
in its transaction (audit.record), every message and notification a row; a flush notes those rows as live
events, and the transaction's commit publishes them (a rollback forgets them). So no operation publishes by
hand, a refused change tells nobody, and what a command or a background job commits is told as well.

An event in transit names its record and nothing of its content: `{"type", "record_type", "record_id"}`
(`audience`: the only user a notification's event may reach). What each person receives is decided when it
is delivered (hub.py), by the access policy.
"""
from __future__ import annotations

from flask import Flask, current_app, has_app_context
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from exchange.audit.models import AuditEvent
from exchange.core import noted
from exchange.messages.models import Message, Notification

# The records live events are about (the contract's record types), and the audit trail's record types
# that are told as such.
RECORD_TYPES = ("request", "offer", "match", "message", "notification")
AUDITED = {"request", "offer", "match"}

# An audit action's verb → the event's (past-tense) name: `request.accept` → `request.accepted`. Actions
# already named so (`request.submitted`, `match.proposed`, `offer.created`…) keep their name.
PAST = {
    "accept": "accepted", "decline": "declined", "start": "started", "complete": "completed",
    "confirm": "confirmed", "withdraw": "withdrawn", "reject": "rejected", "close": "closed",
    "review": "review_started", "request-info": "info_requested", "submit": "submitted",
    "pause": "paused", "resume": "resumed", "followed_matches": "status_changed",
}


def event_type(action: str) -> str:
    """The live event's type of an audit action (`request.accept` → `request.accepted`)."""
    record_type, _, verb = action.partition(".")
    return f"{record_type}.{PAST.get(verb, verb)}"


def _of(row) -> dict | None:
    if isinstance(row, AuditEvent):
        if row.record_type not in AUDITED or row.record_id is None:
            return None
        action = row.action
        if action.startswith("document."):  # a document filed on a request or an offer
            action = f"{row.record_type}.{action.replace('.', '_')}"
        return {"type": event_type(action), "record_type": row.record_type, "record_id": row.record_id}
    if isinstance(row, Message):
        return {"type": "message.posted", "record_type": "message", "record_id": row.id}
    if isinstance(row, Notification):
        return {"type": "notification.created", "record_type": "notification", "record_id": row.id,
                "audience": [row.user_id]}
    return None


def note(session: Session, payload: dict) -> None:
    """Publish `payload` (type, record_type, record_id[, audience]) once `session`'s transaction commits: for
    changes that add no row (a notification marked read)."""
    noted.add(session, "live", payload)


def _read(row) -> dict | None:
    """A notification marked read (the unread counts on its owner's pages fall)."""
    if isinstance(row, Notification) and row.read_at is not None and inspect(row).attrs.read_at.history.added:
        return {"type": "notification.read", "record_type": "notification", "record_id": row.id,
                "audience": [row.user_id]}
    return None


def _events_of(session: Session) -> list[dict]:
    """The events of what this flush added or changed."""
    found = [payload for row in session.new if (payload := _of(row)) is not None]
    return found + [payload for row in session.dirty if (payload := _read(row)) is not None]


def _publish(pending: list[dict]) -> None:
    if not has_app_context():
        return
    hub = current_app.extensions.get("exchange_live")
    if hub is None:
        return
    seen, events = set(), []
    for payload in pending:  # one event per record and type a transaction (a move writes one, but a
        key = (payload["type"], payload["record_type"], payload["record_id"])  # request following its matches…)
        if key not in seen:
            seen.add(key)
            events.append(payload)
    hub.broker.publish(sorted(events, key=lambda e: e["record_type"] == "notification"))


def install(app: Flask) -> None:
    """Listen to the unit of work (once per process: the session class is shared by every app)."""
    from exchange.live.hub import Hub
    app.extensions["exchange_live"] = Hub(app)
    noted.after_commit("live", _events_of, _publish)
