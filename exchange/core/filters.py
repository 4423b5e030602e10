"""Reading list filters from query parameters, shared by every area's queries (pages, API and exports)."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

from sqlalchemy import exists

from exchange.core.models import as_id


def values(params: Mapping, key: str) -> list[str]:
    """The non-empty values of one parameter (a string, a list, or a MultiDict's list)."""
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
            if part and len(part) <= 200:
                out.append(part)
    return out


def linked(link_table, owner_id, code_column: str, codes):
    """Condition: the record whose id is `owner_id` (a column) names one of `codes` in `link_table`, whose
    first column is the record's key (request_themes.request_id, offer_languages.offer_id…)."""
    owner_column = next(iter(link_table.c))
    return exists().where(owner_column == owner_id, link_table.c[code_column].in_(codes))


def _ints(raw: list[str]) -> list[int]:
    return [i for i in map(as_id, raw) if i is not None]


def _one(params: Mapping, *keys: str) -> str:
    """The first non-empty value among these parameters (a name and its aliases), stripped."""
    for key in keys:
        raw = params.getlist(key) if hasattr(params, "getlist") else params.get(key)
        for item in raw if isinstance(raw, (list, tuple)) else [raw]:
            if item is not None and str(item).strip():
                return str(item).strip()
    return ""


def _iso_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def in_period(column, start: date | None, end: date | None) -> list:
    """Conditions putting a timestamp column in a period of whole days, both ends inclusive (none for an
    open end): `column >= start` and `column < the day after end`."""
    conditions = []
    if start:
        conditions.append(column >= datetime.combine(start, time.min))
    if end:
        conditions.append(column < datetime.combine(end + timedelta(days=1), time.min))
    return conditions
