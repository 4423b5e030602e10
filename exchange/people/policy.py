"""People and organisations: who hears an organisation's own news, who may manage a person's account (API
tokens, sessions, second factor), who manages people and organisations, who approves providers."""
from __future__ import annotations

from exchange.core import visibility
from exchange.core.access import is_office
from exchange.core.statuses import Role
from exchange.people.models import Organisation


def sees_organisation(user, org: Organisation) -> bool:
    """An organisation's news goes to its active members and the Task Force office."""
    return bool(user.active) and (user.organisation_id == org.id or is_office(user))


visibility.register(Organisation, "Organisation", sees=sees_organisation)


def may_manage_account_of(actor, owner) -> bool:
    """Whether `actor` may manage `owner`'s own account (issue, see and revoke their API tokens, end their
    sessions, turn their two-step sign-in off): the owner, an admin, or the command line (no actor)."""
    return actor is None or actor.id == owner.id or actor.role == Role.ADMIN


def may_manage_people(actor) -> bool:
    """Creating and changing users and organisations, setting a password: admins, or the command line."""
    return actor is None or actor.role == Role.ADMIN


def may_approve_providers(actor) -> bool:
    """Approving or rejecting an outside provider: the Task Force office, or the command line."""
    return actor is None or is_office(actor)
