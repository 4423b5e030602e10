"""Notifications: an in-app inbox for every event a person must act on (and e-mail after commit,
where EXCHANGE_SMTP_URL is set). Operations call `notify`; the rows go in with the change's transaction."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from .extensions import db
from .models import Notification, Organisation, User


def users_of(organisations: Iterable[Organisation | int], roles: tuple[str, ...] | None = None) -> list[User]:
    """The active users of these organisations (optionally only some roles)."""
    ids = [o if isinstance(o, int) else o.id for o in organisations]
    if not ids:
        return []
    stmt = select(User).where(User.organisation_id.in_(ids), User.active.is_(True))
    if roles:
        stmt = stmt.where(User.role.in_(roles))
    return list(db.session.scalars(stmt))


def coordinators() -> list[User]:
    return list(db.session.scalars(select(User).where(User.role == "coordinator", User.active.is_(True))))


def notify(recipients: Iterable[User], kind: str, message: str, link: str = "", exclude: User | None = None) -> int:
    """Add one notification per recipient (once each, never to `exclude`, the person acting)."""
    seen: set[int] = set()
    for user in recipients:
        if user is None or user.id in seen or (exclude is not None and user.id == getattr(exclude, "id", None)):
            continue
        seen.add(user.id)
        db.session.add(Notification(user_id=user.id, kind=kind, message=message, link=link))
    return len(seen)
