"""Message threads, one on each request and each match: their messages, who takes part (to be told of a new
message), and what each person has read. Who may read and write one is the record's visibility."""
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


def thread_messages(record) -> list[Message]:
    column = Message.match_id if isinstance(record, Match) else Message.request_id
    return list(db.session.scalars(select(Message).options(selectinload(Message.author).selectinload(
        User.organisation)).where(column == record.id).order_by(Message.created_at, Message.id)))


def thread_participants(record) -> list[User]:
    """Who takes part in a thread: the State, the providers of the matches concerned, the
    coordinators, and anyone who has written in it."""
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
    return people


def last_read_at(user, record) -> datetime | None:
    kind, record_id = record_ref(record)
    return db.session.scalar(select(ThreadRead.last_read_at).where(
        ThreadRead.user_id == user.id, ThreadRead.record_type == kind, ThreadRead.record_id == record_id))


def unread_messages_by_match(user, match_ids: list[int]) -> dict[int, int]:
    """How many messages by others each of these matches' threads has that `user` has not read."""
    if not match_ids:
        return {}
    read = (select(ThreadRead.record_id, ThreadRead.last_read_at)
            .where(ThreadRead.user_id == user.id, ThreadRead.record_type == "match").subquery())
    rows = db.session.execute(
        select(Message.match_id, func.count()).outerjoin(read, read.c.record_id == Message.match_id)
        .where(Message.match_id.in_(match_ids), Message.author_id != user.id,
               (read.c.last_read_at.is_(None)) | (Message.created_at > read.c.last_read_at))
        .group_by(Message.match_id))
    return {match_id: count for match_id, count in rows}
