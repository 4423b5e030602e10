"""Who hears of a request's moves: the State on every triage decision; on acceptance, the lead entities
of the working groups of its themes (A/62/898 annex). Each person reads it in their own language
(messages/notify.py)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from exchange.core.statuses import Role
from exchange.messages.notify import Named, notify, users_of
from exchange.requests.models import AssistanceRequest

MESSAGES = {
    "review": _l("%(ref)s is being reviewed by the Task Force office."),
    "accept": _l("%(ref)s was accepted and is now open to providers."),
    "request-info": _l("The Task Force office asks for more information on %(ref)s: %(text)s"),
    "reject": _l("%(ref)s was not accepted: %(text)s"),
    "withdraw": _l("%(ref)s was withdrawn."),
    "close": _l("%(ref)s was closed."),
}


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
        notify(users_of([req.organisation_id], (Role.MEMBER_STATE,)), f"request.{action}", message,
               values={"ref": f"{req.reference} ({req.title})", "text": text}, exclude=user, about=req)
    if action == "accept":
        notify(users_of(lead_entities(req), (Role.PROVIDER,)), "request.routed",
               _l("New request on your working group's themes: %(ref)s from %(country)s — %(title)s",
                  ref=req.reference, country=Named("country", req.country_iso3, req.country.name), title=req.title),
               exclude=user, about=req)
