"""Operations on assistance requests: file, edit (with the version read), move, share."""
from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from exchange import audit
from exchange.core import workflow
from exchange.core.errors import Conflict, Forbidden, ValidationFailed
from exchange.core.extensions import db
from exchange.core.models import as_id, check_version, utcnow
from exchange.core.schemas import ActionIn, ReasonIn, load
from exchange.core.statuses import RequestStatus, Role, Urgency, Visibility
from exchange.messages.notify import Named, coordinators, notify, users_of
from exchange.people.models import Organisation, User
from exchange.people.queries import organisation_by_code
from exchange.reference.queries import rows_by_code
from exchange.reference.text_language import fill_content_language
from exchange.requests import clock
from exchange.requests.fields import REQUEST
from exchange.requests.models import AssistanceRequest
from exchange.requests.policy import (
    files_for_own_state,
    may_assign_request,
    may_own_request,
    may_share_request,
    require_edit_request,
    require_file_request,
)
from exchange.requests.schemas import RequestIn


def request_snapshot(req: AssistanceRequest) -> dict:
    """The fields of a request as plain values (for audit diffs)."""
    return REQUEST.snapshot(req)


def _shared_organisations(codes: list[str]) -> list[Organisation]:
    orgs = list(db.session.scalars(select(Organisation).where(Organisation.code.in_(codes)))) if codes else []
    unknown = sorted(set(codes) - {o.code for o in orgs})
    not_providers = sorted(o.code for o in orgs if not o.is_provider)
    if unknown or not_providers:
        raise ValidationFailed(_("Share only with providers."), {"shared_with": [
            _("Not a provider: %(codes)s.", codes=", ".join(unknown + not_providers))]})
    return orgs


def _apply_request(req: AssistanceRequest, data: dict) -> None:
    REQUEST.apply(req, data, rows_by_code)
    if "shared_with" in data:
        req.shared_with = _shared_organisations(data["shared_with"])


def _submission_problems(req: AssistanceRequest) -> dict[str, list[str]]:
    """What a request still lacks before it can be submitted."""
    return REQUEST.submission_problems(req)


def create_request(user, raw: dict, fallback_language: str | None = None) -> AssistanceRequest:
    """File a request (as a draft, or submitted at once). Without a `content_language`, the text's detected
    language is recorded, else `fallback_language`, else none."""
    require_file_request(user)
    try:
        data = load(RequestIn(), raw, partial=True, required=REQUEST.missing_messages(("title",)))
    except ValidationFailed as err:  # submitting: what is missing too, all at once
        if isinstance(raw, dict) and raw.get("draft") is not True:
            own = ("country",) if files_for_own_state(user) else ()
            raise ValidationFailed(err.message, {**REQUEST.input_problems(raw, leave_out=own), **err.fields}) from None
        raise
    data.pop("version", None)
    draft = data.pop("draft", False)
    if files_for_own_state(user):
        own = user.organisation.country_iso3
        if data.get("country") not in (None, own):
            raise ValidationFailed(_("A State files requests for its own country only."),
                                   {"country": [_("You may only file for %(country)s.", country=own)]})
        country = own
        organisation = user.organisation
    else:
        country = data.get("country")
        if not country:
            raise ValidationFailed(_("Say which Member State this request is for."), {"country": [
                REQUEST.missing_messages(("country",))["country"]]})
        organisation = organisation_by_code(country)
    if "shared_with" in data and not may_share_request(user):
        raise ValidationFailed(_("Only coordinators share requests."), {"shared_with": [_("Not allowed.")]})
    data.setdefault("urgency", Urgency.MEDIUM)
    data.setdefault("visibility", Visibility.TASK_FORCE)
    req = AssistanceRequest(organisation=organisation, country_iso3=country, created_by_id=user.id,
                            status=RequestStatus.DRAFT, description="")
    fill_content_language(req, data, fallback_language)
    _apply_request(req, data)
    db.session.add(req)
    if not draft:
        problems = _submission_problems(req)
        if problems:
            raise ValidationFailed(_("The request is not complete: save it as a draft or complete it."), problems)
    db.session.flush()
    audit.record(user, "request.created", "request", req.id, f"{req.reference} created as draft",
                 audit.created(request_snapshot(req)))
    if not draft:
        _submit(user, req)
    return req


def update_request(user, req: AssistanceRequest, raw: dict, fallback_language: str | None = None) -> AssistanceRequest:
    """Edit a request; `raw` must carry the version the editor read. Without a `content_language`, a new
    text's detected language is recorded (see create_request)."""
    require_edit_request(user, req)
    try:
        data = load(RequestIn(), raw, partial=True)
    except ValidationFailed as err:  # a submitted request: what its edit would lack too, all at once
        if req.status != RequestStatus.DRAFT and isinstance(raw, dict):
            raise ValidationFailed(err.message, {**REQUEST.input_problems(raw, present_only=True), **err.fields}) \
                from None
        raise
    data.pop("draft", None)
    check_version(req, data)
    if "country" in data and data["country"] != req.country_iso3:
        raise ValidationFailed(_("A request's country cannot change."),
                               {"country": [_("File a new request instead.")]})
    data.pop("country", None)
    if "shared_with" in data and not may_share_request(user, req):
        raise ValidationFailed(_("Only coordinators share requests."), {"shared_with": [_("Not allowed.")]})
    before = request_snapshot(req)
    fill_content_language(req, data, fallback_language)
    _apply_request(req, data)
    if req.status != RequestStatus.DRAFT:
        problems = _submission_problems(req)
        if problems:
            raise ValidationFailed(_("A submitted request must stay complete."), problems)
    changes = audit.diff(before, request_snapshot(req))
    if changes:
        req.updated_at = utcnow()
        db.session.flush()
        audit.record(user, "request.edited", "request", req.id, f"{req.reference} edited", changes)
    return req


def _submit(user, req: AssistanceRequest) -> None:
    problems = _submission_problems(req)
    if problems:
        raise ValidationFailed(_("The request is not complete yet."), problems)
    before = req.status
    req.status = workflow.REQUEST_MOVES["submit"].target_from(before)
    req.submitted_at = req.submitted_at or utcnow()
    req.status_changed_at = utcnow()
    clock.wind(req)
    db.session.flush()
    audit.record(user, "request.submitted", "request", req.id, f"{req.reference} submitted",
                 {"status": [before, req.status]})
    facts = {"ref": req.reference, "country": Named("country", req.country_iso3, req.country.name),
             "title": req.title}
    answered = before == RequestStatus.NEEDS_INFO
    notify(coordinators(), "request.submitted",
           _l("%(ref)s from %(country)s: %(title)s (answered)") if answered
           else _l("%(ref)s from %(country)s: %(title)s"), values=facts, exclude=user, about=req)
    if not answered:  # the acknowledgement, to the State's focal points, the one who filed it included
        notify(users_of([req.organisation_id], (Role.MEMBER_STATE,)), "request.received",
               _l("%(ref)s was received. The Task Force office will review it and tell you what follows."),
               values={"ref": f"{req.reference} ({req.title})"}, about=req)


def request_move(action: str) -> Callable[..., AssistanceRequest]:
    """The operation making the status move `action` (submit, review, accept, request-info, reject, withdraw,
    close) on a request, called `operation(actor, req, data)`; see `_move_request`."""
    return workflow.move_operation("request", action, _move_request)


def _move_request(user, req: AssistanceRequest, action: str, raw: dict | None) -> AssistanceRequest:
    """`raw` is the body: `{"message"}` for request-info, `{"reason"}` for reject, otherwise nothing but an
    optional `version`. Who may make the move and from which status is checked first (403/409), then the
    body (422)."""
    from exchange.messages.schemas import MessageIn
    move = workflow.check_move("request", action, user, req)
    raw = {} if raw is None else raw
    text = ""
    duplicate_of = None
    if move.needs == "message":
        text = load(MessageIn(), raw)["message"]
    elif move.needs == "reason":
        data = load(ReasonIn(), raw)
        text, duplicate_of = data["reason"], data.get("duplicate_of")
        if duplicate_of is not None and (
                duplicate_of == req.id or db.session.get(AssistanceRequest, duplicate_of) is None):
                raise ValidationFailed(_("Name an existing other request."),
                                       {"duplicate_of": [_("No such request.")]})
    else:
        load(ActionIn(), raw)
    if action == "submit":
        _submit(user, req)
        return req
    before = req.status
    req.status = move.target_from(before)
    req.status_changed_at = utcnow()
    if text:
        req.status_note = text
    if duplicate_of:
        req.duplicate_of_id = duplicate_of
    if action == "accept":
        req.accepted_at = utcnow()
    clock.wind(req)
    db.session.flush()
    audit.record(user, f"request.{action}", "request", req.id, f"{req.reference}: {move.english_label.lower()}"
                 + (f" — {text}" if text else ""), {"status": [before, req.status]})
    from exchange.requests.routing import after_request_move
    after_request_move(user, req, action, text)
    return req


def assign_request(user, req: AssistanceRequest, raw: dict) -> AssistanceRequest:
    """Make a coordinator the owner of a live case (`{"owner_id": id}`; None or "" leaves it without an owner);
    coordinators only, audited, the new owner told. Assigning the owner it already has changes nothing."""
    if not may_assign_request(user):
        raise Forbidden(_("Only coordinators assign cases."))
    if not may_assign_request(user, req):
        raise Conflict(_("%(ref)s is no longer a live case (%(status)s): it has no owner to change.",
                         ref=req.reference, status=req.status.label))
    value = raw.get("owner_id")
    owner = None
    if value not in (None, ""):
        owner_id = as_id(value)
        owner = db.session.get(User, owner_id) if owner_id is not None else None
        if not may_own_request(owner):
            raise ValidationFailed(_("Choose a coordinator to own the case."),
                                   {"owner_id": [_("Not a coordinator of the Task Force office.")]})
    if req.owner_id == (owner.id if owner else None):
        return req
    before = req.owner.display_name if req.owner else None
    req.owner = owner
    db.session.flush()
    audit.record(user, "request.assigned", "request", req.id,
                 f"{req.reference} assigned to {owner.display_name}" if owner else f"{req.reference} unassigned",
                 {"owner": [before, owner.display_name if owner else None]})
    if owner is not None and owner.id != user.id:
        notify([owner], "request.assigned", _l("%(who)s gave you the case %(ref)s (%(country)s: %(title)s)."),
               values={"who": user.display_name, "ref": req.reference, "title": req.title,
                       "country": Named("country", req.country_iso3, req.country.name)}, about=req)
    return req
