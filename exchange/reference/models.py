"""Reference data: M49 regions, countries, themes and their working groups, modalities, languages."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, DateTime, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from exchange.core.extensions import db

working_group_leads = Table(
    "working_group_leads",
    db.metadata,
    Column("working_group_code", ForeignKey("working_groups.code", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True),
)
working_group_members = Table(
    "working_group_members",
    db.metadata,
    Column("working_group_code", ForeignKey("working_groups.code", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True),
)


class _Named:
    """`label`: the row's name in the reader's language (reference.names); `name` stays the stored English."""

    _kind = ""

    @property
    def label(self) -> str:
        from exchange.reference.names import name
        return name(self._kind, getattr(self, "iso3", None) or self.code, self.name)


class Region(_Named, db.Model):
    """A UN M49 area: the World, a region, a sub-region or an intermediate region."""

    _kind = "region"
    __tablename__ = "regions"
    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))


class Country(_Named, db.Model):
    """A UN Member State with its M49 region, sub-region and (where M49 has one) intermediate region."""

    _kind = "country"
    __tablename__ = "countries"
    iso3: Mapped[str] = mapped_column(String(3), primary_key=True)
    iso2: Mapped[str] = mapped_column(String(2), unique=True)
    m49: Mapped[str] = mapped_column(String(3), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    sub_region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    intermediate_region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)

    region: Mapped[Region] = relationship(foreign_keys=[region_code])
    sub_region: Mapped[Region] = relationship(foreign_keys=[sub_region_code])
    intermediate_region: Mapped[Region | None] = relationship(foreign_keys=[intermediate_region_code])

    @property
    def areas(self) -> list[str]:
        """Every M49 area the country lies in, most specific first, ending with the World."""
        codes = [self.intermediate_region_code, self.sub_region_code, self.region_code, "001"]
        return [c for c in codes if c]


class WorkingGroup(_Named, db.Model):
    """A Task Force working group; its lead entities receive the requests on its themes."""

    _kind = "working_group"
    __tablename__ = "working_groups"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(Text, default="")
    # Set when an admin edits the group in the app (reference/admin.py): `seed reference` then leaves its
    # name, leads and members as edited.
    edited_at: Mapped[datetime | None] = mapped_column(DateTime)
    leads: Mapped[list[Organisation]] = relationship(  # noqa: F821
        secondary=working_group_leads, order_by="Organisation.code")
    members: Mapped[list[Organisation]] = relationship(  # noqa: F821
        secondary=working_group_members, order_by="Organisation.code")


class Theme(_Named, db.Model):
    """An area of the Global Counter-Terrorism Strategy, in one of its four pillars."""

    _kind = "theme"

    @property
    def description_label(self) -> str:
        from exchange.reference.names import description
        return description("theme", self.code) or self.description

    __tablename__ = "themes"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    pillar: Mapped[str] = mapped_column(String(3), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    working_group_code: Mapped[str | None] = mapped_column(ForeignKey("working_groups.code"))
    working_group: Mapped[WorkingGroup | None] = relationship()
    # Set when an admin moves the theme to a working group in the app: `seed reference` keeps that choice.
    working_group_edited_at: Mapped[datetime | None] = mapped_column(DateTime)


class Modality(_Named, db.Model):
    """A kind of assistance: training, legislative drafting, equipment…"""

    _kind = "modality"
    __tablename__ = "modalities"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")


class Language(_Named, db.Model):
    """A language assistance can be given in (ISO 639-1)."""

    _kind = "language"
    __tablename__ = "languages"
    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    native_name: Mapped[str] = mapped_column(String(60), default="")


# The four pillars of the Strategy (A/RES/60/288), in short; the catalogue has the UN's wording of each.
PILLARS = {
    "I": _l("Addressing the conditions conducive to the spread of terrorism"),
    "II": _l("Preventing and combating terrorism"),
    "III": _l("Building States' capacity and strengthening the UN system's role"),
    "IV": _l("Ensuring respect for human rights and the rule of law"),
}
# Their titles as the Strategy writes them (the API's and the exports' long form).
PILLAR_TITLES = {
    "I": _l("Measures to address the conditions conducive to the spread of terrorism"),
    "II": _l("Measures to prevent and combat terrorism"),
    "III": _l("Measures to build States' capacity to prevent and combat terrorism and to strengthen the role of "
              "the United Nations system in this regard"),
    "IV": _l("Measures to ensure respect for human rights for all and the rule of law as the fundamental basis "
             "of the fight against terrorism"),
}

