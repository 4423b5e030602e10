"""Matches pages: the caller's matches (a provider's proposed matches to answer, a State's matches, all
of them for the Task Force office), one match with its history, thread and the moves open to the
caller, proposing matches (coordinators), and making a move; on a match's page, why it was proposed, its money,
results and lessons learned, with the forms to enter them (the provider and the Task Force office) and to comment
on each result (the requesting State). The rules are in workflow.py and
operations/matches.py; this module parses forms and shows the outcome. It also gives the request and offer
pages their matches panels (the request's matches, the suggested offers and overlaps, the suggested
requests of an offer: see core/panels.py)."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from exchange import audit
from exchange.core import workflow
from exchange.core.access import allow, may_see_overlaps
from exchange.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from exchange.core.extensions import db
from exchange.core.fields import whole_number_or_text
from exchange.core.i18n import format_number
from exchange.core.models import as_id
from exchange.core.panels import Panel, load_panels, register_panel
from exchange.core.statuses import FundingStage, MatchStatus, Role
from exchange.core.transactions import all_or_nothing
from exchange.matches.delivery import (
    add_funding,
    add_result,
    comment_result,
    edit_lessons,
    result_of,
    totals_in_usd,
)
from exchange.matches.fields import FUNDING, RESULT
from exchange.matches.filters import MatchFilters
from exchange.matches.models import FundingEntry, Match
from exchange.matches.operations import match_move, propose_match
from exchange.matches.policy import (
    FUNDING_OPEN,
    RESULTS_OPEN,
    get_match,
    match_scope,
    may_comment_results,
    may_propose_match,
    may_read_provider_note,
    may_record_delivery,
    may_see_offer_suggestions,
    may_see_request_suggestions,
)
from exchange.matches.queries import filter_matches
from exchange.matching import service
from exchange.messages.threads import unread_messages_by_match
from exchange.offers.models import Offer
from exchange.people.models import Organisation
from exchange.reference.currencies import currency_rows
from exchange.reference.names import organisation_name
from exchange.requests.models import AssistanceRequest
from exchange.web.forms import apply_errors, error_details, page_number, safe_local_path
from exchange.web.moves import register_page_moves

bp = Blueprint("matches", __name__, url_prefix="/matches", template_folder="templates")
PER_PAGE = 50
SUGGESTIONS_SHOWN = 8


def _match_query():
    return select(Match).options(
        selectinload(Match.request).selectinload(AssistanceRequest.country),
        selectinload(Match.offer).selectinload(Offer.organisation),
        selectinload(Match.funding).selectinload(FundingEntry.funder))


@bp.route("")
@allow(*Role)
def index():
    # The page picks one status: anything but one known status lists every match.
    picked = MatchFilters.from_params(request.args, only=("status",)).status
    filters = MatchFilters(status=picked if len(picked) == 1 and MatchStatus.of(picked[0]) else ())
    status = "".join(filters.status)
    page = page_number()
    stmt = filter_matches(_match_query().where(match_scope(current_user)), filters)
    stmt = stmt.order_by(Match.status_changed_at.desc(), Match.id.desc())
    pagination = db.paginate(stmt, page=page, per_page=PER_PAGE, error_out=False)
    unread = unread_messages_by_match(current_user, [m.id for m in pagination.items])
    return render_template("matches/index.html", pagination=pagination, status=status, unread=unread,
                           statuses=MatchStatus.labels(), title=_("Matches"))


MATCH_PAGE_PLACES = ("thread",)  # where other areas' panels go on a match's page (core/panels.py)


def _render_match(match: Match, errors: dict | None = None, typed: dict | None = None, failed: str = "",
                  status: int = 200, forms: dict | None = None):
    moves = workflow.available_moves("match", current_user, match)
    fields = ("reason", "outcome", "rating", "comment")
    page_errors = [(name, str(m)) for name, messages in (errors or {}).items() if name in fields for m in messages]
    return render_template("matches/detail.html", match=match, req=match.request, offer=match.offer,
                           page_errors=page_errors,
                           moves=moves, history=audit.history("match", match.id), errors=errors or {}, typed=typed or {},
                           failed=failed, show_note=may_read_provider_note(current_user, match),
                           delivery=_delivery(match, forms or {}),
                           panels=load_panels("match", current_user, match, MATCH_PAGE_PLACES),
                           title=_("Match %(ref)s", ref=match.reference)), status


# --------------------------------------------------------------------------------------------
# Money, results and lessons on the match's page: the forms are built from the field specs (matches/fields.py).

class _Prefixed:
    """A spec form whose inputs are named `<prefix>-<field>` (several forms on one page); the page's CSRF token is
    the one hidden input every form of the Exchange carries."""

    PREFIX = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", self.PREFIX)
        kwargs.setdefault("meta", {"csrf": False})  # CSRFProtect checks every POST of the app
        super().__init__(*args, **kwargs)


class FundingForm(_Prefixed, FUNDING.form_class("FundingFormFields", "Money for a match.")):
    PREFIX = "funding"


class ResultForm(_Prefixed, RESULT.form_class("ResultFormFields", "A result indicator.")):
    PREFIX = "result"


@dataclass(frozen=True)
class _Option:
    code: str
    name: str


def _delivery_choices() -> dict:
    organisations = db.session.scalars(select(Organisation).where(Organisation.approval == "approved"))
    return {"currencies": currency_rows(),
            "organisations": sorted((_Option(o.code, f"{organisation_name(o)} ({o.code})") for o in organisations),
                                    key=lambda o: o.name.casefold())}


def _funding_form(match: Match, formdata=None) -> FundingForm:
    data = None if formdata else {"stage": "pledged", "currency": "USD", "usd_rate": "1",
                                  "funder": match.offer.organisation.code}
    return FUNDING.form(FundingForm, _delivery_choices(), formdata=formdata, data=data)


def _result_form(formdata=None) -> ResultForm:
    return RESULT.form(ResultForm, {}, formdata=formdata)


def _delivery(match: Match, forms: dict) -> dict:
    """What the page shows of the match's money, results and lessons, and the forms open to the viewer."""
    recording = may_record_delivery(current_user, match)
    return {
        "usd": totals_in_usd(match.funding),
        "funding_form": forms.get("funding") or (_funding_form(match) if recording and match.status in FUNDING_OPEN
                                                 else None),
        "result_form": forms.get("result") or (_result_form() if recording and match.status in RESULTS_OPEN else None),
        "may_edit_lessons": recording and match.status in RESULTS_OPEN,
        "lessons_errors": forms.get("lessons_errors", []), "lessons_typed": forms.get("lessons_typed"),
        "may_comment": may_comment_results(current_user, match) and match.status == MatchStatus.COMPLETED,
        "comment_errors": forms.get("comment_errors", {}),
        "reasons": service.worded_reasons(match.selection_reasons, match.offer.content_language),
        "stage_labels": {str(stage): label for stage, label in FundingStage.labels().items()},
        "kind_help": RESULT["kind"].choice_help,
    }


@bp.route("/<int:match_id>/funding", methods=["POST"])
@allow(Role.PROVIDER, *Role.OFFICE)
def add_funding_entry(match_id: int):
    match = get_match(current_user, match_id)
    form = _funding_form(match, request.form)
    try:
        with all_or_nothing():
            entry = add_funding(current_user, match, FUNDING.form_input(form, creating=True))
    except ValidationFailed as err:
        apply_errors(form, err.fields)
        return _render_match(get_match(current_user, match_id), status=422, forms={"funding": form})
    flash(_("Recorded: %(stage)s, %(amount)s %(currency)s from %(funder)s.", stage=entry.stage.label,
            amount=format_number(entry.amount), currency=entry.currency,
            funder=organisation_name(entry.funder)), "success")
    return redirect(url_for("matches.detail", match_id=match.id, _anchor="money"))


@bp.route("/<int:match_id>/results", methods=["POST"])
@allow(Role.PROVIDER, *Role.OFFICE)
def add_result_indicator(match_id: int):
    match = get_match(current_user, match_id)
    form = _result_form(request.form)
    try:
        with all_or_nothing():
            result = add_result(current_user, match, RESULT.form_input(form, creating=True))
    except ValidationFailed as err:
        apply_errors(form, err.fields)
        return _render_match(get_match(current_user, match_id), status=422, forms={"result": form})
    flash(_("Result recorded: %(indicator)s.", indicator=result.indicator), "success")
    return redirect(url_for("matches.detail", match_id=match.id, _anchor="results"))


@bp.route("/<int:match_id>/results/<int:result_id>/comment", methods=["POST"])
@allow(Role.MEMBER_STATE)
def comment_on_result(match_id: int, result_id: int):
    match = get_match(current_user, match_id)
    result = result_of(match, result_id)
    if result is None:
        raise NotFound(_("This match has no such result."))
    try:
        with all_or_nothing():
            comment_result(current_user, match, result, {"comment": request.form.get("comment", "")})
    except ValidationFailed as err:
        return _render_match(get_match(current_user, match_id), status=422,
                             forms={"comment_errors": {result_id: err.fields.get("comment", [err.message])}})
    flash(_("Your comment on “%(indicator)s” was saved.", indicator=result.indicator), "success")
    return redirect(url_for("matches.detail", match_id=match.id, _anchor="results"))


@bp.route("/<int:match_id>/lessons", methods=["POST"])
@allow(Role.PROVIDER, *Role.OFFICE)
def save_lessons(match_id: int):
    match = get_match(current_user, match_id)
    typed = request.form.get("lessons", "")
    version = whole_number_or_text(request.form.get("version", ""))
    try:
        with all_or_nothing():
            edit_lessons(current_user, match, {"lessons": typed, "version": version})
    except (ValidationFailed, Conflict) as err:
        messages = [err.message] + [str(m) for ms in getattr(err, "fields", {}).values() for m in ms]
        return _render_match(get_match(current_user, match_id), status=422 if isinstance(err, ValidationFailed)
                             else 409, forms={"lessons_errors": messages, "lessons_typed": typed})
    flash(_("Lessons learned saved."), "success")
    return redirect(url_for("matches.detail", match_id=match.id, _anchor="lessons"))


@bp.route("/<int:match_id>")
@allow(*Role)
def detail(match_id: int):
    match = get_match(current_user, match_id)
    return _render_match(match)


def _rating(value: str):
    """A rating typed in the confirm form: a number of one or two digits, else as typed (the schema answers);
    empty: left out."""
    value = value.strip()
    return int(value) if value.isdigit() and len(value) < 3 else (value or None)


register_page_moves(
    bp, "match", get=get_match, operation=match_move, roles=tuple(Role),
    detail=lambda match: url_for("matches.detail", match_id=match.id),
    done={"accept": _l("You accepted {ref}. It is now “{status}”: start the delivery when it begins."),
          "decline": _l("You declined {ref}. The State and the Task Force office were told your reason."),
          "start": _l("Delivery of {ref} has started. It is now “{status}”."),
          "complete": _l("Completion of {ref} is reported. The State is asked to confirm the delivery."),
          "confirm": _l("You confirmed the delivery of {ref}. Thank you for your rating."),
          "withdraw": _l("{ref} was withdrawn. The provider and the State were told.")}, extra_fields={"confirm": ("rating", "comment")},
    numbers={"rating": _rating},
    show_invalid=lambda match_id, err, action: _render_match(get_match(current_user, match_id), errors=err.fields,
                                                             typed=dict(request.form), failed=action, status=422))


def _int_or_none(value: str):
    return as_id(value or "")


@bp.route("", methods=["POST"])
@allow(Role.COORDINATOR)
def propose():
    """Propose one or several offers for a request, with a note (from the request page or the triage queue)."""
    request_id = _int_or_none(request.form.get("request_id", ""))
    offer_ids = [_int_or_none(v) for v in request.form.getlist("offer_id")]
    note = request.form.get("note", "")
    back = safe_local_path(request.form.get("next"),
                           f"/requests/{request_id}" if request_id else url_for("matches.index"))
    if request_id is None:
        flash(_("Nothing was proposed: say which request (its number)."), "error")
        return redirect(back)
    if not offer_ids or None in offer_ids:
        flash(_("Nothing was proposed: choose at least one offer."), "error")
        return redirect(back)
    created = []
    try:
        with all_or_nothing():
            for offer_id in dict.fromkeys(offer_ids):
                created.append(propose_match(current_user, {"request_id": request_id, "offer_id": offer_id,
                                                            "note": note}))
    except (ValidationFailed, Forbidden, Conflict) as err:
        flash(_("Nothing was proposed: %(error)s", error=f"{err.message} {error_details(err)}".strip()), "error")
        return redirect(back)
    flash(_("Proposed: %(matches)s.", matches=", ".join(
        _("%(ref)s to %(provider)s", ref=m.reference, provider=organisation_name(m.offer.organisation))
        for m in created)), "success")
    if len(created) == 1:
        return redirect(url_for("matches.detail", match_id=created[0].id))
    return redirect(back)



# --------------------------------------------------------------------------------------------
# The matches area's panels on request and offer pages (core/panels.py): the request and offer views
# load them with the rest of their page, without importing this area.

def request_matches_panel(user, req: AssistanceRequest) -> Panel:
    """The request's matches that `user` may see, and whether they may propose more."""
    matches = list(db.session.scalars(_match_query().where(Match.request_id == req.id, match_scope(user))
                                      .order_by(Match.id)))
    return Panel("matches/_request_matches.html", {"matches": matches, "may_propose": may_propose_match(user, req),
                                                   "money": {m.id: totals_in_usd(m.funding) for m in matches}})


def request_suggestions_panel(user, req: AssistanceRequest) -> Panel | None:
    """Overlap warnings (the office) and the offers the matching engine suggests (who may see them)."""
    overlaps = service.overlaps_for_request(req) if may_see_overlaps(user) else []
    suggestions = (service.suggestions_for_request(user, req, limit=SUGGESTIONS_SHOWN)
                   if may_see_request_suggestions(user, req) else None)
    if not overlaps and suggestions is None:
        return None
    return Panel("matches/_request_suggestions.html", {"overlaps": overlaps, "suggestions": suggestions,
                                                       "may_propose": may_propose_match(user, req)})


def offer_suggestions_panel(user, offer: Offer) -> Panel | None:
    """The requests the matching engine suggests for an offer, for its provider and the office."""
    if not may_see_offer_suggestions(user, offer):
        return None
    return Panel("matches/_offer_suggestions.html",
                 {"suggestions": service.suggestions_for_offer(user, offer, limit=SUGGESTIONS_SHOWN)})


@bp.record_once
def _register_panels(state) -> None:
    register_panel(state.app, "request", "workflow", request_matches_panel)
    register_panel(state.app, "request", "end", request_suggestions_panel)
    register_panel(state.app, "offer", "end", offer_suggestions_panel)
