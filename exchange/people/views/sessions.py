"""Signed-in sessions in the browser: starting one once a person is verified (`start_session`), finding the
session a cookie names (Flask-Login's user loader), and its lapse.

The signed session cookie carries a random token naming one row of `user_sessions` (its digest is stored),
never the user's id, so each browser's session can be ended on its own or all together. A session lapses
PERMANENT_SESSION_LIFETIME after sign-in and SESSION_IDLE_TIMEOUT after its person's last request (what a
page asks by itself for live updates does not count: `is_background_request`). The time of the
last request travels in the signed cookie itself (`_seen`), so checking idleness never writes in a read's
transaction; the row's `last_seen_at` (shown on the account page) is written after the request, in a
transaction of its own (side_writes), at most once a minute.
"""
from __future__ import annotations

import time
from datetime import UTC, timedelta

from flask import current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_user
from sqlalchemy import update

from exchange.audit.security_events import client_address, record_security_event
from exchange.core.i18n import COOKIE, is_language, page_language
from exchange.core.models import utcnow
from exchange.core.side_writes import defer_write
from exchange.people import operations as people_ops
from exchange.people.models import User, UserSession
from exchange.web.forms import safe_local_path

SEEN_KEY = "_seen"
LAST_SEEN_EVERY = 60  # seconds between writes of a session's last_seen_at
# What a page asks by itself, not its person (live updates: the event stream, its polling, the regions it
# fetches again): it never counts as activity, so an open tab does not keep an idle session alive.
BACKGROUND_HEADER = "X-Exchange-Live"


def is_background_request() -> bool:
    return request.headers.get(BACKGROUND_HEADER) == "1" or (request.endpoint or "").startswith("live.")


def _seconds(value) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def start_session(user: User, next_path: str | None = None):
    """The one place a verified person becomes signed in: a new session row, the cookie naming it, the
    security event, the account's language if it had none (the request commits); answers the redirect to `next_path` (default: the request's `next`)."""
    row, token = people_ops.open_session(user, {"address": client_address(),
                                                "user_agent": request.user_agent.string or ""})
    session.clear()  # nothing from before sign-in carries over (a new CSRF token too)
    user.session_key = token
    login_user(user)
    session.permanent = True
    session[SEEN_KEY] = int(time.time())
    g.user_session = row
    if not is_language(user.language):  # the language chosen before signing in becomes the account's
        chosen = request.cookies.get(COOKIE)
        people_ops.set_language(user, user, {"language": chosen if is_language(chosen) else page_language()})
    record_security_event("security.sign_in", user=user)
    flash(_("Welcome, %(name)s.", name=user.display_name), "success")
    target = next_path if next_path is not None else request.args.get("next")
    return redirect(safe_local_path(target, url_for("home.index")))


def current_session() -> UserSession | None:
    """This browser's session row (once the caller is identified)."""
    return g.get("user_session")


def _lapse(row_id: int, reason: str) -> None:
    def write(connection):
        connection.execute(update(UserSession).where(UserSession.id == row_id, UserSession.ended_at.is_(None))
                           .values(ended_at=utcnow(), end_reason=reason))
    defer_write(write)


def _touch(row_id: int) -> None:
    at = utcnow()

    def write(connection):
        connection.execute(update(UserSession).where(UserSession.id == row_id).values(last_seen_at=at))
    defer_write(write)


def load_session_user(token: str) -> User | None:
    """Flask-Login's user loader: the user of the live session this cookie names, or None (signed out)."""
    row = people_ops.session_for_token(token)
    if row is None:
        return None
    config = current_app.config
    now = time.time()
    created = row.created_at.replace(tzinfo=UTC).timestamp()
    last_seen = row.last_seen_at.replace(tzinfo=UTC).timestamp()
    if now - created > _seconds(config["PERMANENT_SESSION_LIFETIME"]):
        _lapse(row.id, "expired")
        flash(ngettext("You were signed out %(num)d hour after signing in. Sign in again to continue.",
                       "You were signed out %(num)d hours after signing in. Sign in again to continue.",
                       int(_seconds(config["PERMANENT_SESSION_LIFETIME"]) // 3600)), "info")
        return None
    seen = session.get(SEEN_KEY)
    seen = float(seen) if isinstance(seen, int | float) else last_seen
    if now - seen > _seconds(config["SESSION_IDLE_TIMEOUT"]):
        _lapse(row.id, "idle")
        flash(ngettext("You were signed out after %(num)d minute without activity. Sign in again to continue.",
                       "You were signed out after %(num)d minutes without activity. Sign in again to continue.",
                       int(_seconds(config["SESSION_IDLE_TIMEOUT"]) // 60)), "info")
        return None
    if not is_background_request():
        session[SEEN_KEY] = int(now)
        if now - last_seen > LAST_SEEN_EVERY:
            _touch(row.id)
    g.user_session = row
    user = row.user
    user.session_key = token
    return user
