"""Offers pages: a provider's programmes of assistance — the list with filters, sorting, search and
pages, the form to post or edit one (with the version read), one offer with its documents, history
and its status moves (pause, reopen, close). Rules live in schemas, operations, access and workflow.
"""
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
from exchange.core.access import allow, may_edit_offer
from exchange.core.errors import Conflict, ValidationFailed
from exchange.core.extensions import db
from exchange.core.paging import capped_page
from exchange.core.panels import load_panels
from exchange.core.statuses import OfferStatus, Role
from exchange.core.transactions import all_or_nothing
from exchange.documents import storage as document_store
from exchange.documents.models import Document
from exchange.documents.views import attach_upload, max_upload_mb
from exchange.offers.fields import OFFER
from exchange.offers.filters import OfferFilters
from exchange.offers.models import Offer
from exchange.offers.operations import create_offer, offer_move, update_offer
from exchange.offers.policy import (
    get_offer,
    may_post_offer,
    posts_for_own_organisation,
    require_post_offer,
    visible_offers,
)
from exchange.offers.queries import OFFER_SORTS, filter_offers, sort_offers
from exchange.reference.names import name as reference_name
from exchange.web.forms import (
    for_the_reader,
    page_number,
    propose_language,
    proposed_language,
    reference_choices,
    show_errors,
)
from exchange.web.moves import register_page_moves

bp = Blueprint("offers", __name__, url_prefix="/offers", template_folder="templates")
PER_PAGE = 20


OfferForm = OFFER.form_class(
    "OfferForm", "Collects an offer (fields from offers/fields.py); every rule is checked by "
    "schemas.OfferIn through operations.")


def _offer_form(formdata=None, data=None) -> OfferForm:
    """Providers post for their own organisation: only the Task Force office chooses the provider. The
    language of the text is proposed as the page's when nothing tells it yet."""
    form = OFFER.form(OfferForm, reference_choices(), formdata=formdata, data=data,
                      leave_out=("organisation",) if posts_for_own_organisation(current_user) else ())
    return for_the_reader(OFFER, form, fresh=formdata is None)


def _render_form(form, offer=None, status=200, conflict=None):
    return render_template("offers/form.html", form=form, offer=offer, conflict=conflict,
                           choices=reference_choices(), office=not posts_for_own_organisation(current_user),
                           title=_("Edit %(ref)s", ref=offer.reference) if offer else _("New offer")), status


@bp.route("/new", methods=["GET", "POST"])
@allow(Role.PROVIDER, *Role.OFFICE)
def new():
    if request.method == "GET":
        require_post_offer(current_user)
        data = {"contact_name": current_user.name, "contact_email": current_user.email}
        return _render_form(_offer_form(data=data))
    form = _offer_form(formdata=request.form)
    raw = OFFER.form_input(form, creating=True)
    fallback = proposed_language(raw)
    try:
        with all_or_nothing():
            offer = create_offer(current_user, raw, fallback_language=fallback)
    except ValidationFailed as err:
        show_errors(form, err)
        propose_language(form, fallback)
        return _render_form(form, status=422)
    flash(_("%(ref)s posted: it is active and appears in the directory.", ref=offer.reference), "success")
    return redirect(url_for("offers.detail", offer_id=offer.id))


@bp.route("/<int:offer_id>/edit", methods=["GET", "POST"])
@allow(Role.PROVIDER, *Role.OFFICE)
def edit(offer_id: int):
    offer = get_offer(current_user, offer_id)
    if not may_edit_offer(current_user, offer):
        flash(_("Only the offer's provider or the Task Force office may change this offer."), "error")
        return redirect(url_for("offers.detail", offer_id=offer.id))
    if request.method == "GET":
        return _render_form(_offer_form(data=OFFER.form_values(offer)), offer)
    form = _offer_form(formdata=request.form)
    raw = OFFER.form_input(form, creating=False)
    version = (form.version.data or "").strip()
    if version:
        raw["version"] = int(version) if version.isdigit() and len(version) < 10 else version
    fallback = proposed_language(raw)
    try:
        with all_or_nothing():
            update_offer(current_user, offer, raw, fallback_language=fallback)
    except (Conflict, StaleDataError) as err:
        offer = get_offer(current_user, offer_id)
        message = err.message if isinstance(err, Conflict) else _("Someone changed this offer at the same time.")
        form.form_errors.append(_("Nothing was saved. %(reason)s", reason=message))
        conflict = {"version": offer.version, "status": offer.status.label}
        form.version.data = str(offer.version)
        return _render_form(form, offer, status=409, conflict=conflict)
    except ValidationFailed as err:
        show_errors(form, err)
        propose_language(form, fallback)
        return _render_form(form, get_offer(current_user, offer_id), status=422)
    flash(_("%(ref)s saved.", ref=offer.reference), "success")
    return redirect(url_for("offers.detail", offer_id=offer.id))


@bp.route("")
@allow(*Role)
def index():
    filters = OfferFilters.from_params(request.args)
    stmt = filter_offers(visible_offers(current_user), filters)
    stmt = sort_offers(stmt, filters.sort).options(
        selectinload(Offer.themes), selectinload(Offer.organisation), selectinload(Offer.countries),
        selectinload(Offer.regions))
    pagination = capped_page(stmt, page_number(), PER_PAGE)  # counted up to a cap: "More than 1,000"
    return render_template("offers/index.html", pagination=pagination, filters=filters.as_args(leave_out=("sort",)),
                           sort=filters.sort,
                           sorts=OFFER_SORTS, choices=reference_choices(), statuses=OfferStatus.labels(),
                           may_post=may_post_offer(current_user),
                           language_names={x.code: reference_name("language", x.code) for x in reference_choices()["languages"]},
                           title=_("Offers of assistance"))


OFFER_PAGE_PLACES = ("end",)  # where other areas' panels go on an offer's page (core/panels.py)


def render_offer(offer: Offer, status: int = 200, upload_errors=None):
    docs = list(db.session.scalars(select(Document).options(selectinload(Document.uploaded_by))
                                   .where(Document.offer_id == offer.id).order_by(Document.id)))
    return render_template(
        "offers/detail.html", offer=offer, documents=docs, history=audit.history("offer", offer.id),
        moves=workflow.available_moves("offer", current_user, offer), statuses=OfferStatus.labels(),
        may_edit=may_edit_offer(current_user, offer),
        upload_errors=upload_errors or [], upload_url=url_for("offers.upload_document", offer_id=offer.id),
        max_mb=max_upload_mb(), accepted=document_store.ACCEPTED_LABEL, human_size=document_store.human_size,
        panels=load_panels("offer", current_user, offer, OFFER_PAGE_PLACES),
        title=f"{offer.reference}: {offer.title}"), status


@bp.route("/<int:offer_id>")
@allow(*Role)
def detail(offer_id: int):
    return render_offer(get_offer(current_user, offer_id))


register_page_moves(
    bp, "offer", get=get_offer, operation=offer_move, roles=(Role.PROVIDER, *Role.OFFICE),
    detail=lambda offer: url_for("offers.detail", offer_id=offer.id),
    done={"pause": _l("{ref} is paused: it is not suggested for requests until you reopen it."),
          "resume": _l("{ref} is active again and is suggested for requests."),
          "close": _l("{ref} is closed.")})


@bp.route("/<int:offer_id>/documents", methods=["POST"])
@allow(Role.PROVIDER, *Role.OFFICE)
def upload_document(offer_id: int):
    offer = get_offer(current_user, offer_id)
    return attach_upload(offer, lambda errors: render_offer(get_offer(current_user, offer_id), status=422,
                                                            upload_errors=errors),
                         url_for("offers.detail", offer_id=offer.id))
