"""A background job's status (the JSON the progress component polls, `status_of`, for the exports' pages too),
and a large import's page, shared by the offers', the requests' and the IATI import pages (each keeps its own
routes and who may use them): the job's progress (the exports' component, jobs/_progress.html, followed by
static/js/job_progress.js or by reloading), then the check's report, the confirmation, or the result; and the
confirmation that queues the apply once. Only the upload's owner and admins see it (jobs/imports.upload_of)."""
from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from exchange.core.errors import NotFound
from exchange.core.extensions import db
from exchange.core.imports import ImportResult
from exchange.jobs import queue
from exchange.jobs.imports import confirm_import, upload_of
from exchange.jobs.models import ImportUpload, Job, JobState

# kind → (the page's endpoint, its confirmation's, the upload page's, the created record's page and reference)
PAGES = {
    "offers": ("imports.offers_job", "imports.offers_job_confirm", "imports.offers",
               lambda i: url_for("offers.detail", offer_id=i), lambda i: f"O-{i:05d}"),
    "requests": ("request_imports.job", "request_imports.job_confirm", "request_imports.upload",
                 lambda i: url_for("requests.detail", request_id=i), lambda i: f"R-{i:05d}"),
    "iati": ("iati_import.job", "iati_import.job_confirm", "iati_import.upload", None, None),
}


def status_of(job: Job) -> dict:
    """A job's state and figures (a live job's, while it runs, from the queue's storage: queue.Progress)."""
    done, total, percent = job.done, job.total, job.percent
    if job.state == JobState.RUNNING and job.name in queue.LIVE:
        figures = queue.live_progress(job.id)
        if figures:
            done, total = figures["done"], figures["total"]
            percent = int(100 * done / total) if total else 0
    return {"id": job.id, "state": job.state, "state_label": job.state_label, "done": done, "total": total,
            "percent": percent, "finished": job.finished,
            "download": url_for("jobs.download", job_id=job.id) if job.state == JobState.DONE and job.file_path
            else None}


def own_upload(upload_id: int, kind: str) -> ImportUpload:
    upload = upload_of(current_user, upload_id, kind)
    if upload is None:
        raise NotFound(_("This import does not exist or is not yours."))
    return upload


def _titles(kind: str) -> str:
    return {"offers": _("Import offers"), "requests": _("Import requests"),
            "iati": _("Import IATI activities")}[kind]


def _created(kind: str, count: int) -> str:
    if kind == "offers":
        return ngettext("%(num)d offer imported", "%(num)d offers imported", count)
    return ngettext("%(num)d request imported and submitted for review",
                    "%(num)d requests imported and submitted for review", count)


def import_page(upload_id: int, kind: str, extra: Callable[[ImportUpload, dict | None], dict] | None = None):
    """The import's page: its progress while a job runs, then what the check found or what was saved
    (`extra(upload, report)`: the page's values for a kind that draws its own report)."""
    upload = own_upload(upload_id, kind)
    page, confirm, back, record_url, reference = PAGES[kind]
    job = db.session.get(Job, upload.job_id) if upload.job_id else None
    context = {"upload": upload, "job": job, "status": status_of(job) if job else None,
               "page": url_for(page, upload_id=upload.id), "confirm_url": url_for(confirm, upload_id=upload.id),
               "back": url_for(back), "record_url": record_url, "reference": reference, "title": _titles(kind),
               "report": None, "result": None, "refusal": None, "organisation": None, "kind_labels": None}
    shown = upload.result if upload.apply_job_id else upload.report
    if extra is not None:  # the kind draws its own report (IATI's reconciliation)
        context.update(extra(upload, shown))
    elif shown:
        if upload.state == "refused":
            context["refusal"] = ImportResult.from_dict(shown)
        elif upload.state == "checked":
            context["report"] = ImportResult.from_dict(shown)
        elif upload.state == "applied":
            context["result"] = ImportResult.from_dict(shown)
            context["created_heading"] = _created(kind, len(context["result"].saved_ids))
    return render_template("jobs/import.html", **context)


def confirm_page(upload_id: int, kind: str, chosen: list[int] | None = None):
    """Queue the apply of a checked import (its owner's), once; back to its page either way."""
    upload = own_upload(upload_id, kind)
    page = PAGES[kind][0]
    if chosen is not None and not chosen:
        flash(_("Choose at least one activity to save."), "warning")
    elif confirm_import(current_user, upload, chosen):
        flash(_("The import has started: this page shows its progress."), "success")
    else:
        flash(_("This import is not waiting for a confirmation."), "warning")
    return redirect(url_for(page, upload_id=upload.id))
