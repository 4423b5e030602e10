"""People and organisations: who hears an organisation's own news, who may manage a person's API tokens."""
from __future__ import annotations

from exchange.core import visibility
from exchange.core.access import is_office
from exchange.core.statuses import Role
from exchange.people.models import Organisation


def sees_organisation(user, org: Organisation) -> bool:
    """An organisation's news goes to its active members and the Task Force office."""
    return bool(user.active) and (user.organisation_id == org.id or is_office(user))


visibility.register(Organisation, "Organisation", sees=sees_organisation)


def may_manage_tokens_of(actor, owner) -> bool:
    """Whether `actor` may issue, see and revoke `owner`'s API tokens: the owner, an admin, or the command
    line (no actor)."""
    return actor is None or actor.id == owner.id or actor.role == Role.ADMIN
