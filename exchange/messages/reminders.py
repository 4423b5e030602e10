"""Reminders and waiting times: who holds a case that has not moved, and how long a request has waited.

`due_reminders(now, stalled_days, feedback_days)` lists what to send, without sending; `send_reminders`
adds the notifications (the caller commits; e-mail follows the commit). A reminder is sent once for
each state of each case: a reminder notification on the same record since the case last moved
means it was already sent. How long the office has held a request is requests/clock.py's one rule
(`waiting` reads it; the triage queue flags waits over WAIT_WARNING_WORKING_DAYS); working days are counted by
`working_days_between` (core/working_days.py, the one count of the dashboard too).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import exists, or_, select
from sqlalchemy.orm import selectinload

from exchange.core.extensions import db
from exchange.core.statuses import MatchStatus, RequestStatus, Role
from exchange.matches.models import Match
from exchange.messages.models import Notification
from exchange.messages.notify import coordinators, notify, record_ref, users_of
from exchange.offers.models import Offer
from exchange.people.models import User
from exchange.requests.clock import OVERDUE_AFTER_WORKING_DAYS, clock_of, is_overdue
from exchange.requests.models import AssistanceRequest

WAIT_WARNING_WORKING_DAYS = OVERDUE_AFTER_WORKING_DAYS
DEFAULT_STALLED_DAYS = 10
DEFAULT_FEEDBACK_DAYS = 14

# Who holds a request in each status (the person expected to make the next move); an open request
# is the office's only while no live match is under way for it.
REQUEST_HOLDERS = {RequestStatus.SUBMITTED: "coordinators", RequestStatus.IN_REVIEW: "coordinators",
                   RequestStatus.NEEDS_INFO: "state", RequestStatus.OPEN: "coordinators"}
MATCH_HOLDERS = {MatchStatus.PROPOSED: "provider", MatchStatus.ACCEPTED: "provider",
                 MatchStatus.IN_DELIVERY: "provider"}


def request_reminder(status: str, days: int, **values):
    """What a stalled request waits for, in words each reader reads in their language (notify.py)."""
    if status == RequestStatus.SUBMITTED:
        return lazy_ngettext("%(ref)s (%(country)s: %(title)s) has waited %(num)d day for triage.",
                             "%(ref)s (%(country)s: %(title)s) has waited %(num)d days for triage.", days, **values)
    if status == RequestStatus.IN_REVIEW:
        return lazy_ngettext("%(ref)s (%(country)s: %(title)s) has waited %(num)d day for a triage decision.",
                             "%(ref)s (%(country)s: %(title)s) has waited %(num)d days for a triage decision.",
                             days, **values)
    if status == RequestStatus.NEEDS_INFO:
        return lazy_ngettext("%(ref)s (%(country)s: %(title)s) has waited %(num)d day for your answer.",
                             "%(ref)s (%(country)s: %(title)s) has waited %(num)d days for your answer.",
                             days, **values)
    return lazy_ngettext("%(ref)s (%(country)s: %(title)s) has waited %(num)d day for a match to be proposed.",
                         "%(ref)s (%(country)s: %(title)s) has waited %(num)d days for a match to be proposed.",
                         days, **values)


def match_reminder(status: str, days: int, **values):
    """What a stalled match waits for, in words each reader reads in their language."""
    if status == MatchStatus.PROPOSED:
        return lazy_ngettext("%(ref)s (%(request)s, %(country)s) has waited %(num)d day for your answer "
                             "(accept or decline).",
                             "%(ref)s (%(request)s, %(country)s) has waited %(num)d days for your answer "
                             "(accept or decline).", days, **values)
    if status == MatchStatus.ACCEPTED:
        return lazy_ngettext("%(ref)s (%(request)s, %(country)s) has waited %(num)d day for delivery to start.",
                             "%(ref)s (%(request)s, %(country)s) has waited %(num)d days for delivery to start.",
                             days, **values)
    return lazy_ngettext("%(ref)s (%(request)s, %(country)s) has waited %(num)d day for a report of completion.",
                         "%(ref)s (%(request)s, %(country)s) has waited %(num)d days for a report of completion.",
                         days, **values)


def wait_level(working_days: int) -> str:
    """'long' beyond the warning threshold, else 'ok' (pages show a colour and a text label)."""
    return "long" if is_overdue(working_days) else "ok"


def waiting(req: AssistanceRequest, now: datetime) -> dict:
    """How long the office has held a request (its clock, paused while it waits on the State or a provider):
    {"waited": working days, "level": "ok" or "long", "paused": bool}."""
    return clock_of(req, now)


def stalled_requests(before: datetime) -> list:
    """Conditions on AssistanceRequest: held by someone (see REQUEST_HOLDERS) and unmoved since `before`; an
    open request is not stalled while a match is under way for it."""
    R = AssistanceRequest
    return [R.status.in_(list(REQUEST_HOLDERS)), R.status_changed_at <= before,
            or_(R.status != RequestStatus.OPEN,
                ~exists().where(Match.request_id == R.id, Match.status.in_(MatchStatus.LIVE)))]


def stalled_matches(before: datetime) -> list:
    """Conditions on Match: held by its provider (see MATCH_HOLDERS) and unmoved since `before`."""
    return [Match.status.in_(list(MATCH_HOLDERS)), Match.status_changed_at <= before]


@dataclass
class Reminder:
    kind: str                 # reminder.request / reminder.match / reminder.feedback
    record: object            # the request or match it is about (notify lets only those who may see it hear)
    message: object           # lazy words (flask_babel.lazy_gettext): notify stores their msgid and values
    recipients: list[User] = field(default_factory=list)
    reference: str = ""


# A reminder sent: (kind, record_type, record_id).
ReminderKey = tuple[str, str, int]


def _already_reminded(key: ReminderKey, since: datetime, sent: set[ReminderKey],
                      latest: dict[ReminderKey, datetime]) -> bool:
    at = latest.get(key)
    return key in sent or (at is not None and at >= since)


def _latest_reminders() -> dict[ReminderKey, datetime]:
    rows = db.session.execute(select(Notification.kind, Notification.record_type, Notification.record_id,
                                     db.func.max(Notification.at))
                              .where(Notification.kind.like("reminder.%"))
                              .group_by(Notification.kind, Notification.record_type, Notification.record_id))
    return {(kind, record_type, record_id): at for kind, record_type, record_id, at in rows}


def due_reminders(now: datetime, stalled_days: int = DEFAULT_STALLED_DAYS,
                  feedback_days: int = DEFAULT_FEEDBACK_DAYS) -> list[Reminder]:
    """Every reminder due at `now` that has not been sent for the case's current state."""
    stalled_before = now - timedelta(days=stalled_days)
    feedback_before = now - timedelta(days=feedback_days)
    latest = _latest_reminders()
    sent: set[ReminderKey] = set()
    result: list[Reminder] = []
    office = coordinators()

    requests = db.session.scalars(select(AssistanceRequest).options(selectinload(AssistanceRequest.country),
                                                                    selectinload(AssistanceRequest.owner))
                                  .where(*stalled_requests(stalled_before))
                                  .order_by(AssistanceRequest.status_changed_at))
    state_ids = set()
    requests = list(requests)
    for req in requests:
        if REQUEST_HOLDERS[req.status] == "state":
            state_ids.add(req.organisation_id)
    state_users = _users_by_org(state_ids, Role.MEMBER_STATE)
    for req in requests:
        key = ("reminder.request", *record_ref(req))
        if _already_reminded(key, req.status_changed_at, sent, latest):
            continue
        holder = REQUEST_HOLDERS[req.status]
        days = (now - req.status_changed_at).days
        if holder == "coordinators":  # the case's owner when it has one, else every coordinator
            recipients = [req.owner] if req.owner is not None and req.owner.active else office
        else:
            recipients = state_users.get(req.organisation_id, [])
        result.append(Reminder("reminder.request", req, request_reminder(
            req.status, days, ref=req.reference, country=req.country.name, title=req.title),
            list(recipients), req.reference))
        sent.add(key)

    matches = list(db.session.scalars(select(Match).options(selectinload(Match.request).selectinload(
        AssistanceRequest.country), selectinload(Match.offer).selectinload(Offer.organisation))
        .where(*stalled_matches(stalled_before)).order_by(Match.status_changed_at)))
    provider_users = _users_by_org({m.offer.organisation_id for m in matches}, Role.PROVIDER)
    for match in matches:
        key = ("reminder.match", *record_ref(match))
        if _already_reminded(key, match.status_changed_at, sent, latest):
            continue
        days = (now - match.status_changed_at).days
        result.append(Reminder("reminder.match", match, match_reminder(
            match.status, days, ref=match.reference, request=match.request.reference,
            country=match.request.country.name), list(provider_users.get(match.offer.organisation_id, [])),
            match.reference))
        sent.add(key)

    unconfirmed = list(db.session.scalars(select(Match).options(selectinload(Match.request).selectinload(
        AssistanceRequest.country), selectinload(Match.offer).selectinload(Offer.organisation))
        .where(Match.status == MatchStatus.COMPLETED, Match.confirmed_at.is_(None), Match.completed_at.is_not(None),
               Match.completed_at <= feedback_before).order_by(Match.completed_at)))
    state_users = _users_by_org({m.request.organisation_id for m in unconfirmed}, Role.MEMBER_STATE)
    for match in unconfirmed:
        key = ("reminder.feedback", *record_ref(match))
        if _already_reminded(key, match.completed_at, sent, latest):
            continue
        result.append(Reminder("reminder.feedback", match, _l(
            "%(provider)s reported %(ref)s (%(request)s) completed on %(day)s: please confirm the delivery and rate "
            "it.", provider=match.offer.organisation.name, ref=match.reference, request=match.request.reference,
            day=match.completed_at.date()),
            list(state_users.get(match.request.organisation_id, [])), match.reference))
        sent.add(key)
    return result


def _users_by_org(org_ids: set[int], role: str) -> dict[int, list[User]]:
    result: dict[int, list[User]] = {}
    for user in users_of(org_ids, (role,)):
        result.setdefault(user.organisation_id, []).append(user)
    return result


def send_reminders(now: datetime, stalled_days: int = DEFAULT_STALLED_DAYS,
                   feedback_days: int = DEFAULT_FEEDBACK_DAYS) -> list[tuple[Reminder, int]]:
    """Add the due reminders as notifications (the caller commits); returns each with its recipient count.
    A reminder with nobody to receive it is still returned (count 0) so that the operator sees it."""
    done = []
    for reminder in due_reminders(now, stalled_days, feedback_days):
        count = notify(reminder.recipients, reminder.kind, reminder.message, about=reminder.record)
        done.append((reminder, count))
    return done
