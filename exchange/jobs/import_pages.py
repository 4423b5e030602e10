"""A large import's page, shared by the offers', the requests' and the IATI import pages (each keeps its own
routes and who may use them): the job's progress (the exports' component, jobs/_progress.html, followed by
static/js/job_progress.js or by reloading), then the check's report, the confirmation, or the result; and the
confirmation that queues the apply once. Only the upload's owner and admins see it (jobs/imports.upload_of)."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from exchange.core.errors import NotFound
from exchange.core.extensions import db
from exchange.core.imports import ImportResult
from exchange.jobs.imports import confirm_import, upload_of
from exchange.jobs.models import ImportUpload, Job
from exchange.jobs.views import status_of
from exchange.people.models import Organisation

# kind → (the page's endpoint, its confirmation's, the upload page's, the created record's page and reference)
PAGES = {
    "offers": ("imports.offers_job", "imports.offers_job_confirm", "imports.offers",
               lambda i: url_for("offers.detail", offer_id=i), lambda i: f"O-{i:05d}"),
    "requests": ("request_imports.job", "request_imports.job_confirm", "request_imports.upload",
                 lambda i: url_for("requests.detail", request_id=i), lambda i: f"R-{i:05d}"),
    "iati": ("iati_import.job", "iati_import.job_confirm", "iati_import.upload", None, None),
}


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


def import_page(upload_id: int, kind: str):
    """The import's page: its progress while a job runs, then what the check found or what was saved."""
    upload = own_upload(upload_id, kind)
    page, confirm, back, record_url, reference = PAGES[kind]
    job = db.session.get(Job, upload.job_id) if upload.job_id else None
    context = {"upload": upload, "job": job, "status": status_of(job) if job else None,
               "page": url_for(page, upload_id=upload.id), "confirm_url": url_for(confirm, upload_id=upload.id),
               "back": url_for(back), "record_url": record_url, "reference": reference, "title": _titles(kind),
               "report": None, "result": None, "refusal": None, "organisation": None, "kind_labels": None}
    shown = upload.result if upload.apply_job_id else upload.report
    if kind == "iati":
        from exchange.reports import iati_import
        context["kind_labels"] = iati_import.KIND_LABELS
        context["organisation"] = db.session.scalar(select(Organisation).where(
            Organisation.code == (upload.options or {}).get("organisation")))
        if shown and "unmatched" in shown:
            reconciliation = iati_import.Reconciliation.from_dict(shown)
            context["report" if upload.state == "checked" else "result"] = reconciliation
        elif shown:
            context["refusal"] = ImportResult.from_dict(shown)
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
