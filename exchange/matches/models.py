"""Matches (one request paired with one offer, followed to delivery) and the suggestions cache."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from exchange.core.extensions import db
from exchange.core.models import EnumText, one_of, utcnow
from exchange.core.statuses import (
    MatchStatus,
)
from exchange.offers.models import Offer
from exchange.people.models import User
from exchange.requests.models import AssistanceRequest

LIVE_MATCH = "status IN ({})".format(", ".join(f"'{s}'" for s in MatchStatus.LIVE))


class Match(db.Model):
    """One request paired with one offer, proposed by a coordinator and followed to delivery."""

    __tablename__ = "matches"
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("assistance_requests.id"), index=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id"), index=True)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[MatchStatus] = mapped_column(EnumText(MatchStatus, 12), default=MatchStatus.PROPOSED,
                                                index=True)
    score: Mapped[float | None] = mapped_column(Float)
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(Text, default="")
    rating: Mapped[int | None] = mapped_column(Integer)
    feedback: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    status_changed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)

    request: Mapped[AssistanceRequest] = relationship(back_populates="matches")
    offer: Mapped[Offer] = relationship(back_populates="matches")
    proposed_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        one_of("status", MatchStatus),
        CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="rating"),
        # One live match per request and offer: a guarantee of the database, not only a check in Python.
        Index("uq_matches_live_pair", "request_id", "offer_id", unique=True,
              sqlite_where=text(LIVE_MATCH), postgresql_where=text(LIVE_MATCH)),
    )

    @property
    def reference(self) -> str:
        return f"M-{self.id:05d}"


class Suggestion(db.Model):
    """A computed (never decided) pairing of a request with an offer: a cache the engine refreshes."""

    __tablename__ = "suggestions"
    request_id: Mapped[int] = mapped_column(ForeignKey("assistance_requests.id", ondelete="CASCADE"),
                                            primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), primary_key=True,
                                          index=True)
    score: Mapped[float] = mapped_column(Float)
    rank: Mapped[int] = mapped_column(Integer)
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    computed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class TriageView(db.Model):
    """A coordinator's own saved view of the case queue: a name and the queue's filters as a query string."""

    __tablename__ = "triage_views"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    query: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("user_id", "name", name="uq_triage_views_user_name"),)
