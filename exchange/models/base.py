"""Helpers shared by the models: one clock (stored as naive UTC on every engine) and the id bound."""
from datetime import UTC, datetime

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
