"""Requests in bulk, the pages: the template, an upload that previews every row's problems, and a
confirmation that saves all the rows or none. The rules live in requests/imports.py. A file of more than
IMPORT_JOB_ROWS rows is checked and saved by background jobs instead (jobs/imports.py), followed on its own
page (`/imports/requests/<id>`, jobs/import_views.py)."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField

from exchange.core import imports as stash
from exchange.core.access import allow
from exchange.core.errors import ExchangeError
from exchange.core.statuses import Role
from exchange.core.transactions import all_or_nothing
from exchange.jobs import import_views as import_pages
from exchange.jobs.imports import job_rows, runs_as_job, start_import
from exchange.requests import imports
from exchange.web.forms import apply_errors

bp = Blueprint("request_imports", __name__, url_prefix="/imports", template_folder="templates")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(FlaskForm):
    file = FileField(_l("Requests file (CSV or XLSX)"),
                     description=_l("One need a row under the template's header row; codes separated by “;”."))


class ConfirmForm(FlaskForm):
    token = HiddenField()


def _page(form, result=None, token=None, status=200):
    return render_template("imports/requests.html", form=form, result=result, token=token,
                           confirm=ConfirmForm(token=token) if token else None,
                           columns=list(zip(imports.COLUMNS, imports.SHEET.headers(), strict=True)),
                           example=imports.EXAMPLE_ROW, job_rows=job_rows()), status


@bp.route("/requests/template.xlsx", defaults={"fmt": "xlsx"})
@bp.route("/requests/template.csv", defaults={"fmt": "csv"})
@allow(Role.COORDINATOR)
def template(fmt):
    if fmt == "csv":
        return Response(imports.template_csv(), mimetype="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="requests-template.csv"'})
    return Response(imports.template_xlsx(), mimetype=XLSX_TYPE,
                    headers={"Content-Disposition": 'attachment; filename="requests-template.xlsx"'})


@bp.route("/requests", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def upload():
    form = UploadForm()
    if request.method != "POST":
        return _page(form)
    if not form.validate_on_submit():
        return _page(form, status=422)
    upload = form.file.data
    if upload is None or not getattr(upload, "filename", ""):
        apply_errors(form, {"file": [_("Choose a CSV or XLSX file to upload.")]})
        return _page(form, status=422)
    token = None
    try:
        with all_or_nothing():
            rows = imports.read_upload(upload.filename, upload.read(imports.SHEET.max_bytes + 1))
            if runs_as_job(len(rows)):
                started = start_import(current_user, "requests", upload.filename, len(rows), rows=rows)
                return redirect(url_for("request_imports.job", upload_id=started.id))
            result = imports.import_requests(current_user, rows, commit=False)
    except ExchangeError as err:
        apply_errors(form, err.fields or {"file": [err.message]})
        if err.fields:
            form.form_errors.append(err.message)
        return _page(form, status=422)
    if result.ok:
        token = stash.stash_rows(current_app.instance_path, current_user.id, rows, {"filename": upload.filename})
    return _page(form, result, token, status=200 if result.ok else 422)


@bp.route("/requests/confirm", methods=["POST"])
@allow(Role.COORDINATOR)
def confirm():
    form = ConfirmForm()
    token = (form.token.data if form.validate_on_submit() else None) or ""
    try:
        rows, _meta = stash.load_stash(current_app.instance_path, current_user.id, token)
    except ExchangeError as err:
        flash(err.message, "error")
        return redirect(url_for("request_imports.upload"))
    result = imports.import_requests(current_user, rows, commit=True)
    if not result.ok:  # something changed since the preview: nothing was saved
        return _page(UploadForm(), result, status=422)
    stash.drop_stash(current_app.instance_path, current_user.id, token)
    flash(ngettext("%(num)d request imported and submitted for review.",
                   "%(num)d requests imported and submitted for review.", len(result.saved_ids)), "success")
    return redirect(url_for("triage.queue"))


@bp.route("/requests/<int:upload_id>")
@allow(*Role.OFFICE)  # its coordinator, and the admins
def job(upload_id: int):
    """A large import's page: its progress, then its check's report, the confirmation, or what it filed."""
    return import_pages.import_page(upload_id, "requests")


@bp.route("/requests/<int:upload_id>/confirm", methods=["POST"])
@allow(Role.COORDINATOR)
def job_confirm(upload_id: int):
    return import_pages.confirm_page(upload_id, "requests")
