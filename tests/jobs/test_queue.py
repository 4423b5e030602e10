"""The job queue through the real layers: filing a request does not wait for the mail server (stopped or
slow), the e-mail goes out when it answers again (retried with back-off), a job run twice sends one e-mail,
failures are listed for the admins with a retry button, and the scheduler runs the reminders and digests
without cron. Jobs wait in the queue (in memory, or Redis under EXCHANGE_JOBS_QUEUE_URL) inside
`queued_jobs()` and run when the test drains it (`run_jobs`)."""
from __future__ import annotations

import time
from datetime import datetime, timedelta

from sqlalchemy import select, update

from exchange.core.extensions import db
from exchange.core.models import utcnow
from exchange.jobs import queue
from exchange.jobs.models import Job
from exchange.messages.models import Notification
from exchange.requests.models import AssistanceRequest
from tests.factories import REQUEST, make_request, set_notification_choices
from tests.helpers import free_port, mail_server, queued_jobs, run_jobs

ROLES = ("member_state", "provider", "coordinator", "admin")
ROLE_CLIENTS = {"member_state": "state", "provider": "provider", "coordinator": "coordinator", "admin": "admin"}


def _file(api, tokens) -> float:
    started = time.perf_counter()
    response = api.post("/api/v1/requests", tokens.state, json=REQUEST)
    elapsed = time.perf_counter() - started
    assert response.status_code == 201, response.json
    return elapsed


def _recipients(handler) -> list[str]:
    return sorted(to for tos, _ in handler.messages for to in tos)


def test_filing_does_not_wait_for_a_stopped_mail_server_and_the_mail_goes_out_when_it_is_back(
        app, people, api, tokens):
    port = free_port()
    with queued_jobs(), mail_server(app, port=port):
        _file(api, tokens)  # the app's first request warms its caches
        running = min(_file(api, tokens) for _ in range(3))
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{port}"  # the same server, stopped
    try:
        with queued_jobs():
            stopped = min(_file(api, tokens) for _ in range(3))
            run_jobs()  # the three e-mail jobs run and fail: the server is down
            with app.app_context():
                failed = db.session.scalars(select(Job).where(Job.name == "mail.notifications")).all()
                assert [(j.state, j.attempts) for j in failed] == [("retrying", 1)] * 3
            assert run_jobs() == 0  # the retries wait for their back-off (30 s)…
            with mail_server(app, port=port) as handler:
                assert run_jobs(minutes_later=1) == 3  # …then find the server back
                # Each filing: the State's acknowledgement and the coordinator's "New request to triage".
                assert _recipients(handler) == sorted([people.coordinator.email, people.state.email] * 3)
                assert run_jobs(minutes_later=60) == 0
            with app.app_context():
                assert {db.session.get(Job, j.id).state for j in failed} == {"done"}
    finally:
        app.config["SMTP_URL"] = ""
    print(f"\nfiling a request (best of 3): mail server running {running * 1000:.0f} ms, "
          f"stopped {stopped * 1000:.0f} ms")
    assert stopped < max(2 * running, running + 0.25)


def test_a_slow_mail_server_slows_the_e_mail_not_the_request(app, people, api, tokens):
    """The request time with an SMTP server that takes 2 s a message: inline (as before the queue: the
    e-mail was sent in the request) and queued."""
    with mail_server(app, delay=2.0) as handler:
        inline = _file(api, tokens)  # JOBS_IMMEDIATE: the job runs in the request, as the e-mail used to
        assert len(handler.messages) == 2
        with queued_jobs():
            queued = _file(api, tokens)
            assert len(handler.messages) == 2  # not sent yet
            run_jobs()
        assert len(handler.messages) == 4
    print(f"\nfiling with a 2 s SMTP server: e-mail in the request {inline * 1000:.0f} ms, "
          f"on the queue {queued * 1000:.0f} ms")
    assert inline > 4.0  # two messages, two seconds each
    assert queued < inline / 2  # under one message's 2 s: none was sent in the request (a loaded machine's margin)


def test_an_e_mail_job_run_twice_sends_one_e_mail(app, people, api, tokens):
    with mail_server(app) as handler, queued_jobs():
        _file(api, tokens)
        task = queue.huey.dequeue()
        assert task.name == "mail.notifications"
        queue.huey.execute(task)
        queue.huey.execute(task)  # again: a worker that died before acknowledging, or two workers
        assert len(handler.messages) == 2


def test_an_account_e_mail_job_run_twice_sends_one_e_mail(app, people, clients):
    with mail_server(app) as handler, queued_jobs():
        clients.anonymous.post("/password/forgot", data={"email": people.state.email})
        task = queue.huey.dequeue()
        assert task.name == "mail.account"
        queue.huey.execute(task)
        queue.huey.execute(task)
        assert [tos for tos, _ in handler.messages] == [[people.state.email]]


def test_a_change_rolled_back_queues_nothing(app, people):
    with queued_jobs():
        with app.app_context():
            make_request(people, "submitted")
            db.session.rollback()
        assert queue.huey.pending_count() == 0


def test_retries_back_off_then_the_failure_waits_for_an_admin(app, people, api, tokens, clients, monkeypatch):
    clock = {"now": utcnow()}  # the queue's clock, moved by the test from one retry to the next
    monkeypatch.setattr(queue.huey, "_get_timestamp", lambda: clock["now"])
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{free_port()}"
    try:
        with queued_jobs():
            _file(api, tokens)
            queue.run_jobs(clock["now"])
            for pause in (30, 60, 120, 240, 480, 960):  # retries=6: 30 s, then each pause twice the last
                (task,) = queue.huey.scheduled()
                assert round((task.eta - clock["now"]).total_seconds()) == pause
                assert queue.run_jobs(clock["now"] + timedelta(seconds=pause - 1)) == 0  # not before its time
                clock["now"] = task.eta
                assert queue.run_jobs(clock["now"]) == 1
            assert queue.huey.scheduled() == []
            with app.app_context():
                failed = db.session.scalars(select(Job).where(Job.name == "mail.notifications")).one()
                assert (failed.state, failed.attempts) == ("failed", 7)
            page = clients.admin.get("/jobs/failed")
            assert page.status_code == 200 and "mail.notifications" in page.text
            assert "Connection refused" in page.text
            with mail_server(app) as handler:
                assert clients.admin.post(f"/jobs/{failed.id}/retry").status_code == 302
                assert run_jobs() == 1
                assert len(handler.messages) == 2
            with app.app_context():
                assert db.session.get(Job, failed.id).state == "done"
    finally:
        app.config["SMTP_URL"] = ""


def test_the_failed_jobs_page_and_retry_are_the_admins_only(app, people, clients):
    with app.app_context():
        row = Job(name="mail.notifications", args=[[1]], state="failed", attempts=7, error="OSError: down")
        db.session.add(row)
        db.session.commit()
        row_id = row.id
    for role, name in ROLE_CLIENTS.items():
        client = getattr(clients, name)
        assert client.get("/jobs/failed").status_code == (200 if role == "admin" else 403), role
        if role != "admin":
            assert client.post(f"/jobs/{row_id}/retry").status_code == 403, role
    assert clients.anonymous.get("/jobs/failed").status_code == 302
    assert clients.anonymous.post(f"/jobs/{row_id}/retry").status_code in (302, 400, 403)
    with app.app_context():
        assert db.session.get(Job, row_id).state == "failed"  # nobody but the admin moved it
    assert clients.admin.post("/jobs/999999/retry").status_code == 404


def test_the_scheduler_runs_the_reminders_each_hour_without_cron(app, people):
    with app.app_context():
        req = make_request(people, "submitted")
        req.status_changed_at = utcnow() - timedelta(days=30)
        db.session.commit()
        request_id = req.id
    with queued_jobs():
        assert "jobs.reminders" not in queue.run_periodic(datetime(2026, 12, 1, 9, 0))
        due = queue.run_periodic(datetime(2026, 12, 1, 9, 5))  # what the consumer's scheduler does at 09:05
        assert "jobs.reminders" in due
        run_jobs()
        queue.run_periodic(datetime(2026, 12, 1, 10, 5))
        run_jobs()  # an hour later: once per state of the case, nothing new
    with app.app_context():
        reminders = db.session.scalars(select(Notification).where(Notification.kind == "reminder.request",
                                                                  Notification.record_id == request_id)).all()
        assert [n.user_id for n in reminders] == [people.coordinator.id]


def test_the_consumer_itself_runs_queued_and_periodic_jobs(app, people):
    """A real Huey consumer (worker threads, as `flask serve` starts them) runs what the scheduler queues."""
    from exchange.jobs.cli import start_consumer
    with app.app_context():
        make_request(people, "submitted")
        db.session.execute(update(AssistanceRequest).values(status_changed_at=utcnow() - timedelta(days=30)))
        db.session.commit()
    with queued_jobs():
        consumer = start_consumer(2)
        try:
            queue.run_periodic(datetime(2026, 12, 1, 9, 5))  # as its scheduler does at 09:05; its workers run it
            deadline = time.monotonic() + 20
            found = 0
            while time.monotonic() < deadline and not found:
                time.sleep(0.2)
                with app.app_context():
                    found = db.session.scalar(select(db.func.count()).select_from(Notification)
                                              .where(Notification.kind == "reminder.request"))
        finally:
            consumer.stop(graceful=True)
    assert found == 1


def test_the_digest_releases_held_notifications_and_e_mails_one_digest(app, people, api, tokens):
    with app.app_context():
        set_notification_choices(people, "coordinator", request=("daily", "daily"))
        db.session.commit()
    with mail_server(app) as handler:
        _file(api, tokens)
        _file(api, tokens)
        assert _recipients(handler) == sorted([people.state.email] * 2)  # the coordinator's wait
        with app.app_context():
            held = db.session.scalars(select(Notification).where(Notification.user_id == people.coordinator.id)).all()
            assert len(held) == 2 and all(n.inbox_hold == "daily" for n in held)
        with queued_jobs():
            assert "jobs.digests" in queue.run_periodic(datetime(2026, 12, 2, 7, 0))
            run_jobs()
            queue.run_periodic(datetime(2026, 12, 2, 7, 0))
            run_jobs()  # the same digest again: nothing more
        digests = [m for tos, m in handler.messages if tos == [people.coordinator.email]]
        assert len(digests) == 1 and "2 notifications" in digests[0].get_payload(decode=True).decode()
        with app.app_context():
            assert all(n.inbox_hold is None and n.emailed_at is not None for n in db.session.scalars(
                select(Notification).where(Notification.user_id == people.coordinator.id)))


def test_the_queue_holds_jobs_where_the_configuration_says(app):
    """memory:// by default under tests; Redis when EXCHANGE_JOBS_QUEUE_URL names it (the Redis run)."""
    import os

    from huey.storage import MemoryStorage, RedisStorage
    with queued_jobs():
        wanted = RedisStorage if os.environ.get("EXCHANGE_JOBS_QUEUE_URL", "").startswith("redis") else MemoryStorage
        assert type(queue.huey.storage) is wanted
    assert queue.storage_for("", "/tmp/x")[0].__name__ == "SqliteStorage"  # the embedded default
    assert queue.storage_for("redis://127.0.0.1:6379/1", "/tmp/x") == (RedisStorage,
                                                                       {"url": "redis://127.0.0.1:6379/1"})


def test_text_vectors_are_computed_by_a_job_after_the_commit(app, people):
    """MATCHING_EMBED_AFTER_COMMIT="queue" (the default outside tests): the web process only queues."""
    from exchange.matching.models import TextVector
    app.config["MATCHING_EMBED_AFTER_COMMIT"] = "queue"
    try:
        with queued_jobs():
            with app.app_context():
                req = make_request(people, "submitted", title="Border posts on the Niger river")
                db.session.commit()
                request_id = req.id
                stored = select(db.func.count()).select_from(TextVector).where(
                    TextVector.record_type == "request", TextVector.record_id == request_id)
                assert db.session.scalar(stored) == 0
            assert "matching.refresh" in {task.name for task in queue.huey.pending()}
            run_jobs()
            with app.app_context():
                assert db.session.scalar(stored) >= 1
    finally:
        app.config.pop("MATCHING_EMBED_AFTER_COMMIT")


def test_the_scheduled_backup_writes_a_checked_copy_and_keeps_the_last_ones(app, people, tmp_path):
    import pytest
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("the PostgreSQL backup (pg_dump) is tested in tests/test_backup.py")
    app.config.update(BACKUP_DIR=str(tmp_path), BACKUP_KEEP=2)
    try:
        for old in ("exchange-20260101-000000.sqlite3", "exchange-20260102-000000.sqlite3"):
            (tmp_path / old).write_bytes(b"an older backup")
        with queued_jobs():
            assert "jobs.backup" not in queue.run_periodic(datetime(2026, 12, 2, 2, 0))
            assert "jobs.backup" in queue.run_periodic(datetime(2026, 12, 2, 2, 30))
            run_jobs()
        with app.app_context():
            assert db.session.scalars(select(Job)).all() == []  # nothing failed
        kept = sorted(p.name for p in tmp_path.iterdir())
        assert len(kept) == 2 and kept[0] == "exchange-20260102-000000.sqlite3"
        import sqlite3
        with sqlite3.connect(tmp_path / kept[1]) as copy:
            assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert copy.execute("SELECT count(*) FROM users").fetchone()[0] == len(people.all())
    finally:
        app.config.update(BACKUP_DIR="", BACKUP_KEEP=7)


def test_the_sweep_e_mails_what_no_job_sent_and_only_what_its_reader_wants_now(app, people):
    """A process that ended between a commit and the queueing of its e-mail: the ten-minute sweep sends it."""
    with app.app_context():
        set_notification_choices(people, "coordinator", request=("now", "daily"))
        make_request(people, "submitted")
        db.session.commit()
        db.session.execute(update(Notification).values(at=utcnow() - timedelta(minutes=20)))
        db.session.commit()
    with mail_server(app) as handler, queued_jobs():
        assert "jobs.mail_sweep" in queue.run_periodic(datetime(2026, 12, 1, 9, 10))
        run_jobs()
        queue.run_periodic(datetime(2026, 12, 1, 9, 20))
        run_jobs()  # again: nothing more
    assert _recipients(handler) == [people.state.email]  # the coordinator chose the daily digest for requests


def test_the_failed_jobs_page_never_shows_an_account_e_mail_s_link(app, people, clients):
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{free_port()}"
    try:
        with queued_jobs():
            clients.anonymous.post("/password/forgot", data={"email": people.state.email})
            run_jobs()
            page = clients.admin.get("/jobs/failed")
    finally:
        app.config["SMTP_URL"] = ""
    assert page.status_code == 200 and "mail.account" in page.text
    assert "/password/reset" not in page.text and people.state.email not in page.text


def test_the_scheduler_imports_the_configured_iati_file_each_day_without_cron(app, people, tmp_path):
    """With IATI_IMPORT_PATH and IATI_IMPORT_AS set, the daily job reads the provider's published file and saves
    its valid activities (the invalid one is left out); without them it is never due."""
    from exchange.offers.models import Offer
    from tests.factories import iati_activity, iati_file
    path = tmp_path / "published.xml"
    path.write_bytes(iati_file([iati_activity("XM-DAC-41122-DAY-1"),
                                iati_activity("XM-DAC-41122-DAY-2", countries=("ZZ",))]))
    with queued_jobs():
        assert "jobs.iati_import" not in queue.run_periodic(datetime(2026, 12, 2, 3, 45))  # not configured
    app.config.update(IATI_IMPORT_PATH=str(path), IATI_IMPORT_AS=people.provider.email)
    try:
        with queued_jobs():
            assert "jobs.iati_import" not in queue.run_periodic(datetime(2026, 12, 2, 3, 30))
            assert "jobs.iati_import" in queue.run_periodic(datetime(2026, 12, 2, 3, 45))
            run_jobs()
        with app.app_context():
            assert db.session.scalars(select(Job)).all() == []  # nothing failed
            assert list(db.session.scalars(select(Offer.iati_identifier).where(
                Offer.iati_identifier.is_not(None)))) == ["XM-DAC-41122-DAY-1"]
    finally:
        app.config.update(IATI_IMPORT_PATH=None, IATI_IMPORT_AS=None)
