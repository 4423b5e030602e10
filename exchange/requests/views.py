"""Assistance requests pages: the guided request form (new and edit, with the version read), the list with
filters, sorting, search and pages, one request with its documents, history and the moves open to the viewer."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError
from wtforms import HiddenField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField

from exchange import audit
from exchange.core import workflow
from exchange.core.access import ROLES, allow
from exchange.core.errors import Conflict, Forbidden, ValidationFailed
from exchange.core.extensions import db
from exchange.core.panels import load_panels
from exchange.core.statuses import URGENCIES, VISIBILITIES
from exchange.core.transactions import all_or_nothing
from exchange.documents import storage as document_store
from exchange.documents.models import Document
from exchange.documents.views import attach_upload, max_upload_mb
from exchange.requests.models import AssistanceRequest
from exchange.requests.operations import create_request, request_move, update_request
from exchange.requests.policy import (
    get_request,
    may_edit_request,
    may_file_request,
    may_share_request,
    require_edit_request,
    require_file_request,
    visible_requests,
)
from exchange.requests.queries import REQUEST_SORTS, filter_requests, sort_requests
from exchange.web.forms import (
    apply_change,
    current_filters,
    date_or_none,
    int_or_raw,
    page_number,
    reference_choices,
    show_errors,
)
from exchange.web.moves import register_page_moves

bp = Blueprint("requests", __name__, url_prefix="/requests", template_folder="templates")


PER_PAGE = 20


REQUEST_FILTERS = ("status", "theme", "pillar", "country", "region", "modality", "language", "urgency", "q")


VISIBILITY_HELP = {
    "task_force": "The default. The Task Force office and the Task Force entities (UNODC, IMF, INTERPOL…) see it "
                  "once you submit it; outside providers do not.",
    "providers": "Also every approved outside provider (donor agencies, regional organisations), but only after "
                 "a coordinator has accepted the request. Choose this to reach the most providers.",
    "restricted": "Only the Task Force office, and the providers a coordinator shares it with. Choose this for "
                  "sensitive needs.",
}


class RequestForm(FlaskForm):
    """Collects a request; every rule is checked by schemas.RequestIn through operations."""

    title = StringField("Title", description="A short name for the need, e.g. “Training for the Financial "
                        "Intelligence Unit on analysing suspicious transaction reports” (5 to 200 characters).",
                        render_kw={"maxlength": 200})
    beneficiary = StringField("Institution that benefits", description="Which institution will receive the "
                              "assistance, e.g. “Financial Intelligence Unit, Ministry of Finance”.",
                              render_kw={"maxlength": 200})
    description = TextAreaField("What is needed", description="At least 20 characters. Say what the problem is, "
                                "what exists already, what result you expect, and give numbers and dates "
                                "(how many officers, which sites, by when).", render_kw={"rows": 8})
    themes = SelectMultipleField("Themes", choices=[])
    modalities = SelectMultipleField("Kinds of assistance", choices=[])
    desired_start = StringField("Desired start", description="A date (YYYY-MM-DD); leave empty if flexible.",
                                render_kw={"type": "date"})
    desired_end = StringField("Desired end", description="Not before the start.", render_kw={"type": "date"})
    languages = SelectMultipleField("Languages", choices=[])
    estimated_budget_usd = StringField("Estimated budget (US dollars)", description="A whole number, e.g. "
                                       "50000; leave empty if unknown.", render_kw={"inputmode": "numeric"})
    urgency = RadioField("Urgency", choices=list(URGENCIES.items()), default="medium")
    visibility = RadioField("Who may see it", choices=list(VISIBILITIES.items()), default="task_force")
    country = SelectField("Member State", choices=[], description="Coordinators file on a State's behalf: "
                          "choose the State. The request belongs to that State's focal points.")
    version = HiddenField()


def _request_form(formdata=None, data=None) -> RequestForm:
    form = RequestForm(formdata=formdata, data=data)
    choices = reference_choices()
    form.themes.choices = [(t.code, t.name) for t in choices["themes"]]
    form.modalities.choices = [(m.code, m.name) for m in choices["modalities"]]
    form.languages.choices = [(x.code, x.name) for x in choices["languages"]]
    form.country.choices = [("", "Choose a Member State")] + [(c.iso3, c.name) for c in choices["countries"]]
    for name in ("title", "description", "country"):
        form[name].flags.required = True  # shows the star; the rules themselves are the schema's
    return form


def _data_of(req: AssistanceRequest) -> dict:
    return {"title": req.title, "beneficiary": req.beneficiary, "description": req.description,
            "themes": req.theme_codes, "modalities": req.modality_codes, "languages": req.language_codes,
            "desired_start": req.desired_start.isoformat() if req.desired_start else "",
            "desired_end": req.desired_end.isoformat() if req.desired_end else "",
            "estimated_budget_usd": "" if req.estimated_budget_usd is None else str(req.estimated_budget_usd),
            "urgency": req.urgency, "visibility": req.visibility, "country": req.country_iso3,
            "version": str(req.version)}


def _request_input(form: RequestForm, *, as_draft: bool, creating: bool) -> dict:
    """The raw input operations take. A draft leaves out what is still empty (it is completed later);
    anything else sends every field, so that the shared validation reports each one."""
    raw: dict = {}
    for name in ("title", "description"):
        value = form[name].data or ""
        if value.strip() or not as_draft:
            raw[name] = value
    raw["beneficiary"] = form.beneficiary.data or ""
    for name in ("themes", "modalities", "languages"):
        value = [v for v in (form[name].data or []) if isinstance(v, str)]
        if value or not as_draft:
            raw[name] = value
    for name in ("urgency", "visibility"):
        if form[name].data:
            raw[name] = form[name].data
    for name in ("desired_start", "desired_end"):
        value = date_or_none(form[name].data)
        if value is not None or not creating:
            raw[name] = value
    budget = int_or_raw(form.estimated_budget_usd.data)
    if budget is not None or not creating:
        raw["estimated_budget_usd"] = budget
    if creating and current_user.role != "member_state" and form.country.data:
        raw["country"] = form.country.data
    return raw


def _render_form(form, req=None, status=200, conflict=None):
    return render_template("requests/form.html", form=form, req=req, conflict=conflict,
                           visibility_help=VISIBILITY_HELP, choices=reference_choices(),
                           title=f"Edit {req.reference}" if req else "New assistance request"), status


@bp.route("/new", methods=["GET", "POST"])
@allow("member_state", "coordinator")
def new():
    if request.method == "GET":
        require_file_request(current_user)
        return _render_form(_request_form())
    form = _request_form(formdata=request.form)
    as_draft = request.form.get("action") != "submit"
    raw = _request_input(form, as_draft=as_draft, creating=True)
    raw["draft"] = as_draft
    try:
        with all_or_nothing():
            req = create_request(current_user, raw)
    except ValidationFailed as err:
        show_errors(form, err)
        return _render_form(form, status=422)
    if as_draft:
        flash(f"{req.reference} saved as a draft. Only your State's focal points see it until you submit it.",
              "success")
    else:
        flash(f"{req.reference} submitted for review. The Task Force office has been told.", "success")
    return redirect(url_for("requests.detail", request_id=req.id))


@bp.route("/<int:request_id>/edit", methods=["GET", "POST"])
@allow("member_state", "coordinator")
def edit(request_id: int):
    req = get_request(current_user, request_id)
    try:
        require_edit_request(current_user, req)
    except Forbidden as err:
        flash(err.message, "error")
        return redirect(url_for("requests.detail", request_id=req.id))
    if request.method == "GET":
        return _render_form(_request_form(data=_data_of(req)), req)
    form = _request_form(formdata=request.form)
    action = request.form.get("action", "save")
    as_draft = req.status == "draft" and action != "submit"
    raw = _request_input(form, as_draft=as_draft, creating=False)
    version = (form.version.data or "").strip()
    raw["version"] = int(version) if version.isdigit() and len(version) < 10 else (version or None)
    if raw["version"] is None:
        raw.pop("version")
    try:
        with all_or_nothing():
            update_request(current_user, req, raw)
            if action == "submit" and req.status in ("draft", "needs_info"):
                request_move("submit")(current_user, req, {})
    except (Conflict, StaleDataError) as err:
        req = get_request(current_user, request_id)
        message = err.message if isinstance(err, Conflict) else "Someone changed this request at the same time."
        form.form_errors.append(f"Nothing was saved. {message}")
        conflict = _changed_since(req, form)
        form.version.data = str(req.version)
        return _render_form(form, req, status=409, conflict=conflict)
    except Forbidden as err:
        flash(f"Nothing was saved: {err.message}", "error")
        return redirect(url_for("requests.detail", request_id=request_id))
    except ValidationFailed as err:
        req = get_request(current_user, request_id)
        show_errors(form, err)
        return _render_form(form, req, status=422)
    flash(f"{req.reference} saved" + (" and submitted for review." if action == "submit" else "."), "success")
    return redirect(url_for("requests.detail", request_id=req.id))


FIELD_LABELS = {"title": "Title", "beneficiary": "Institution that benefits", "description": "What is needed",
                "themes": "Themes", "modalities": "Kinds of assistance", "languages": "Languages",
                "desired_start": "Desired start", "desired_end": "Desired end",
                "estimated_budget_usd": "Estimated budget", "urgency": "Urgency", "visibility": "Who may see it"}


def _changed_since(req: AssistanceRequest, form: RequestForm) -> dict:
    """What the stored request now says where it differs from what the editor typed."""
    current = _data_of(req)
    typed = {name: form[name].data for name in FIELD_LABELS}
    differs = []
    for name, label in FIELD_LABELS.items():
        mine, theirs = typed[name], current[name]
        if isinstance(theirs, list):
            same = sorted(mine or []) == sorted(theirs)
        else:
            same = (mine or "").strip() == (theirs or "").strip()
        if not same:
            differs.append(label)
    return {"version": req.version, "fields": differs, "status": workflow.REQUEST_STATUSES[req.status]}


@bp.route("")
@allow(*ROLES)
def index():
    filters = current_filters(request.args, REQUEST_FILTERS)
    sort = request.args.get("sort", "")
    sort = sort if sort in REQUEST_SORTS else "newest"
    stmt = filter_requests(visible_requests(current_user), filters)
    stmt = sort_requests(stmt, sort).options(
        selectinload(AssistanceRequest.themes), selectinload(AssistanceRequest.country),
        selectinload(AssistanceRequest.organisation))
    pagination = db.paginate(stmt, page=page_number(), per_page=PER_PAGE, error_out=False)
    heading = "My State's requests" if current_user.role == "member_state" else "Assistance requests"
    return render_template("requests/index.html", pagination=pagination, filters=filters, sort=sort,
                           sorts=REQUEST_SORTS, choices=reference_choices(), statuses=workflow.REQUEST_STATUSES,
                           urgencies=URGENCIES, heading=heading, title=heading,
                           may_file=may_file_request(current_user))


REQUEST_PAGE_PLACES = ("workflow", "thread", "end")  # where other areas' panels go on a request's page


def render_request(req: AssistanceRequest, status: int = 200, upload_errors=None, move_errors=None,
                   failed_move: str = "", typed=None):
    docs = list(db.session.scalars(select(Document).options(selectinload(Document.uploaded_by))
                                   .where(Document.request_id == req.id).order_by(Document.id)))
    return render_template(
        "requests/detail.html", req=req, documents=docs, history=audit.history("request", req.id),
        moves=workflow.available_moves("request", current_user, req), statuses=workflow.REQUEST_STATUSES,
        urgencies=URGENCIES, visibilities=VISIBILITIES,
        may_edit=may_edit_request(current_user, req), upload_errors=upload_errors or [],
        move_errors=move_errors or {}, failed_move=failed_move, typed=typed or {},
        upload_url=url_for("requests.upload_document", request_id=req.id),
        max_mb=max_upload_mb(), accepted=document_store.ACCEPTED_LABEL, human_size=document_store.human_size,
        share_choices=reference_choices()["providers"] if may_share_request(current_user, req) else [],
        panels=load_panels("request", current_user, req, REQUEST_PAGE_PLACES),
        title=f"{req.reference}: {req.title}"), status


@bp.route("/<int:request_id>")
@allow(*ROLES)
def detail(request_id: int):
    return render_request(get_request(current_user, request_id))


@bp.route("/<int:request_id>/share", methods=["POST"])
@allow("coordinator")
def share(request_id: int):
    """A coordinator chooses the providers a (restricted) request is shared with."""
    req = get_request(current_user, request_id)
    raw = {"version": int_or_raw(request.form.get("version", "")),
           "shared_with": [c for c in request.form.getlist("shared_with") if c]}
    back = url_for("requests.detail", request_id=request_id)
    refused = apply_change(lambda: update_request(current_user, req, raw), back, "request")
    if refused:
        return refused
    names = ", ".join(o.code for o in req.shared_with) or "nobody"
    flash(f"{req.reference} is now shared with {names}.", "success")
    return redirect(back)


register_page_moves(
    bp, "request", get=get_request, operation=request_move, roles=("member_state", "coordinator"),
    detail=lambda req: url_for("requests.detail", request_id=req.id), statuses=workflow.REQUEST_STATUSES,
    done="{ref}: {label} — done. It is now {status}.", extra_fields={"reject": ("duplicate_of",)},
    numbers={"duplicate_of": int_or_raw},
    show_invalid=lambda request_id, err, action: render_request(
        get_request(current_user, request_id), status=422, move_errors=err.fields, failed_move=action,
        typed={k: request.form.get(k, "") for k in ("message", "reason", "duplicate_of")}))


@bp.route("/<int:request_id>/documents", methods=["POST"])
@allow("member_state", "coordinator")
def upload_document(request_id: int):
    req = get_request(current_user, request_id)
    return attach_upload(req, lambda errors: render_request(get_request(current_user, request_id), status=422,
                                                            upload_errors=errors),
                         url_for("requests.detail", request_id=req.id))
