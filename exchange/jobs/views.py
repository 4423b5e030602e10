"""The jobs' pages: a person's own background jobs (start an export, watch its progress, download its file; a
large import's job leads to the import's own page, jobs/import_views.py;
`GET /jobs/<id>/status` is the JSON the page's small script polls, and the page works by reloading without
it), and the admins' list of failed jobs with a retry button."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from exchange.core.access import allow
from exchange.core.errors import NotFound, ValidationFailed
from exchange.core.extensions import db
from exchange.core.statuses import Role
from exchange.jobs import queue
from exchange.jobs.exports import BACKGROUND_KINDS, FORMATS, start_export
from exchange.jobs.import_views import PAGES, status_of
from exchange.jobs.models import ImportUpload, Job, JobState

bp = Blueprint("jobs", __name__, url_prefix="/jobs", template_folder="templates")


@bp.record_once
def _load_jobs(state) -> None:
    from exchange.jobs import load_jobs
    load_jobs()


def _own_job(job_id: int) -> Job:
    """The person's own job (an admin: any); NotFound otherwise, as for one that does not exist."""
    job = db.session.get(Job, job_id)
    if job is None or (job.owner_id != current_user.id and current_user.role != Role.ADMIN):
        raise NotFound(_("This job does not exist or is not yours."))
    return job


@bp.route("")
@allow(*Role)
def index():
    jobs = list(db.session.scalars(select(Job).where(Job.owner_id == current_user.id)
                                   .order_by(Job.created_at.desc(), Job.id.desc()).limit(50)))
    params = {k: v for k, v in request.args.items() if k not in ("kind", "format", "page", "lang", "sort")}
    return render_template("jobs/index.html", jobs=jobs, params=params, kinds=BACKGROUND_KINDS, formats=FORMATS,
                           kind=request.args.get("kind", "requests"), errors={}, title=_("Your background jobs"))


@bp.route("/exports", methods=["POST"])
@allow(*Role)
def start():
    params = {key.removeprefix("f-"): value for key, value in request.form.items() if key.startswith("f-")}
    try:
        job_id = start_export(current_user, request.form.get("kind", ""), request.form.get("format", ""), params)
    except ValidationFailed as err:
        flash(err.message, "danger")
        jobs = list(db.session.scalars(select(Job).where(Job.owner_id == current_user.id)
                                       .order_by(Job.created_at.desc()).limit(50)))
        return render_template("jobs/index.html", jobs=jobs, params=params, kinds=BACKGROUND_KINDS,
                               formats=FORMATS, kind=request.form.get("kind", "requests"), errors=err.fields or {},
                               title=_("Your background jobs")), 422
    flash(_("The export has started: this page shows its progress."), "success")
    return redirect(url_for("jobs.detail", job_id=job_id))


@bp.route("/<int:job_id>")
@allow(*Role)
def detail(job_id: int):
    job = _own_job(job_id)
    upload = db.session.scalar(select(ImportUpload).where(or_(ImportUpload.check_job_id == job.id,
                                                              ImportUpload.apply_job_id == job.id)))
    if upload is not None:  # an import's job: its page is the import's
        return redirect(url_for(PAGES[upload.kind][0], upload_id=upload.id))
    return render_template("jobs/detail.html", job=job, status=status_of(job), title=_("Background job"))


@bp.route("/<int:job_id>/status")
@allow(*Role)
def status(job_id: int):
    return status_of(_own_job(job_id))


@bp.route("/<int:job_id>/download")
@allow(*Role)
def download(job_id: int):
    job = _own_job(job_id)
    if job.state != JobState.DONE or not job.file_path or not Path(job.file_path).is_file():
        raise NotFound(_("This job has no file to download (yet)."))
    return send_file(job.file_path, as_attachment=True, download_name=job.file_name or Path(job.file_path).name)


@bp.route("/failed")
@allow(Role.ADMIN)
def failed():
    jobs = list(db.session.scalars(select(Job).where(Job.state.in_((JobState.FAILED, JobState.RETRYING)))
                                   .order_by(Job.created_at.desc(), Job.id.desc()).limit(200)))
    return render_template("jobs/failed.html", jobs=jobs, pending=_pending(), secret=queue.SECRET_ARGS,
                           title=_("Failed jobs"))


def _pending() -> int | None:
    try:
        return queue.huey.pending_count()
    except Exception:  # noqa: BLE001 - the queue's storage out of reach: the page says so rather than failing
        return None


@bp.route("/<int:job_id>/retry", methods=["POST"])
@allow(Role.ADMIN)
def retry(job_id: int):
    if db.session.get(Job, job_id) is None:
        abort(404)
    if queue.retry(job_id):
        flash(_("The job is queued again."), "success")
    else:
        flash(_("Only a failed job can be retried."), "warning")
    return redirect(url_for("jobs.failed"))
