"""Helpers shared by the models: one clock (stored as naive UTC on every engine), the id bound, and the
columns that hold one of the enums of core/statuses."""
from datetime import UTC, datetime
from enum import StrEnum

from flask_babel import gettext as _
from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    String,
    Table,
    event,
)
from sqlalchemy.types import TypeDecorator

from exchange.core.errors import Conflict, ValidationFailed
from exchange.core.extensions import db

# Primary keys are 32-bit integers on every engine; a larger number can name no record (and PostgreSQL
# refuses to compare an INTEGER column with one), so inputs are checked against this bound.
MAX_ID = 2**31 - 1


def as_id(value) -> int | None:
    """The record id `value` names (an int, or digits in a string), or None when it can name no record."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value.isdigit() or len(value) > 10:
            return None
        value = int(value)
    if isinstance(value, int) and 0 < value <= MAX_ID:
        return value
    return None


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class EnumText(TypeDecorator):
    """A column holding a member of one of the StrEnums of core/statuses: stored as its value in a VARCHAR of
    `length` (the type the migrations made; `one_of` adds the CHECK constraint), read back as the member.
    The value set on a record's attribute becomes the member at once too (see `_members_on_set`)."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[StrEnum], length: int):
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value, dialect):
        return None if value is None else str(value)

    def process_result_value(self, value, dialect):
        return None if value is None else self.enum(value)

    @property
    def python_type(self):
        return self.enum


@event.listens_for(db.Model, "mapper_configured", propagate=True)
def _members_on_set(mapper, class_) -> None:
    """`record.status = "open"` stores RequestStatus.OPEN on the record, as a read from the database would:
    code after it may ask `record.status.label`. A value that is no member is kept as it is, for the
    database's CHECK constraint to refuse."""
    for prop in mapper.column_attrs:
        column_type = prop.columns[0].type
        if isinstance(column_type, EnumText):
            members = column_type.enum._value2member_map_

            def as_member(target, value, oldvalue, initiator, members=members):
                return members.get(value, value) if isinstance(value, str) else value

            event.listen(getattr(class_, prop.key), "set", as_member, retval=True)


def one_of(column: str, values, name: str | None = None) -> CheckConstraint:
    """CHECK (column IN (…)): the database refuses any other value (the names follow the metadata's
    naming convention: ck_<table>_<name>)."""
    listed = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({listed})", name=name or column)


def exactly_one(*columns: str, name: str) -> CheckConstraint:
    """CHECK that exactly one of these foreign keys is set: a row belongs to one record."""
    cases = [" AND ".join(f"{c} IS {'NOT ' if c == chosen else ''}NULL" for c in columns) for chosen in columns]
    return CheckConstraint(" OR ".join(f"({case})" for case in cases), name=name)


def link_table(name: str, owner: str, target: str, target_col: str) -> Table:
    owner_fk = f"{owner.rstrip('s')}_id" if owner != "assistance_requests" else "request_id"
    return Table(
        name, db.metadata,
        Column(owner_fk, ForeignKey(f"{owner}.id", ondelete="CASCADE"), primary_key=True),
        Column(f"{target_col}", ForeignKey(f"{target}"), primary_key=True, index=True),
    )


class CodedRecord:
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


def check_version(record, data: dict) -> None:
    version = data.pop("version", None)
    if version is None:
        raise ValidationFailed(_("Send the version you read."), {"version": [_("This field is required to edit.")]})
    if version != record.version:
        raise Conflict(_("Someone changed this record since you read it (you read version %(read)s; it is now "
                         "version %(now)s). Reload it and apply your change again.", read=version,
                         now=record.version))
