"""Admin pages for reference data: the working groups (name, lead and member entities) and the themes each
covers, with their history. Thin views over reference/operations.py."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import HiddenField, StringField

from exchange.core.access import allow
from exchange.core.errors import ExchangeError
from exchange.core.extensions import db
from exchange.core.statuses import Role
from exchange.core.transactions import all_or_nothing
from exchange.people.models import Organisation
from exchange.reference import operations
from exchange.reference.models import PILLARS, Theme, WorkingGroup
from exchange.web.forms import apply_errors

bp = Blueprint("reference_admin", __name__, url_prefix="/admin/working-groups", template_folder="templates")


class WorkingGroupForm(FlaskForm):
    code = StringField(_l("Code"), description=_l("Lowercase letters, digits and hyphens; it never changes."))
    name = StringField(_l("Name"), description=_l("The working group's name in English, as the UN writes it."),
                       render_kw={"lang": "en"})
    read_at = HiddenField()


def _choices() -> dict:
    providers = list(db.session.scalars(select(Organisation).where(
        Organisation.kind.in_(("task_force_entity", "outside_provider")), Organisation.approval == "approved")
        .order_by(Organisation.kind.desc(), Organisation.code)))
    themes = list(db.session.scalars(select(Theme).options(selectinload(Theme.working_group))
                                     .order_by(Theme.pillar, Theme.name)))
    return {"providers": providers, "themes": themes, "pillars": PILLARS}


def _group(code: str) -> WorkingGroup:
    group = db.session.get(WorkingGroup, code)
    if group is None:
        abort(404)
    return group


def _raw(form: WorkingGroupForm) -> dict:
    return {"code": (form.code.data if "code" in form else "") or "", "name": form.name.data or "",
            "leads": request.form.getlist("leads"), "members": request.form.getlist("members"),
            "themes": request.form.getlist("themes"), "read_at": form.read_at.data}


@bp.route("")
@allow(Role.ADMIN)
def index():
    groups = list(db.session.scalars(select(WorkingGroup).options(selectinload(WorkingGroup.leads))
                                     .order_by(WorkingGroup.name)))
    themes = {}
    for theme in db.session.scalars(select(Theme).order_by(Theme.name)):
        themes.setdefault(theme.working_group_code, []).append(theme)
    return render_template("reference_admin/index.html", groups=groups, themes=themes,
                           title=_("Working groups"))


def _edit(group: WorkingGroup | None):
    form = WorkingGroupForm()
    if group is not None:
        del form.code
    chosen = None
    status = 200
    if request.method == "POST" and form.validate_on_submit():
        chosen = _raw(form)
        try:
            with all_or_nothing():
                saved = operations.save_working_group(current_user, group, chosen)
        except ExchangeError as err:
            apply_errors(form, err.fields)
            form.form_errors.append(err.message)
            status = 409 if err.code == "conflict" else 422
        else:
            flash(_("The working group is saved; requests are routed by it from now on."), "success")
            return redirect(url_for("reference_admin.edit", code=saved.code))
    elif request.method == "POST":
        status = 422
    if group is not None and request.method == "GET":
        form.name.data = group.name
        form.read_at.data = operations.edit_stamp(group)
    if chosen is None:
        snapshot = operations.group_snapshot(group) if group is not None else {"leads": [], "members": [],
                                                                                "themes": []}
        chosen = snapshot
    history = operations.group_history(group) if group is not None else []
    return render_template("reference_admin/form.html", form=form, group=group, chosen=chosen, history=history,
                           title=_("Working group"), **_choices()), status


@bp.route("/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def new():
    return _edit(None)


@bp.route("/<code>", methods=["GET", "POST"])
@allow(Role.ADMIN)
def edit(code: str):
    return _edit(_group(code))
