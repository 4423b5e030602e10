"""Bulk import of offers from CSV or XLSX: the template, an upload that previews every row's problems,
and a confirmation that saves all the rows or none. The rules live in exchange/offers/imports.py. A file of
more than IMPORT_JOB_ROWS rows is checked and saved by background jobs instead (jobs/imports.py), followed on
its own page (`/imports/offers/<id>`, jobs/import_views.py)."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, SelectField

from exchange.core.access import allow
from exchange.core.errors import ExchangeError
from exchange.core.statuses import Role
from exchange.core.transactions import all_or_nothing
from exchange.jobs import import_views as import_pages
from exchange.jobs.imports import job_rows, runs_as_job, start_import
from exchange.offers import imports
from exchange.offers.policy import posts_for_own_organisation
from exchange.reference.names import organisation_name
from exchange.web.forms import apply_errors, reference_choices

bp = Blueprint("imports", __name__, url_prefix="/imports", template_folder="templates")
IMPORTERS = (Role.PROVIDER, *Role.OFFICE)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(FlaskForm):
    file = FileField(_l("Offers file (CSV or XLSX)"),
                     description=_l("One offer a row under the template's header row; codes separated by “;”."))
    organisation = SelectField(_l("Provider"), choices=[], validate_choice=False,
                               description=_l("Used for rows whose provider column is empty."))


class ConfirmForm(FlaskForm):
    token = HiddenField()


def _provider_choices() -> list[tuple[str, str]]:
    return [("", _("— from the file's provider column —"))] + [
        (o.code, f"{o.name} ({o.code})") for o in reference_choices()["providers"]]


def _upload_form() -> UploadForm:
    form = UploadForm()
    if posts_for_own_organisation(current_user):
        del form.organisation
    else:
        form.organisation.choices = _provider_choices()
    return form


def _example_provider() -> tuple[str | None, list[tuple[str, str]]]:
    """The provider of the template's example row and the providers its provider column offers."""
    if posts_for_own_organisation(current_user):
        own = current_user.organisation
        return own.code, [(own.code, organisation_name(own))]
    providers = [(o.code, organisation_name(o)) for o in reference_choices()["providers"]]
    return (providers[0][0] if providers else None), providers


def _example() -> dict:
    return imports.example_row(_example_provider()[0])


def _columns() -> list[tuple[str, str]]:
    """The template's columns: code and header in the current language."""
    return list(zip(imports.COLUMNS, imports.headers(), strict=True))


@bp.route("/offers/template.xlsx", defaults={"fmt": "xlsx"})
@bp.route("/offers/template.csv", defaults={"fmt": "csv"})
@allow(*IMPORTERS)
def template(fmt):
    """The template in the reader's language, its example row for the reader's own provider (a coordinator's:
    the first provider of the list, which the codes sheet lists whole)."""
    organisation, providers = _example_provider()
    if fmt == "csv":
        return Response(imports.template_csv(organisation), mimetype="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="offers-template.csv"'})
    return Response(imports.template_xlsx(organisation, providers), mimetype=XLSX_TYPE,
                    headers={"Content-Disposition": 'attachment; filename="offers-template.xlsx"'})


@bp.route("/offers", methods=["GET", "POST"])
@allow(*IMPORTERS)
def offers():
    form = _upload_form()
    result = None
    token = None
    if request.method == "POST" and form.validate_on_submit():
        upload = form.file.data
        default_org = form.organisation.data if "organisation" in form and form.organisation.data else None
        if default_org and default_org not in {code for code, _ in _provider_choices()}:
            apply_errors(form, {"organisation": [_("Choose a provider from the list.")]})
        elif upload is None or not getattr(upload, "filename", ""):
            apply_errors(form, {"file": [_("Choose a CSV or XLSX file to upload.")]})
        else:
            try:
                with all_or_nothing():
                    rows = imports.read_upload(upload.filename, upload.read(imports.MAX_BYTES + 1))
                    if runs_as_job(len(rows)):
                        started = start_import(current_user, "offers", upload.filename, len(rows), rows=rows,
                                               options={"organisation": default_org})
                        return redirect(url_for("imports.offers_job", upload_id=started.id))
                    result = imports.import_offers(current_user, rows, default_organisation=default_org,
                                                   commit=False)
                    if result.ok:
                        token = imports.stash_rows(current_app.instance_path, current_user.id, rows,
                                                   {"organisation": default_org, "filename": upload.filename})
            except ExchangeError as err:
                apply_errors(form, err.fields or {"file": [err.message]})
                if err.fields:
                    form.form_errors.append(err.message)
    status = 422 if request.method == "POST" and (form.errors or (result and not result.ok)) else 200
    return render_template("imports/offers.html", form=form, result=result, token=token,
                           confirm=ConfirmForm(token=token) if token else None,
                           columns=_columns(), example=_example(), job_rows=job_rows()), status


@bp.route("/offers/confirm", methods=["POST"])
@allow(*IMPORTERS)
def confirm():
    form = ConfirmForm()
    token = form.token.data if form.validate_on_submit() else None
    try:
        rows, meta = imports.load_stash(current_app.instance_path, current_user.id, token or "")
    except ExchangeError as err:
        flash(err.message, "error")
        return redirect(url_for("imports.offers"))
    result = imports.import_offers(current_user, rows, default_organisation=meta.get("organisation"), commit=True)
    if not result.ok:
        # Something changed since the preview (an organisation, a code): nothing was saved.
        return render_template("imports/offers.html", form=_upload_form(), result=result, token=None,
                               confirm=None, columns=_columns(), example=_example(), job_rows=job_rows()), 422
    imports.drop_stash(current_app.instance_path, current_user.id, token)
    flash(ngettext("%(num)d offer imported.", "%(num)d offers imported.", len(result.saved_ids)), "success")
    return render_template("imports/done.html", result=result)


@bp.route("/offers/<int:upload_id>")
@allow(*IMPORTERS)
def offers_job(upload_id: int):
    """A large import's page: its progress, then its check's report, the confirmation, or what it created."""
    return import_pages.import_page(upload_id, "offers")


@bp.route("/offers/<int:upload_id>/confirm", methods=["POST"])
@allow(*IMPORTERS)
def offers_job_confirm(upload_id: int):
    return import_pages.confirm_page(upload_id, "offers")
