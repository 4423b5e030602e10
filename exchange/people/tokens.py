"""API tokens: issuing one (shown once, stored as a digest, with an expiry and a scope), listing a
person's tokens, revoking one. Everyone may manage their own tokens; admins anyone's. Issuing and revoking
are security events (security_events.py)."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from exchange.audit.security_events import record_security_event
from exchange.core.errors import Forbidden, NotFound, ValidationFailed
from exchange.core.extensions import db
from exchange.core.models import utcnow
from exchange.core.security import new_api_token
from exchange.core.texts import text
from exchange.people.models import TOKEN_SCOPES, ApiToken, User
from exchange.people.policy import may_manage_tokens_of

NAME_MAX = 100


def lifetime_days(raw) -> int:
    """A token's lifetime in days: the configured default when empty, else 1 to the configured maximum."""
    default = current_app.config["API_TOKEN_LIFETIME_DAYS"]
    longest = current_app.config["API_TOKEN_MAX_LIFETIME_DAYS"]
    if raw in (None, ""):
        return default
    days = raw if isinstance(raw, int) else int(raw) if str(raw).strip().isdigit() else None
    if days is None or not 1 <= days <= longest:
        raise ValidationFailed("The token could not be issued.", {"days": [
            "Give a number of days from 1 to %(longest)s." % {"longest": longest}]})  # noqa: UP031
    return days


def issue_api_token(actor, user: User, name: str = "", *, scope: str = "write", days=None) -> str:
    """A new bearer token for `user`, valid `days` days (the configured default when None); only its digest
    is kept, so the returned token is shown once."""
    if user is None:
        raise NotFound("No such user.")
    if not may_manage_tokens_of(actor, user):
        raise Forbidden("You may only issue tokens for yourself.")
    if scope not in TOKEN_SCOPES:
        raise ValidationFailed("The token could not be issued.", {"scope": ["Choose read and write, or read only."]})
    name = (name or "").strip()
    if len(name) > NAME_MAX:
        raise ValidationFailed("The token could not be issued.", {"name": [
            text("Use at most %(max)s characters.", max=NAME_MAX)]})
    now = utcnow()
    expires_at = now + timedelta(days=lifetime_days(days))
    token, digest = new_api_token()
    row = ApiToken(user_id=user.id, token_hash=digest, name=name, scope=scope, created_at=now, expires_at=expires_at)
    db.session.add(row)
    db.session.flush()
    by = actor.email if actor else "the command line"
    record_security_event("security.token_issued", user=user,
                          detail=f"API token {row.id} ({name or 'no name'}, {scope}) issued by {by}, "
                                 f"expires {expires_at.date().isoformat()}")
    return token


def tokens_of(user: User) -> list[ApiToken]:
    """Every token of `user`, newest first (revoked and expired ones too: the list shows their state)."""
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                   .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def get_token(actor, token_id, user: User | None = None) -> ApiToken:
    """The token `actor` may manage (of `user` when given); NotFound otherwise, as for one that does not exist."""
    token = db.session.get(ApiToken, token_id) if isinstance(token_id, int) else None
    if token is None or (user is not None and token.user_id != user.id) or not may_manage_tokens_of(actor, token.user):
        raise NotFound("No such API token.")
    return token


def revoke_api_token(actor, token: ApiToken) -> bool:
    """Revoke `token` at once (True), or False when it was already revoked."""
    if not may_manage_tokens_of(actor, token.user):
        raise NotFound("No such API token.")
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    by = actor.email if actor else "the command line"
    record_security_event("security.token_revoked", user=token.user,
                          detail=f"API token {token.id} ({token.name or 'no name'}) revoked by {by}")
    return True
