"""Operations on assistance requests and offers: file, edit (with the version read), move, share."""
from __future__ import annotations

from sqlalchemy import select

from .. import audit, workflow
from ..access import (
    may_file_request,
    may_post_offer,
    may_share_request,
    require_edit_offer,
    require_edit_request,
)
from ..errors import Conflict, Forbidden, ValidationFailed
from ..extensions import db
from ..models import (
    AssistanceRequest,
    Country,
    Language,
    Modality,
    Offer,
    Organisation,
    Region,
    Theme,
    utcnow,
)
from ..notify import coordinators, notify, record_link
from ..schemas import OFFER_REQUIRED, REQUEST_REQUIRED, OfferIn, RequestIn, load, organisation_by_code

REQUEST_FIELDS = ("title", "description", "beneficiary", "urgency", "desired_start", "desired_end",
                  "estimated_budget_usd", "visibility")
OFFER_FIELDS = ("title", "description", "available_from", "available_until", "capacity", "budget_usd",
                "contact_name", "contact_email")
_LINKS = {"themes": (Theme, Theme.code), "modalities": (Modality, Modality.code),
          "languages": (Language, Language.code), "countries": (Country, Country.iso3),
          "regions": (Region, Region.code)}


def _objects(kind: str, codes: list[str]):
    model, column = _LINKS[kind]
    return list(db.session.scalars(select(model).where(column.in_(codes)).order_by(column))) if codes else []


def request_snapshot(req: AssistanceRequest) -> dict:
    """The fields of a request as plain values (for audit diffs and the API)."""
    snap = {f: getattr(req, f) for f in REQUEST_FIELDS}
    snap.update(themes=req.theme_codes, modalities=req.modality_codes, languages=req.language_codes,
                country=req.country_iso3, status=req.status, shared_with=[o.code for o in req.shared_with])
    return snap


def offer_snapshot(offer: Offer) -> dict:
    snap = {f: getattr(offer, f) for f in OFFER_FIELDS}
    snap.update(themes=offer.theme_codes, modalities=offer.modality_codes, languages=offer.language_codes,
                countries=offer.country_codes, regions=offer.region_codes, status=offer.status,
                organisation=offer.organisation.code if offer.organisation else None)
    return snap


def _check_version(record, data: dict) -> None:
    version = data.pop("version", None)
    if version is None:
        raise ValidationFailed("Send the version you read.", {"version": ["This field is required to edit."]})
    if version != record.version:
        raise Conflict(f"Someone changed this record since you read it (you read version {version}; it is now "
                       f"version {record.version}). Reload it and apply your change again.")


def _shared_organisations(codes: list[str]) -> list[Organisation]:
    orgs = list(db.session.scalars(select(Organisation).where(Organisation.code.in_(codes)))) if codes else []
    unknown = sorted(set(codes) - {o.code for o in orgs})
    not_providers = sorted(o.code for o in orgs if not o.is_provider)
    if unknown or not_providers:
        raise ValidationFailed("Share only with providers.", {"shared_with": [
            f"Not a provider: {', '.join(unknown + not_providers)}."]})
    return orgs


def _apply_request(req: AssistanceRequest, data: dict) -> None:
    for field in REQUEST_FIELDS:
        if field in data:
            value = data[field]
            setattr(req, field, value if value is not None or field not in ("beneficiary",) else "")
    for kind in ("themes", "modalities", "languages"):
        if kind in data:
            setattr(req, kind, _objects(kind, data[kind]))
    if "shared_with" in data:
        req.shared_with = _shared_organisations(data["shared_with"])


def _submission_problems(req: AssistanceRequest) -> dict[str, list[str]]:
    """What a request still lacks before it can be submitted."""
    snap = request_snapshot(req)
    problems = {f: ["This field is required before you submit."] for f in REQUEST_REQUIRED if snap.get(f) in
                (None, "", [])}
    if req.title and len(req.title) < 5:
        problems["title"] = ["Use at least 5 characters."]
    if req.description and len(req.description) < 20:
        problems["description"] = ["Describe the need in at least 20 characters."]
    return problems


def create_request(user, raw: dict) -> AssistanceRequest:
    """File a request (as a draft, or submitted at once)."""
    if not may_file_request(user):
        raise Forbidden("Only Member States' focal points and coordinators file requests.")
    data = load(RequestIn(), raw, partial=True, required=("title",))
    data.pop("version", None)
    draft = data.pop("draft", False)
    if user.role == "member_state":
        own = user.organisation.country_iso3
        if data.get("country") not in (None, own):
            raise ValidationFailed("A State files requests for its own country only.",
                                   {"country": [f"You may only file for {own}."]})
        country = own
        organisation = user.organisation
    else:
        country = data.get("country")
        if not country:
            raise ValidationFailed("Say which Member State this request is for.", {"country": [
                "This field is required when filing on a State's behalf."]})
        organisation = organisation_by_code(country)
    if "shared_with" in data and not may_share_request(user):
        raise ValidationFailed("Only coordinators share requests.", {"shared_with": ["Not allowed."]})
    data.setdefault("urgency", "medium")
    data.setdefault("visibility", "task_force")
    req = AssistanceRequest(organisation=organisation, country_iso3=country, created_by_id=user.id,
                            status="draft", beneficiary="", description="")
    _apply_request(req, data)
    db.session.add(req)
    if not draft:
        problems = _submission_problems(req)
        if problems:
            raise ValidationFailed("The request is not complete: save it as a draft or complete it.", problems)
    db.session.flush()
    audit.record(user, "request.created", "request", req.id, f"{req.reference} created as draft",
                 {k: [None, v] for k, v in request_snapshot(req).items() if v not in (None, "", [])})
    if not draft:
        _submit(user, req)
    return req


def update_request(user, req: AssistanceRequest, raw: dict) -> AssistanceRequest:
    """Edit a request; `raw` must carry the version the editor read."""
    require_edit_request(user, req)
    data = load(RequestIn(), raw, partial=True)
    data.pop("draft", None)
    _check_version(req, data)
    if "country" in data and data["country"] != req.country_iso3:
        raise ValidationFailed("A request's country cannot change.", {"country": ["File a new request instead."]})
    data.pop("country", None)
    if "shared_with" in data and not may_share_request(user, req):
        raise ValidationFailed("Only coordinators share requests.", {"shared_with": ["Not allowed."]})
    before = request_snapshot(req)
    _apply_request(req, data)
    if req.status != "draft":
        problems = _submission_problems(req)
        if problems:
            raise ValidationFailed("A submitted request must stay complete.", problems)
    changes = audit.diff(before, request_snapshot(req))
    if changes:
        req.updated_at = utcnow()
        db.session.flush()
        audit.record(user, "request.edited", "request", req.id, f"{req.reference} edited", changes)
    return req


def _submit(user, req: AssistanceRequest) -> None:
    problems = _submission_problems(req)
    if problems:
        raise ValidationFailed("The request is not complete yet.", problems)
    before = req.status
    req.status = workflow.RESUBMIT_TARGET if before == "needs_info" else "submitted"
    req.submitted_at = req.submitted_at or utcnow()
    req.status_changed_at = utcnow()
    db.session.flush()
    audit.record(user, "request.submitted", "request", req.id, f"{req.reference} submitted",
                 {"status": [before, req.status]})
    notify(coordinators(), "request.submitted",
           f"{req.reference} from {req.country.name}: {req.title}" + (" (answered)" if before == "needs_info"
                                                                      else ""),
           record_link(req), exclude=user, about=req)


def move_request(user, req: AssistanceRequest, action: str, raw: dict | None = None) -> AssistanceRequest:
    """Make a status move (submit, review, accept, request-info, reject, withdraw, close). `raw` is the body:
    `{"message"}` for request-info, `{"reason"}` for reject, otherwise nothing but an optional `version`.
    Who may make the move and from which status is checked first (403/409), then the body (422)."""
    from ..schemas import ActionIn, MessageIn, ReasonIn
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
                raise ValidationFailed("Name an existing other request.", {"duplicate_of": ["No such request."]})
    else:
        load(ActionIn(), raw)
    if action == "submit":
        _submit(user, req)
        return req
    before = req.status
    req.status = move.target
    req.status_changed_at = utcnow()
    if text:
        req.status_note = text
    if duplicate_of:
        req.duplicate_of_id = duplicate_of
    if action == "accept":
        req.accepted_at = utcnow()
    db.session.flush()
    audit.record(user, f"request.{action}", "request", req.id, f"{req.reference}: {move.label.lower()}"
                 + (f" — {text}" if text else ""), {"status": [before, req.status]})
    from ..operations.routing import after_request_move
    after_request_move(user, req, action, text)
    return req


def create_offer(user, raw: dict) -> Offer:
    if not may_post_offer(user):
        raise Forbidden("Only approved providers and the Task Force office post offers.")
    data = load(OfferIn(), raw, required=OFFER_REQUIRED)
    data.pop("version", None)
    code = data.pop("organisation", None)
    if user.role == "provider":
        if code not in (None, user.organisation.code):
            raise ValidationFailed("Providers post offers for their own organisation.",
                                   {"organisation": [f"You may only post for {user.organisation.code}."]})
        organisation = user.organisation
    else:
        organisation = organisation_by_code(code) if code else None
        if organisation is None or not organisation.is_provider:
            raise ValidationFailed("Say which provider this offer is for.",
                                   {"organisation": ["Give the code of a provider organisation."]})
    offer = Offer(organisation=organisation, created_by_id=user.id, status="active")
    _apply_offer(offer, data)
    db.session.add(offer)
    db.session.flush()
    audit.record(user, "offer.created", "offer", offer.id, f"{offer.reference} posted",
                 {k: [None, v] for k, v in offer_snapshot(offer).items() if v not in (None, "", [])})
    return offer


def _apply_offer(offer: Offer, data: dict) -> None:
    for field in OFFER_FIELDS:
        if field in data:
            value = data[field]
            setattr(offer, field, "" if value is None and field in ("contact_name", "contact_email") else value)
    for kind in ("themes", "modalities", "languages", "countries", "regions"):
        if kind in data:
            setattr(offer, kind, _objects(kind, data[kind]))


def update_offer(user, offer: Offer, raw: dict) -> Offer:
    require_edit_offer(user, offer)
    data = load(OfferIn(), raw, partial=True)
    _check_version(offer, data)
    code = data.pop("organisation", None)
    if code and code != offer.organisation.code:
        raise ValidationFailed("An offer's provider cannot change.", {"organisation": ["Post a new offer instead."]})
    for required in OFFER_REQUIRED:
        if required in data and data[required] in ("", []):
            raise ValidationFailed("Some required fields are empty.", {required: ["This field is required."]})
    before = offer_snapshot(offer)
    _apply_offer(offer, data)
    changes = audit.diff(before, offer_snapshot(offer))
    if changes:
        offer.updated_at = utcnow()
        db.session.flush()
        audit.record(user, "offer.edited", "offer", offer.id, f"{offer.reference} edited", changes)
    return offer


def move_offer(user, offer: Offer, action: str, raw: dict | None = None) -> Offer:
    """Pause, resume or close an offer; `raw` (the body) may carry nothing but an optional `version`."""
    from ..schemas import ActionIn
    move = workflow.check_move("offer", action, user, offer)
    load(ActionIn(), {} if raw is None else raw)
    before = offer.status
    offer.status = move.target
    db.session.flush()
    audit.record(user, f"offer.{action}", "offer", offer.id, f"{offer.reference}: {move.label.lower()}",
                 {"status": [before, offer.status]})
    return offer
