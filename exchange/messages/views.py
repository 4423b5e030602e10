"""Message threads on requests and matches: posting (POST routes) and showing a thread with unread
markers (the `thread_of(record)` template helper used by the match page and the request page's
workflow partial). Reading a thread moves the reader's marker once the page has been served."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, session
from flask_login import current_user

from exchange.core.access import ROLES, allow
from exchange.core.errors import ValidationFailed
from exchange.core.transactions import all_or_nothing
from exchange.matches.policy import get_match
from exchange.messages.notify import last_read_at, record_link, thread_key, thread_messages
from exchange.messages.operations import mark_thread_read_later, post_message
from exchange.messages.policy import may_see_message_thread
from exchange.requests.policy import get_request

bp = Blueprint("messages", __name__, template_folder="templates")
DRAFT_KEY = "thread_draft"


def _key(record) -> str:
    return "-".join(map(str, thread_key(record)))


def thread_of(record) -> dict:
    """A thread for display: its messages, which are new to the reader, a draft and errors kept from a
    refused post; the reader's marker moves after the response is sent."""
    user = current_user
    if not user.is_authenticated or not may_see_message_thread(user, record):
        return {"visible": False}
    messages = thread_messages(record)
    seen = last_read_at(user, record)
    new_ids = {m.id for m in messages if m.author_id != user.id and (seen is None or m.created_at > seen)}
    g.setdefault("threads_read", []).append(record)
    draft = session.get(DRAFT_KEY) or {}
    kept = draft if draft.get("key") == _key(record) else {}
    if kept:
        session.pop(DRAFT_KEY, None)
    return {"visible": True, "messages": messages, "new_ids": new_ids, "key": _key(record),
            "action": record_link(record) + "/messages",
            "draft": kept.get("text", ""), "errors": kept.get("errors", [])}


@bp.after_app_request
def _move_read_markers(response):
    """Once the page is served, move the reader's markers: after the request, in a transaction of its own
    (side_writes), so the page's read never writes in its transaction; a failed marker is only logged."""
    records = g.pop("threads_read", None)
    if records and response.status_code < 400 and current_user.is_authenticated:
        for record in records:
            mark_thread_read_later(current_user, record)
    return response


@bp.record_once
def _register_helpers(state) -> None:
    state.app.jinja_env.globals["thread_of"] = thread_of


def _post(record, back: str):
    try:
        with all_or_nothing():
            post_message(current_user, record, {"message": _form_text()})
    except ValidationFailed as err:
        session[DRAFT_KEY] = {"key": _key(record), "text": _form_text()[:1500],  # kept in the cookie session: bounded
                              "errors": err.fields.get("message", [err.message])}
        flash("Your message was not sent: " + " ".join(err.fields.get("message", [err.message])), "error")
        return redirect(back + "#thread")
    flash("Message sent.", "success")
    return redirect(back + "#thread")


def _form_text() -> str:
    from flask import request
    return request.form.get("message", "")


@bp.route("/requests/<int:request_id>/messages", methods=["POST"])
@allow(*ROLES)
def post_on_request(request_id: int):
    req = get_request(current_user, request_id)
    return _post(req, record_link(req))


@bp.route("/matches/<int:match_id>/messages", methods=["POST"])
@allow(*ROLES)
def post_on_match(match_id: int):
    match = get_match(current_user, match_id)
    return _post(match, record_link(match))
