"""Helpers shared by the models: one clock, stored as naive UTC on every engine."""
from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
