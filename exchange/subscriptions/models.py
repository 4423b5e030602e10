"""Saved searches and the records each has told its owner of (one notification per search and record)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from exchange.core.extensions import db
from exchange.core.models import one_of, utcnow
from exchange.people.models import User

RECORD_KINDS = ("request", "offer")


class SavedSearch(db.Model):
    """A person's search of the request or offer list: its filters as the list's query arguments (`params`,
    read back by the list's filters class). Records that match it and are new since `created_at` are told of."""

    __tablename__ = "saved_searches"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    record_type: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(120))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user: Mapped[User] = relationship()
    __table_args__ = (one_of("record_type", RECORD_KINDS),)


class SubscriptionHit(db.Model):
    """A record a saved search told its owner of: never twice (the unique pair)."""

    __tablename__ = "subscription_hits"
    id: Mapped[int] = mapped_column(primary_key=True)
    search_id: Mapped[int] = mapped_column(ForeignKey("saved_searches.id", ondelete="CASCADE"))
    record_id: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("search_id", "record_id", name="uq_subscription_hits_search_record"),)
