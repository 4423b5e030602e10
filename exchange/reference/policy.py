"""Who may manage reference data in the app: admins (the working groups, their lead entities, the themes
they cover)."""
from __future__ import annotations

from exchange.core.errors import Forbidden
from exchange.core.statuses import Role


def may_manage_reference(user) -> bool:
    return getattr(user, "role", None) == Role.ADMIN


def require_manage_reference(user) -> None:
    if not may_manage_reference(user):
        raise Forbidden()
