"""`flask jobs worker|drain|failed|retry|run|export|import|watch` and `flask serve` (the web and a worker in one
process: what `make run` starts)."""
from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from exchange.core.errors import ExchangeError
from exchange.core.extensions import db
from exchange.jobs import queue
from exchange.jobs.models import Job, JobState


@click.group(cls=AppGroup)
def jobs():
    """The job queue: run a worker, run what waits, list and retry failures, long exports."""


def start_consumer(workers: int, periodic: bool = True):
    """A Huey consumer of `workers` threads (and the scheduler) started in this process; returns it (stop
    it with `.stop(graceful=True)`). The signal handlers it sets are put back: the caller's server keeps
    its own Ctrl+C."""
    if queue.huey.immediate:
        raise click.ClickException(_("JOBS_IMMEDIATE is set: jobs run as they are queued, no worker is needed."))
    # Idle workers look for work at least every 2 s: Ctrl+C stops the server within that.
    consumer = queue.huey.create_consumer(workers=workers, worker_type="thread", periodic=periodic,
                                          check_worker_health=False, max_delay=2.0)
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    consumer.start()
    for number, handler in saved.items():
        signal.signal(number, handler)
    return consumer


@jobs.command("worker")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="Worker threads (JOBS_WORKERS).")
@click.option("--no-periodic", is_flag=True, help="Leave the scheduled work to another worker.")
@with_appcontext
def worker(workers: int | None, no_periodic: bool):
    """Run queued jobs until stopped (SIGINT or SIGTERM: the running jobs finish first)."""
    import logging
    if not logging.getLogger().handlers:  # what ran, failed and was retried, on stderr
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    consumer = queue.huey.create_consumer(workers=workers or int(current_app.config.get("JOBS_WORKERS", 2)),
                                          worker_type="thread", periodic=not no_periodic)
    consumer.run()


@jobs.command("drain")
@with_appcontext
def drain():
    """Run every job waiting now (retries due included) in this process, then stop."""
    ran = queue.run_jobs()
    click.echo(ngettext("%(num)d job run.", "%(num)d jobs run.", ran))


@jobs.command("run")
@click.argument("name", type=click.Choice(["jobs.reminders", "jobs.digests", "jobs.mail_sweep", "jobs.backup"]))
@with_appcontext
def run_named(name: str):
    """Queue one of the scheduled jobs now (the worker runs it)."""
    if name in queue.TRACKED:
        job_id = queue.enqueue_tracked(name, [], label=name)
        db.session.commit()
        click.echo(_("Job %(id)s queued.", id=job_id))
    else:
        queue.JOBS[name]()
        click.echo(_("Queued."))


@jobs.command("failed")
@with_appcontext
def failed():
    """List the failed jobs (and those waiting for a retry)."""
    rows = db.session.scalars(select(Job).where(Job.state.in_((JobState.FAILED, JobState.RETRYING)))
                              .order_by(Job.id))
    count = 0
    for row in rows:
        count += 1
        click.echo(f"{row.id:>6}  {row.state:<9} {row.attempts:>3}  {row.name:<22} {row.error or ''}")
    click.echo(ngettext("%(num)d failed job.", "%(num)d failed jobs.", count))


@jobs.command("retry")
@click.argument("job_id", type=int)
@with_appcontext
def retry(job_id: int):
    """Queue a failed job again."""
    if not queue.retry(job_id):
        raise click.ClickException(_("Job %(id)s is not a failed job.", id=job_id))
    db.session.commit()
    click.echo(_("Job %(id)s queued again.", id=job_id))


def watch_job(job_id: int, timeout: float | None = None) -> Job:
    """A progress bar on stderr until the job ends (or `timeout` seconds pass); returns its row."""
    started = time.monotonic()
    with click.progressbar(length=1, label=_("Job %(id)s", id=job_id), show_pos=True, file=sys.stderr) as bar:
        while True:
            db.session.expire_all()
            row = db.session.get(Job, job_id)
            if row is None:
                raise click.ClickException(_("No job %(id)s.", id=job_id))
            bar.length = max(row.total, 1)
            bar.update(max(row.done, 0) - bar.pos)
            if row.finished or (timeout is not None and time.monotonic() - started > timeout):
                return row
            db.session.rollback()
            time.sleep(0.5)


@jobs.command("watch")
@click.argument("job_id", type=int)
@with_appcontext
def watch(job_id: int):
    """Show a job's progress until it ends."""
    _report(watch_job(job_id))


def _report(row: Job, quiet: bool = False) -> None:
    if row.state == JobState.DONE:
        if not quiet:
            click.echo(_("Done: %(path)s", path=row.file_path or "-"))
    else:
        click.echo(_("Job %(id)s: %(state)s %(error)s", id=row.id, state=row.state_label, error=row.error or ""))
        if row.state == JobState.FAILED:
            raise SystemExit(1)


@jobs.command("export")
@click.argument("kind", type=click.Choice(["requests", "offers", "matches"]))
@click.option("--as", "email", required=True, help="E-mail of the user whose view is exported.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True)
@click.option("--filter", "filters", multiple=True, help="KEY=VALUE, as on the list pages (repeatable).")
@click.option("--wait/--no-wait", default=True, show_default=True, help="Show the progress until it is done.")
@with_appcontext
def export(kind: str, email: str, fmt: str, filters: tuple[str, ...], wait: bool):
    """Export a list in the background (a worker writes the file), with a progress bar."""
    from exchange.jobs.exports import start_export
    from exchange.reports.cli import _params, _user
    user = _user(email)
    try:
        job_id = start_export(user, kind, fmt, _params(filters))
        db.session.commit()
    except ExchangeError as err:
        raise click.ClickException(f"{err.message} {err.fields or ''}".strip()) from None
    click.echo(_("Job %(id)s queued.", id=job_id))
    if wait:
        _report(watch_job(job_id))


@jobs.command("import")
@click.argument("kind", type=click.Choice(["offers", "requests", "iati"]))
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "email", required=True, help="E-mail of the importing user.")
@click.option("--organisation", default=None, help="Provider code (offers: rows without one; IATI: whose activities).")
@click.option("--save", is_flag=True, help="After a clean check, save every row (IATI: every valid activity).")
@click.option("--wait/--no-wait", default=True, show_default=True,
              help="Show the progress until it is done (--no-wait: its owner confirms it on its page).")
@with_appcontext
def import_file(kind: str, path: Path, email: str, organisation: str | None, save: bool, wait: bool):
    """Import a file in the background (a worker checks it, then saves it all or nothing), with progress bars."""
    from exchange.jobs.imports import iati_activity_count, start_import
    from exchange.reports.cli import _user
    if save and not wait:
        raise click.BadParameter(_("--save shows the check first: leave out --no-wait"), param_hint="--save")
    user = _user(email)
    data = path.read_bytes()
    try:
        if kind == "iati":
            from exchange.reports import iati_import
            org = iati_import.organisation_for(user, organisation)
            if org is None:
                raise click.BadParameter(_("give the code of a provider organisation"), param_hint="--organisation")
            upload = start_import(user, kind, path.name, iati_activity_count(data), data=data,
                                  options={"organisation": org.code})
        else:
            from exchange.offers import imports as offers_imports
            from exchange.requests import imports as requests_imports
            rows = (offers_imports if kind == "offers" else requests_imports).read_upload(path.name, data)
            upload = start_import(user, kind, path.name, len(rows), rows=rows, options={"organisation": organisation})
        db.session.commit()
    except ExchangeError as err:
        raise click.ClickException(f"{err.message} {err.fields or ''}".strip()) from None
    upload_id = upload.id
    click.echo(_("Import %(id)s: its check is queued (job %(job)s).", id=upload_id, job=upload.check_job_id))
    if not wait:
        return
    _report(watch_job(upload.check_job_id), quiet=True)
    upload = _upload(upload_id)
    chosen = _print_report(upload, upload.report)
    if upload.state != "checked":
        raise click.ClickException(_("Nothing saved."))
    if not save:
        click.echo(_("Nothing saved yet: run again with --save, or confirm it on its page."))
        return
    from exchange.jobs.imports import confirm_import
    if kind == "iati" and not chosen:
        raise click.ClickException(_("Nothing saved: no valid activity."))
    confirm_import(user, upload, chosen if kind == "iati" else None)
    db.session.commit()
    _report(watch_job(upload.apply_job_id), quiet=True)
    upload = _upload(upload_id)
    _print_report(upload, upload.result)
    if upload.state != "applied":
        raise click.ClickException(_("Nothing saved."))
    saved = upload.result or {}
    count = len(saved.get("saved_ids", [])) if kind != "iati" else sum(1 for r in saved.get("rows", []) if r["chosen"])
    click.echo(ngettext("Imported %(num)d row.", "Imported %(num)d rows.", count))


def _upload(upload_id: int):
    from exchange.jobs.models import ImportUpload
    db.session.expire_all()
    return db.session.get(ImportUpload, upload_id)


def _print_report(upload, report: dict | None) -> list[int] | None:
    """A check's or an apply's report on the terminal; for IATI, the activities a save would take."""
    report = report or {}
    if "unmatched" in report:  # an IATI reconciliation
        for row in report.get("rows", []):
            for problem in row.get("problems", []):
                click.echo(_("activity %(num)s: %(problem)s", num=row["activity"]["number"], problem=problem), err=True)
        kinds = [row["kind"] for row in report.get("rows", []) if row.get("chosen")]
        click.echo(_("%(new)s new, %(changed)s changed, %(unchanged)s unchanged, %(invalid)s invalid.",
                     new=kinds.count("new"), changed=kinds.count("changed"), unchanged=kinds.count("unchanged"),
                     invalid=kinds.count("invalid")))
        return [row["activity"]["number"] for row in report.get("rows", []) if row["kind"] != "invalid"]
    for number, column, message in report.get("problems", []):
        click.echo(_("row %(row)s, %(column)s: %(problem)s", row=number, column=column, problem=message), err=True)
    rows = report.get("rows", 0)
    if report.get("problems"):
        bad = len({p[0] for p in report["problems"]})
        click.echo(ngettext("%(bad)d of %(num)d row has problems.", "%(bad)d of %(num)d rows have problems.", rows,
                            bad=bad))
    elif upload.state == "checked":
        click.echo(ngettext("The %(num)d row is valid.", "All %(num)d rows are valid.", rows))
    return None


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def serve(host: str, port: int):
    """The development server and a job worker (threads, with the scheduler) in one process."""
    from werkzeug.serving import run_simple
    consumer = None
    if not queue.huey.immediate:
        consumer = start_consumer(int(current_app.config.get("JOBS_WORKERS", 2)))
        click.echo(_("Job worker started (%(storage)s).", storage=type(queue.huey.storage).__name__))
    try:
        run_simple(host, port, current_app._get_current_object(), threaded=True, use_reloader=False)
    finally:
        if consumer is not None:
            click.echo(_("Stopping the job worker (the running jobs finish first)."))
            consumer.stop(graceful=True)


def register(app) -> None:
    app.cli.add_command(jobs)
    app.cli.add_command(serve)
