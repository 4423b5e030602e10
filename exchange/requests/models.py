"""Assistance requests filed by a State (or by a coordinator on its behalf), with the themes, modalities,
languages and providers they name. Matches and documents point here; this module does not import them."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import false

from exchange.core.extensions import db
from exchange.core.models import CodedRecord, EnumText, link_table, one_of, utcnow
from exchange.core.statuses import (
    RequestStatus,
    Urgency,
    Visibility,
)
from exchange.people.models import Organisation, User
from exchange.reference.models import Country, Language, Modality, Theme

if TYPE_CHECKING:  # relationships only: documents and matches import this module
    from exchange.documents.models import Document
    from exchange.matches.models import Match

request_themes = link_table("request_themes", "assistance_requests", "themes.code", "theme_code")


request_modalities = link_table("request_modalities", "assistance_requests", "modalities.code", "modality_code")


request_languages = link_table("request_languages", "assistance_requests", "languages.code", "language_code")


request_shares = link_table("request_shares", "assistance_requests", "organisations.id", "organisation_id")

# The lists' filters read the requests naming a code from one index (migration h17d_list_indexes).
Index("ix_request_themes_code_request", request_themes.c.theme_code, request_themes.c.request_id)
Index("ix_request_modalities_code_request", request_modalities.c.modality_code, request_modalities.c.request_id)
Index("ix_request_languages_code_request", request_languages.c.language_code, request_languages.c.request_id)
Index("ix_request_shares_org_request", request_shares.c.organisation_id, request_shares.c.request_id)


class AssistanceRequest(CodedRecord, db.Model):
    """A Member State's request for counter-terrorism technical assistance."""

    __tablename__ = "assistance_requests"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    country_iso3: Mapped[str] = mapped_column(ForeignKey("countries.iso3"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    beneficiary: Mapped[str] = mapped_column(String(200), default="")
    urgency: Mapped[Urgency] = mapped_column(EnumText(Urgency, 10), default=Urgency.MEDIUM, index=True)
    desired_start: Mapped[date | None] = mapped_column(Date)
    desired_end: Mapped[date | None] = mapped_column(Date)
    estimated_budget_usd: Mapped[int | None] = mapped_column(BigInteger)
    visibility: Mapped[Visibility] = mapped_column(EnumText(Visibility, 12), default=Visibility.TASK_FORCE,
                                                   index=True)
    status: Mapped[RequestStatus] = mapped_column(EnumText(RequestStatus, 12), default=RequestStatus.DRAFT,
                                                  index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    status_note: Mapped[str] = mapped_column(Text, default="")
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("assistance_requests.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime)
    status_changed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # The language its title and description are written in (ISO 639-1), chosen or detected and confirmed.
    content_language: Mapped[str | None] = mapped_column(String(8), index=True)
    # The coordinator who owns the case (assigned in triage), and the office's clock (requests/clock.py).
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", name="fk_assistance_requests_owner_id_users"), index=True)
    clock_days: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    clock_since: Mapped[datetime | None] = mapped_column(DateTime)
    # The State consents to its counts (and its title) appearing on the public summary (reports/public.py).
    publish_summary: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false(), index=True)

    organisation: Mapped[Organisation] = relationship()
    country: Mapped[Country] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    themes: Mapped[list[Theme]] = relationship(secondary=request_themes, order_by=Theme.code)
    modalities: Mapped[list[Modality]] = relationship(secondary=request_modalities, order_by=Modality.code)
    languages: Mapped[list[Language]] = relationship(secondary=request_languages, order_by=Language.code)
    shared_with: Mapped[list[Organisation]] = relationship(secondary=request_shares, order_by=Organisation.code)
    matches: Mapped[list[Match]] = relationship(back_populates="request", order_by="Match.id")
    documents: Mapped[list[Document]] = relationship(
        primaryjoin="Document.request_id == AssistanceRequest.id", order_by="Document.id", viewonly=True)

    __mapper_args__ = {"version_id_col": version}
    # The lists' sorts and status filter (h17d_list_indexes; the urgency and title sorts' expression indexes
    # `ix_sort_…` are the migration's alone: SQLite does not reflect them).
    __table_args__ = (Index("ix_requests_status_submitted", "status", "submitted_at"),
                      Index("ix_requests_updated", "updated_at", "id"),
                      Index("ix_requests_status_created", "status", "created_at"),
                      one_of("status", RequestStatus), one_of("urgency", Urgency),
                      one_of("visibility", Visibility))

    @staticmethod
    def reference_for(request_id: int) -> str:
        return f"R-{request_id:05d}"

    @property
    def reference(self) -> str:
        return self.reference_for(self.id)
