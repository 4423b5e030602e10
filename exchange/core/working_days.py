"""Working days, counted one way everywhere: the triage queue's waiting times, the reminders and the
dashboard's durations (issue 14: "the dashboard counting days the same way as triage"). Working days are
Monday to Friday; public holidays differ between duty stations and are not counted out."""
from __future__ import annotations

from datetime import date, datetime


def working_days_between(start: date | datetime, end: date | datetime) -> int:
    """Working days (Monday to Friday) after `start` up to and including `end`; 0 if end ≤ start. A request
    submitted on a Friday and proposed on the Monday waited 1 working day."""
    start_day = start.date() if isinstance(start, datetime) else start
    end_day = end.date() if isinstance(end, datetime) else end
    if end_day <= start_day:
        return 0
    days = (end_day - start_day).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    weekday = start_day.weekday()
    for offset in range(1, rest + 1):
        if (weekday + offset) % 7 < 5:
            count += 1
    return count
