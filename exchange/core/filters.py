"""List filters: one typed filter object per list (requests, offers, matches, the audit trail, the reports),
read the same way from a page's query string, the API's query parameters, an export's arguments and the
command line (`ListFilters.parse` / `from_params`), and the pieces their queries share (`linked`, `in_period`).

A list's filters are a frozen dataclass deriving from `ListFilters` whose fields are declared with the
filter kinds below (`codes`, `ids`, `search`, `sort`, `one`, `day`): each kind says how the value is read from
the parameters (a MultiDict, or a dict of strings or lists), what it means when absent, how it goes back
into a link (`as_args`) and how the API documents it (`api_fields`, for the flask-smorest arguments)."""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any, Self

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists

from exchange.core.errors import ValidationFailed
from exchange.core.models import as_id

MAX_VALUE_LENGTH = 200  # a longer value names no code and is no search word: it is dropped
INVALID_FILTERS = _l("Some filters are not valid.")


def values(params: Mapping, key: str) -> list[str]:
    """The non-empty values of one parameter (a string, a list, or a MultiDict's list), comma-separated
    values split, each stripped; a value longer than MAX_VALUE_LENGTH is dropped."""
    if hasattr(params, "getlist"):
        raw = params.getlist(key)
    else:
        raw = params.get(key)
        raw = raw if isinstance(raw, (list, tuple)) else [raw]
    out = []
    for item in raw:
        if item is None:
            continue
        for part in str(item).split(","):
            part = part.strip()
            if part and len(part) <= MAX_VALUE_LENGTH:
                out.append(part)
    return out


def first_value(params: Mapping, *keys: str) -> str:
    """The first non-empty value among these parameters (a name and its aliases), stripped."""
    for key in keys:
        raw = params.getlist(key) if hasattr(params, "getlist") else params.get(key)
        for item in raw if isinstance(raw, (list, tuple)) else [raw]:
            if item is not None and str(item).strip():
                return str(item).strip()
    return ""


def iso_date(value: str) -> date | None:
    """The date written as YYYY-MM-DD, or None (empty or not such a date)."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def record_ids(raw: Iterable[str]) -> list[int]:
    """The values that name a record id (`as_id`); the others are left out."""
    return [i for i in map(as_id, raw) if i is not None]


def linked(link_table, owner_id, code_column: str, codes):
    """Condition: the record whose id is `owner_id` (a column) names one of `codes` in `link_table`, whose
    first column is the record's key (request_themes.request_id, offer_languages.offer_id…)."""
    owner_column = next(iter(link_table.c))
    return exists().where(owner_column == owner_id, link_table.c[code_column].in_(codes))


def where_linked(stmt, filters, owner_id, links: Mapping):
    """Narrow `stmt` by each of `filters`' code filters that a link table answers (`links`: filter name →
    the link table and its code column, as `linked` takes them): the record must name one of the codes."""
    for name, (link_table, code_column) in links.items():
        if codes := getattr(filters, name):
            stmt = stmt.where(linked(link_table, owner_id, code_column, codes))
    return stmt


def in_period(column, start: date | None, end: date | None) -> list:
    """Conditions putting a timestamp column in a period of whole days, both ends inclusive (none for an
    open end): `column >= start` and `column < the day after end`."""
    conditions = []
    if start:
        conditions.append(column >= datetime.combine(start, time.min))
    if end:
        conditions.append(column < datetime.combine(end + timedelta(days=1), time.min))
    return conditions


# ------------------------------------------------------------------------------------------------
# Filter kinds: how one filter is read, written back into a link, and documented in the API.

class FilterProblem(ValueError):
    """A value that cannot be understood; its message is shown beside the filter (pages) or in the 422."""


@dataclasses.dataclass(frozen=True)
class Kind:
    """One filter of a list: read from `keys` (its parameter name first, then aliases)."""

    description: str
    empty: Any = ()
    keys: tuple[str, ...] = ()

    def read(self, params: Mapping, keys: tuple[str, ...]):
        raise NotImplementedError

    def arg(self, value) -> str:
        """The value as one query-string argument ("" when it is not filtered)."""
        return ",".join(str(v) for v in value) if value else ""

    def api_field(self) -> ma.fields.Field:
        return ma.fields.List(ma.fields.String(),
                              metadata={"description": self.description + " Repeat or comma-separate."})


@dataclasses.dataclass(frozen=True)
class Codes(Kind):
    """Several codes (`?x=a&x=b` or `?x=a,b`): a record matches one of them; none given: not filtered."""

    upper: bool = False

    def read(self, params, keys):
        found = [v for key in keys for v in values(params, key)]
        return tuple(v.upper() for v in found) if self.upper else tuple(found)


@dataclasses.dataclass(frozen=True)
class Ids(Kind):
    """Several record ids: None when none is given (not filtered); the values that are not ids are left
    out, so ids given that are all not numbers match nothing."""

    empty: Any = None

    def read(self, params, keys):
        found = [v for key in keys for v in values(params, key)]
        return tuple(record_ids(found)) if found else None


@dataclasses.dataclass(frozen=True)
class Search(Kind):
    """The words of a full-text search (several values joined by spaces); "" for no search."""

    empty: Any = ""

    def read(self, params, keys):
        return " ".join(v for key in keys for v in values(params, key))

    def arg(self, value) -> str:
        return value

    def api_field(self) -> ma.fields.Field:
        return ma.fields.String(metadata={"description": self.description})


@dataclasses.dataclass(frozen=True)
class Sort(Search):
    """One of `choices` (name → label); anything else is the default (the first choice)."""

    choices: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def read(self, params, keys):
        chosen = first_value(params, *keys)
        return chosen if chosen in self.choices else self.empty

    def arg(self, value) -> str:
        return "" if value == self.empty else value


@dataclasses.dataclass(frozen=True)
class One(Kind):
    """One value, stripped (upper- or lower-cased if `upper` or `lower`, at most `longest` characters), checked
    by `check` (which raises FilterProblem); "" when absent."""

    empty: Any = ""
    upper: bool = False
    longest: int | None = None
    lower: bool = False
    check: Callable[[str], None] | None = None

    def read(self, params, keys):
        value = first_value(params, *keys)
        value = value.upper() if self.upper else value.lower() if self.lower else value
        value = value[:self.longest] if self.longest else value
        if value and self.check:
            self.check(value)
        return value

    def arg(self, value) -> str:
        return value or ""

    def api_field(self) -> ma.fields.Field:
        return ma.fields.String(load_default="", metadata={"description": self.description})


@dataclasses.dataclass(frozen=True)
class Day(One):
    """A day written YYYY-MM-DD (None when absent); anything else is the problem `message`."""

    empty: Any = None
    message: str = _l("Use a date as YYYY-MM-DD.")

    def read(self, params, keys):
        raw = first_value(params, *keys)
        day = iso_date(raw)
        if raw and day is None:
            raise FilterProblem(str(self.message))
        return day

    def arg(self, value) -> str:
        return value.isoformat() if value else ""


def declare(kind: Kind):
    """A dataclass field of a ListFilters read as `kind` says (the kinds below are its usual forms)."""
    return dataclasses.field(default=kind.empty, metadata={"filter": kind})


def codes(description: str, *, upper: bool = False):
    """A field of several codes (see Codes); `upper`: compared upper-cased (ISO3 country codes)."""
    return declare(Codes(description, upper=upper))


def ids(description: str):
    """A field of several record ids (see Ids)."""
    return declare(Ids(description))


def search(description: str):
    """A full-text search field (see Search)."""
    return declare(Search(description))


def sort(choices: Mapping[str, str]):
    """A sort order field: one of `choices`, the first being the default (see Sort)."""
    default = next(iter(choices))
    return declare(Sort("One of " + ", ".join(choices) + f"; default {default}.", empty=default, choices=choices))


def one(description: str = "", *, keys: tuple[str, ...] = (), **options):
    """A field of one value (see One)."""
    return declare(One(description, keys=keys, **options))


def day(description: str = "", *, keys: tuple[str, ...] = (), **options):
    """A field of one day (see Day)."""
    return declare(Day(description, keys=keys, **options))


def end_not_before_start(filters, problems: dict[str, list[str]], key: str, message: str):
    """For `ListFilters.checked` of filters with a period (`start`, `end`): an end before the start is left
    out, and `message` is the problem of the parameter `key`."""
    if filters.start and filters.end and filters.end < filters.start:
        return dataclasses.replace(filters, end=None), {**problems, key: [message]}
    return filters, problems


@dataclasses.dataclass(frozen=True)
class ListFilters:
    """What a list is narrowed to. Subclasses declare their fields with the kinds above, may check fields
    against each other (`checked`), and their area's queries build the SQL from them."""

    @classmethod
    def kinds(cls) -> dict[str, Kind]:
        """Each filter's kind, by field name, in the order declared."""
        return {f.name: f.metadata["filter"] for f in dataclasses.fields(cls) if "filter" in f.metadata}

    @classmethod
    def keys_of(cls, name: str) -> tuple[str, ...]:
        """The parameter names a field is read from: its parameter name first, then its aliases."""
        return cls.kinds()[name].keys or (name,)

    @classmethod
    def parse(cls, params: Mapping, only: Iterable[str] | None = None) -> tuple[Self, dict[str, list[str]]]:
        """The filters understood in `params` (only the fields named in `only`, if given), and the problems
        of those that were not, by parameter name (a filter not understood is left out)."""
        names = set(only) if only is not None else None
        read: dict[str, Any] = {}
        problems: dict[str, list[str]] = {}
        for name, kind in cls.kinds().items():
            if names is not None and name not in names:
                continue
            keys = cls.keys_of(name)
            try:
                read[name] = kind.read(params, keys)
            except FilterProblem as problem:
                problems[keys[0]] = [str(problem)]
        filters = cls(**read)
        return filters.checked(problems)

    @classmethod
    def from_params(cls, params: Mapping, only: Iterable[str] | None = None) -> Self:
        """The filters in `params`; ValidationFailed (422) naming each filter that is not understood."""
        filters, problems = cls.parse(params, only)
        if problems:
            raise ValidationFailed(INVALID_FILTERS, problems)
        return filters

    def checked(self, problems: dict[str, list[str]]) -> tuple[Self, dict[str, list[str]]]:
        """Checks across fields (such as a period's end before its start): the filters kept, and problems."""
        return self, problems

    def as_args(self, leave_out: Iterable[str] = ()) -> dict[str, str]:
        """The filters set (but those named in `leave_out`), as query-string arguments (several codes joined
        by commas): for the page's form, its page links and its export links."""
        cls = type(self)
        args = {cls.keys_of(name)[0]: kind.arg(getattr(self, name)) for name, kind in cls.kinds().items()
                if name not in leave_out}
        return {key: value for key, value in args.items() if value}

    @classmethod
    def api_fields(cls) -> dict[str, ma.fields.Field]:
        """The API's query arguments for these filters, documented (for flask-smorest's `arguments`)."""
        return {cls.keys_of(name)[0]: kind.api_field() for name, kind in cls.kinds().items()}
