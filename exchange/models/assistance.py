"""Assistance requests, offers, matches between them, supporting documents, and cached suggestions."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..vocabulary import (
    LIVE_MATCH_STATUSES,
    MATCH_STATUSES,
    OFFER_STATUSES,
    REQUEST_STATUSES,
    URGENCIES,
    VISIBILITIES,
)
from .base import utcnow
from .people import Organisation, User
from .reference import Country, Language, Modality, Region, Theme


def one_of(column: str, values, name: str | None = None) -> CheckConstraint:
    """CHECK (column IN (…)): the database refuses any other value (the names follow the metadata's
    naming convention: ck_<table>_<name>)."""
    listed = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({listed})", name=name or column)


def exactly_one(*columns: str, name: str) -> CheckConstraint:
    """CHECK that exactly one of these foreign keys is set: a row belongs to one record."""
    cases = [" AND ".join(f"{c} IS {'NOT ' if c == chosen else ''}NULL" for c in columns) for chosen in columns]
    return CheckConstraint(" OR ".join(f"({case})" for case in cases), name=name)


LIVE_MATCH = "status IN ({})".format(", ".join(f"'{s}'" for s in LIVE_MATCH_STATUSES))


def _link(name: str, owner: str, target: str, target_col: str) -> Table:
    owner_fk = f"{owner.rstrip('s')}_id" if owner != "assistance_requests" else "request_id"
    return Table(
        name, db.metadata,
        Column(owner_fk, ForeignKey(f"{owner}.id", ondelete="CASCADE"), primary_key=True),
        Column(f"{target_col}", ForeignKey(f"{target}"), primary_key=True, index=True),
    )


request_themes = _link("request_themes", "assistance_requests", "themes.code", "theme_code")
request_modalities = _link("request_modalities", "assistance_requests", "modalities.code", "modality_code")
request_languages = _link("request_languages", "assistance_requests", "languages.code", "language_code")
request_shares = _link("request_shares", "assistance_requests", "organisations.id", "organisation_id")
offer_themes = _link("offer_themes", "offers", "themes.code", "theme_code")
offer_modalities = _link("offer_modalities", "offers", "modalities.code", "modality_code")
offer_languages = _link("offer_languages", "offers", "languages.code", "language_code")
offer_countries = _link("offer_countries", "offers", "countries.iso3", "country_iso3")
offer_regions = _link("offer_regions", "offers", "regions.code", "region_code")


class _Coded:
    """The codes of the themes, modalities and languages a request or an offer names."""

    @property
    def theme_codes(self) -> list[str]:
        return [t.code for t in self.themes]

    @property
    def modality_codes(self) -> list[str]:
        return [m.code for m in self.modalities]

    @property
    def language_codes(self) -> list[str]:
        return [x.code for x in self.languages]


class AssistanceRequest(_Coded, db.Model):
    """A Member State's request for counter-terrorism technical assistance."""

    __tablename__ = "assistance_requests"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    country_iso3: Mapped[str] = mapped_column(ForeignKey("countries.iso3"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    beneficiary: Mapped[str] = mapped_column(String(200), default="")
    urgency: Mapped[str] = mapped_column(String(10), default="medium", index=True)
    desired_start: Mapped[date | None] = mapped_column(Date)
    desired_end: Mapped[date | None] = mapped_column(Date)
    estimated_budget_usd: Mapped[int | None] = mapped_column(BigInteger)
    visibility: Mapped[str] = mapped_column(String(12), default="task_force", index=True)
    status: Mapped[str] = mapped_column(String(12), default="draft", index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    status_note: Mapped[str] = mapped_column(Text, default="")
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("assistance_requests.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime)
    status_changed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    country: Mapped[Country] = relationship()
    created_by: Mapped[User | None] = relationship()
    themes: Mapped[list[Theme]] = relationship(secondary=request_themes, order_by=Theme.code)
    modalities: Mapped[list[Modality]] = relationship(secondary=request_modalities, order_by=Modality.code)
    languages: Mapped[list[Language]] = relationship(secondary=request_languages, order_by=Language.code)
    shared_with: Mapped[list[Organisation]] = relationship(secondary=request_shares, order_by=Organisation.code)
    matches: Mapped[list[Match]] = relationship(back_populates="request", order_by="Match.id")
    documents: Mapped[list[Document]] = relationship(
        primaryjoin="Document.request_id == AssistanceRequest.id", order_by="Document.id", viewonly=True)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (Index("ix_requests_status_submitted", "status", "submitted_at"),
                      one_of("status", REQUEST_STATUSES), one_of("urgency", URGENCIES),
                      one_of("visibility", VISIBILITIES))

    @staticmethod
    def reference_for(request_id: int) -> str:
        return f"R-{request_id:05d}"

    @property
    def reference(self) -> str:
        return self.reference_for(self.id)


class Offer(_Coded, db.Model):
    """A provider's programme of assistance."""

    __tablename__ = "offers"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    available_from: Mapped[date | None] = mapped_column(Date)
    available_until: Mapped[date | None] = mapped_column(Date)
    capacity: Mapped[int | None] = mapped_column(Integer)
    budget_usd: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(10), default="active", index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship()
    themes: Mapped[list[Theme]] = relationship(secondary=offer_themes, order_by=Theme.code)
    modalities: Mapped[list[Modality]] = relationship(secondary=offer_modalities, order_by=Modality.code)
    languages: Mapped[list[Language]] = relationship(secondary=offer_languages, order_by=Language.code)
    countries: Mapped[list[Country]] = relationship(secondary=offer_countries, order_by=Country.iso3)
    regions: Mapped[list[Region]] = relationship(secondary=offer_regions, order_by=Region.code)
    matches: Mapped[list[Match]] = relationship(back_populates="offer", order_by="Match.id")
    documents: Mapped[list[Document]] = relationship(
        primaryjoin="Document.offer_id == Offer.id", order_by="Document.id", viewonly=True)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (one_of("status", OFFER_STATUSES),)

    @property
    def country_codes(self) -> list[str]:
        return [c.iso3 for c in self.countries]

    @property
    def region_codes(self) -> list[str]:
        return [r.code for r in self.regions]

    @property
    def delivers_anywhere(self) -> bool:
        return not self.countries and not self.regions

    @property
    def reference(self) -> str:
        return f"O-{self.id:05d}"


class Match(db.Model):
    """One request paired with one offer, proposed by a coordinator and followed to delivery."""

    __tablename__ = "matches"
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("assistance_requests.id"), index=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id"), index=True)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="proposed", index=True)
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
        one_of("status", MATCH_STATUSES),
        CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="rating"),
        # One live match per request and offer: a guarantee of the database, not only a check in Python.
        Index("uq_matches_live_pair", "request_id", "offer_id", unique=True,
              sqlite_where=text(LIVE_MATCH), postgresql_where=text(LIVE_MATCH)),
    )

    @property
    def reference(self) -> str:
        return f"M-{self.id:05d}"


class Document(db.Model):
    """A supporting document attached to a request or an offer, stored outside static/."""

    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("assistance_requests.id"), index=True)
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("offers.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    uploaded_by: Mapped[User | None] = relationship()

    __table_args__ = (exactly_one("request_id", "offer_id", name="one_record"),)


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
