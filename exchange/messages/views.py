"""The conversation of a case on the pages of its request and of each of its matches: posting (POST routes,
with who may read the message) and showing the case's messages with who can see each and unread markers
(`thread_of(user, record)`, the thread panel that the request and match views load for their pages:
core/panels.py). Reading the conversation moves the reader's markers once the page has been served."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from exchange.core.access import allow
from exchange.core.errors import ValidationFailed
from exchange.core.panels import Panel, register_panel
from exchange.core.statuses import Role
from exchange.core.transactions import all_or_nothing
from exchange.matches.models import Match
from exchange.matches.policy import get_match
from exchange.messages.notify import page_of, record_ref
from exchange.messages.operations import mark_thread_read_later, post_message
from exchange.messages.policy import (
    AUDIENCES,
    EVERYONE,
    OFFICE,
    PROVIDERS,
    audiences_for,
    may_see_message_thread,
)
from exchange.messages.threads import case_messages, read_markers
from exchange.reference.names import organisation_name
from exchange.requests.policy import get_request

bp = Blueprint("messages", __name__, template_folder="templates")
DRAFT_KEY = "thread_draft"
THREAD_POSTS = {"request": "messages.post_on_request", "match": "messages.post_on_match"}  # the routes below


def _key(record) -> str:
    return "-".join(map(str, record_ref(record)))


def _thread_page(record) -> str:
    """The record's page, at its thread."""
    page = page_of(*record_ref(record))
    return url_for(page.endpoint, **page.values, _anchor="thread")


def thread_of(user, record) -> dict:
    """The case's conversation for display to `user` on the page of `record` (the request, or one of its
    matches): the messages of the request and its matches they may read, each with who can see it, which
    are new to them, a draft and errors kept from a refused post; the reader's markers on every thread shown
    move after the response is sent."""
    if not user.is_authenticated or not may_see_message_thread(user, record):
        return {"visible": False}
    messages = case_messages(user, record)
    markers = read_markers(user, record, messages)
    new_ids = {m.id for m in messages if m.author_id != user.id and (
        markers.get(m.match_id or 0) is None or m.created_at > markers[m.match_id or 0])}
    shown = {_key(record): record}
    for m in messages:
        thread = m.on_match if m.on_match is not None else (record.request if isinstance(record, Match) else record)
        shown.setdefault(_key(thread), thread)
    g.setdefault("threads_read", []).extend(shown.values())
    draft = session.get(DRAFT_KEY) or {}
    kept = draft if draft.get("key") == _key(record) else {}
    if kept:
        session.pop(DRAFT_KEY, None)
    on_match = isinstance(record, Match)
    provider = organisation_name(record.offer.organisation) if on_match else ""
    return {"visible": True, "messages": messages, "new_ids": new_ids, "key": _key(record),
            "audiences": {a: AUDIENCES[a] for a in audiences_for(user)}, "seen_by": seen_by,
            "on_match": on_match, "provider": provider,
            "audience": kept.get("audience", EVERYONE),
            "action": url_for(THREAD_POSTS[record_ref(record)[0]], **page_of(*record_ref(record)).values),
            "draft": kept.get("text", ""), "errors": kept.get("errors", [])}


def thread_panel(user, record) -> Panel | None:
    thread = thread_of(user, record)
    return Panel("messages/_thread.html", thread) if thread["visible"] else None


@bp.record_once
def _register_panels(state) -> None:
    for record_type in THREAD_POSTS:
        register_panel(state.app, record_type, "thread", thread_panel)


@bp.after_app_request
def _move_read_markers(response):
    """Once the page is served, move the reader's markers: after the request, in a transaction of its own
    (side_writes), so the page's read never writes in its transaction; a failed marker is only logged."""
    records = g.pop("threads_read", None)
    if records and response.status_code < 400 and current_user.is_authenticated:
        for record in records:
            mark_thread_read_later(current_user, record)
    return response


def seen_by(message) -> str:
    """Who can read a message, in words: its audience, on the request or on the match with its provider."""
    match = getattr(message, "on_match", None)
    if match is None:
        return str(AUDIENCES.get(message.audience, message.audience))
    provider = organisation_name(match.offer.organisation)
    if message.audience == EVERYONE:
        return _("The State, %(provider)s and the Task Force office", provider=provider)
    if message.audience == PROVIDERS:
        return _("%(provider)s and the Task Force office, not the State", provider=provider)
    return str(AUDIENCES[OFFICE])


def _post(record):
    from flask import request
    audience = request.form.get("audience", EVERYONE)[:12]
    try:
        with all_or_nothing():
            post_message(current_user, record, {"message": _form_text(), "audience": audience})
    except ValidationFailed as err:
        errors = err.fields.get("message") or err.fields.get("audience") or [err.message]
        session[DRAFT_KEY] = {"key": _key(record), "text": _form_text()[:1500],  # kept in the cookie session: bounded
                              "errors": errors, "audience": audience}
        flash(_("Your message was not sent: %(reason)s", reason=" ".join(errors)), "error")
        return redirect(_thread_page(record))
    flash(_("Message sent."), "success")
    return redirect(_thread_page(record))


def _form_text() -> str:
    from flask import request
    return request.form.get("message", "")


@bp.route("/requests/<int:request_id>/messages", methods=["POST"])
@allow(*Role)
def post_on_request(request_id: int):
    req = get_request(current_user, request_id)
    return _post(req)


@bp.route("/matches/<int:match_id>/messages", methods=["POST"])
@allow(*Role)
def post_on_match(match_id: int):
    match = get_match(current_user, match_id)
    return _post(match)
