"""The coordinator's case queue and triage: the queue of every live request as a dense sortable table with
filters, views ("mine", "overdue", "waiting on the State" and each coordinator's saved ones), a case owner
("assign to me", reassignment), bulk actions with their results, and each case's triage page: its waiting
time, suggested offers and overlap warnings, and the decisions (start review, accept into open — optionally
proposing offers at once —, ask the State for information, reject as out of scope, duplicate or for another
reason). The queue's rules are matches/queue.py; the clock requests/clock.py; the moves workflow.py and
operations; acknowledgements to the State and routing to lead entities in operations/routing.py."""
from __future__ import annotations

import logging
from urllib.parse import parse_qs, parse_qsl, urlencode

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from exchange.core import workflow
from exchange.core.access import allow
from exchange.core.errors import Conflict, Forbidden, ValidationFailed
from exchange.core.extensions import db
from exchange.core.filters import record_ids
from exchange.core.models import as_id, utcnow
from exchange.core.statuses import RequestStatus, Role, Urgency
from exchange.core.transactions import all_or_nothing
from exchange.matches import queue as case_queue
from exchange.matches.models import TriageView
from exchange.matches.operations import delete_queue_view, propose_match, save_queue_view
from exchange.messages.models import Message
from exchange.messages.reminders import WAIT_WARNING_WORKING_DAYS, waiting
from exchange.reference.names import organisation_name
from exchange.requests.models import AssistanceRequest
from exchange.requests.operations import assign_request, request_move
from exchange.requests.policy import get_request
from exchange.web.forms import apply_change, page_number, problem_messages, reference_choices, safe_local_path

bp = Blueprint("triage", __name__, url_prefix="/triage", template_folder="templates")
DECISIONS = ("review", "accept", "request-info", "reject")
REJECT_KINDS = {"out_of_scope": _l("Out of scope"), "duplicate": _l("Duplicate of another request"),
                "other": _l("Other reason")}
RESULT_KEY = "queue_result"  # the last bulk action's result, shown once on the queue
MAX_BULK = 200


def _helpful(compute, *args, **kwargs) -> dict:
    """Suggestions and overlaps help triage; when they fail the page shows without them (and logs why)."""
    try:
        return compute(*args, **kwargs)
    except Exception:
        logging.getLogger(__name__).exception("%s failed on the triage page", compute.__name__)
        return {}


def _views(filters_query: str) -> list[dict]:
    """The views shown above the queue: everyone's, then the reader's own; the one in use marked."""
    views = [{"name": label, "query": query, "id": None, "key": key}
             for key, (label, query) in case_queue.BUILT_IN_VIEWS.items()]
    views += [{"name": v.name, "query": v.query, "id": v.id, "key": f"saved-{v.id}"} for v in db.session.scalars(
        select(TriageView).where(TriageView.user_id == current_user.id).order_by(TriageView.name))]
    for view in views:
        view["current"] = _same_query(view["query"], filters_query)
    return views


def _same_query(a: str, b: str) -> bool:
    return sorted(parse_qsl(a)) == sorted(parse_qsl(b))


@bp.route("")
@allow(Role.COORDINATOR)
def queue():
    """The case queue (the filters, view, order and page in the query string); `?fragment=rows` answers with
    its live region alone (what static/js/live.js fetches to swap after a change: no page around it)."""
    filters, problems = case_queue.QueueFilters.parse(request.args)
    args = filters.as_args()
    page = case_queue.queue(current_user, filters, page_number(), utcnow())
    result = session.pop(RESULT_KEY, None)
    template = "triage/_queue_region.html" if request.args.get("fragment") == "rows" else "triage/queue.html"
    return render_template(
        template, page=page, filters=args, filters_query=urlencode(args),
        problems=problem_messages(problems), views=_views(urlencode(args)), result=result,
        sorts=case_queue.QUEUE_SORTS, sort=filters.sort, next_action=case_queue.next_action,
        owners=case_queue.owner_choices(), questions=case_queue.STANDARD_QUESTIONS, choices=reference_choices(),
        statuses={s: s.label for s in RequestStatus.LIVE}, urgencies=Urgency.labels(),
        warning_days=WAIT_WARNING_WORKING_DAYS, title=_("Case queue"))


def _back_to_queue() -> str:
    return safe_local_path(request.form.get("back"), url_for("triage.queue"))


@bp.route("/bulk", methods=["POST"])
@allow(Role.COORDINATOR)
def bulk():
    """One action on every ticked case, each done or refused whole; the queue then says which and why."""
    action = request.form.get("action", "")
    ids = record_ids(request.form.getlist("request_id"))[:MAX_BULK]
    try:
        result = case_queue.bulk_action(current_user, action, ids, request.form.to_dict())
    except ValidationFailed as err:
        flash(_("Nothing was changed: %(reason)s", reason=err.message), "error")
        return redirect(_back_to_queue())
    session[RESULT_KEY] = {"action": action, "done": result.done,
                           "refused": [[ref, str(reason)] for ref, reason in result.refused]}
    return redirect(_back_to_queue())


@bp.route("/<int:request_id>/assign", methods=["POST"])
@allow(Role.COORDINATOR)
def assign(request_id: int):
    """Make a coordinator (`owner_id`, or "me") the owner of one case, from the queue or the request's page."""
    req = get_request(current_user, request_id)
    owner = request.form.get("owner_id", "")
    owner_id = current_user.id if owner == "me" else owner
    back = safe_local_path(request.form.get("back"), url_for("requests.detail", request_id=req.id))
    refused = apply_change(lambda: assign_request(current_user, req, {"owner_id": owner_id}), back, "request")
    if refused:
        return refused
    flash(_("%(ref)s is now owned by %(owner)s.", ref=req.reference, owner=req.owner.display_name) if req.owner
          else _("%(ref)s has no owner now.", ref=req.reference), "success")
    return redirect(back)


@bp.route("/views", methods=["POST"])
@allow(Role.COORDINATOR)
def save_view():
    """Keep the queue's current filters as one of the reader's own views."""
    query = request.form.get("query", "")[:1000]
    filters, _problems = case_queue.QueueFilters.parse(parse_qs(query))
    back = url_for("triage.queue", **filters.as_args())
    refused = apply_change(lambda: save_queue_view(current_user, {"name": request.form.get("name", ""),
                                                                  "query": query}), back, "request")
    if refused:
        return refused
    flash(_("The view “%(name)s” is saved: it is above the queue.", name=" ".join(request.form.get("name", "").split())),
          "success")
    return redirect(back)


@bp.route("/views/<int:view_id>/delete", methods=["POST"])
@allow(Role.COORDINATOR)
def delete_view(view_id: int):
    delete_queue_view(current_user, view_id)
    flash(_("The view was removed."), "success")
    return redirect(url_for("triage.queue"))


def _render_case(req: AssistanceRequest, errors: dict | None = None, typed: dict | None = None,
                 failed: tuple | None = None, status: int = 200):
    """One case's triage page: what the State asked, its clock, suggestions, overlaps and the decisions."""
    messages = db.session.scalar(select(func.count()).select_from(Message).where(Message.request_id == req.id))
    # The engine (numpy, scipy) loads on first use, not at start-up.
    from exchange.matching import service as matching
    suggestions = _helpful(matching.suggestions_for_requests, current_user, [req], limit=5)
    overlaps = _helpful(matching.overlaps_for_requests, [req])
    row = {"req": req, **waiting(req, utcnow()), "suggestions": suggestions.get(req.id, []),
           "overlaps": overlaps.get(req.id, []),
           "moves": {m.name for m in workflow.available_moves("request", current_user, req)}, "messages": messages}
    return render_template("triage/case.html", row=row, errors=errors or {}, typed=typed or {}, failed=failed,
                           reject_kinds=REJECT_KINDS, owners=case_queue.owner_choices(),
                           warning_days=WAIT_WARNING_WORKING_DAYS,
                           title=_("Triage of %(ref)s", ref=req.reference)), status


@bp.route("/<int:request_id>")
@allow(Role.COORDINATOR)
def case(request_id: int):
    return _render_case(get_request(current_user, request_id))


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
        return _render_case(get_request(current_user, request_id), errors=err.fields, typed=typed,
                            failed=(request_id, decision), status=422)
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
