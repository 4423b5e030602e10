"""In-app notifications, message threads on requests and matches, and per-person read markers."""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import get_translations
from flask_babel import gettext as translated
from markupsafe import Markup, escape
from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from exchange.core.extensions import db
from exchange.core.models import exactly_one, one_of, utcnow
from exchange.people.models import User


class Notification(db.Model):
    """Something a person must act on or know about, shown in their inbox and e-mailed where configured. It
    names its record as an audit event does (a request, offer, match or organisation); the link to the
    record's page is built when the notification is shown (notify.page_of).

    Its words are written when read, in the reader's language: `params` holds the English msgid and its
    values (`{"msgid": …, "values": {…}}`, with `"plural"` and `"num"` for a count, a date as `{"date": ISO}`); `message` keeps the
    English text (the words of rows from before params, and what a search or an export reads)."""

    __tablename__ = "notifications"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    params: Mapped[dict | None] = mapped_column(JSON)
    record_type: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[int] = mapped_column(Integer)
    read_at: Mapped[datetime | None] = mapped_column(DateTime)
    emailed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Not in the inbox yet (its reader chose the daily digest for its kind: "daily", released by the digest)
    # or never (in the inbox "off", kept for the e-mail only); None: in the inbox (messages/preferences.py).
    inbox_hold: Mapped[str | None] = mapped_column(String(8))

    user: Mapped[User] = relationship()
    __table_args__ = (Index("ix_notifications_user_read", "user_id", "read_at"),
                      Index("ix_notifications_record", "record_type", "record_id"))

    @property
    def text(self) -> str:
        """The notification in the current language (the page's, or the one `speaking` chose)."""
        return written(self.message, self.params)

    @property
    def html(self) -> Markup:
        """For a page: the same words, escaped, with what people wrote (a title, a reason) marked as text of
        its own language (`lang=""`: not the page's), so that screen readers do not read it as the page's."""
        return written(self.message, self.params, marked=True)


def written(message: str, params: dict | None, marked: bool = False) -> str:
    """A notification's words in the current language: its msgid translated and filled with its values;
    the stored English `message` when there is no msgid (an old row) or the values do not fit. `marked`:
    Markup, in which each value people wrote is marked as content."""
    if not params or not params.get("msgid"):
        return escape(message) if marked else message
    stored = params.get("values") or {}
    values = {key: _value(value) for key, value in stored.items()}
    if marked:
        values = {key: Markup('<span lang="">{}</span>').format(value) if isinstance(stored[key], str)
                  else escape(value) for key, value in values.items()}
    try:
        if params.get("plural") is not None:
            num, singular, plural = params.get("num") or 0, params["msgid"], params["plural"]
            words = get_translations().ungettext(singular, plural, num)
            values.setdefault("num", num)
        else:
            words = translated(params["msgid"])
        return Markup(escape(words)) % values if marked else words % values if values else words
    except (KeyError, TypeError, ValueError):
        return escape(message) if marked else message


class NotificationPreference(db.Model):
    """How a person wants to hear of one category of notifications (preferences.CATEGORIES): in the inbox and
    by e-mail, each at once ("now"), in a daily digest ("daily") or not at all ("off"). No row: at once."""

    __tablename__ = "notification_preferences"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(String(20))
    in_app: Mapped[str] = mapped_column(String(8), default="now")
    email: Mapped[str] = mapped_column(String(8), default="now")

    __table_args__ = (UniqueConstraint("user_id", "category", name="uq_notification_preferences_user_category"),
                      one_of("in_app", ("now", "daily", "off")), one_of("email", ("now", "daily", "off")))


class Message(db.Model):
    """A message of a case's conversation, written on its request or on one of its matches."""

    __tablename__ = "messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("assistance_requests.id"), index=True)
    match_id: Mapped[int | None] = mapped_column(ForeignKey("matches.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # The language the body is written in (ISO 639-1), detected when posted (core/i18n.detect_language).
    content_language: Mapped[str | None] = mapped_column(String(8))
    # Who may read it among those who see its record (messages/policy.AUDIENCES): everyone taking part,
    # the providers and the office only (never the State), or the office only.
    audience: Mapped[str] = mapped_column(String(12), default="everyone", server_default="everyone")

    author: Mapped[User | None] = relationship()

    __table_args__ = (exactly_one("request_id", "match_id", name="one_record"),)


class ThreadRead(db.Model):
    """When a person last read a thread: messages after it are unread for them."""

    __tablename__ = "thread_reads"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    record_type: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[int] = mapped_column(Integer)
    last_read_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("user_id", "record_type", "record_id", name="uq_thread_reads_user_record"),)


def _value(value):
    """A stored value written for the reader: a date per their locale, marked words in their language."""
    if isinstance(value, dict) and "date" in value:
        from exchange.core.i18n import format_day
        return format_day(date.fromisoformat(value["date"]))
    if isinstance(value, dict) and "msgid" in value:
        return translated(value["msgid"])
    if isinstance(value, dict) and "name" in value:
        from exchange.reference.names import name
        kind, code, default = value["name"]
        return name(kind, code, default or None)
    return value
