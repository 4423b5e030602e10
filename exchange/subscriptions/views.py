"""The page of saved searches and notification settings: everyone chooses how they hear of each kind of
notification; providers and coordinators keep saved searches (saved from the request or offer list's
"Save this search" link, which carries the list's filters)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from exchange.core.access import allow
from exchange.core.errors import ValidationFailed
from exchange.core.extensions import db
from exchange.core.statuses import Role
from exchange.core.transactions import all_or_nothing
from exchange.messages.preferences import CATEGORIES, DELIVERY_LABELS, preferences_of, set_preferences
from exchange.subscriptions.models import RECORD_KINDS, SavedSearch
from exchange.subscriptions.operations import FILTERS, delete_search, save_search
from exchange.subscriptions.policy import get_own_search, may_save_searches

bp = Blueprint("subscriptions", __name__, url_prefix="/subscriptions", template_folder="templates")
SAVERS = (Role.PROVIDER, Role.COORDINATOR)
LISTS = {"request": "requests.index", "offer": "offers.index"}


@bp.record_once
def _register(state) -> None:
    from exchange.subscriptions import telling
    telling.register()


def _page(status: int = 200, errors: dict | None = None, chosen: dict | None = None):
    searches = list(db.session.scalars(select(SavedSearch).where(SavedSearch.user_id == current_user.id)
                                       .order_by(SavedSearch.created_at.desc())))
    return render_template("subscriptions/index.html", searches=searches, lists=LISTS,
                           categories=CATEGORIES, deliveries=DELIVERY_LABELS,
                           chosen=chosen or preferences_of(current_user), errors=errors or {},
                           may_save=may_save_searches(current_user),
                           title=_("Saved searches and notifications")), status


@bp.route("")
@allow(*Role)
def index():
    return _page()


@bp.route("/preferences", methods=["POST"])
@allow(*Role)
def preferences():
    chosen = {category: (request.form.get(f"{category}-in_app", "now"), request.form.get(f"{category}-email", "now"))
              for category in CATEGORIES}
    try:
        with all_or_nothing():
            count = set_preferences(current_user, chosen)
    except ValidationFailed as err:
        flash(err.message, "danger")
        return _page(422, err.fields, preferences_of(current_user))
    flash(_("Your notification settings are saved.") if count else _("Nothing was changed."), "success")
    return redirect(url_for("subscriptions.index"))


@bp.route("/new")
@allow(*SAVERS)
def new():
    """Name a search before saving it: the filters come from the list page's link."""
    record_type = request.args.get("kind", "request")
    if record_type not in RECORD_KINDS:
        record_type = "request"
    params = {key: value for key, value in request.args.items() if key not in ("kind", "page", "sort", "lang")}
    try:
        filters = FILTERS[record_type].from_params(params)
    except ValidationFailed as err:
        flash(err.message, "danger")
        return redirect(url_for(LISTS[record_type]))
    return render_template("subscriptions/new.html", record_type=record_type,
                           params=filters.as_args(leave_out=("sort",)), errors={}, name="",
                           list_endpoint=LISTS[record_type], title=_("Save this search"))


@bp.route("", methods=["POST"])
@allow(*SAVERS)
def create():
    record_type = request.form.get("record_type", "")
    params = {key.removeprefix("f-"): value for key, value in request.form.items() if key.startswith("f-")}
    try:
        with all_or_nothing():
            search = save_search(current_user, {"record_type": record_type, "name": request.form.get("name", ""),
                                                "params": params})
    except ValidationFailed as err:
        flash(err.message, "danger")
        return render_template("subscriptions/new.html", record_type=record_type if record_type in LISTS
                               else "request", params=params, errors=err.fields, name=request.form.get("name", ""),
                               list_endpoint=LISTS.get(record_type, "requests.index"),
                               title=_("Save this search")), 422
    flash(_("Search “%(name)s” saved: you will be told of each new record that matches it.", name=search.name),
          "success")
    return redirect(url_for("subscriptions.index"))


@bp.route("/<int:search_id>/delete", methods=["POST"])
@allow(*SAVERS)
def delete(search_id: int):
    search = get_own_search(current_user, search_id)
    name = search.name
    delete_search(current_user, search)
    flash(_("Search “%(name)s” deleted.", name=name), "success")
    return redirect(url_for("subscriptions.index"))
