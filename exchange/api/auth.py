"""Bearer-token authentication for the API: the token acts with its user's role and organisation."""
from __future__ import annotations

from flask import request
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from ..extensions import db
from ..models import ApiToken, User, utcnow
from ..security import token_digest


def authenticate():
    """The user of a valid bearer token, or an anonymous user (routes then answer 401)."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return AnonymousUserMixin()
    row = db.session.execute(
        select(ApiToken, User).join(User, User.id == ApiToken.user_id).where(
            ApiToken.token_hash == token_digest(token.strip()), ApiToken.revoked_at.is_(None),
            User.active.is_(True))).first()
    if row is None:
        return AnonymousUserMixin()
    api_token, user = row
    now = utcnow()
    if api_token.last_used_at is None or (now - api_token.last_used_at).total_seconds() > 300:
        api_token.last_used_at = now  # written at most every five minutes, with the request's own commit
    return user
