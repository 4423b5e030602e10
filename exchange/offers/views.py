"""Offers pages: a provider's programmes of assistance — the list with filters, sorting, search and
pages, the form to post or edit one (with the version read), one offer with its documents, history
and its status moves (pause, reopen, close). Rules live in schemas, operations, access and workflow.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField

from exchange import audit
from exchange.core import workflow
from exchange.core.access import ROLES, allow, may_edit_offer
from exchange.core.errors import Conflict, ValidationFailed
from exchange.core.extensions import db
from exchange.core.panels import load_panels
from exchange.core.transactions import all_or_nothing
from exchange.documents import storage as document_store
from exchange.documents.models import Document
from exchange.documents.views import attach_upload, max_upload_mb
from exchange.offers.models import Offer
from exchange.offers.operations import create_offer, offer_move, update_offer
from exchange.offers.policy import get_offer, may_post_offer, require_post_offer, visible_offers
from exchange.offers.queries import OFFER_SORTS, filter_offers, sort_offers
from exchange.web.forms import (
    current_filters,
    date_or_none,
    int_or_raw,
    page_number,
    reference_choices,
    show_errors,
)
from exchange.web.moves import register_page_moves

bp = Blueprint("offers", __name__, url_prefix="/offers", template_folder="templates")
PER_PAGE = 20
OFFER_FILTERS = ("status", "theme", "pillar", "country", "region", "modality", "language", "provider", "q")
OFFICE_ROLES = ("coordinator", "admin")


class OfferForm(FlaskForm):
    """Collects an offer; every rule is checked by schemas.OfferIn through operations."""

    organisation = SelectField("Provider", choices=[], description="The Task Force office posts on a provider's "
                               "behalf: choose the provider organisation.")
    title = StringField("Title", description="The programme's name, e.g. “Regional workshops on countering the "
                        "financing of terrorism” (5 to 200 characters).", render_kw={"maxlength": 200})
    description = TextAreaField("What you offer", description="At least 20 characters: what the programme "
                                "delivers, to which institutions, how, and what a State must provide.",
                                render_kw={"rows": 7})
    themes = SelectMultipleField("Themes", choices=[])
    modalities = SelectMultipleField("Kinds of assistance", choices=[])
    languages = SelectMultipleField("Languages", choices=[])
    countries = SelectMultipleField("Countries", choices=[], render_kw={"size": 8},
                                    description="Where it can be delivered. Hold Ctrl (Cmd on a Mac) to choose "
                                                "several. Leave both countries and regions empty if it can be "
                                                "delivered anywhere.")
    regions = SelectMultipleField("Regions (UN M49)", choices=[], render_kw={"size": 8},
                                  description="Every country in a chosen region counts. Both empty: anywhere.")
    available_from = StringField("Available from", description="A date (YYYY-MM-DD); empty: now.",
                                 render_kw={"type": "date"})
    available_until = StringField("Available until", description="Not before the start; empty: no end.",
                                  render_kw={"type": "date"})
    capacity = StringField("Capacity", description="How many requests it can take on at once; empty: no limit.",
                           render_kw={"inputmode": "numeric"})
    budget_usd = StringField("Budget (US dollars)", description="A whole number; empty if not fixed.",
                             render_kw={"inputmode": "numeric"})
    contact_name = StringField("Contact person", render_kw={"maxlength": 200})
    contact_email = StringField("Contact e-mail", render_kw={"type": "email", "maxlength": 254})
    version = HiddenField()


def _offer_form(formdata=None, data=None) -> OfferForm:
    form = OfferForm(formdata=formdata, data=data)
    choices = reference_choices()
    form.themes.choices = [(t.code, t.name) for t in choices["themes"]]
    form.modalities.choices = [(m.code, m.name) for m in choices["modalities"]]
    form.languages.choices = [(x.code, x.name) for x in choices["languages"]]
    form.countries.choices = [(c.iso3, c.name) for c in choices["countries"]]
    form.regions.choices = [(r.code, f"{r.name} ({r.code})") for r in choices["regions"]]
    form.organisation.choices = [("", "Choose a provider")] + [(o.code, o.name) for o in choices["providers"]]
    return form


def _data_of(offer: Offer) -> dict:
    def text(value):
        return "" if value is None else str(value)
    return {"organisation": offer.organisation.code, "title": offer.title, "description": offer.description,
            "themes": offer.theme_codes, "modalities": offer.modality_codes, "languages": offer.language_codes,
            "countries": offer.country_codes, "regions": offer.region_codes,
            "available_from": offer.available_from.isoformat() if offer.available_from else "",
            "available_until": offer.available_until.isoformat() if offer.available_until else "",
            "capacity": text(offer.capacity), "budget_usd": text(offer.budget_usd),
            "contact_name": offer.contact_name, "contact_email": offer.contact_email, "version": str(offer.version)}


def _offer_input(form: OfferForm, *, creating: bool) -> dict:
    raw: dict = {"title": form.title.data or "", "description": form.description.data or "",
                 "contact_name": form.contact_name.data or ""}
    for name in ("themes", "modalities", "languages", "countries", "regions"):
        raw[name] = [v for v in (form[name].data or []) if isinstance(v, str)]
    for name in ("available_from", "available_until"):
        raw[name] = date_or_none(form[name].data)
    for name in ("capacity", "budget_usd"):
        raw[name] = int_or_raw(form[name].data)
    raw["contact_email"] = (form.contact_email.data or "").strip() or None
    if creating and current_user.role in OFFICE_ROLES and form.organisation.data:
        raw["organisation"] = form.organisation.data
    return raw


def _render_form(form, offer=None, status=200, conflict=None):
    return render_template("offers/form.html", form=form, offer=offer, conflict=conflict,
                           choices=reference_choices(), office=current_user.role in OFFICE_ROLES,
                           title=f"Edit {offer.reference}" if offer else "New offer"), status


@bp.route("/new", methods=["GET", "POST"])
@allow("provider", "coordinator", "admin")
def new():
    if request.method == "GET":
        require_post_offer(current_user)
        data = {"contact_name": current_user.name, "contact_email": current_user.email}
        return _render_form(_offer_form(data=data))
    form = _offer_form(formdata=request.form)
    try:
        with all_or_nothing():
            offer = create_offer(current_user, _offer_input(form, creating=True))
    except ValidationFailed as err:
        show_errors(form, err)
        return _render_form(form, status=422)
    flash(f"{offer.reference} posted: it is active and appears in the directory.", "success")
    return redirect(url_for("offers.detail", offer_id=offer.id))


@bp.route("/<int:offer_id>/edit", methods=["GET", "POST"])
@allow("provider", "coordinator", "admin")
def edit(offer_id: int):
    offer = get_offer(current_user, offer_id)
    if not may_edit_offer(current_user, offer):
        flash("Only the offer's provider or the Task Force office may change this offer.", "error")
        return redirect(url_for("offers.detail", offer_id=offer.id))
    if request.method == "GET":
        return _render_form(_offer_form(data=_data_of(offer)), offer)
    form = _offer_form(formdata=request.form)
    raw = _offer_input(form, creating=False)
    version = (form.version.data or "").strip()
    if version:
        raw["version"] = int(version) if version.isdigit() and len(version) < 10 else version
    try:
        with all_or_nothing():
            update_offer(current_user, offer, raw)
    except (Conflict, StaleDataError) as err:
        offer = get_offer(current_user, offer_id)
        message = err.message if isinstance(err, Conflict) else "Someone changed this offer at the same time."
        form.form_errors.append(f"Nothing was saved. {message}")
        conflict = {"version": offer.version, "status": workflow.OFFER_STATUSES[offer.status]}
        form.version.data = str(offer.version)
        return _render_form(form, offer, status=409, conflict=conflict)
    except ValidationFailed as err:
        show_errors(form, err)
        return _render_form(form, get_offer(current_user, offer_id), status=422)
    flash(f"{offer.reference} saved.", "success")
    return redirect(url_for("offers.detail", offer_id=offer.id))


@bp.route("")
@allow(*ROLES)
def index():
    filters = current_filters(request.args, OFFER_FILTERS)
    sort = request.args.get("sort", "")
    sort = sort if sort in OFFER_SORTS else "newest"
    stmt = filter_offers(visible_offers(current_user), filters)
    stmt = sort_offers(stmt, sort).options(
        selectinload(Offer.themes), selectinload(Offer.organisation), selectinload(Offer.countries),
        selectinload(Offer.regions))
    pagination = db.paginate(stmt, page=page_number(), per_page=PER_PAGE, error_out=False)
    return render_template("offers/index.html", pagination=pagination, filters=filters, sort=sort,
                           sorts=OFFER_SORTS, choices=reference_choices(), statuses=workflow.OFFER_STATUSES,
                           may_post=may_post_offer(current_user),
                           title="Offers of assistance")


OFFER_PAGE_PLACES = ("end",)  # where other areas' panels go on an offer's page (core/panels.py)


def render_offer(offer: Offer, status: int = 200, upload_errors=None):
    docs = list(db.session.scalars(select(Document).options(selectinload(Document.uploaded_by))
                                   .where(Document.offer_id == offer.id).order_by(Document.id)))
    return render_template(
        "offers/detail.html", offer=offer, documents=docs, history=audit.history("offer", offer.id),
        moves=workflow.available_moves("offer", current_user, offer), statuses=workflow.OFFER_STATUSES,
        may_edit=may_edit_offer(current_user, offer),
        upload_errors=upload_errors or [], upload_url=url_for("offers.upload_document", offer_id=offer.id),
        max_mb=max_upload_mb(), accepted=document_store.ACCEPTED_LABEL, human_size=document_store.human_size,
        panels=load_panels("offer", current_user, offer, OFFER_PAGE_PLACES),
        title=f"{offer.reference}: {offer.title}"), status


@bp.route("/<int:offer_id>")
@allow(*ROLES)
def detail(offer_id: int):
    return render_offer(get_offer(current_user, offer_id))


register_page_moves(
    bp, "offer", get=get_offer, operation=offer_move, roles=("provider", "coordinator", "admin"),
    detail=lambda offer: url_for("offers.detail", offer_id=offer.id), statuses=workflow.OFFER_STATUSES,
    done="{ref}: {label} — done. It is now {status}.")


@bp.route("/<int:offer_id>/documents", methods=["POST"])
@allow("provider", "coordinator", "admin")
def upload_document(offer_id: int):
    offer = get_offer(current_user, offer_id)
    return attach_upload(offer, lambda errors: render_offer(get_offer(current_user, offer_id), status=422,
                                                            upload_errors=errors),
                         url_for("offers.detail", offer_id=offer.id))
