"""The jobs people watch (a long export, a backup, a large import) and the jobs an admin must see (every
failure): one row each, written by the queue (jobs/queue.py) on connections of its own. A job that ran at once
and well leaves no row: the queue's storage holds what waits. A large import's upload (`ImportUpload`): what
was uploaded, by whom, its check's report and its result, and the key that makes applying it happen once."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from exchange.core.extensions import db
from exchange.core.models import one_of, utcnow


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    RETRYING = "retrying"
    DONE = "done"
    FAILED = "failed"


STATE_LABELS = {JobState.QUEUED: _l("Waiting"), JobState.RUNNING: _l("Running"),
                JobState.RETRYING: _l("Failed, will be retried"), JobState.DONE: _l("Done"),
                JobState.FAILED: _l("Failed")}


class Job(db.Model):
    """One job of the queue: its kind (`name`) and arguments (to run it again), its state, attempts and last
    error, its progress (`done` of `total`) and the file it made (`file_path`, offered as `file_name`)."""

    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    label: Mapped[str] = mapped_column(String(200), default="")
    args: Mapped[list | None] = mapped_column(JSON)
    task_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(12), default=JobState.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    file_path: Mapped[str | None] = mapped_column(String(500))
    file_name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (one_of("state", [s.value for s in JobState]), Index("ix_jobs_state", "state"),
                      Index("ix_jobs_owner", "owner_id"))

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS.get(self.state, self.state))

    @property
    def percent(self) -> int:
        if self.state == JobState.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)


class ImportState(StrEnum):
    CHECKING = "checking"    # the check job reads and tries every row (nothing is kept)
    CHECKED = "checked"      # every row valid: waits for its owner's confirmation
    REFUSED = "refused"      # a row has a problem (at the check, or when applying): nothing was saved
    APPLYING = "applying"    # confirmed: the apply job saves every row in one transaction
    APPLIED = "applied"      # saved


class ImportUpload(db.Model):
    """A large import (offers, requests or IATI activities), run as two tracked jobs: the check (the preview:
    every row tried and undone) and, once its owner confirms, the apply (every row saved in one transaction,
    or none). `key` is the upload's idempotency key: the apply job claims it (`applied_at`) in the very
    transaction that saves the rows, so that a job run twice (a retry, a worker that died after the commit,
    two workers) saves them once. The uploaded rows wait in the jobs' file area (`data_path`)."""

    __tablename__ = "import_uploads"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(12))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(255), default="")
    options: Mapped[dict | None] = mapped_column(JSON)   # the provider for rows without one; the rows chosen
    rows: Mapped[int] = mapped_column(Integer, default=0)
    data_path: Mapped[str] = mapped_column(String(500))
    state: Mapped[str] = mapped_column(String(12), default=ImportState.CHECKING)
    check_job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    apply_job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    report: Mapped[dict | None] = mapped_column(JSON)    # the check's: problems by row (IATI: every row)
    result: Mapped[dict | None] = mapped_column(JSON)    # the apply's: what was created or updated
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    applied_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (one_of("state", [s.value for s in ImportState]),
                      one_of("kind", ["offers", "requests", "iati"]), Index("ix_import_uploads_owner", "owner_id"))

    @property
    def job_id(self) -> int | None:
        """The job the page follows: the apply once confirmed, else the check."""
        return self.apply_job_id or self.check_job_id
