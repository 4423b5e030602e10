"""Who hears of a request's moves: the State on every triage decision; on acceptance, the lead entities
of the working groups of its themes (A/62/898 annex). Each person is told in their own language."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from exchange.core.i18n import speaking
from exchange.core.statuses import Role
from exchange.messages.notify import notify, users_of
from exchange.requests.models import AssistanceRequest

MESSAGES = {
    "review": _l("{ref} is being reviewed by the Task Force office."),
    "accept": _l("{ref} was accepted and is now open to providers."),
    "request-info": _l("The Task Force office asks for more information on {ref}: {text}"),
    "reject": _l("{ref} was not accepted: {text}"),
    "withdraw": _l("{ref} was withdrawn."),
    "close": _l("{ref} was closed."),
}


def notify_in_their_language(recipients: Iterable, kind: str, write: Callable[[], str], *, exclude=None,
                             about) -> int:
    """`notify`, the message written by `write()` once for each language the recipients read (their
    account's), so that everyone reads it in theirs."""
    by_language = defaultdict(list)
    for user in recipients:
        if user is not None:
            by_language[getattr(user, "language", None)].append(user)
    told = 0
    for code, group in by_language.items():
        with speaking(code):
            told += notify(group, kind, write(), exclude=exclude, about=about)
    return told


def lead_entities(req: AssistanceRequest):
    """The lead entities of the working groups of the request's themes, each once, by code."""
    orgs = {}
    for theme in req.themes:
        if theme.working_group:
            for org in theme.working_group.leads:
                orgs[org.code] = org
    return [orgs[code] for code in sorted(orgs)]


def after_request_move(user, req: AssistanceRequest, action: str, text: str = "") -> None:
    message = MESSAGES.get(action)
    if message:
        notify_in_their_language(
            users_of([req.organisation_id], (Role.MEMBER_STATE,)), f"request.{action}",
            lambda: str(message).format(ref=f"{req.reference} ({req.title})", text=text), exclude=user, about=req)
    if action == "accept":
        notify_in_their_language(
            users_of(lead_entities(req), (Role.PROVIDER,)), "request.routed",
            lambda: _("New request on your working group's themes: %(ref)s from %(country)s — %(title)s",
                      ref=req.reference, country=req.country.name, title=req.title),
            exclude=user, about=req)
