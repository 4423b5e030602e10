"""Who hears of a request's moves: the State on every triage decision; on acceptance, the lead entities
of the working groups of its themes (A/62/898 annex)."""
from __future__ import annotations

from exchange.messages.notify import notify, users_of
from exchange.requests.models import AssistanceRequest

MESSAGES = {
    "review": "{ref} is being reviewed by the Task Force office.",
    "accept": "{ref} was accepted and is now open to providers.",
    "request-info": "The Task Force office asks for more information on {ref}: {text}",
    "reject": "{ref} was not accepted: {text}",
    "withdraw": "{ref} was withdrawn.",
    "close": "{ref} was closed.",
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
        notify(users_of([req.organisation_id], ("member_state",)), f"request.{action}",
               message.format(ref=f"{req.reference} ({req.title})", text=text), exclude=user, about=req)
    if action == "accept":
        notify(users_of(lead_entities(req), ("provider",)), "request.routed",
               f"New request on your working group's themes: {req.reference} from {req.country.name} — {req.title}",
               exclude=user, about=req)
