"""Jobs survive a restart: one process queues a job in the embedded default (SQLite storage) and ends;
another process, started afterwards, runs it (`flask jobs drain`, as a worker would)."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update

from exchange.core.extensions import db
from exchange.core.models import utcnow
from exchange.messages.models import Notification
from exchange.requests.models import AssistanceRequest
from tests.factories import make_request
from tests.helpers import DATABASE_URL

ROOT = Path(__file__).resolve().parents[2]


def _flask(queue_file: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "EXCHANGE_DATABASE_URL": DATABASE_URL, "EXCHANGE_JOBS_QUEUE_URL": f"sqlite:///{queue_file}",
           "EXCHANGE_JOBS_IMMEDIATE": "0", "EXCHANGE_SECRET_KEY": "test-secret-" + "x" * 40,
           "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def test_a_job_queued_by_a_process_that_ended_runs_in_the_next_one(app, people, tmp_path):
    with app.app_context():
        make_request(people, "submitted")
        db.session.execute(update(AssistanceRequest).values(status_changed_at=utcnow() - timedelta(days=30)))
        db.session.commit()
    queue_file = tmp_path / "jobs.sqlite3"
    queued = _flask(queue_file, "jobs", "run", "jobs.reminders")
    assert queued.returncode == 0, queued.stderr
    with app.app_context():
        assert db.session.scalars(select(Notification).where(Notification.kind == "reminder.request")).all() == []
    ran = _flask(queue_file, "jobs", "drain")
    assert ran.returncode == 0, ran.stderr
    assert "1 job run." in ran.stdout
    with app.app_context():
        reminded = db.session.scalars(select(Notification.user_id).where(Notification.kind == "reminder.request"))
        assert list(reminded) == [people.coordinator.id]
