"""Re-authentication before sensitive changes: `require_recent_authentication` lets a view run only when
the person confirmed their password (and, with two-step sign-in on, a code) within REAUTH_WINDOW
(10 minutes by default); otherwise it sends them to the "confirm it is you" page and back.

The moment is a timestamp in the session, bound to the user's id; signing in sets it, signing out drops it."""
from __future__ import annotations

import time
from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, user_logged_in, user_logged_out
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional

from exchange.audit.security_events import record_security_event
from exchange.core.access import allow
from exchange.core.extensions import limiter
from exchange.core.security import verify_password
from exchange.core.statuses import Role
from exchange.people import mfa as mfa_ops
from exchange.web.forms import safe_local_path

bp = Blueprint("reauth", __name__, template_folder="../templates")
AUTH_KEY = "_auth_at"


def authentication_mark(user_id: int, at: float | None = None) -> dict:
    """What the session keeps for "this user proved who they are at `at`" (now by default)."""
    return {"user": user_id, "at": int(time.time() if at is None else at)}


def mark_authenticated(user) -> None:
    session[AUTH_KEY] = authentication_mark(user.id)


def recently_authenticated(user) -> bool:
    mark = session.get(AUTH_KEY)
    if not isinstance(mark, dict) or mark.get("user") != user.id or not isinstance(mark.get("at"), int):
        return False
    age = time.time() - mark["at"]
    return 0 <= age <= current_app.config["REAUTH_WINDOW"].total_seconds()


def _return_path() -> str:
    """Where to come back after confirming: this page for a GET (or a page that also answers GET), else
    the page the button was on."""
    if request.method == "GET" or (request.url_rule is not None and "GET" in request.url_rule.methods):
        return request.full_path.rstrip("?") if request.method == "GET" else request.path
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path:
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return url_for("home.index")


def require_recent_authentication(view):
    """Run `view` only for someone who confirmed who they are within REAUTH_WINDOW."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_user.is_authenticated and not recently_authenticated(current_user):
            if request.method == "GET":
                flash(_("Please confirm it is you before you continue."), "info")
            else:
                flash(_("Please confirm it is you, then do it again: nothing was changed."), "info")
            return redirect(url_for("reauth.confirm", next=_return_path()))
        return view(*args, **kwargs)
    return wrapped


class ConfirmForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired(_l("Enter your password.")), Length(max=256)])
    code = StringField(_l("Code from your authenticator app, or a recovery code"),
                       validators=[Optional(), Length(max=64)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "text"})


def _user_key() -> str:
    return f"reauth-user:{getattr(current_user, 'id', 'none')}"


def _failed(_response) -> bool:
    return bool(g.get("reauth_failed"))


def _limit() -> str:
    return current_app.config["SECOND_FACTOR_FAILURE_LIMIT"]


@bp.route("/account/confirm", methods=["GET", "POST"])
@allow(*Role, approved=False)
@limiter.limit(_limit, key_func=_user_key, methods=["POST"], deduct_when=_failed, scope="reauth-user")
def confirm():
    user = current_user._get_current_object()
    back = safe_local_path(request.args.get("next"), url_for("home.index"))
    with_code = mfa_ops.is_enabled(user)
    form = ConfirmForm()
    if form.validate_on_submit():
        if not verify_password(user.password_hash, form.password.data or ""):
            form.password.errors = [_("This is not your password.")]
            record_security_event("security.sign_in_failed", user=user, detail="wrong password when confirming")
        elif with_code and not (form.code.data or "").strip():
            form.code.errors = [_("Type the code your authenticator app shows now.")]
        elif with_code and mfa_ops.verify_second_factor(user, {"code": form.code.data}) is None:
            form.code.errors = [str(mfa_ops.WRONG_CODE)]
        else:  # the code, now used up, is committed with the request
            mark_authenticated(user)
            record_security_event("security.reauthenticated", user=user)
            return redirect(back)
        g.reauth_failed = True
    elif request.method == "POST":
        g.reauth_failed = True
    return render_template("mfa/confirm.html", form=form, with_code=with_code)


def register(app) -> None:
    """Signing in is a moment of authentication; signing out forgets it."""
    def _signed_in(_app, user, **_):
        mark_authenticated(user)

    def _signed_out(_app, user=None, **_):
        session.pop(AUTH_KEY, None)

    user_logged_in.connect(_signed_in, app, weak=False)
    user_logged_out.connect(_signed_out, app, weak=False)
