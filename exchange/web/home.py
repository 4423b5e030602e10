"""Each role's home page at `/`: what needs this person's attention now."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import func, select

from ..access import ROLES, allow
from ..extensions import db
from ..models import Organisation, User

bp = Blueprint("home", __name__)


@bp.route("/")
@allow(*ROLES, approved=False)
def index():
    user = current_user
    context: dict = {}
    if user.role in ("coordinator", "admin"):
        context["pending_providers"] = db.session.scalar(
            select(func.count()).select_from(Organisation).where(Organisation.kind == "outside_provider",
                                                                 Organisation.approval == "pending"))
    if user.role == "admin":
        context["user_count"] = db.session.scalar(select(func.count()).select_from(User))
        context["organisation_count"] = db.session.scalar(select(func.count()).select_from(Organisation))
    return render_template(f"home/{user.role}.html", **context)
