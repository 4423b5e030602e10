"""The inbox: each person's notifications, newest first, unread highlighted; the unread count in the
navigation bar; and the e-mail of notifications after commit (installed with this blueprint)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from exchange.core.access import allow
from exchange.core.extensions import db
from exchange.core.statuses import Role
from exchange.messages import mail
from exchange.messages.models import Notification
from exchange.messages.notify import in_inbox, open_notification, page_of, unread_count
from exchange.messages.operations import mark_all_read
from exchange.web.forms import page_number

bp = Blueprint("inbox", __name__, url_prefix="/inbox", template_folder="templates")
PER_PAGE = 50


@bp.record_once
def _install(state) -> None:
    mail.install(state.app)

    @state.app.context_processor
    def inbox_unread():
        if current_user.is_authenticated:
            return {"inbox_unread": unread_count(current_user)}
        return {"inbox_unread": 0}


@bp.route("")
@allow(*Role)
def index():
    page = page_number()
    unread_only = request.args.get("unread") == "1"
    stmt = select(Notification).where(Notification.user_id == current_user.id, in_inbox())
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    stmt = stmt.order_by(Notification.at.desc(), Notification.id.desc())
    pagination = db.paginate(stmt, page=page, per_page=PER_PAGE, error_out=False)
    return render_template("inbox/index.html", pagination=pagination, unread_only=unread_only,
                           title=_("Inbox"))


@bp.route("/read-all", methods=["POST"])
@allow(*Role)
def read_all():
    count = mark_all_read(current_user)
    flash(ngettext("%(num)d notification marked read.", "%(num)d notifications marked read.", count)
          if count else _("Nothing was unread."), "success")
    return redirect(url_for("inbox.index"))


@bp.route("/<int:notification_id>")
@allow(*Role)
def open_one(notification_id: int):
    """Go to the page of the notification's record; it is marked read after this GET (notify.open_notification)."""
    note = open_notification(current_user, notification_id)
    if note is None:
        from exchange.core.errors import NotFound
        raise NotFound(_("This notification does not exist or is not yours."))
    page = page_of(note.record_type, note.record_id, note.kind)
    return redirect(url_for(page.endpoint, **page.values, _anchor=page.anchor))
