"""E-mail for notifications, sent only after the transaction that created them commits.

`install(app)` listens to the session: after each flush it remembers the ids of the new
Notification rows; after a commit it sends one e-mail per notification through SMTP (standard
library smtplib, to config SMTP_URL such as smtp://127.0.0.1:8025 or smtps://user:pass@host:465)
and marks them `emailed_at` (each e-mail links to its record's page, built from the app's route table under
config BASE_URL, as there may be no request: `flask reminders send` e-mails too); after a rollback it forgets them, so that a change that did not happen
sends nothing. A failing mail server is logged and never breaks the request. Each e-mail is written in its
recipient's language (users.language, English when unset: core/i18n.speaking), the notification's words too.

`queue_email(recipient, subject, body)` is for messages to one person about their account (a password-reset
link, a registration attempt with their address): sent the same way, after the commit, never stored; the
caller writes them in the recipient's language (`with speaking(user.language)`).
"""
from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from flask import Flask, current_app, has_app_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, select, update

from exchange.core.extensions import db
from exchange.core.i18n import speaking
from exchange.core.models import utcnow
from exchange.messages.models import Notification, written
from exchange.messages.notify import page_of
from exchange.people.models import User

log = logging.getLogger(__name__)
PENDING_KEY = "exchange_mail_pending"
DIRECT_KEY = "exchange_mail_direct"
SUBJECT_PREFIX = _l("[The Exchange]")
KIND_SUBJECTS = {
    "request.submitted": _l("New request to triage"),
    "request.received": _l("Your request has been received"),
    "request.review": _l("Your request is being reviewed"),
    "request.accept": _l("Your request was accepted"),
    "request.request-info": _l("Information needed on your request"),
    "request.reject": _l("Your request was not accepted"),
    "request.withdraw": _l("Request withdrawn"),
    "request.close": _l("Request closed"),
    "request.routed": _l("New request on your working group's themes"),
    "request.assigned": _l("A case was given to you"),
    "match.proposed": _l("Match proposed"),
    "match.accept": _l("Match accepted"),
    "match.decline": _l("Match declined"),
    "match.start": _l("Delivery started"),
    "match.complete": _l("Delivery completed"),
    "match.confirm": _l("Delivery confirmed"),
    "match.withdraw": _l("Match withdrawn"),
    "message.posted": _l("New message"),
    "reminder.request": _l("Reminder: a request is waiting for you"),
    "reminder.match": _l("Reminder: a match is waiting for you"),
    "reminder.feedback": _l("Please confirm a delivery and give feedback"),
    "organisation.approved": _l("Your organisation is approved"),
    "organisation.rejected": _l("Your organisation was not approved"),
}


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    use_ssl: bool
    starttls: bool
    username: str
    password: str


def parse_smtp_url(url: str) -> SmtpSettings:
    """smtp://host:port (plain), smtp+starttls://…, smtps://… (TLS); user:password@ optional."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps", "smtp+starttls") or not parts.hostname:
        raise ValueError(f"Unsupported SMTP_URL {url!r}: use smtp://host:port, smtp+starttls:// or smtps://")
    use_ssl = parts.scheme == "smtps"
    return SmtpSettings(host=parts.hostname, port=parts.port or (465 if use_ssl else 25), use_ssl=use_ssl,
                        starttls=parts.scheme == "smtp+starttls", username=unquote(parts.username or ""),
                        password=unquote(parts.password or ""))


@contextmanager
def connect(settings: SmtpSettings) -> Iterator[smtplib.SMTP]:
    """An SMTP connection as the settings say: TLS from the start or by STARTTLS, and a login if given."""
    smtp_class = smtplib.SMTP_SSL if settings.use_ssl else smtplib.SMTP
    with smtp_class(settings.host, settings.port, timeout=10) as smtp:
        if settings.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.username:
            smtp.login(settings.username, settings.password)
        yield smtp


def subject_for(kind: str, message: str = "") -> str:
    """The e-mail subject of a kind of notification, in the current language."""
    return prefixed(str(KIND_SUBJECTS.get(kind) or _("Notification")))


def prefixed(subject: str) -> str:
    return f"{SUBJECT_PREFIX} {subject}"


def page_url(app: Flask, record_type: str, record_id: int, kind: str) -> str:
    """The address of the page a notification leads to, under config BASE_URL (its path alone without it),
    built from the app's route table as url_for would, with or without a request."""
    page = page_of(record_type, record_id, kind)
    path = app.url_map.bind("localhost").build(page.endpoint, page.values)
    path += f"#{page.anchor}" if page.anchor else ""
    return f"{app.config.get('BASE_URL', '').rstrip('/')}{path}"


def build_email(sender: str, recipient: str, kind: str, message: str, url: str) -> EmailMessage:
    """A notification's e-mail in the current language (the caller chooses it with `speaking`)."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = recipient
    email["Subject"] = subject_for(kind, message)
    body = [message, ""]
    if url:
        body += [_("Open it: %(url)s", url=url), ""]
    body += [_("You receive this because the Exchange needs you to know or act."),
             _("Your inbox in the Exchange lists every notification.")]
    email.set_content("\n".join(body))
    return email


def send_notifications(app: Flask, ids: list[int]) -> int:
    """E-mail these notifications (those not e-mailed yet) and mark them; returns how many were sent."""
    url = app.config.get("SMTP_URL")
    if not url or not ids:
        return 0
    sender = app.config.get("MAIL_FROM", "exchange@localhost")
    sent: list[int] = []
    try:
        settings = parse_smtp_url(url)
        with db.engine.connect() as conn:
            rows = conn.execute(select(Notification.id, Notification.kind, Notification.message, Notification.params,
                                       Notification.record_type, Notification.record_id, User.email,
                                       User.language).join(User, User.id == Notification.user_id)
                                .where(Notification.id.in_(ids), Notification.emailed_at.is_(None),
                                       User.active.is_(True))).all()
        if not rows:
            return 0
        with connect(settings) as smtp:
            for row in rows:
                try:
                    with speaking(row.language):
                        email = build_email(sender, row.email, row.kind, written(row.message, row.params),
                                            page_url(app, row.record_type, row.record_id, row.kind))
                    smtp.send_message(email)
                    sent.append(row.id)
                except smtplib.SMTPException:
                    log.exception("Could not e-mail notification %s to %s", row.id, row.email)
    except (OSError, smtplib.SMTPException, ValueError):
        log.exception("Could not send notification e-mails through %s", url)
    if sent:
        try:
            with db.engine.begin() as conn:
                conn.execute(update(Notification).where(Notification.id.in_(sent)).values(emailed_at=utcnow()))
        except Exception:  # never break the request that caused the e-mail
            log.exception("Could not mark notifications %s as e-mailed", sent)
    return len(sent)


def queue_email(recipient: str, subject: str, body: str) -> None:
    """E-mail `recipient` once the current transaction commits (nothing if it rolls back)."""
    db.session.info.setdefault(DIRECT_KEY, []).append((recipient, prefixed(str(subject)), str(body)))


def send_direct(app: Flask, messages: list[tuple[str, str, str]]) -> int:
    """Send queued account e-mails; returns how many were sent."""
    url = app.config.get("SMTP_URL")
    if not url or not messages:
        return 0
    sender = app.config.get("MAIL_FROM", "exchange@localhost")
    sent = 0
    try:
        settings = parse_smtp_url(url)
        with connect(settings) as smtp:
            for recipient, subject, body in messages:
                email = EmailMessage()
                email["From"], email["To"], email["Subject"] = sender, recipient, subject
                email.set_content(body)
                try:
                    smtp.send_message(email)
                    sent += 1
                except smtplib.SMTPException:
                    log.exception("Could not send an account e-mail to %s", recipient)
    except (OSError, smtplib.SMTPException, ValueError):
        log.exception("Could not send account e-mails through %s", url)
    return sent


_installed = False


def install(app: Flask) -> None:
    """Listen to the session once per process; each app decides by its own SMTP_URL."""
    global _installed
    if _installed:
        return
    _installed = True
    target = db.session

    @event.listens_for(target, "after_flush")
    def remember_new_notifications(session, flush_context):
        new_ids = [obj.id for obj in session.new if isinstance(obj, Notification) and obj.id is not None]
        if new_ids:
            session.info.setdefault(PENDING_KEY, []).extend(new_ids)

    # A savepoint (session.begin_nested) released or rolled back fires these events too: only the
    # outermost transaction decides, else e-mail would go out before the change is committed (and, on
    # SQLite, its read would wait on the transaction's own write lock).
    @event.listens_for(target, "after_rollback")
    def forget_rolled_back(session):
        if not session.in_nested_transaction():
            session.info.pop(PENDING_KEY, None)
            session.info.pop(DIRECT_KEY, None)

    @event.listens_for(target, "after_commit")
    def send_after_commit(session):
        if session.in_nested_transaction():
            return
        ids = session.info.pop(PENDING_KEY, None)
        direct = session.info.pop(DIRECT_KEY, None)
        if not has_app_context() or not current_app.config.get("SMTP_URL"):
            return
        if ids:
            send_notifications(current_app._get_current_object(), ids)
        if direct:
            send_direct(current_app._get_current_object(), direct)
