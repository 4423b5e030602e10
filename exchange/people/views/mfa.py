"""Two-step sign-in pages: the code page between a right password and being signed in, the account page
where anyone turns it on (QR code and secret, confirmed by a first code), regenerates recovery codes or
turns it off, and the gate that keeps a coordinator or admin (MFA_REQUIRED_ROLES) without it on the
set-up page until it is done.

Session keys: `_mfa_pending` (who typed a right password, until when, where to go next), `_mfa_user`
(the user whose sign-in in this session passed a second factor, or who set one up in it)."""
from __future__ import annotations

import hashlib
import hmac
import time

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, user_logged_out
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length

from exchange.core.access import PUBLIC, allow
from exchange.core.errors import Conflict, ValidationFailed
from exchange.core.extensions import db, limiter
from exchange.core.models import utcnow
from exchange.core.statuses import Role
from exchange.core.transactions import all_or_nothing
from exchange.people import mfa as mfa_ops
from exchange.people import totp as mfa
from exchange.people.models import User
from exchange.people.views.reauth import (
    AUTH_KEY,
    authentication_mark,
    mark_authenticated,
    require_recent_authentication,
)
from exchange.people.views.sessions import start_session
from exchange.web.forms import apply_errors, safe_local_path

bp = Blueprint("mfa", __name__, template_folder="../templates")
PENDING_KEY = "_mfa_pending"
VERIFIED_KEY = "_mfa_user"
# What a person the gate holds on the set-up page may still reach.
GATE_OPEN = {"mfa.enrol", "mfa.challenge", "reauth.confirm", "auth.logout", "static", "bootstrap.static"}


def signed_in_marks(user_id: int) -> dict:
    """The session keys of someone fully signed in: second factor passed, authenticated just now (the
    tests' signed-in clients use these)."""
    return {VERIFIED_KEY: user_id, AUTH_KEY: authentication_mark(user_id)}


def _required(user) -> bool:
    return mfa.required_for(user.role, current_app.config["MFA_REQUIRED_ROLES"])


def _mark_verified(user) -> None:
    session[VERIFIED_KEY] = user.id


# ------------------------------------------------------------------------------------------------
# Signing in: the password was right; with two-step sign-in on, a code comes before login_user.

def begin_sign_in(user: User, next_path: str | None):
    """Called by the sign-in page once the password is right. None: sign `user` in now (no second
    factor on). Otherwise a redirect to the code page, with only a short-lived marker in the session."""
    for key in (PENDING_KEY, VERIFIED_KEY, AUTH_KEY):
        session.pop(key, None)
    if not mfa_ops.is_enabled(user):
        return None
    lifetime = current_app.config["MFA_PENDING_LIFETIME"].total_seconds()
    session[PENDING_KEY] = {"user": user.id, "token": _token_digest(user), "until": int(time.time() + lifetime),
                            "next": safe_local_path(next_path, "")}
    return redirect(url_for("mfa.challenge"))


def _token_digest(user: User) -> str:
    """The pending marker names the user's password hash by a digest (the cookie is signed, not encrypted):
    a password changed or reset since voids it."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:32]


def _pending_user() -> User | None:
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict) or not isinstance(pending.get("until"), int) or pending["until"] < time.time():
        return None
    user = db.session.get(User, pending.get("user")) if isinstance(pending.get("user"), int) else None
    if user is None or not user.active or not hmac.compare_digest(_token_digest(user), str(pending.get("token"))):
        return None  # disabled, or the password changed, since
    return user


def _challenge_user() -> User | None:
    """Who the code page is for: the person between password and code, or someone signed in whose session
    has not passed a second factor although their account has one (their role changed, say)."""
    if current_user.is_authenticated:
        if session.get(VERIFIED_KEY) != current_user.id and mfa_ops.is_enabled(current_user):
            return current_user._get_current_object()
        return None
    return _pending_user()


class CodeForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(_l("Enter the code from your app, or a recovery code.")),
                                               Length(max=64)],
                       description=_l("The 6-digit code your authenticator app shows now, or one of your recovery "
                                      "codes."),
                       render_kw={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"})


def _limit() -> str:
    return current_app.config["SECOND_FACTOR_FAILURE_LIMIT"]


def _challenge_account_key() -> str:
    pending = session.get(PENDING_KEY)
    user_id = pending.get("user") if isinstance(pending, dict) else getattr(current_user, "id", None)
    return f"mfa-account:{user_id}"


def _challenge_address_key() -> str:
    from flask_limiter.util import get_remote_address
    return f"mfa-address:{get_remote_address() or 'unknown'}"


def _code_failed(_response) -> bool:
    return bool(g.get("mfa_failed"))


@bp.route("/login/code", methods=["GET", "POST"])
@allow(PUBLIC)
@limiter.limit(_limit, key_func=_challenge_address_key, methods=["POST"], deduct_when=_code_failed,
               scope="mfa-address")
@limiter.limit(_limit, key_func=_challenge_account_key, methods=["POST"], deduct_when=_code_failed,
               scope="mfa-account")
def challenge():
    user = _challenge_user()
    if user is None:
        if current_user.is_authenticated:
            return redirect(url_for("home.index"))
        if PENDING_KEY in session:
            session.pop(PENDING_KEY)
            flash(_("That sign-in took too long. Please sign in again."), "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        kind = mfa_ops.verify_second_factor(user, {"code": form.code.data})
        if kind is not None:
            pending = session.pop(PENDING_KEY, None) or {}
            next_path = pending.get("next") or request.args.get("next")
            if current_user.is_authenticated:
                response = redirect(safe_local_path(next_path, url_for("home.index")))
            else:
                user.last_login_at = utcnow()
                response = start_session(user, next_path)  # clears the session, signs in
            _mark_verified(user)
            mark_authenticated(user)
            if kind == "recovery":
                flash(ngettext("You used a recovery code; %(num)d is left. Generate new ones from your account "
                               "page if you are running out.",
                               "You used a recovery code; %(num)d are left. Generate new ones from your account "
                               "page if you are running out.", mfa_ops.recovery_codes_left(user)), "warning")
            return response
        g.mfa_failed = True
        form.code.errors = [_("This code is not right, or it was used already. Type the code your app shows now, "
                              "or a recovery code you have not used.")]
    elif request.method == "POST":
        g.mfa_failed = True
    return render_template("mfa/challenge.html", form=form)


# ------------------------------------------------------------------------------------------------
# The account page: turning it on, recovery codes, turning it off.

class StartForm(FlaskForm):
    action = HiddenField(default="start")


class ConfirmCodeForm(FlaskForm):
    code = StringField(_l("Code from the app"), validators=[DataRequired(_l("Enter the code the app shows.")),
                                                            Length(max=16)],
                       description=_l("The 6-digit code your app shows for the Exchange."),
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"})


class ButtonForm(FlaskForm):
    """Only the CSRF token, for a button that changes something."""


@bp.route("/account/two-step")
@allow(*Role, approved=False)
def account():
    user = current_user._get_current_object()
    cred = mfa_ops.credential(user)
    enabled = cred is not None and cred.enabled
    return render_template("mfa/account.html", enabled=enabled, since=cred.enabled_at if enabled else None,
                           codes_left=mfa_ops.recovery_codes_left(user) if enabled else 0, required=_required(user))


@bp.route("/account/two-step/enrol", methods=["GET", "POST"])
@allow(*Role, approved=False)
@require_recent_authentication
def enrol():
    user = current_user._get_current_object()
    cred = mfa_ops.credential(user)
    if cred is not None and cred.enabled:
        flash(_("Two-step sign-in is already on for your account."), "info")
        return redirect(url_for("mfa.account"))
    held = _required(user)  # held here by the gate until it is done: no navigation to elsewhere
    start_form, code_form = StartForm(), ConfirmCodeForm()
    if request.method == "POST" and request.form.get("action") == "start":
        if start_form.validate_on_submit():
            mfa_ops.start_enrolment(user, user)
        return redirect(url_for("mfa.enrol"))
    if cred is not None and code_form.validate_on_submit():
        try:
            with all_or_nothing():
                codes = mfa_ops.confirm_enrolment(user, user, {"code": code_form.code.data})
        except ValidationFailed as err:
            apply_errors(code_form, err.fields)
        except Conflict as err:
            flash(err.message, "error")
            return redirect(url_for("mfa.enrol"))
        else:
            _mark_verified(user)
            return render_template("mfa/recovery_codes.html", codes=codes, first_time=True)
    extra = {"nav_items": []} if held else {}
    if cred is None:
        return render_template("mfa/enrol_start.html", form=start_form, required=held, **extra)
    uri = mfa.provisioning_uri(cred.secret, user.email)
    return render_template("mfa/enrol.html", form=code_form, qr=mfa.qr_data_uri(uri),
                           secret=mfa.grouped(cred.secret), required=held, **extra)


@bp.route("/account/two-step/recovery-codes", methods=["GET", "POST"])
@allow(*Role, approved=False)
@require_recent_authentication
def regenerate():
    user = current_user._get_current_object()
    if not mfa_ops.is_enabled(user):
        flash(_("Two-step sign-in is not on for your account."), "info")
        return redirect(url_for("mfa.account"))
    form = ButtonForm()
    if form.validate_on_submit():
        codes = mfa_ops.regenerate_recovery_codes(user, user)
        return render_template("mfa/recovery_codes.html", codes=codes, first_time=False)
    return render_template("mfa/regenerate.html", form=form, codes_left=mfa_ops.recovery_codes_left(user))


@bp.route("/account/two-step/disable", methods=["GET", "POST"])
@allow(*Role, approved=False)
@require_recent_authentication
def disable():
    user = current_user._get_current_object()
    if mfa_ops.credential(user) is None:
        flash(_("Two-step sign-in is not on for your account."), "info")
        return redirect(url_for("mfa.account"))
    form = ButtonForm()
    if form.validate_on_submit():
        mfa_ops.disable(user, user)
        session.pop(VERIFIED_KEY, None)
        if _required(user):
            flash(_("Two-step sign-in is off. Your role needs it: set it up again with your new device now."),
                  "warning")
            return redirect(url_for("mfa.enrol"))
        flash(_("Two-step sign-in is off for your account."), "success")
        return redirect(url_for("mfa.account"))
    return render_template("mfa/disable.html", form=form, required=_required(user))


@bp.route("/admin/users/<int:user_id>/two-step/reset", methods=["POST"])
@allow(Role.ADMIN)
@require_recent_authentication
def reset_user(user_id: int):
    """An admin turns two-step sign-in off for someone who lost their phone and recovery codes; a coordinator
    or admin is then held on the set-up page at their next sign-in."""
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    mfa_ops.disable(current_user, user)
    user.end_all_sessions()  # whoever holds the lost phone's sessions is signed out
    flash(_("Two-step sign-in is off for %(email)s; they set it up again at their next sign-in if their role "
            "needs it.", email=user.email), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


# ------------------------------------------------------------------------------------------------
# The gate: a coordinator or admin reaches nothing but the set-up until their session has a second factor.

def held_at_gate(user) -> bool:
    """Whether this signed-in browser's `user` must still pass (or set up) the second factor before any page."""
    return bool(getattr(user, "is_authenticated", False) and _required(user)
                and session.get(VERIFIED_KEY) != user.id)


def enforce_second_factor():
    if request.endpoint is None or request.endpoint in GATE_OPEN or request.path.startswith("/api/"):
        return None
    if not held_at_gate(current_user):
        return None
    if mfa_ops.is_enabled(current_user):
        return redirect(url_for("mfa.challenge", next=request.full_path.rstrip("?")))
    return redirect(url_for("mfa.enrol"))  # the page says why


def register(app) -> None:
    app.before_request(enforce_second_factor)

    def _signed_out(_app, user=None, **_):
        session.pop(VERIFIED_KEY, None)
        session.pop(PENDING_KEY, None)

    user_logged_out.connect(_signed_out, app, weak=False)
