"""IATI in, the pages: upload an IATI 2.03 activity file, see the reconciliation report (new, changed with
the fields that change, unchanged, invalid with the reasons, and the records the file does not mention),
choose the rows, save them all or none. The rules live in reports/iati_import.py. A file of more than
IMPORT_JOB_ROWS activities is read, reconciled and saved by background jobs instead (jobs/imports.py),
followed on its own page (`/imports/iati/<id>`, jobs/import_views.py)."""
from __future__ import annotations

import io
import time

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import HiddenField, SelectField

from exchange.core import imports as stash
from exchange.core.access import allow
from exchange.core.errors import ExchangeError
from exchange.core.extensions import db
from exchange.core.statuses import Role
from exchange.core.transactions import all_or_nothing
from exchange.jobs import import_views as import_pages
from exchange.jobs.imports import iati_activity_count, job_rows, runs_as_job, start_import
from exchange.offers.policy import posts_for_own_organisation
from exchange.people.models import Organisation
from exchange.reports import iati_import
from exchange.web.forms import apply_errors, reference_choices

bp = Blueprint("iati_import", __name__, url_prefix="/imports", template_folder="templates")
IMPORTERS = (Role.PROVIDER, *Role.OFFICE)


class UploadForm(FlaskForm):
    file = FileField(_l("IATI activity file (XML)"),
                     description=_l("An iati-activities file, version 2.03, as your organisation publishes it."))
    organisation = SelectField(_l("Provider"), choices=[], validate_choice=False,
                               description=_l("The provider whose activities these are."))


class ConfirmForm(FlaskForm):
    token = HiddenField()


def _upload_form() -> UploadForm:
    form = UploadForm()
    if posts_for_own_organisation(current_user):
        del form.organisation
    else:
        form.organisation.choices = [("", _("Choose a provider"))] + [
            (o.code, f"{o.name} ({o.code})") for o in reference_choices()["providers"]]
    return form


def _empty(upload) -> bool:
    empty = not upload.stream.read(1)
    upload.stream.seek(0)
    return empty


def _refs():
    return current_app.config.get("IATI_ORGANISATION_REFS")


def _report(form, result=None, token=None, status=200, **extra):
    return render_template("iati/import.html", form=form, result=result, token=token,
                           confirm=ConfirmForm(token=token) if token else None,
                           kind_labels=iati_import.KIND_LABELS, job_rows=job_rows(), **extra), status


@bp.route("/iati", methods=["GET", "POST"])
@allow(*IMPORTERS)
def upload():
    form = _upload_form()
    if request.method != "POST" or not form.validate_on_submit():
        return _report(form, status=422 if request.method == "POST" else 200)
    upload = form.file.data
    code = form.organisation.data if "organisation" in form else None
    org = iati_import.organisation_for(current_user, code)
    if org is None:
        apply_errors(form, {"organisation": [_("Choose a provider from the list.")]})
        return _report(form, status=422)
    if upload is None or not getattr(upload, "filename", "") or _empty(upload):
        apply_errors(form, {"file": [_("Choose an IATI XML file to upload.")]})
        return _report(form, status=422)
    data = upload.stream.read(iati_import.MAX_BYTES + 1)
    count = iati_activity_count(data)
    if runs_as_job(count):
        started = start_import(current_user, "iati", upload.filename, count, data=data,
                               options={"organisation": org.code})
        return redirect(url_for("iati_import.job", upload_id=started.id))
    began = time.perf_counter()
    try:
        with all_or_nothing():
            activities = list(iati_import.read_activities(io.BytesIO(data)))
            result = iati_import.reconcile(current_user, org, activities, refs=_refs())
    except ExchangeError as err:
        apply_errors(form, err.fields or {"file": [err.message]})
        form.form_errors.append(err.message)
        return _report(form, status=422)
    token = stash.stash_rows(current_app.instance_path, current_user.id, [a.as_dict() for a in activities],
                             {"organisation": org.code, "filename": upload.filename})
    return _report(form, result, token, seconds=time.perf_counter() - began, organisation=org)


@bp.route("/iati/confirm", methods=["POST"])
@allow(*IMPORTERS)
def confirm():
    form = ConfirmForm()
    token = (form.token.data if form.validate_on_submit() else None) or ""
    try:
        rows, meta = stash.load_stash(current_app.instance_path, current_user.id, token)
    except ExchangeError as err:
        upload_form = _upload_form()
        upload_form.form_errors.append(err.message)
        return _report(upload_form, status=422)
    org = iati_import.organisation_for(current_user, meta.get("organisation"))
    if org is None:
        upload_form = _upload_form()
        upload_form.form_errors.append(_("Choose a provider from the list."))
        return _report(upload_form, status=422)
    chosen = {int(n) for n in request.form.getlist("rows") if n.isdigit()}
    activities = [iati_import.Activity.from_dict(a) for a in rows]
    result = iati_import.reconcile(current_user, org, activities, chosen=chosen, commit=True, refs=_refs())
    if not result.saved:
        return _report(_upload_form(), result, token, status=422, organisation=org, refused=True)
    stash.drop_stash(current_app.instance_path, current_user.id, token)
    saved = sum(1 for r in result.rows if r.chosen)
    flash(ngettext("%(num)d activity saved.", "%(num)d activities saved.", saved), "success")
    return _report(_upload_form(), result, None, organisation=org, done=True)


def _job_report(upload, shown: dict | None) -> dict:
    """What a large file's page draws: the reconciliation (to choose from once checked; refused or saved
    once applied), or the refusal of a file that could not be read."""
    values = {"kind_labels": iati_import.KIND_LABELS, "organisation": db.session.scalar(
        select(Organisation).where(Organisation.code == (upload.options or {}).get("organisation")))}
    if shown and "unmatched" in shown:
        values["report" if upload.state == "checked" else "result"] = iati_import.Reconciliation.from_dict(shown)
    elif shown:
        values["refusal"] = stash.ImportResult.from_dict(shown)
    return values


@bp.route("/iati/<int:upload_id>")
@allow(*IMPORTERS)
def job(upload_id: int):
    """A large file's page: its progress, then the reconciliation report to choose from, or what was saved."""
    return import_pages.import_page(upload_id, "iati", _job_report)


@bp.route("/iati/<int:upload_id>/confirm", methods=["POST"])
@allow(*IMPORTERS)
def job_confirm(upload_id: int):
    chosen = [int(n) for n in request.form.getlist("rows") if n.isdigit()]
    return import_pages.confirm_page(upload_id, "iati", chosen)
