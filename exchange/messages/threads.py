"""Message threads, one on each request and each match, read as one conversation per case: the messages of the
request and of its matches that a reader may see (`case_messages`), who takes part in a thread (to be told of a
new message, within the message's audience), and what each person has read. Who may read a thread is the
record's visibility; who may read each message its audience (messages/policy.py)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from exchange.core.extensions import db
from exchange.core.statuses import Role
from exchange.matches.models import Match
from exchange.messages.models import Message, ThreadRead
from exchange.messages.notify import coordinators, record_ref, users_of
from exchange.offers.models import Offer
from exchange.people.models import User


def thread_messages(user, record) -> list[Message]:
    """The messages of one thread (a request's or a match's) that `user` may read (their audiences), oldest first;
    whether `user` sees the record at all is asked apart."""
    from exchange.messages.policy import message_scope
    column = Message.match_id if isinstance(record, Match) else Message.request_id
    return list(db.session.scalars(select(Message).options(selectinload(Message.author).selectinload(
        User.organisation)).where(column == record.id, message_scope(user, Message))
        .order_by(Message.created_at, Message.id)))


def case_messages(user, record) -> list[Message]:
    """The conversation of the case `record` belongs to (a request, or a match of it), as `user` may read
    it: the request's messages if they see the request, those of each of its matches they take part in, each
    within its audience; oldest first. Each message's `on_match` is set (its match, None on the request's thread)."""
    from exchange.core import visibility
    from exchange.matches.policy import match_scope
    from exchange.messages.policy import message_scope
    req = record.request if isinstance(record, Match) else record
    matches = select(Match.id).where(Match.request_id == req.id, match_scope(user))
    on_request = Message.request_id == req.id if visibility.may_see(user, req) else None
    on_matches = Message.match_id.in_(matches)
    where = on_matches if on_request is None else (on_request | on_matches)
    messages = list(db.session.scalars(select(Message).options(
        selectinload(Message.author).selectinload(User.organisation))
        .where(where, message_scope(user, Message)).order_by(Message.created_at, Message.id)))
    match_ids = {m.match_id for m in messages if m.match_id}
    by_id = {m.id: m for m in db.session.scalars(select(Match).options(
        selectinload(Match.offer).selectinload(Offer.organisation)).where(Match.id.in_(match_ids)))} if match_ids else {}
    for message in messages:
        message.on_match = by_id.get(message.match_id)
    return messages


def thread_participants(record, audience: str = "everyone") -> list[User]:
    """Who takes part in a thread: the State, the providers of the matches concerned, the
    coordinators, and anyone who has written in it; only those of `audience` (no State for the providers'
    and the office's messages, no provider for the office's)."""
    from exchange.messages.policy import READS
    if isinstance(record, Match):
        req, org_ids = record.request, [record.offer.organisation_id]
        column = Message.match_id
    else:
        req = record
        org_ids = list(db.session.scalars(select(Offer.organisation_id).join(Match, Match.offer_id == Offer.id)
                                          .where(Match.request_id == req.id)))
        column = Message.request_id
    people = (users_of([req.organisation_id], (Role.MEMBER_STATE,)) + users_of(org_ids, (Role.PROVIDER,))
              + coordinators())
    writers = select(Message.author_id).where(column == record.id)
    people += list(db.session.scalars(select(User).where(User.id.in_(writers), User.active.is_(True))))
    return [person for person in people if audience in READS.get(person.role, ())]


def last_read_at(user, record) -> datetime | None:
    kind, record_id = record_ref(record)
    return db.session.scalar(select(ThreadRead.last_read_at).where(
        ThreadRead.user_id == user.id, ThreadRead.record_type == kind, ThreadRead.record_id == record_id))


def unread_messages_by_match(user, match_ids: list[int]) -> dict[int, int]:
    """How many messages by others, of the audiences `user` reads, each of these matches' threads has that
    `user` has not read."""
    from exchange.messages.policy import message_scope
    if not match_ids:
        return {}
    read = (select(ThreadRead.record_id, ThreadRead.last_read_at)
            .where(ThreadRead.user_id == user.id, ThreadRead.record_type == "match").subquery())
    rows = db.session.execute(
        select(Message.match_id, func.count()).outerjoin(read, read.c.record_id == Message.match_id)
        .where(Message.match_id.in_(match_ids), Message.author_id != user.id, message_scope(user, Message),
               (read.c.last_read_at.is_(None)) | (Message.created_at > read.c.last_read_at))
        .group_by(Message.match_id))
    return {match_id: count for match_id, count in rows}


def read_markers(user, record, messages: list[Message]) -> dict[int, datetime | None]:
    """When `user` last read each thread of these messages: by match id, 0 for the request's thread."""
    req = record.request if isinstance(record, Match) else record
    match_ids = {m.match_id for m in messages if m.match_id}
    wanted = (ThreadRead.record_type == "request") & (ThreadRead.record_id == req.id)
    if match_ids:
        wanted = wanted | ((ThreadRead.record_type == "match") & ThreadRead.record_id.in_(match_ids))
    markers: dict[int, datetime | None] = {}
    for kind, record_id, at in db.session.execute(select(
            ThreadRead.record_type, ThreadRead.record_id, ThreadRead.last_read_at).where(
            ThreadRead.user_id == user.id, wanted)):
        markers[0 if kind == "request" else record_id] = at
    return markers
