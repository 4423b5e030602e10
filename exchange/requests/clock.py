"""The office's clock on a case, the one rule of how long a request has waited for the Task Force office.

The clock counts working days (Monday to Friday) while the case is the office's to move: submitted, in
review, or open with no live match. It pauses while the case waits on the State (needs information) or on a
provider (a match proposed, accepted or in delivery), and stops when the case ends. Each request keeps the
working days counted before its current run (`clock_days`) and when the current run began (`clock_since`,
None while paused). `wind(req, …)` is called wherever the case changes hands (the request's moves, a match
proposed or moved); the triage queue, the dashboard's "overdue" and the reminders all read `office_days`
and `is_overdue` from here."""
from __future__ import annotations

from datetime import datetime

from exchange.core.models import utcnow
from exchange.core.statuses import MatchStatus, RequestStatus
from exchange.core.working_days import working_days_between

OVERDUE_AFTER_WORKING_DAYS = 5
# The statuses in which the office holds a case (an open one only while no match is under way).
OFFICE_HOLDS = (RequestStatus.SUBMITTED, RequestStatus.IN_REVIEW, RequestStatus.OPEN)


def office_holds(status: str, waits_on_provider: bool = False) -> bool:
    """Whether the office's clock runs for a case in `status` (with a live match or not)."""
    return status in OFFICE_HOLDS and not (status == RequestStatus.OPEN and waits_on_provider)


def waits_on_a_provider(req) -> bool:
    """A match of the request is under way (proposed, accepted or in delivery): a provider holds the case."""
    return any(m.status in MatchStatus.LIVE for m in req.matches)


def wind(req, now: datetime | None = None) -> None:
    """The case may have changed hands: bank the days of the run that ends, start a run if the office
    holds it now (and is not already counting), pause the clock otherwise."""
    now = now or utcnow()
    running = office_holds(req.status, req.status == RequestStatus.OPEN and waits_on_a_provider(req))
    if req.clock_since is not None and not running:
        req.clock_days = (req.clock_days or 0) + working_days_between(req.clock_since, now)
        req.clock_since = None
    elif req.clock_since is None and running:
        req.clock_since = now


def office_days(clock_days: int | None, clock_since: datetime | None, now: datetime | None = None) -> int:
    """Working days the office has held a case: those banked and those of the current run."""
    running = working_days_between(clock_since, now or utcnow()) if clock_since is not None else 0
    return (clock_days or 0) + running


def is_overdue(days: int) -> bool:
    return days > OVERDUE_AFTER_WORKING_DAYS


def clock_of(req, now: datetime | None = None) -> dict:
    """For a page: {"waited": working days, "level": "long" (overdue) or "ok", "paused": bool}."""
    days = office_days(req.clock_days, req.clock_since, now)
    return {"waited": days, "level": "long" if is_overdue(days) else "ok", "paused": req.clock_since is None}
