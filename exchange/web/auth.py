"""Signing in and out, provider self-registration, and changing one's own password."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField, TextAreaField
from wtforms.validators import URL, DataRequired, Email, EqualTo, Length, Optional

from .. import operations
from ..access import PUBLIC, ROLES, allow
from ..errors import ValidationFailed
from ..extensions import db, limiter
from ..models import User
from .forms import apply_errors, safe_local_path
from .mfa import begin_sign_in

bp = Blueprint("auth", __name__)


def configure_login(manager) -> None:
    manager.login_view = "auth.login"
    manager.login_message = "Please sign in to see this page."
    manager.login_message_category = "info"
    manager.session_protection = "basic"

    @manager.user_loader
    def load_user(session_token: str):
        # A session names its user by the user's current session token: rotating the token
        # (logout, password change, disabling) ends every session at once.
        return db.session.scalar(db.select(User).where(User.session_token == session_token,
                                                       User.active.is_(True)))


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)])


class RegisterProviderForm(FlaskForm):
    organisation_name = StringField("Organisation", validators=[DataRequired(), Length(min=3, max=200)],
                                    description="E.g. a donor State's development agency or a regional organisation.")
    website = StringField("Website", validators=[Optional(), URL(), Length(max=300)])
    description = TextAreaField("What assistance does your organisation provide?",
                                validators=[DataRequired(), Length(min=20, max=4000)])
    name = StringField("Your name", validators=[DataRequired(), Length(max=200)])
    email = EmailField("Your e-mail", validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)],
                             description="At least 12 characters.")
    confirm = PasswordField("Repeat the password", validators=[DataRequired(), EqualTo("password",
                            message="The two passwords differ.")])


class PasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=256)])
    password = PasswordField("New password", validators=[DataRequired(), Length(max=256)],
                             description="At least 12 characters.")
    confirm = PasswordField("Repeat the new password", validators=[DataRequired(), EqualTo("password",
                            message="The two passwords differ.")])


def _login_limit() -> str:
    return current_app.config["LOGIN_FAILURE_LIMIT"]


def _account_key() -> str:
    return "login-account:" + request.form.get("email", "").strip().lower()[:254]


def _address_key() -> str:
    return "login-address:" + (get_remote_address() or "unknown")


def _login_failed(_response) -> bool:
    return bool(g.get("login_failed"))


@bp.route("/login", methods=["GET", "POST"])
@allow(PUBLIC)
@limiter.limit(_login_limit, key_func=_address_key, methods=["POST"], deduct_when=_login_failed,
               scope="login-address")
@limiter.limit(_login_limit, key_func=_account_key, methods=["POST"], deduct_when=_login_failed,
               scope="login-account")
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = operations.authenticate(form.email.data, form.password.data)
        if user is not None:
            if (second_step := begin_sign_in(user, request.args.get("next"))) is not None:
                return second_step  # two-step sign-in: signed in only once the code is right
            login_user(user)
            db.session.commit()
            flash(f"Welcome, {user.display_name}.", "success")
            return redirect(safe_local_path(request.args.get("next"), url_for("home.index")))
        g.login_failed = True
        form.password.errors = ["The e-mail or password is not right."]
    elif request.method == "POST":
        g.login_failed = True
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@allow(*ROLES, approved=False)
def logout():
    operations.end_sessions(current_user, current_user, reason="logout")
    db.session.commit()
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/register", methods=["GET", "POST"])
@allow(PUBLIC)
@limiter.limit("20 per hour", methods=["POST"], key_func=get_remote_address)
def register():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = RegisterProviderForm()
    if form.validate_on_submit():
        try:
            operations.register_outside_provider(
                organisation_name=form.organisation_name.data, website=form.website.data or "",
                description=form.description.data, name=form.name.data, email=form.email.data,
                password=form.password.data)
            db.session.commit()
        except ValidationFailed as err:
            db.session.rollback()
            apply_errors(form, err.fields)
        else:
            flash("Thank you. Your organisation is registered and awaits approval by the Task Force office; "
                  "you can sign in now and will be able to post offers once it is approved.", "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/register.html", form=form)


@bp.route("/account/password", methods=["GET", "POST"])
@allow(*ROLES, approved=False)
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            operations.change_password(current_user, form.current.data, form.password.data)
            db.session.commit()
        except ValidationFailed as err:
            db.session.rollback()
            apply_errors(form, err.fields)
        else:
            login_user(current_user._get_current_object())  # this browser continues under the new session token
            flash("Your password is changed. Every other session of yours has been signed out.", "success")
            return redirect(url_for("home.index"))
    return render_template("auth/password.html", form=form)
