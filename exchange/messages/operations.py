"""Operations of message threads and the inbox: posting a message on the thread of a request or a match
(authorised here: whoever may see the record writes in its thread; validated by MessageIn; the other
participants notified), moving a reader's marker on a thread, and marking one's notifications read (all of
them, or one through the API).
Reads of threads and the inbox are notify.py's."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select, update

from exchange.core.errors import Forbidden, NotFound, ValidationFailed
from exchange.core.extensions import db
from exchange.core.i18n import detect_language
from exchange.core.models import as_id, utcnow
from exchange.core.schemas import load
from exchange.core.side_writes import defer_write
from exchange.matches.models import Match
from exchange.messages.models import Message, Notification, ThreadRead
from exchange.messages.notify import in_inbox, notify, record_ref
from exchange.messages.policy import EVERYONE, audiences_for, may_write_in_thread
from exchange.messages.schemas import MessageIn
from exchange.messages.threads import thread_participants


def post_message(user, record, raw: dict) -> Message:
    """Add a message to the thread of a request or match `user` may see (its language detected from its words),
    for an audience the writer may address (`raw["audience"]`, default everyone taking part), and tell the
    other participants within that audience."""
    if not may_write_in_thread(user, record):
        raise Forbidden(_("You may not write in this thread."))
    audience = raw.get("audience") or EVERYONE
    if audience not in audiences_for(user):
        raise ValidationFailed(_("Choose who can read the message."), {"audience": [_("Choose one of the options.")]})
    body = load(MessageIn(), {"message": raw.get("message", "")})["message"]
    message = Message(author_id=user.id, body=body, request_id=None if isinstance(record, Match) else record.id,
                      match_id=record.id if isinstance(record, Match) else None,
                      content_language=detect_language(body), audience=audience)
    db.session.add(message)
    db.session.flush()
    mark_thread_read(user, record, {"at": message.created_at})
    reference = record.reference
    who = f"{user.display_name} ({user.organisation.code})"
    preview = body if len(body) <= 140 else body[:137] + "…"
    notify(thread_participants(record, audience), "message.posted", _l("%(who)s wrote on %(ref)s: %(preview)s", who=who,
                                                             ref=reference, preview=preview),
           exclude=user, about=record)
    return message


def mark_thread_read(user, record, data: dict | None = None) -> None:
    """Move `user`'s marker on the thread of `record` to `data["at"]` (default now), never back."""
    kind, record_id = record_ref(record)
    at: datetime = (data or {}).get("at") or utcnow()
    row = db.session.scalar(select(ThreadRead).where(
        ThreadRead.user_id == user.id, ThreadRead.record_type == kind, ThreadRead.record_id == record_id))
    if row is None:
        db.session.add(ThreadRead(user_id=user.id, record_type=kind, record_id=record_id, last_read_at=at))
    elif row.last_read_at < at:
        row.last_read_at = at


def mark_thread_read_later(user, record, data: dict | None = None) -> None:
    """Move `user`'s marker on the thread of `record` to now, after the request in a transaction of its own
    (the thread was shown by a page, a GET: a read never writes in its transaction)."""
    kind, record_id = record_ref(record)
    user_id, at = user.id, utcnow()
    mine = (ThreadRead.user_id == user_id, ThreadRead.record_type == kind, ThreadRead.record_id == record_id)

    def write(connection) -> None:
        moved = connection.execute(update(ThreadRead).where(*mine, ThreadRead.last_read_at < at)
                                   .values(last_read_at=at)).rowcount
        if not moved and connection.scalar(select(ThreadRead.id).where(*mine)) is None:
            connection.execute(insert(ThreadRead).values(user_id=user_id, record_type=kind, record_id=record_id,
                                                         last_read_at=at))

    defer_write(write)


def mark_all_read(user, data: dict | None = None) -> int:
    """Mark every unread notification of `user` read; returns how many."""
    result = db.session.execute(update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None), Notification.inbox_hold.is_(None))
        .values(read_at=utcnow()))
    return result.rowcount or 0


def read_notification(user, notification_id) -> Notification:
    """Mark one of `user`'s own notifications read (once: reading it again changes nothing); NotFound for any
    other, exactly as for one that does not exist."""
    note_id = as_id(notification_id)
    note = db.session.scalar(select(Notification).where(
        Notification.id == note_id, Notification.user_id == user.id, in_inbox())) \
        if note_id is not None else None
    if note is None:
        raise NotFound(_("This notification does not exist or is not yours."))
    if note.read_at is None:
        note.read_at = utcnow()
        db.session.flush()
    return note
