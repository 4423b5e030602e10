"""Matches (one request paired with one offer, followed to delivery) and the suggestions cache."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from exchange.core.extensions import db
from exchange.core.models import EnumText, one_of, utcnow
from exchange.core.statuses import (
    FundingStage,
    MatchStatus,
    ResultKind,
)
from exchange.offers.models import Offer
from exchange.people.models import Organisation, User
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
    lessons: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Why it was proposed, kept as it stood then: the engine's reasons (matching.reasons.codes) beside `score`.
    selection_reasons: Mapped[list | None] = mapped_column(JSON)

    request: Mapped[AssistanceRequest] = relationship(back_populates="matches")
    offer: Mapped[Offer] = relationship(back_populates="matches")
    proposed_by: Mapped[User | None] = relationship()
    funding: Mapped[list[FundingEntry]] = relationship(back_populates="match", order_by="FundingEntry.id")
    results: Mapped[list[MatchResult]] = relationship(back_populates="match", order_by="MatchResult.id")

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


# The case queue reads the stopped clocks longest first from this index (migration h17b_queue_clock; the
# running clocks' order is that migration's expression index, matches/queue.CLOCK_ANCHOR_SQL).
Index("ix_requests_clock_days", AssistanceRequest.clock_days)


class TriageView(db.Model):
    """A coordinator's own saved view of the case queue: a name and the queue's filters as a query string."""

    __tablename__ = "triage_views"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    query: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("user_id", "name", name="uq_triage_views_user_name"),)


class FundingEntry(db.Model):
    """Money for a match at one stage (pledged, committed, disbursed): an amount in its currency on a date, from
    one funding organisation, with the rate to US dollars the person entering it recorded (no live rates)."""

    __tablename__ = "match_funding"
    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("matches.id"), index=True)
    stage: Mapped[FundingStage] = mapped_column(EnumText(FundingStage, 10))
    amount: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    currency: Mapped[str] = mapped_column(String(3))
    usd_rate: Mapped[Decimal] = mapped_column(Numeric(18, 8))
    usd_amount: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    on: Mapped[date] = mapped_column("date", Date, index=True)
    funder_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    match: Mapped[Match] = relationship(back_populates="funding")
    funder: Mapped[Organisation] = relationship()
    entered_by: Mapped[User | None] = relationship()

    __table_args__ = (
        one_of("stage", FundingStage),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("usd_rate > 0", name="usd_rate_positive"),
    )


class MatchResult(db.Model):
    """One output or outcome indicator of a match (baseline, target, actual, unit), recorded by the provider at
    completion; the requesting State may comment on it when it confirms the delivery."""

    __tablename__ = "match_results"
    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("matches.id"), index=True)
    kind: Mapped[ResultKind] = mapped_column(EnumText(ResultKind, 10), default=ResultKind.OUTPUT)
    indicator: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(60), default="")
    baseline: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    target: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    actual: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    note: Mapped[str] = mapped_column(Text, default="")
    state_comment: Mapped[str] = mapped_column(Text, default="")
    state_commented_at: Mapped[datetime | None] = mapped_column(DateTime)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    match: Mapped[Match] = relationship(back_populates="results")

    __table_args__ = (one_of("kind", ResultKind),)
