"""The job queue: one Huey instance for the process, with an embedded default and a distributed engine
behind the same code (docs/ARCHITECTURE.md says why Huey).

`configure(app)` (the factory) chooses the storage from config JOBS_QUEUE_URL:

* ``""`` (the default): SQLite, the file ``instance/jobs.sqlite3`` (Huey's SqliteStorage): jobs survive a
  restart, and `make run` runs the web and a worker in one command (`flask serve`);
* ``redis://host:port/db``: Redis (Huey's RedisStorage) for several web and worker processes;
* ``memory://``: in the process only (tests).

``JOBS_IMMEDIATE`` (the default under TESTING) runs each job as soon as it is queued, in the caller's
thread: tests stay deterministic; a test that wants the queue itself sets it False and calls `run_jobs`.

A job is a function decorated with `@job("area.name")`: it runs in an app context of its own (its own
database session), retries with back-off (`retry_delay` seconds, then times `retry_backoff`), and must be
idempotent (it may run twice: after a worker dies, or when an admin retries it). A job that fails is
recorded in `jobs` (models.Job), which the admins' failed-jobs page lists with a retry button; a
`tracked` job has its row from the start and reports its progress (`Progress`) for its page and the CLI.

Jobs are queued after the transaction that asks for them commits (`after_commit`), never inside it: the
worker then sees what the job is about, and a change that did not happen queues nothing.
"""
from __future__ import annotations

import functools
import logging
import threading
import traceback
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from flask import Flask, current_app, has_app_context, has_request_context
from huey import Huey
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage
from sqlalchemy import event, insert, select, update

from exchange.core.extensions import db
from exchange.core.models import utcnow

log = logging.getLogger(__name__)

# The one queue of the process; `configure` gives it its storage before any job is queued or run.
huey = Huey("exchange", storage_class=MemoryStorage, utc=True, results=False)
JOBS: dict[str, Callable] = {}        # name → Huey task, for the retry button and the CLI
TRACKED: set[str] = set()
LIVE: set[str] = set()  # tracked jobs whose progress goes through the queue's storage (Progress)
SECRET_ARGS: set[str] = set()  # jobs whose arguments no page shows (an account e-mail's link)
_AFTER_COMMIT = "exchange_jobs_after_commit"
_app: Flask | None = None


def storage_for(url: str, instance_path: str) -> tuple[type, dict]:
    """The Huey storage class and its arguments for a JOBS_QUEUE_URL."""
    if not url:
        Path(instance_path).mkdir(parents=True, exist_ok=True)
        return SqliteStorage, {"filename": str(Path(instance_path) / "jobs.sqlite3")}
    if url.startswith("sqlite:///"):
        return SqliteStorage, {"filename": url.removeprefix("sqlite:///")}
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisStorage, {"url": url}
    if url == "memory://":
        return MemoryStorage, {}
    raise ValueError(f"JOBS_QUEUE_URL {url!r}: use sqlite:///path, redis://host:port/db or memory://")


def configure(app: Flask) -> None:
    """Give the queue the app's storage and mode; the last app configured is the one jobs run in."""
    global _app
    _app = app
    storage_class, kwargs = storage_for(app.config.get("JOBS_QUEUE_URL") or "", app.instance_path)
    immediate = app.config.get("JOBS_IMMEDIATE")
    immediate = bool(app.testing if immediate is None else immediate)
    if (huey.storage_class, huey.storage_kwargs, huey._immediate) != (storage_class, kwargs, immediate) \
            or isinstance(huey.storage, MemoryStorage) and storage_class is not MemoryStorage:
        huey.storage_class, huey.storage_kwargs, huey._immediate = storage_class, kwargs, immediate
        huey.storage = huey.create_storage()
    _install_session_hooks()


def use_app(app: Flask) -> None:
    """Run the jobs that no app context names in `app` (tests, which build several apps in one process)."""
    global _app
    _app = app


def set_immediate(value: bool) -> None:
    """Run jobs at once (True) or queue them for a worker or `run_jobs` (False)."""
    huey.immediate = value


def files_folder() -> Path:
    """The jobs' file area (config JOBS_FILES_FOLDER, default instance/job-files): the files long jobs make
    (an export's) and the uploads they read (a large import's)."""
    folder = Path(the_app().config.get("JOBS_FILES_FOLDER") or Path(the_app().instance_path) / "job-files")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def the_app() -> Flask:
    if has_app_context():
        return current_app._get_current_object()
    if _app is None:
        raise RuntimeError("The job queue is not configured: create the app first")
    return _app


# ------------------------------------------------------------------------------------------------
# Defining jobs.

class Progress:
    """What a tracked job reports as it goes: how much there is, how much is done, the file it made.

    A `live` job writes in one long transaction (an import saving its rows): on SQLite that transaction holds
    the database's write lock, so its progress cannot go to its row on another connection until it ends; it
    goes to the queue's own storage instead (`live_progress`, read by the job's status), and to its row when
    the job ends (`settle`)."""

    def __init__(self, job_id: int | None, live: bool = False):
        self.job_id = job_id
        self.live = live
        self.total = 0
        self.done = 0

    def _write(self, **values) -> None:
        if self.job_id is None:
            return
        if self.live and set(values) <= {"total", "done"}:
            try:
                huey.put(_progress_key(self.job_id), {"total": self.total, "done": min(self.done, self.total)
                                                      if self.total else self.done})
            except Exception:  # noqa: BLE001 - the queue's storage out of reach: the page shows less, the job goes on
                log.debug("progress of job %s not written", self.job_id)
            return
        from exchange.jobs.models import Job
        with db.engine.begin() as conn:
            conn.execute(update(Job).where(Job.id == self.job_id).values(**values))

    def settle(self) -> None:
        """A live job's last figures to its row (its transaction over), its live figures dropped."""
        if self.job_id is None or not self.live:
            return
        self.live = False
        self._write(total=self.total, done=min(self.done, self.total) if self.total else self.done)
        try:
            huey.get(_progress_key(self.job_id))  # read without peeking: removed
        except Exception:  # noqa: BLE001 - left behind in the queue's storage: harmless, the row is what counts
            log.debug("live progress of job %s not removed", self.job_id)

    def start(self, total: int) -> None:
        self.total, self.done = total, 0
        self._write(total=total, done=0)

    def advance(self, count: int = 1) -> None:
        self.done += count
        # Written every 1 % (and at the end), not every row: the page polls once a second.
        step = max(1, self.total // 100)
        if self.done >= self.total or self.done % step < count:
            self._write(done=min(self.done, self.total) if self.total else self.done)

    def result(self, path: Path, filename: str) -> None:
        self._write(file_path=str(path), file_name=filename)


def _progress_key(job_id: int) -> str:
    return f"exchange-progress-{job_id}"


def live_progress(job_id: int) -> dict | None:
    """A live job's figures while it runs ({"total", "done"}), or None."""
    try:
        return huey.get(_progress_key(job_id), peek=True)
    except Exception:  # noqa: BLE001 - the queue's storage out of reach: the row's figures stand
        return None


def job(name: str, *, retries: int = 6, retry_delay: float = 30, retry_backoff: float = 2,
        tracked: bool = False, periodic: Callable[[datetime], bool] | None = None, secret_args: bool = False,
        live: bool = False):
    """Declare a job. Calling the result queues it (`send.after_commit(...)` queues it once the current
    transaction commits). A tracked job's function takes a `Progress` first. `periodic(moment)` says at
    which minutes (naive UTC) the consumer's scheduler queues it by itself (no cron). `secret_args`: its
    arguments are never shown (the failed-jobs page hides them). `live`: a tracked job that writes in one long
    transaction; its progress goes through the queue's storage while it runs (Progress)."""
    def decorate(func: Callable) -> Callable:
        @functools.wraps(func)
        def run(*args, task=None):
            app = the_app()
            if has_request_context():  # run at once (JOBS_IMMEDIATE) by a web request: as a worker would
                return _apart(app, name, func, args, task, tracked)
            with app.app_context():  # a session of its own, even when run at once inside a commit's hook
                try:
                    return _run(name, func, args, task, tracked)
                finally:
                    db.session.remove()

        options = {"name": name, "retries": retries, "retry_delay": retry_delay, "retry_backoff": retry_backoff,
                   "context": True}
        task = (huey.periodic_task(periodic, **options) if periodic else huey.task(**options))(run)
        task.after_commit = functools.partial(after_commit, task)
        JOBS[name] = task
        if tracked:
            TRACKED.add(name)
        if live:
            LIVE.add(name)
        if secret_args:
            SECRET_ARGS.add(name)
        return task
    return decorate


def _apart(app: Flask, name: str, func: Callable, args: tuple, task, tracked: bool):
    """Run the job in a thread of its own and wait for it: outside the web request (whose transactions begin
    IMMEDIATE on SQLite, core/database.py), exactly as a worker runs it; its exception is raised here."""
    outcome: dict = {}

    def target():
        with app.app_context():
            try:
                outcome["value"] = _run(name, func, args, task, tracked)
            except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread below
                outcome["error"] = exc
            finally:
                db.session.remove()

    thread = threading.Thread(target=target, name=f"job-{name}")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def _run(name: str, func: Callable, args: tuple, task, tracked: bool):
    from exchange.jobs.models import Job, JobState
    task_id = getattr(task, "id", None)
    row_id = _row_of(task_id)
    if row_id is not None:
        _set(row_id, state=JobState.RUNNING, started_at=utcnow(), attempts=Job.attempts + 1, error=None)
    progress = Progress(row_id, live=name in LIVE)
    try:
        result = func(progress, *args) if tracked else func(*args)
    except Exception as exc:
        db.session.rollback()
        progress.settle()
        final = not getattr(task, "retries", 0)
        error = "".join(traceback.format_exception_only(type(exc), exc)).strip()[:2000]
        state = JobState.FAILED if final else JobState.RETRYING
        if row_id is None:
            with db.engine.begin() as conn:
                conn.execute(insert(Job).values(name=name, args=list(args), task_id=task_id, state=state,
                                                attempts=1, error=error, created_at=utcnow(),
                                                finished_at=utcnow() if final else None))
        else:
            _set(row_id, state=state, error=error, finished_at=utcnow() if final else None)
        raise
    db.session.rollback()  # a transaction the job left open (a read) ends before its row is written
    progress.settle()
    if row_id is not None:
        _set(row_id, state=JobState.DONE, finished_at=utcnow(), error=None)
    return result


def _row_of(task_id: str | None) -> int | None:
    if not task_id:
        return None
    from exchange.jobs.models import Job
    with db.engine.connect() as conn:
        return conn.scalar(select(Job.id).where(Job.task_id == task_id))


def _set(row_id: int, **values) -> None:
    from exchange.jobs.models import Job
    with db.engine.begin() as conn:
        conn.execute(update(Job).where(Job.id == row_id).values(**values))


def enqueue_tracked(name: str, args: list, owner_id: int | None = None, label: str = "") -> int:
    """A tracked job: its row added to the current transaction (so its page exists once it commits), the
    job queued after the commit; returns the row's id."""
    from exchange.jobs.models import Job, JobState
    task = JOBS[name].s(*args)
    row = Job(name=name, args=list(args), task_id=task.id, owner_id=owner_id, label=label, state=JobState.QUEUED,
              attempts=0, created_at=utcnow())
    db.session.add(row)
    db.session.flush()
    db.session.info.setdefault(_AFTER_COMMIT, []).append((huey.enqueue, (task,)))
    return row.id


def retry(row_id: int) -> bool:
    """Queue a failed job again with the same arguments, after the current transaction commits (its row
    follows the new run); False if it is not a failed job of a known kind."""
    from exchange.jobs.models import Job, JobState
    row = db.session.get(Job, row_id)
    if row is None or row.state != JobState.FAILED or row.name not in JOBS:
        return False
    task = JOBS[row.name].s(*(row.args or []))
    row.task_id, row.state, row.finished_at = task.id, JobState.QUEUED, None
    db.session.flush()
    db.session.info.setdefault(_AFTER_COMMIT, []).append((huey.enqueue, (task,)))
    return True


# ------------------------------------------------------------------------------------------------
# Queued after the commit.

def after_commit(task, *args) -> None:
    """Queue `task(*args)` when the current transaction commits (nothing if it rolls back). Several calls
    of the same job with list arguments in one transaction are one job (their lists joined)."""
    db.session.info.setdefault(_AFTER_COMMIT, []).append((task, args))


_hooked = False


def _install_session_hooks() -> None:
    global _hooked
    if _hooked:
        return
    _hooked = True

    @event.listens_for(db.session, "after_rollback")
    def _forget(session):
        if not session.in_nested_transaction():
            session.info.pop(_AFTER_COMMIT, None)

    @event.listens_for(db.session, "after_commit")
    def _queue(session):
        if session.in_nested_transaction():
            return
        pending = session.info.pop(_AFTER_COMMIT, None)
        for task, args in pending or ():
            try:
                task(*args)
            except Exception:  # the queue unreachable: logged; the sweeps (schedule.py) catch up
                log.exception("Could not queue %s", getattr(task, "name", task))


# ------------------------------------------------------------------------------------------------
# Running queued jobs without a consumer (tests, `flask jobs drain`).

def run_jobs(now: datetime | None = None, limit: int = 10_000) -> int:
    """Run every queued job, and every scheduled one (retries) due by `now` (default: the present), in this
    thread, until none is left; returns how many ran (failures included)."""
    ran = 0
    while ran < limit:
        moment = now or utcnow()
        for task in huey.read_schedule(moment):
            huey.enqueue(task)
        task = huey.dequeue()
        if task is None:
            break
        try:
            huey.execute(task, moment)  # at `moment`: a retry due then runs (its pause counted from then)
        except Exception:  # noqa: BLE001 - recorded by the job (models.Job); a retry is scheduled
            log.debug("job %s failed", task.name)
        ran += 1
    return ran


def run_periodic(at: datetime) -> list[str]:
    """Queue the periodic jobs due at `at` (what the consumer's scheduler does each minute); their names."""
    tasks = huey.read_periodic(at)
    for task in tasks:
        huey.enqueue(task)
    return [task.name for task in tasks]


def later(minutes: float) -> datetime:
    """A moment after the present, as the queue's clock counts (naive UTC): for `run_jobs(now=…)`."""
    return utcnow() + timedelta(minutes=minutes)
