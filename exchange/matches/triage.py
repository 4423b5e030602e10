"""The coordinator's triage queue: every submitted, in-review and needs-information request, oldest
first, with its waiting time in working days, suggested offers and overlap warnings, and the
decisions (start review, accept into open — optionally proposing offers at once —, ask the State for
information, reject as out of scope, duplicate or for another reason). The rules are in workflow.py
and operations; acknowledgements to the State and routing to lead entities in operations/routing.py."""
from __future__ import annotations

import logging

from flask import Blueprint, flash, redirect, render_template, request, url_for
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
from exchange.requests.models import AssistanceRequest
from exchange.requests.operations import request_move
from exchange.requests.policy import get_request
from exchange.web.forms import page_number

bp = Blueprint("triage", __name__, url_prefix="/triage", template_folder="templates")
PER_PAGE = 25
DECISIONS = ("review", "accept", "request-info", "reject")
REJECT_KINDS = {"out_of_scope": "Out of scope", "duplicate": "Duplicate of another request", "other": "Other reason"}


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
                           warning_days=WAIT_WARNING_WORKING_DAYS, title="Triage queue"), status


@bp.route("")
@allow(Role.COORDINATOR)
def queue():
    return _render_queue()


def _duplicate_id(value: str) -> int | None:
    value = (value or "").strip().upper().removeprefix("R-")
    if not value:
        return None
    if as_id(value) is None:
        raise ValidationFailed("Name the request this one duplicates.",
                               {"duplicate_of": ["Give the number of the other request (e.g. 12 or R-00012)."]})
    return int(value)


def reject_input(form) -> dict:
    """The reject move's input from the triage form: a reason built from its kind and the text."""
    kind = form.get("reason_kind", "")
    text = form.get("reason", "").strip()
    if kind not in REJECT_KINDS:
        raise ValidationFailed("Say why the request is rejected.", {"reason_kind": ["Choose a reason."]})
    if kind == "other":
        return {"reason": text}
    if kind == "out_of_scope":
        return {"reason": "Out of scope" + (f": {text}" if text else " of the Task Force's assistance.")}
    duplicate_of = _duplicate_id(form.get("duplicate_of", ""))
    if duplicate_of is None:
        raise ValidationFailed("Name the request this one duplicates.",
                               {"duplicate_of": ["Give the number of the other request."]})
    return {"reason": f"Duplicate of R-{duplicate_of:05d}" + (f": {text}" if text else "."),
            "duplicate_of": duplicate_of}


@bp.route("/<int:request_id>/<decision>", methods=["POST"])
@allow(Role.COORDINATOR)
def decide(request_id: int, decision: str):
    """One triage decision on one request; accepting may propose the chosen suggested offers at once."""
    req = get_request(current_user, request_id)
    if decision not in DECISIONS:
        flash(f"Nothing was changed: unknown decision {decision!r}.", "error")
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
                    raise ValidationFailed("Choose offers from the list.", {"offer_id": ["Not an offer number."]})
                offer_ids.append(int(value))
            request_move(decision)(current_user, req, raw)
            for offer_id in dict.fromkeys(offer_ids):
                proposed.append(propose_match(current_user, {
                    "request_id": req.id, "offer_id": offer_id, "note": request.form.get("note", "")}))
    except ValidationFailed as err:
        flash(f"Nothing was changed on R-{request_id:05d}: {err.message}", "error")
        typed = request.form.to_dict() | {"offer_ids": request.form.getlist("offer_id")}
        return _render_queue(errors=err.fields, typed=typed, failed=(request_id, decision), status=422)
    except (Forbidden, Conflict) as err:
        flash(f"Nothing was changed on R-{request_id:05d}: {err.message}", "error")
        return redirect(url_for("triage.queue"))
    except StaleDataError:
        flash(f"Nothing was changed: R-{request_id:05d} was changed by someone else meanwhile. Check it again.",
              "error")
        return redirect(url_for("triage.queue"))
    done = {"review": "is in review", "accept": "was accepted and is open; the State and the lead entities "
                                                 "of its themes were notified",
            "request-info": "waits for the State's information; the State was asked",
            "reject": "was rejected; the State was told why"}[decision]
    message = f"{req.reference} {done}."
    if proposed:
        message += " Proposed to: " + ", ".join(f"{m.offer.organisation.name} ({m.reference})" for m in proposed) + "."
    flash(message, "success")
    return redirect(url_for("triage.queue"))
