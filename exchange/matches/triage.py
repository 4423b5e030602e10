"""The coordinator's triage queue: every submitted, in-review and needs-information request, oldest
first, with its waiting time in working days, suggested offers and overlap warnings, and the
decisions (start review, accept into open — optionally proposing offers at once —, ask the State for
information, reject as out of scope, duplicate or for another reason). The rules are in workflow.py
and operations; acknowledgements to the State and routing to lead entities in operations/routing.py."""
from __future__ import annotations

import logging

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from exchange.core import workflow
from exchange.core.access import allow
from exchange.core.errors import Conflict, Forbidden, ValidationFailed
from exchange.core.extensions import db
from exchange.core.models import as_id, utcnow
from exchange.core.statuses import RequestStatus, Role
from exchange.core.transactions import all_or_nothing
from exchange.matches.operations import propose_match
from exchange.messages.models import Message
from exchange.messages.reminders import WAIT_WARNING_WORKING_DAYS, waiting
from exchange.reference.names import organisation_name
from exchange.requests.models import AssistanceRequest
from exchange.requests.operations import request_move
from exchange.requests.policy import get_request
from exchange.web.forms import page_number

bp = Blueprint("triage", __name__, url_prefix="/triage", template_folder="templates")
PER_PAGE = 25
DECISIONS = ("review", "accept", "request-info", "reject")
REJECT_KINDS = {"out_of_scope": _l("Out of scope"), "duplicate": _l("Duplicate of another request"),
                "other": _l("Other reason")}


def queue_query():
    """The triage queue, oldest submission first (with what the matching engine reads loaded at once)."""
    return (select(AssistanceRequest)
            .options(selectinload(AssistanceRequest.country), selectinload(AssistanceRequest.themes),
                     selectinload(AssistanceRequest.modalities), selectinload(AssistanceRequest.languages))
            .where(AssistanceRequest.status.in_(RequestStatus.IN_TRIAGE))
            .order_by(func.coalesce(AssistanceRequest.submitted_at, AssistanceRequest.created_at),
                      AssistanceRequest.id))


def _helpful(compute, *args, **kwargs) -> dict:
    """Suggestions and overlaps help the queue; when they fail it shows without them (and logs why)."""
    try:
        return compute(*args, **kwargs)
    except Exception:
        logging.getLogger(__name__).exception("%s failed on the triage queue", compute.__name__)
        return {}


def _render_queue(errors: dict | None = None, typed: dict | None = None, failed: tuple | None = None,
                  status: int = 200):
    page = page_number()
    pagination = db.paginate(queue_query(), page=page, per_page=PER_PAGE, error_out=False)
    now = utcnow()
    ids = [r.id for r in pagination.items]
    message_counts = dict(db.session.execute(select(Message.request_id, func.count()).where(
        Message.request_id.in_(ids)).group_by(Message.request_id)).all()) if ids else {}
    # The engine (numpy, scipy) loads on first use, not at start-up.
    from exchange.matching import service as matching
    suggestions = _helpful(matching.suggestions_for_requests, current_user, pagination.items, limit=5)
    overlaps = _helpful(matching.overlaps_for_requests, pagination.items)
    rows = []
    for req in pagination.items:
        rows.append({"req": req, **waiting(req, now),
                     "suggestions": suggestions.get(req.id, []), "overlaps": overlaps.get(req.id, []),
                     "moves": {m.name for m in workflow.available_moves("request", current_user, req)},
                     "messages": message_counts.get(req.id, 0)})
    return render_template("triage/queue.html", rows=rows, pagination=pagination, errors=errors or {},
                           typed=typed or {}, failed=failed, reject_kinds=REJECT_KINDS,
                           warning_days=WAIT_WARNING_WORKING_DAYS, title=_("Triage queue")), status


@bp.route("")
@allow(Role.COORDINATOR)
def queue():
    return _render_queue()


def _duplicate_id(value: str) -> int | None:
    value = (value or "").strip().upper().removeprefix("R-")
    if not value:
        return None
    if as_id(value) is None:
        raise ValidationFailed(_("Name the request this one duplicates."),
                               {"duplicate_of": [_("Give the number of the other request (e.g. 12 or R-00012).")]})
    return int(value)


def reject_input(form) -> dict:
    """The reject move's input from the triage form: a reason built from its kind and the text."""
    kind = form.get("reason_kind", "")
    text = form.get("reason", "").strip()
    if kind not in REJECT_KINDS:
        raise ValidationFailed(_("Say why the request is rejected."), {"reason_kind": [_("Choose a reason.")]})
    if kind == "other":
        return {"reason": text}
    if kind == "out_of_scope":
        return {"reason": _("Out of scope: %(text)s", text=text) if text
                else _("Out of scope of the Task Force's assistance.")}
    duplicate_of = _duplicate_id(form.get("duplicate_of", ""))
    if duplicate_of is None:
        raise ValidationFailed(_("Name the request this one duplicates."),
                               {"duplicate_of": [_("Give the number of the other request.")]})
    reference = AssistanceRequest.reference_for(duplicate_of)
    return {"reason": _("Duplicate of %(ref)s: %(text)s", ref=reference, text=text) if text
            else _("Duplicate of %(ref)s.", ref=reference), "duplicate_of": duplicate_of}


@bp.route("/<int:request_id>/<decision>", methods=["POST"])
@allow(Role.COORDINATOR)
def decide(request_id: int, decision: str):
    """One triage decision on one request; accepting may propose the chosen suggested offers at once."""
    req = get_request(current_user, request_id)
    if decision not in DECISIONS:
        flash(_("Nothing was changed: unknown decision “%(decision)s”.", decision=decision), "error")
        return redirect(url_for("triage.queue"))
    proposed = []
    try:
        with all_or_nothing():
            if decision == "reject":
                raw = reject_input(request.form)
            elif decision == "request-info":
                raw = {"message": request.form.get("message", "")}
            else:
                raw = {}
            offer_values = request.form.getlist("offer_id") if decision == "accept" else []
            offer_ids = []
            for value in offer_values:
                if not value.strip().isdigit():
                    raise ValidationFailed(_("Choose offers from the list."),
                                           {"offer_id": [_("Not an offer number.")]})
                offer_ids.append(int(value))
            request_move(decision)(current_user, req, raw)
            for offer_id in dict.fromkeys(offer_ids):
                proposed.append(propose_match(current_user, {
                    "request_id": req.id, "offer_id": offer_id, "note": request.form.get("note", "")}))
    except ValidationFailed as err:
        flash(_("Nothing was changed on %(ref)s: %(error)s", ref=AssistanceRequest.reference_for(request_id),
                error=err.message), "error")
        typed = request.form.to_dict() | {"offer_ids": request.form.getlist("offer_id")}
        return _render_queue(errors=err.fields, typed=typed, failed=(request_id, decision), status=422)
    except (Forbidden, Conflict) as err:
        flash(_("Nothing was changed on %(ref)s: %(error)s", ref=AssistanceRequest.reference_for(request_id),
                error=err.message), "error")
        return redirect(url_for("triage.queue"))
    except StaleDataError:
        flash(_("Nothing was changed: %(ref)s was changed by someone else meanwhile. Check it again.",
                ref=AssistanceRequest.reference_for(request_id)), "error")
        return redirect(url_for("triage.queue"))
    done = {"review": _("%(ref)s is in review.", ref=req.reference),
            "accept": _("%(ref)s was accepted and is open; the State and the lead entities of its themes were "
                        "notified.", ref=req.reference),
            "request-info": _("%(ref)s waits for the State's information; the State was asked.", ref=req.reference),
            "reject": _("%(ref)s was rejected; the State was told why.", ref=req.reference)}[decision]
    if proposed:
        done = _("%(done)s Proposed to: %(providers)s.", done=done, providers=", ".join(
            f"{organisation_name(m.offer.organisation)} ({m.reference})" for m in proposed))
    flash(done, "success")
    return redirect(url_for("triage.queue"))
