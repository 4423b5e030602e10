"""In-app notifications, message threads on requests and matches, and per-person read markers."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from exchange.core.extensions import db
from exchange.core.models import exactly_one, utcnow
from exchange.people.models import User


class Notification(db.Model):
    """Something a person must act on or know about, shown in their inbox and e-mailed where configured. It
    names its record as an audit event does (a request, offer, match or organisation); the link to the
    record's page is built when the notification is shown (notify.page_of)."""

    __tablename__ = "notifications"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    record_type: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[int] = mapped_column(Integer)
    read_at: Mapped[datetime | None] = mapped_column(DateTime)
    emailed_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship()
    __table_args__ = (Index("ix_notifications_user_read", "user_id", "read_at"),
                      Index("ix_notifications_record", "record_type", "record_id"))


class Message(db.Model):
    """A message in the thread of a request or of a match."""

    __tablename__ = "messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("assistance_requests.id"), index=True)
    match_id: Mapped[int | None] = mapped_column(ForeignKey("matches.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # The language the body is written in (ISO 639-1), detected when posted (core/i18n.detect_language).
    content_language: Mapped[str | None] = mapped_column(String(8))

    author: Mapped[User | None] = relationship()

    __table_args__ = (exactly_one("request_id", "match_id", name="one_record"),)


class ThreadRead(db.Model):
    """When a person last read a thread: messages after it are unread for them."""

    __tablename__ = "thread_reads"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    record_type: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[int] = mapped_column(Integer)
    last_read_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("user_id", "record_type", "record_id", name="uq_thread_reads_user_record"),)
