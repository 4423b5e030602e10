"""Signing in (throttled per e-mail and address) and out, provider self-registration, the account page with
its sessions, changing one's password, and resetting a forgotten one by e-mail."""
from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_limiter.util import get_remote_address
from flask_login import current_user, logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import URL, DataRequired, Email, EqualTo, Length, Optional

from exchange.audit.security_events import client_address, record_security_event
from exchange.core.access import PUBLIC, allow
from exchange.core.errors import ValidationFailed
from exchange.core.extensions import limiter
from exchange.core.i18n import LANGUAGES, page_language, speaking
from exchange.core.limiting import count_sign_in_failure, forget_sign_in_failures, sign_in_refusal
from exchange.core.security import password_inputs, password_problems
from exchange.core.statuses import Role
from exchange.core.transactions import all_or_nothing
from exchange.people import operations
from exchange.people import operations as people_ops
from exchange.people.views.mfa import begin_sign_in
from exchange.people.views.sessions import current_session, load_session_user, start_session
from exchange.web.forms import apply_errors

__all__ = ["bp", "configure_login", "start_session"]

bp = Blueprint("auth", __name__, template_folder="../templates")
log = logging.getLogger(__name__)


def configure_login(manager) -> None:
    manager.login_view = "auth.login"
    manager.login_message = _l("Please sign in to see this page.")
    manager.localize_callback = str  # flashed in the page's language (a lazy string cannot go in the session)
    manager.login_message_category = "info"
    manager.session_protection = "basic"

    # The cookie names one session (web/sessions.py): ending it, or all of a user's, signs those browsers out.
    manager.user_loader(load_session_user)


PASSWORD_HELP = _l("At least 12 characters, and not easy to guess: several unrelated words, or one a password "
                   "manager makes.")


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(_l("Enter your e-mail address.")), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password.")), Length(max=256)])


class RegisterProviderForm(FlaskForm):
    """Each message says what to do (issue 14), and every problem is shown at once: the password's rules too
    (see register)."""

    organisation_name = StringField(_l("Organisation"), validators=[
        DataRequired(_l("Enter your organisation's name.")),
        Length(min=3, max=200, message=_l("Enter your organisation's name in 3 to 200 characters."))],
        description=_l("E.g. a donor State's development agency or a regional organisation."))
    website = StringField(_l("Website"), validators=[
        Optional(), URL(message=_l("Enter the website's full address, e.g. https://www.example.org.")),
        Length(max=300, message=_l("Enter a website address of at most 300 characters."))])
    description = TextAreaField(_l("What assistance does your organisation provide?"), validators=[
        DataRequired(_l("Describe the assistance your organisation provides.")),
        Length(min=20, max=4000, message=_l("Describe the assistance your organisation provides in 20 to 4,000 "
                                            "characters."))])
    name = StringField(_l("Your name"), validators=[
        DataRequired(_l("Enter your name.")), Length(max=200, message=_l("Enter a name of at most 200 characters."))])
    email = EmailField(_l("Your e-mail"), validators=[
        DataRequired(_l("Enter your e-mail address.")),
        Email(_l("Enter an e-mail address like name@example.org.")),
        Length(max=254, message=_l("Enter an e-mail address of at most 254 characters."))])
    password = PasswordField(_l("Password"), validators=[
        DataRequired(_l("Choose a password.")), Length(max=256, message=_l("Choose a password of at most 256 "
                                                                           "characters."))],
        description=PASSWORD_HELP)
    confirm = PasswordField(_l("Repeat the password"), validators=[
        DataRequired(_l("Repeat the password.")),
        EqualTo("password", message=_l("The two passwords differ: repeat the password exactly."))])


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(_l("Enter your current password.")),
                                                                Length(max=256)])
    password = PasswordField(_l("New password"), validators=[DataRequired(_l("Choose a new password.")), Length(max=256)],
                             description=PASSWORD_HELP)
    confirm = PasswordField(_l("Repeat the new password"), validators=[DataRequired(_l("Repeat the new password.")), EqualTo("password",
                            message=_l("The two passwords differ."))])


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("Your e-mail"), validators=[DataRequired(_l("Enter your e-mail address.")), Length(max=254)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(_l("Choose a new password.")), Length(max=256)],
                             description=PASSWORD_HELP)
    confirm = PasswordField(_l("Repeat the new password"), validators=[DataRequired(_l("Repeat the new password.")), EqualTo("password",
                            message=_l("The two passwords differ."))])


class LanguageForm(FlaskForm):
    language = SelectField(_l("Language"), choices=list(LANGUAGES.items()), validators=[DataRequired()])


class ConfirmForm(FlaskForm):
    """Only the CSRF token, for buttons that change something."""
    confirm = BooleanField(default=True)


def _locked_out(form: LoginForm, refusal):
    if refusal.scope == "pair":
        message = ngettext("Too many attempts: this e-mail has failed too often from your address. Wait %(num)d "
                           "minute and try again, or reset your password.",
                           "Too many attempts: this e-mail has failed too often from your address. Wait %(num)d "
                           "minutes and try again, or reset your password.", refusal.minutes)
    else:
        message = ngettext("Too many attempts: too many sign-ins have failed from your address. Wait %(num)d "
                           "minute and try again.",
                           "Too many attempts: too many sign-ins have failed from your address. Wait %(num)d "
                           "minutes and try again.", refusal.minutes)
    form.form_errors.append(message)
    response = current_app.make_response((render_template("auth/login.html", form=form), 429))
    response.headers["Retry-After"] = str(refusal.seconds)
    return response


@bp.route("/login", methods=["GET", "POST"])
@allow(PUBLIC)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        email, address = form.email.data, client_address()
        refusal = sign_in_refusal(email, address)
        if refusal is not None:
            return _locked_out(form, refusal)
        user = operations.authenticate(email, form.password.data)
        if user is not None:
            forget_sign_in_failures(email, address)
            # The password is verified: a second factor, where one is on, comes before the session starts.
            if (second_step := begin_sign_in(user, request.args.get("next"))) is not None:
                return second_step
            return start_session(user)
        typed = people_ops.normalise_email(email)[:254]
        account = people_ops.user_by_email(typed)  # the account attacked, for the security review
        record_security_event("security.sign_in_failed", user=account, email=typed)
        if wait := count_sign_in_failure(email, address):
            record_security_event("security.locked_out", user=account, email=typed,
                                  detail=f"this e-mail from this address waits {wait} s")
        form.password.errors = [_("The e-mail or password is not right.")]
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@allow(*Role, approved=False)
def logout():
    user = current_user._get_current_object()
    if (row := current_session()) is not None:
        people_ops.end_session(user, row, {"reason": "signed out"})
    record_security_event("security.sign_out", user=user)
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


REGISTERED = _l("Thank you. If the e-mail address was new to the Exchange, your organisation is registered and "
                "awaits approval by the Task Force office: you can sign in now and will be able to post offers once "
                "it is approved. If the address already has an account, we have e-mailed its owner instead.")


@bp.route("/register", methods=["GET", "POST"])
@allow(PUBLIC)
@limiter.limit("20 per hour", methods=["POST"], key_func=get_remote_address)
def register():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = RegisterProviderForm()
    valid = form.validate_on_submit()
    if request.method == "POST" and not valid:
        # Every problem at once: the password's own rules too, not only once the other fields are right.
        if form.password.data and not form.password.errors:
            form.password.errors = list(password_problems(form.password.data, password_inputs(
                form.email.data, form.name.data, form.organisation_name.data)))
    elif valid:
        try:
            with all_or_nothing():
                operations.register_outside_provider(None, {
                    "organisation_name": form.organisation_name.data, "website": form.website.data or "",
                    "description": form.description.data, "name": form.name.data, "email": form.email.data,
                    "password": form.password.data})
        except ValidationFailed as err:
            apply_errors(form, err.fields)
        else:
            # The same answer whether or not the e-mail had an account (the owner of one is told by e-mail).
            flash(str(REGISTERED), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/register.html", form=form)


@bp.route("/account")
@allow(*Role, approved=False)
def account():
    sessions = people_ops.live_sessions(current_user)
    this = current_session()
    return render_template("auth/account.html", sessions=sessions, this_session_id=this.id if this else None,
                           form=ConfirmForm(),
                           language_form=LanguageForm(language=current_user.language or page_language()))


@bp.route("/account/language", methods=["POST"])
@allow(*Role, approved=False)
def change_language():
    """The account's language: its pages, notifications and e-mails speak it from now on."""
    form = LanguageForm()
    if not form.validate_on_submit():
        flash(_("Choose one of the languages listed."), "error")
        return redirect(url_for("auth.account"))
    with all_or_nothing():
        operations.set_language(current_user, current_user, {"language": form.language.data})
    with speaking(form.language.data):
        flash(_("Language saved: %(language)s.", language=LANGUAGES[form.language.data]), "success")
    return redirect(url_for("auth.account"))


@bp.route("/account/sessions/end-others", methods=["POST"])
@allow(*Role, approved=False)
def end_other_sessions():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    this = current_session()
    ended = operations.end_sessions(current_user, current_user, {"reason": "signed out elsewhere",
                                                                 "keep_session_id": this.id if this else None})
    flash(ngettext("%(num)d other session of yours is signed out; this one continues.",
                   "%(num)d other sessions of yours are signed out; this one continues.", ended), "success")
    return redirect(url_for("auth.account"))


@bp.route("/account/password", methods=["GET", "POST"])
@allow(*Role, approved=False)
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        this = current_session()
        try:
            with all_or_nothing():
                operations.change_password(current_user, current_user, {
                    "current": form.current.data, "password": form.password.data,
                    "keep_session_id": this.id if this else None})
        except ValidationFailed as err:
            apply_errors(form, err.fields)
        else:
            flash(_("Your password is changed. Every other session of yours has been signed out and your API "
                    "tokens are revoked."), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/password.html", form=form)





@bp.route("/password/forgot", methods=["GET", "POST"])
@allow(PUBLIC)
@limiter.limit("10 per hour", methods=["POST"], key_func=get_remote_address)
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        ttl = current_app.config["PASSWORD_RESET_TTL"]
        email = form.email.data.strip()
        base = _link_base()
        if base is None:
            log.error("Password-reset link not sent: set EXCHANGE_BASE_URL (or TRUSTED_HOSTS) so that a forged "
                      "Host header cannot point the link elsewhere")
        else:
            operations.request_password_reset(
                None, {"email": email, "address": client_address()},
                link_for=lambda token: base + url_for("auth.reset_password", token=token))
        # The same answer whether or not the e-mail has an account.
        flash(_("If %(email)s has an account, we have sent it a link to choose a new password. The link works "
                "once, for %(minutes)d minutes. No e-mail? Check the address and your spam folder, then ask again.",
                email=email, minutes=max(1, int(ttl.total_seconds() // 60))), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


def _link_base() -> str | None:
    """Where links in e-mails point: BASE_URL; else this request's host, but only where the host is checked
    (TRUSTED_HOSTS) or in development and tests, since the Host header is the caller's to forge."""
    config = current_app.config
    if config.get("BASE_URL"):
        return config["BASE_URL"].rstrip("/")
    if config.get("TRUSTED_HOSTS") or current_app.debug or current_app.testing:
        return request.host_url.rstrip("/")
    return None


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@allow(PUBLIC)
@limiter.limit("30 per hour", methods=["POST"], key_func=get_remote_address)
def reset_password(token: str):
    if people_ops.password_reset_for(token) is None:
        response = current_app.make_response((render_template("auth/reset.html", form=None), 404))
    else:
        form = ResetPasswordForm()
        if form.validate_on_submit():
            try:
                with all_or_nothing():
                    operations.reset_password(None, {"token": token, "password": form.password.data})
            except ValidationFailed as err:
                apply_errors(form, err.fields)
            else:
                if current_user.is_authenticated:
                    logout_user()
                flash(_("Your new password is set and every session of yours was signed out: sign in with it now."),
                      "success")
                return redirect(url_for("auth.login"))
        response = current_app.make_response(render_template("auth/reset.html", form=form))
    response.headers["Cache-Control"] = "no-store"
    return response
