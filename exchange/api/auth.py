"""Bearer-token authentication for the API: the token acts with its user's role and organisation.

A token that is unknown, expired or revoked (or whose user is disabled) is no token: the route answers
401 as for none, and the refusal is a security event. A read-only token may only read: any other method
answers 403. The token's last use is written at most every API_TOKEN_USE_INTERVAL seconds, after the
request in a transaction of its own (side_writes), so an API read never writes in its transaction: each
process queues it once for what it read (however many threads read the same stale value at once), and the
write itself is conditional, so that several processes change the row once."""
from __future__ import annotations

import threading
from datetime import timedelta

from flask import current_app, g, request
from flask_babel import lazy_gettext as _l
from flask_login import AnonymousUserMixin
from sqlalchemy import or_, select, update

from exchange.audit.security_events import record_security_event
from exchange.core.errors import Forbidden
from exchange.core.extensions import db
from exchange.core.models import utcnow
from exchange.core.security import token_digest
from exchange.core.side_writes import defer_write
from exchange.people.models import ApiToken, User

READ_METHODS = ("GET", "HEAD")


class ReadOnlyToken(Forbidden):
    """This API token is read-only: it may only read (GET and HEAD)."""

    default_message = _l("This API token is read-only: it may only read (GET and HEAD).")


def bearer_token() -> str:
    """The token of the request's `Authorization: Bearer …` header, or ""."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def authenticate():
    """The user of a valid bearer token, or an anonymous user (routes then answer 401)."""
    token = bearer_token()
    if not token:
        return AnonymousUserMixin()
    row = db.session.execute(select(ApiToken, User).join(User, User.id == ApiToken.user_id)
                             .where(ApiToken.token_hash == token_digest(token))).first()
    now = utcnow()
    if row is None:
        record_security_event("security.token_refused", detail="Unknown API token.")
        return AnonymousUserMixin()
    api_token, user = row
    state = api_token.state(now)
    if state != "active" or not user.active:
        reason = state if state != "active" else "its user is disabled"
        record_security_event("security.token_refused", user=user,
                              detail=f"API token {api_token.id} ({api_token.name or 'no name'}) refused: {reason}.")
        return AnonymousUserMixin()
    g.api_token_id, g.api_token_scope = api_token.id, api_token.scope
    _note_use(api_token, now)
    return user


# token digest (unique; ids are reused by a new database) → (the last use this process read when it queued
# the write, when it queued it)
_queued: dict[str, tuple] = {}
_queued_lock = threading.Lock()


def _note_use(api_token: ApiToken, now) -> None:
    """Record the token's use after the request, if the last one recorded is older than the interval: queued
    once a process for the value read (until the interval passes, in case that write was lost), and
    conditional, so that concurrent requests of one token change its row once."""
    stale_before = now - timedelta(seconds=current_app.config["API_TOKEN_USE_INTERVAL"])
    seen = api_token.last_used_at
    if seen is not None and seen > stale_before:
        return
    token_id = api_token.id
    key = api_token.token_hash
    with _queued_lock:
        queued = _queued.get(key)
        if queued is not None and queued[0] == seen and queued[1] > stale_before:
            return  # another thread of this process has queued this very write
        if len(_queued) > 10_000:  # forget what is older than the interval (a bounded memo)
            for old in [k for k, (_, at) in _queued.items() if at <= stale_before]:
                del _queued[old]
        _queued[key] = (seen, now)

    def write(connection) -> None:
        connection.execute(update(ApiToken).where(ApiToken.id == token_id, or_(
            ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= stale_before)).values(last_used_at=now))

    defer_write(write)


def identify_caller():
    """The API's caller (the guard asks it for every /api/ request): the bearer token's user, refused when
    the token may not make this request."""
    user = authenticate()
    enforce_token_scope(user)
    return user


def enforce_token_scope(user) -> None:
    """Refuse (403) a read-only token's request to anything but read. Known routes only: an unknown route or
    method is answered by the error handlers (404, 405) as for any caller."""
    if g.get("api_token_scope") == "read" and request.method not in READ_METHODS and request.endpoint:
        record_security_event("security.token_refused", user=user,
                              detail=f"Read-only API token {g.api_token_id} used for {request.method}.")
        g.security_event_recorded = True  # this 403 is the refusal above, not a second event
        raise ReadOnlyToken()
