"""Administration pages: users and organisations (admins), outside providers' approval (coordinators)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, or_, select
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from exchange.core.access import allow
from exchange.core.errors import Forbidden, ValidationFailed
from exchange.core.extensions import db
from exchange.core.statuses import Role
from exchange.core.transactions import all_or_nothing
from exchange.people import mfa as mfa_ops
from exchange.people import operations
from exchange.people.models import ORG_KIND_LABELS, Organisation, User
from exchange.people.views.reauth import require_recent_authentication
from exchange.web.forms import apply_errors, page_number

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="../templates")
PER_PAGE = 50


class UserForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Role"), choices=list(Role.labels().items()))
    organisation = StringField(_l("Organisation code"), validators=[DataRequired(), Length(max=64)],
                               description=_l("ISO3 for a Member State (e.g. KAZ), an entity code (e.g. UNODC), CTITF."))
    password = PasswordField(_l("Password"), validators=[Optional(), Length(max=256)],
                             description=_l("At least 12 characters and not easy to guess. Leave empty to generate one."))


class EditUserForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Role"), choices=list(Role.labels().items()))
    organisation = StringField(_l("Organisation code"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("New password"), validators=[Optional(), Length(max=256)],
                             description=_l("Leave empty to keep the current one. Setting one signs the user out."))


class OrganisationForm(FlaskForm):
    code = StringField(_l("Code"), validators=[Optional(), Length(max=64)],
                       description=_l("Outside providers get a lowercase slug made from the name when left empty."))
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=list(ORG_KIND_LABELS.items()))
    website = StringField(_l("Website"), validators=[Optional(), Length(max=300)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])


class IatiIdentifierForm(FlaskForm):
    iati_identifier = StringField(_l("IATI organisation identifier"), validators=[Optional(), Length(max=150)],
                                  description=_l("As registered with IATI, e.g. XM-DAC-41119 (UNODC) or GB-GOV-1. The "
                                                 "IATI export names the organisation by it. Leave empty if unknown."))


class ConfirmForm(FlaskForm):
    """A form with only the CSRF token, for buttons that change something."""
    confirm = BooleanField(default=True)


def _get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users")
@allow(Role.ADMIN)
def users():
    q = request.args.get("q", "").strip()[:100]
    page = page_number()
    stmt = select(User).join(User.organisation).order_by(User.email)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(or_(func.lower(User.email).like(like), func.lower(User.name).like(like),
                              func.lower(Organisation.code).like(like)))
    pagination = db.paginate(stmt, page=page, per_page=PER_PAGE, error_out=False)
    return render_template("admin/users.html", pagination=pagination, q=q, form=ConfirmForm())


@bp.route("/users/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
@require_recent_authentication
def new_user():
    form = UserForm()
    if form.validate_on_submit():
        from exchange.core.security import generate_password
        password = form.password.data or generate_password()
        try:
            with all_or_nothing():
                user = operations.create_user(current_user, {
                    "email": form.email.data, "role": form.role.data,
                    "organisation": form.organisation.data.strip(), "password": password,
                    "name": form.name.data or ""})
        except ValidationFailed as err:
            apply_errors(form, err.fields)
        else:
            if form.password.data:
                flash(_("User %(email)s created.", email=user.email), "success")
            else:
                flash(_("User %(email)s created with the password %(password)s — pass it on securely.", email=user.email,
                        password=password), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@allow(Role.ADMIN)
@require_recent_authentication
def edit_user(user_id: int):
    user = _get_user(user_id)
    form = EditUserForm(obj=user if request.method == "GET" else None)
    if request.method == "GET":
        form.organisation.data = user.organisation.code
    if form.validate_on_submit():
        try:
            with all_or_nothing():
                operations.update_user(current_user, user, {"name": form.name.data or "", "role": form.role.data,
                                                            "organisation": form.organisation.data.strip()})
                if form.password.data:
                    operations.set_password(current_user, user, {"password": form.password.data})
        except ValidationFailed as err:
            apply_errors(form, err.fields)
        else:
            flash(_("User %(email)s saved.", email=user.email), "success")
            return redirect(url_for("admin.users"))
    from exchange.people.views.tokens import token_section
    return render_template("admin/user_form.html", form=form, user=user,
                           live_sessions=len(operations.live_sessions(user)), end_form=ConfirmForm(),
                           two_step_enabled=mfa_ops.is_enabled(user),
                           **token_section(user))


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@allow(Role.ADMIN)
@require_recent_authentication
def set_active(user_id: int):
    user = _get_user(user_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    active = request.form.get("active") == "1"
    try:
        with all_or_nothing():
            operations.set_user_active(current_user, user, {"active": active})
    except Forbidden as err:
        flash(err.message, "danger")
    else:
        flash(_("User %(email)s enabled.", email=user.email) if active
              else _("User %(email)s disabled; their sessions have ended.", email=user.email), "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/sessions/end", methods=["POST"])
@allow(Role.ADMIN)
@require_recent_authentication
def end_sessions(user_id: int):
    user = _get_user(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    ended = operations.end_sessions(current_user, user, {"reason": "ended by an administrator"})
    flash(ngettext("%(num)d session of %(email)s ended: they must sign in again.",
                   "%(num)d sessions of %(email)s ended: they must sign in again.", ended, email=user.email), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/organisations")
@allow(Role.ADMIN)
def organisations():
    kind = request.args.get("kind", "")
    page = page_number()
    stmt = select(Organisation).order_by(Organisation.kind, Organisation.code)
    if kind in ORG_KIND_LABELS:
        stmt = stmt.where(Organisation.kind == kind)
    pagination = db.paginate(stmt, page=page, per_page=PER_PAGE, error_out=False)
    return render_template("admin/organisations.html", pagination=pagination, kind=kind)


@bp.route("/organisations/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def new_organisation():
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            with all_or_nothing():
                org = operations.create_organisation(current_user, {
                    "name": form.name.data, "kind": form.kind.data, "code": form.code.data or "",
                    "website": form.website.data or "", "description": form.description.data or ""})
        except ValidationFailed as err:
            apply_errors(form, err.fields)
        else:
            flash(_("Organisation %(code)s created.", code=org.code), "success")
            return redirect(url_for("admin.organisations"))
    return render_template("admin/organisation_form.html", form=form)


@bp.route("/organisations/<int:org_id>", methods=["GET", "POST"])
@allow(Role.ADMIN)
def edit_organisation(org_id: int):
    """An organisation's IATI identifier (its other details are the reference data's and the registration's)."""
    org = db.session.get(Organisation, org_id)
    if org is None:
        abort(404)
    form = IatiIdentifierForm(data={"iati_identifier": org.iati_identifier})
    if request.method == "POST":
        form = IatiIdentifierForm()
        if form.validate_on_submit():
            try:
                with all_or_nothing():
                    operations.set_iati_identifier(current_user, org, {"iati_identifier": form.iati_identifier.data or ""})
            except ValidationFailed as err:
                apply_errors(form, err.fields)
            else:
                flash(_("IATI identifier of %(code)s saved.", code=org.code), "success")
                return redirect(url_for("admin.organisations", kind=org.kind))
    return render_template("admin/organisation_iati.html", form=form, org=org), 422 if form.errors else 200


@bp.route("/providers")
@allow(*Role.OFFICE)
def providers():
    stmt = select(Organisation).where(Organisation.kind == "outside_provider").order_by(
        Organisation.approval.desc(), Organisation.created_at)
    return render_template("admin/providers.html", providers=db.session.scalars(stmt).all(), form=ConfirmForm())


@bp.route("/providers/<int:org_id>/approval", methods=["POST"])
@allow(*Role.OFFICE)
@require_recent_authentication
def set_approval(org_id: int):
    org = db.session.get(Organisation, org_id)
    if org is None or org.kind != "outside_provider":
        abort(404)
    form = ConfirmForm()
    decision = request.form.get("approval", "")
    if not form.validate_on_submit() or decision not in ("approved", "rejected", "pending"):
        abort(400)
    operations.set_organisation_approval(current_user, org, {"approval": decision})
    flash(_("%(name)s is now: %(approval)s.", name=org.name, approval=org.approval_label), "success")
    return redirect(url_for("admin.providers"))
