"""API tokens pages: each signed-in person lists, creates (the token is shown once) and revokes their own
tokens at /account/tokens; an admin revokes any user's token from the user's admin page (admin.edit_user
lists them). The creating and revoking views are plain POST views, so a re-authentication decorator can
wrap them."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from exchange.core.access import allow
from exchange.core.errors import NotFound, ValidationFailed
from exchange.core.extensions import db
from exchange.core.models import utcnow
from exchange.core.statuses import Role
from exchange.core.transactions import all_or_nothing
from exchange.people.models import TOKEN_SCOPE_LABELS, User
from exchange.people.tokens import get_token, issue_api_token, revoke_api_token, tokens_of
from exchange.people.views.reauth import require_recent_authentication
from exchange.web.forms import apply_errors

bp = Blueprint("tokens", __name__, template_folder="../templates")


class TokenForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Optional(), Length(max=100)],
                       description=_l("What the token is for, such as the script or system that uses it."))
    scope = SelectField(_l("Access"), choices=list(TOKEN_SCOPE_LABELS.items()), default="read")
    days = StringField(_l("Expires after (days)"), validators=[Optional(), Length(max=4)])


class RevokeForm(FlaskForm):
    """Only the CSRF token: the button revokes."""


def _page(form: TokenForm, new_token: str = ""):
    if not form.days.data:
        form.days.data = str(current_app.config["API_TOKEN_LIFETIME_DAYS"])
    form.days.description = _("From 1 to %(longest)s days.", longest=current_app.config["API_TOKEN_MAX_LIFETIME_DAYS"])
    response = make_response(render_template(
        "tokens/index.html", form=form, revoke_form=RevokeForm(), new_token=new_token,
        tokens=tokens_of(current_user), now=utcnow(), title=_("API tokens")))
    response.headers["Cache-Control"] = "no-store"  # a new token is on this page once
    return response


@bp.route("/account/tokens")
@allow(*Role)
def index():
    return _page(TokenForm(formdata=None))


@bp.route("/account/tokens/new", methods=["POST"])
@allow(*Role)
@require_recent_authentication
def create():
    """Issue a token for the signed-in person and show it once (in this response only, never in the session)."""
    form = TokenForm()
    if form.validate_on_submit():
        try:
            with all_or_nothing():
                token = issue_api_token(current_user, current_user, {
                    "name": form.name.data or "", "scope": form.scope.data, "days": form.days.data})
        except ValidationFailed as err:
            apply_errors(form, err.fields)
        else:
            return _page(TokenForm(formdata=None), new_token=token)
    return _page(form)


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@allow(*Role)
@require_recent_authentication
def revoke(token_id: int):
    """Revoke one of the signed-in person's own tokens."""
    _revoke(get_token(current_user, token_id, user=current_user))
    return redirect(url_for("tokens.index"))


@bp.route("/admin/users/<int:user_id>/tokens/<int:token_id>/revoke", methods=["POST"])
@allow(Role.ADMIN)
@require_recent_authentication
def admin_revoke(user_id: int, token_id: int):
    """An admin revokes a user's token from the user's admin page."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("No such user."))
    _revoke(get_token(current_user, token_id, user=user))
    return redirect(url_for("admin.edit_user", user_id=user.id) + "#tokens")


def token_section(user: User) -> dict:
    """What the user's admin page needs to list their tokens with a revoke button."""
    return {"tokens": tokens_of(user), "now": utcnow(), "revoke_form": RevokeForm()}


def _revoke(token) -> None:
    if not RevokeForm().validate_on_submit():
        from werkzeug.exceptions import BadRequest
        raise BadRequest(_("The form has expired; reload the page and try again."))
    if revoke_api_token(current_user, token):
        flash(_("The token %(name)s is revoked: it no longer works.", name=token.name or f"#{token.id}"),
              "success")
    else:
        flash(_("The token was already revoked."), "info")
