"""Looking people and organisations up."""
from __future__ import annotations

from sqlalchemy import select

from exchange.core.extensions import db
from exchange.people.models import Organisation


def organisation_by_code(code: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.code == code))
