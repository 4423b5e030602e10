"""Assistance requests pages: the guided request form (new and edit, with the version read), the list with
filters, sorting, search and pages, one request with its documents, history and the moves open to the viewer."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from exchange import audit
from exchange.core import workflow
from exchange.core.access import allow
from exchange.core.errors import Conflict, Forbidden, ValidationFailed
from exchange.core.extensions import db
from exchange.core.fields import whole_number_or_text
from exchange.core.paging import capped_page
from exchange.core.panels import load_panels
from exchange.core.statuses import RequestStatus, Role, Urgency, Visibility
from exchange.core.transactions import all_or_nothing
from exchange.documents import storage as document_store
from exchange.documents.models import Document
from exchange.documents.views import attach_upload, max_upload_mb
from exchange.reference.names import description as reference_description
from exchange.reference.names import name as reference_name
from exchange.reference.text_language import text_language
from exchange.requests.clock import clock_of
from exchange.requests.fields import REQUEST
from exchange.requests.filters import RequestFilters
from exchange.requests.models import AssistanceRequest
from exchange.requests.operations import create_request, request_move, update_request
from exchange.requests.policy import (
    files_for_own_state,
    get_request,
    may_assign_request,
    may_edit_request,
    may_file_request,
    may_share_request,
    require_edit_request,
    require_file_request,
    visible_requests,
)
from exchange.requests.queries import REQUEST_SORTS, case_owners, filter_requests, sort_requests
from exchange.web.forms import (
    apply_change,
    apply_errors,
    field_links,
    for_the_reader,
    page_number,
    propose_language,
    proposed_language,
    reference_choices,
    show_errors,
)
from exchange.web.moves import register_page_moves

bp = Blueprint("requests", __name__, url_prefix="/requests", template_folder="templates")
PER_PAGE = 20


RequestForm = REQUEST.form_class(
    "RequestForm", "Collects a request (fields from requests/fields.py); every rule is checked "
    "by schemas.RequestIn through operations.")


def _request_form(formdata=None, data=None) -> RequestForm:
    """A State's focal points file for their own State: only others choose the country. The language of the
    text is proposed as the page's when nothing tells it yet."""
    form = REQUEST.form(RequestForm, reference_choices(), formdata=formdata, data=data,
                        leave_out=("country",) if files_for_own_state(current_user) else ())
    return for_the_reader(REQUEST, form, fresh=formdata is None)


def _render_form(form, req=None, status=200, conflict=None):
    return render_template("requests/form.html", form=form, req=req, conflict=conflict,
                           visibility_help=REQUEST["visibility"].choice_help, choices=reference_choices(),
                           describe=reference_description,
                           title=_("Edit %(ref)s", ref=req.reference) if req else _("New assistance request")), status


@bp.route("/new", methods=["GET", "POST"])
@allow(Role.MEMBER_STATE, Role.COORDINATOR)
def new():
    if request.method == "GET":
        require_file_request(current_user)
        return _render_form(_request_form())
    form = _request_form(formdata=request.form)
    as_draft = request.form.get("action") != "submit"
    raw = {**REQUEST.form_input(form, creating=True, as_draft=as_draft), "draft": as_draft}
    fallback = proposed_language(raw)
    try:
        with all_or_nothing():
            req = create_request(current_user, raw, fallback_language=fallback)
    except ValidationFailed as err:
        show_errors(form, err)
        propose_language(form, fallback)
        return _render_form(form, status=422)
    if as_draft:
        flash(_("%(ref)s saved as a draft. Only your State's focal points see it until you submit it.",
                ref=req.reference), "success")
    else:
        flash(_("%(ref)s submitted for review. The Task Force office has been told.", ref=req.reference), "success")
    return redirect(url_for("requests.detail", request_id=req.id))


@bp.route("/<int:request_id>/edit", methods=["GET", "POST"])
@allow(Role.MEMBER_STATE, Role.COORDINATOR)
def edit(request_id: int):
    req = get_request(current_user, request_id)
    try:
        require_edit_request(current_user, req)
    except Forbidden as err:
        flash(err.message, "error")
        return redirect(url_for("requests.detail", request_id=req.id))
    if request.method == "GET":
        form = _request_form(data=REQUEST.form_values(req))
        if request.args.get("check") and req.status == RequestStatus.DRAFT:
            # From "Before you can submit…" on the request's page: what is missing is marked on the form.
            apply_errors(form, REQUEST.submission_problems(req))
        return _render_form(form, req, status=200)
    form = _request_form(formdata=request.form)
    action = request.form.get("action", "save")
    as_draft = req.status == RequestStatus.DRAFT and action != "submit"
    raw = REQUEST.form_input(form, creating=False, as_draft=as_draft)
    version = (form.version.data or "").strip()
    raw["version"] = int(version) if version.isdigit() and len(version) < 10 else (version or None)
    if raw["version"] is None:
        raw.pop("version")
    fallback = proposed_language(raw)
    try:
        with all_or_nothing():
            update_request(current_user, req, raw, fallback_language=fallback)
            if action == "submit" and req.status in workflow.REQUEST_MOVES["submit"].sources:
                request_move("submit")(current_user, req, {})
    except (Conflict, StaleDataError) as err:
        req = get_request(current_user, request_id)
        message = err.message if isinstance(err, Conflict) else _("Someone changed this request at the same time.")
        form.form_errors.append(_("Nothing was saved. %(reason)s", reason=message))
        conflict = _changed_since(req, form)
        form.version.data = str(req.version)
        return _render_form(form, req, status=409, conflict=conflict)
    except Forbidden as err:
        flash(_("Nothing was saved: %(reason)s", reason=err.message), "error")
        return redirect(url_for("requests.detail", request_id=request_id))
    except ValidationFailed as err:
        req = get_request(current_user, request_id)
        show_errors(form, err)
        propose_language(form, fallback)
        return _render_form(form, req, status=422)
    if action == "submit":
        flash(_("%(ref)s saved and submitted for review.", ref=req.reference), "success")
    else:
        flash(_("%(ref)s saved.", ref=req.reference), "success")
    return redirect(url_for("requests.detail", request_id=req.id))


def _changed_since(req: AssistanceRequest, form) -> dict:
    """What the stored request now says where it differs from what the editor typed."""
    return {"version": req.version, "fields": REQUEST.changed_labels(req, form), "status": req.status.label}


@bp.route("")
@allow(*Role)
def index():
    filters = RequestFilters.from_params(request.args)
    stmt = filter_requests(visible_requests(current_user), filters)
    stmt = sort_requests(stmt, filters.sort).options(
        selectinload(AssistanceRequest.themes), selectinload(AssistanceRequest.country),
        selectinload(AssistanceRequest.organisation))
    pagination = capped_page(stmt, page_number(), PER_PAGE)  # counted up to a cap: "More than 1,000"
    heading = _("My State's requests") if current_user.role == Role.MEMBER_STATE else _("Assistance requests")
    return render_template("requests/index.html", pagination=pagination, filters=filters.as_args(leave_out=("sort",)),
                           sort=filters.sort,
                           sorts=REQUEST_SORTS, choices=reference_choices(), statuses=RequestStatus.labels(),
                           urgencies=Urgency.labels(), heading=heading, title=heading,
                           language_names={x.code: reference_name("language", x.code) for x in reference_choices()["languages"]},
                           may_file=may_file_request(current_user))


@bp.route("/text-language", methods=["POST"])
@allow(*Role)
def text_language_of():
    """The language detected in a title and description being typed (`null` when it cannot be told): the
    request and offer forms propose it in their language select while the person has not chosen one."""
    title = request.form.get("title", "")[:200]
    description = request.form.get("description", "")[:10_000]
    return {"language": text_language(title, description)}


REQUEST_PAGE_PLACES = ("workflow", "thread", "end")  # where other areas' panels go on a request's page


def render_request(req: AssistanceRequest, status: int = 200, upload_errors=None, move_errors=None,
                   failed_move: str = "", typed=None):
    """A request's page; after a refused submission, what is missing, each linked to its field on the form."""
    if failed_move == "submit":
        missing = field_links(REQUEST, move_errors or {}, url_for("requests.edit", request_id=req.id, check=1))
    else:  # a move's own text (a question, a reason), beside its box on this page
        boxes = {"duplicate_of": "move-reject-duplicate"}
        missing = [(boxes.get(name, f"move-{failed_move}-{name}"), str(m))
                   for name, messages in (move_errors or {}).items() for m in messages]
    docs = list(db.session.scalars(select(Document).options(selectinload(Document.uploaded_by))
                                   .where(Document.request_id == req.id).order_by(Document.id)))
    return render_template(
        "requests/detail.html", req=req, documents=docs, history=audit.history("request", req.id),
        moves=workflow.available_moves("request", current_user, req), statuses=RequestStatus.labels(),
        urgencies=Urgency.labels(), visibilities=Visibility.labels(),
        may_edit=may_edit_request(current_user, req), upload_errors=upload_errors or [],
        move_errors=move_errors or {}, failed_move=failed_move, typed=typed or {},
        upload_url=url_for("requests.upload_document", request_id=req.id),
        max_mb=max_upload_mb(), accepted=document_store.ACCEPTED_LABEL, human_size=document_store.human_size,
        share_choices=reference_choices()["providers"] if may_share_request(current_user, req) else [],
        owners=case_owners() if may_assign_request(current_user, req) else [], clock=clock_of(req),
        panels=load_panels("request", current_user, req, REQUEST_PAGE_PLACES), page_errors=missing,
        title=f"{req.reference}: {req.title}"), status


@bp.route("/<int:request_id>")
@allow(*Role)
def detail(request_id: int):
    return render_request(get_request(current_user, request_id))


@bp.route("/<int:request_id>/share", methods=["POST"])
@allow(Role.COORDINATOR)
def share(request_id: int):
    """A coordinator chooses the providers a (restricted) request is shared with."""
    req = get_request(current_user, request_id)
    raw = {"version": whole_number_or_text(request.form.get("version", "")),
           "shared_with": [c for c in request.form.getlist("shared_with") if c]}
    back = url_for("requests.detail", request_id=request_id)
    refused = apply_change(lambda: update_request(current_user, req, raw), back, "request")
    if refused:
        return refused
    if req.shared_with:
        flash(_("%(ref)s is now shared with %(codes)s.", ref=req.reference,
                codes=", ".join(o.code for o in req.shared_with)), "success")
    else:
        flash(_("%(ref)s is now shared with nobody.", ref=req.reference), "success")
    return redirect(back)


register_page_moves(
    bp, "request", get=get_request, operation=request_move, roles=(Role.MEMBER_STATE, Role.COORDINATOR),
    detail=lambda req: url_for("requests.detail", request_id=req.id),
    done={"submit": _l("{ref} was sent to the Task Force office. It is now “{status}”."),
          "review": _l("{ref} is now in review."),
          "accept": _l("{ref} was accepted and is open; the State and the lead entities of its themes were told."),
          "request-info": _l("{ref} now waits for the State's information; the State was asked."),
          "reject": _l("{ref} was rejected; the State was told why."),
          "withdraw": _l("{ref} was withdrawn."), "close": _l("{ref} was closed.")}, extra_fields={"reject": ("duplicate_of",)},
    numbers={"duplicate_of": whole_number_or_text},
    show_invalid=lambda request_id, err, action: render_request(
        get_request(current_user, request_id), status=422, move_errors=err.fields, failed_move=action,
        typed={k: request.form.get(k, "") for k in ("message", "reason", "duplicate_of")}))


@bp.route("/<int:request_id>/documents", methods=["POST"])
@allow(Role.MEMBER_STATE, Role.COORDINATOR)
def upload_document(request_id: int):
    req = get_request(current_user, request_id)
    return attach_upload(req, lambda errors: render_request(get_request(current_user, request_id), status=422,
                                                            upload_errors=errors),
                         url_for("requests.detail", request_id=req.id))
