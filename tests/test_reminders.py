"""Reminders with a fixed "now": who holds each stalled case gets one reminder per state of the case,
the State is asked for feedback after a completed delivery, and the cron command prints what it sent.
Also the working-day count behind the triage queue's waiting times."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from exchange.core.extensions import db
from exchange.core.models import utcnow
from exchange.core.working_days import working_days_between
from exchange.matches.models import Match
from exchange.messages.notify import record_ref
from exchange.messages.reminders import due_reminders, send_reminders, wait_level
from exchange.requests.models import AssistanceRequest


@pytest.mark.parametrize("start,end,expected", [
    (date(2026, 11, 2), date(2026, 11, 2), 0),     # same day
    (date(2026, 11, 2), date(2026, 11, 3), 1),     # Monday → Tuesday
    (date(2026, 11, 6), date(2026, 11, 9), 1),     # Friday → Monday: the weekend does not count
    (date(2026, 11, 7), date(2026, 11, 8), 0),     # Saturday → Sunday
    (date(2026, 11, 2), date(2026, 11, 16), 10),   # two weeks
    (date(2026, 11, 4), date(2026, 11, 14), 7),    # Wednesday → next Saturday
    (date(2026, 11, 9), date(2026, 11, 2), 0),     # end before start
    (datetime(2026, 11, 2, 23, 0), datetime(2026, 11, 3, 1, 0), 1),
])
def test_working_days_between(start, end, expected):
    assert working_days_between(start, end) == expected


def test_wait_level():
    assert wait_level(5) == "ok" and wait_level(6) == "long"


def run(app, now, **kw):
    with app.app_context():
        done = send_reminders(now, **kw)
        db.session.commit()
        return [(r.kind, record_ref(r.record), count) for r, count in done]


def test_stalled_requests_remind_whoever_holds_them_once_per_state(app, people, world):
    now = utcnow()
    submitted = world.request()
    assert run(app, now, stalled_days=10) == []  # not stalled yet
    world.age(AssistanceRequest, submitted, 11)
    assert run(app, now, stalled_days=10) == [("reminder.request", ("request", submitted), 1)]
    assert [n.kind for n in world.notifications_of(people.coordinator, "reminder.request")] == ["reminder.request"]
    assert run(app, now, stalled_days=10) == []  # never twice for the same state
    # The case moves (to needs_info: now the State holds it) and stalls again: the State is reminded.
    world.move_request(submitted, "request-info", {"message": "Which agencies?"})
    assert run(app, now + timedelta(days=11), stalled_days=10) == [("reminder.request", ("request", submitted), 1)]
    reminder = world.notifications_of(people.state, "reminder.request")
    assert len(reminder) == 1 and "your answer" in reminder[0].message


def test_stalled_matches_remind_the_provider_and_feedback_is_asked(app, people, world):
    request_id = world.request("open")
    match_id = world.match("proposed", request_id, world.offer(people.provider))
    world.age(AssistanceRequest, request_id, 30)
    world.age(Match, match_id, 12)
    now = utcnow()
    sent = run(app, now, stalled_days=10)
    assert ("reminder.match", ("match", match_id), 1) in sent
    assert ("reminder.request", ("request", request_id), 1) not in sent  # open with a live match: not stalled
    assert "accept or decline" in world.notifications_of(people.provider, "reminder.match")[0].message
    for step, raw in (("accept", {}), ("start", {}), ("complete", {"outcome": "Done well"})):
        world.move_match(match_id, step, raw)
    assert run(app, now + timedelta(days=13), stalled_days=10, feedback_days=14) == []
    world.age(Match, match_id, 15, "completed_at", "status_changed_at")
    assert run(app, now, stalled_days=10, feedback_days=14) == [("reminder.feedback", ("match", match_id), 1)]
    assert run(app, now, stalled_days=10, feedback_days=14) == []
    # Once confirmed, nothing more is asked.
    world.move_match(match_id, "confirm", {"rating": 4}, by="state")
    with app.app_context():
        assert [r for r in due_reminders(now + timedelta(days=60), 10, 14) if r.kind == "reminder.feedback"] == []


def test_open_requests_without_matches_remind_the_office(app, people, world):
    request_id = world.request("open")
    world.age(AssistanceRequest, request_id, 20)
    assert run(app, utcnow()) == [("reminder.request", ("request", request_id), 1)]
    assert "a match to be proposed" in world.notifications_of(people.coordinator, "reminder.request")[0].message


def test_cli_prints_what_it_sent(app, people, world):
    request_id = world.request()
    world.age(AssistanceRequest, request_id, 8)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reminders", "send", "--stalled-days", "7", "--feedback-days", "30"])
    assert result.exit_code == 0, result.output
    assert f"R-{request_id:05d}" in result.output and "1 reminder sent." in result.output
    result = runner.invoke(args=["reminders", "send", "--stalled-days", "7"])
    assert "0 reminders sent." in result.output
    bad = runner.invoke(args=["reminders", "send", "--stalled-days", "0"])
    assert bad.exit_code != 0


def test_a_reminder_reads_in_its_readers_language_with_the_days_counted_in_it(app, people, clients, world):
    from exchange.people.models import User
    submitted = world.request()
    world.age(AssistanceRequest, submitted, 11)
    with app.app_context():
        db.session.get(User, people.coordinator.id).language = "ru"
        db.session.commit()
    run(app, utcnow(), stalled_days=10)
    [note] = world.notifications_of(people.coordinator, "reminder.request")
    assert "has waited 11 days for triage." in note.message  # the English kept on the row
    inbox = clients.coordinator.get("/inbox").get_data(as_text=True)
    assert "ожидает первичного рассмотрения уже 11 дней." in inbox
