"""Offers of assistance posted by providers, with the themes, modalities, languages, countries and regions
they cover. Matches and documents point here; this module does not import them."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from exchange.core.extensions import db
from exchange.core.models import CodedRecord, EnumText, link_table, one_of, utcnow
from exchange.core.statuses import (
    OfferStatus,
)
from exchange.people.models import Organisation, User
from exchange.reference.models import Country, Language, Modality, Region, Theme

if TYPE_CHECKING:  # relationships only: documents and matches import this module
    from exchange.documents.models import Document
    from exchange.matches.models import Match

offer_themes = link_table("offer_themes", "offers", "themes.code", "theme_code")


offer_modalities = link_table("offer_modalities", "offers", "modalities.code", "modality_code")


offer_languages = link_table("offer_languages", "offers", "languages.code", "language_code")


offer_countries = link_table("offer_countries", "offers", "countries.iso3", "country_iso3")


offer_regions = link_table("offer_regions", "offers", "regions.code", "region_code")

# The lists' filters read the offers naming a code from one index (migration h17d_list_indexes).
Index("ix_offer_themes_code_offer", offer_themes.c.theme_code, offer_themes.c.offer_id)
Index("ix_offer_countries_code_offer", offer_countries.c.country_iso3, offer_countries.c.offer_id)
Index("ix_offer_regions_code_offer", offer_regions.c.region_code, offer_regions.c.offer_id)


class Offer(CodedRecord, db.Model):
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
    status: Mapped[OfferStatus] = mapped_column(EnumText(OfferStatus, 10), default=OfferStatus.ACTIVE,
                                                index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    # The language its title and description are written in (ISO 639-1), chosen or detected and confirmed.
    content_language: Mapped[str | None] = mapped_column(String(8), index=True)
    # The identifier of the IATI activity this offer was imported from (reports/iati_import.py), if any.
    iati_identifier: Mapped[str | None] = mapped_column(String(200), index=True)

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
    # The lists' sorts and status filter (h17d_list_indexes; the title sort's `ix_sort_offers_title` is the
    # migration's alone: SQLite does not reflect expression indexes).
    __table_args__ = (one_of("status", OfferStatus), Index("ix_offers_updated", "updated_at", "id"),
                      Index("ix_offers_status_created", "status", "created_at"))

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
