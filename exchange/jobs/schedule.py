"""Work the queue's scheduler does by itself, without cron (the consumer checks these each minute; one
worker process runs the scheduler: `flask jobs worker`, or `flask serve`):

* `jobs.reminders` (every hour at minute JOBS_REMINDER_MINUTE, default 5): the stalled-case checks and
  reminders of messages/reminders.py (once per state of each case, so a run twice sends nothing new);
* `jobs.digests` (every day at JOBS_DIGEST_HOUR:00 UTC, default 7): the daily digests
  (messages/preferences.py);
* `jobs.mail_sweep` (every 10 minutes): e-mails the notifications of the last two days that no job sent (a
  process that ended between a commit and the queueing of its e-mail);
* `jobs.backup` (every day at BACKUP_HOUR:30 UTC, default 2, where BACKUP_DIR is set): a checked backup of the
  database (deploy/backup.py), the last BACKUP_KEEP (default 7) kept;
* `jobs.iati_import` (every day at IATI_IMPORT_HOUR:45 UTC, default 3, where IATI_IMPORT_PATH is set): the
  provider's published IATI activity file read as IATI_IMPORT_AS, its valid activities saved
  (reports/iati_import.scheduled_import; the same reconciliation as the upload page).

Each is also a job that can be queued by hand (`flask jobs run NAME`) or retried from the failed-jobs page."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from exchange.core.extensions import db
from exchange.core.models import utcnow
from exchange.jobs.queue import job, the_app

log = logging.getLogger(__name__)


def _setting(key: str, default):
    return the_app().config.get(key, default)


def hourly_reminders(moment: datetime) -> bool:
    return moment.minute == int(_setting("JOBS_REMINDER_MINUTE", 5))


def daily_digest(moment: datetime) -> bool:
    return moment.hour == int(_setting("JOBS_DIGEST_HOUR", 7)) and moment.minute == 0


def every_ten_minutes(moment: datetime) -> bool:
    return moment.minute % 10 == 0


def daily_backup(moment: datetime) -> bool:
    return bool(_setting("BACKUP_DIR", "")) and moment.hour == int(_setting("BACKUP_HOUR", 2)) \
        and moment.minute == 30


def daily_iati_import(moment: datetime) -> bool:
    return bool(_setting("IATI_IMPORT_PATH", "")) and moment.hour == int(_setting("IATI_IMPORT_HOUR", 3)) \
        and moment.minute == 45


@job("jobs.reminders", periodic=hourly_reminders, retries=2, retry_delay=300)
def send_due_reminders() -> int:
    """The reminders due now (stalled requests and matches, deliveries to confirm): committed, e-mailed after."""
    from exchange.messages.reminders import DEFAULT_FEEDBACK_DAYS, DEFAULT_STALLED_DAYS, send_reminders
    config = current_app.config
    done = send_reminders(utcnow(), int(config.get("REMINDER_STALLED_DAYS", DEFAULT_STALLED_DAYS)),
                          int(config.get("REMINDER_FEEDBACK_DAYS", DEFAULT_FEEDBACK_DAYS)))
    db.session.commit()
    return len(done)


@job("jobs.digests", periodic=daily_digest, retries=4, retry_delay=600)
def send_digests() -> int:
    """Release the notifications held for the digest into the inboxes, then e-mail the e-mail digests."""
    from exchange.messages.preferences import digest_emails, release_held
    now = utcnow()
    released = release_held(now)
    sent = digest_emails(current_app._get_current_object(), now)
    log.info("Daily digest: %s notifications into inboxes, %s e-mails", released, sent)
    return sent


@job("jobs.mail_sweep", periodic=every_ten_minutes, retries=0)
def sweep_unsent_mail() -> int:
    from exchange.messages.mail import send_notifications
    from exchange.messages.models import Notification
    if not current_app.config.get("SMTP_URL"):
        return 0
    now = utcnow()
    ids = list(db.session.scalars(select(Notification.id).where(
        Notification.emailed_at.is_(None), Notification.at >= now - timedelta(days=2),
        Notification.at <= now - timedelta(minutes=5))))
    db.session.rollback()
    return send_notifications(current_app._get_current_object(), ids) if ids else 0


def backup_now(folder: Path, keep: int) -> Path:
    """A checked backup into `folder` (named by its moment), keeping the last `keep`; returns its path."""
    from exchange.deploy.backup import BackupError, backup, engine_of
    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    folder.mkdir(parents=True, exist_ok=True)
    suffix = ".sqlite3" if engine_of(url) == "sqlite" else ".dump"
    path = folder / f"exchange-{utcnow():%Y%m%d-%H%M%S}{suffix}"
    db.session.remove()
    report = backup(url, path)
    if not report.ok:
        raise BackupError(f"the backup failed its check: {report.integrity}, {report.mismatched}")
    backups = sorted(folder.glob(f"exchange-*{suffix}"))
    for old in backups[:-keep] if keep > 0 else []:
        old.unlink(missing_ok=True)
    return path


@job("jobs.backup", periodic=daily_backup, retries=3, retry_delay=900, tracked=True)
def scheduled_backup(progress) -> str:
    progress.start(1)
    folder = Path(current_app.config.get("BACKUP_DIR") or Path(current_app.instance_path) / "backups")
    path = backup_now(folder, int(current_app.config.get("BACKUP_KEEP", 7)))
    progress.advance(1)
    progress.result(path, path.name)
    return str(path)


@job("jobs.iati_import", periodic=daily_iati_import, retries=3, retry_delay=900)
def scheduled_iati_import() -> dict:
    """Read the configured IATI activity file and save its valid activities; what it found, by kind."""
    from exchange.reports.iati_import import scheduled_import
    result = scheduled_import(current_app.config)
    counts = dict(result.counts) if result is not None else {}
    log.info("Scheduled IATI import: %s", counts or "not configured")
    return counts
