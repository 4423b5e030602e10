"""API tokens: issuing one (shown once, stored as a digest, with an expiry and a scope), listing a
person's tokens, revoking one. Everyone may manage their own tokens; admins anyone's. Issuing and revoking
are security events (security_events.py)."""
from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from exchange.audit.security_events import record_security_event
from exchange.core.errors import Forbidden, NotFound
from exchange.core.extensions import db
from exchange.core.models import utcnow
from exchange.core.security import new_api_token
from exchange.people.models import ApiToken, User
from exchange.people.policy import may_manage_account_of
from exchange.people.schemas import TokenIn, load_input


def issue_api_token(actor, user: User, data: dict | None = None) -> str:
    """A new bearer token for `user` (`data`: TokenIn's `name`, `scope`, `days`; the configured lifetime when
    `days` is empty); only its digest is kept, so the returned token is shown once."""
    if user is None:
        raise NotFound(_("No such user."))
    if not may_manage_account_of(actor, user):
        raise Forbidden(_("You may only issue tokens for yourself."))
    data = load_input(TokenIn(), data or {}, _("The token could not be issued."))
    name, scope = data["name"], data["scope"]
    now = utcnow()
    expires_at = now + timedelta(days=data["days"])
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
    if token is None or (user is not None and token.user_id != user.id) or not may_manage_account_of(actor, token.user):
        raise NotFound(_("No such API token."))
    return token


def revoke_api_token(actor, token: ApiToken, data: dict | None = None) -> bool:
    """Revoke `token` at once (True), or False when it was already revoked."""
    if not may_manage_account_of(actor, token.user):
        raise NotFound(_("No such API token."))
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    by = actor.email if actor else "the command line"
    record_security_event("security.token_revoked", user=token.user,
                          detail=f"API token {token.id} ({token.name or 'no name'}) revoked by {by}")
    return True
