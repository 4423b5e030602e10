"""E-mail for notifications, sent by the job queue after the transaction that created them commits.

`install(app)` listens to the session: after each flush it remembers the ids of the new Notification rows;
after a commit it queues one job (`mail.notifications`, exchange/jobs/queue.py) that e-mails them through
SMTP (standard library smtplib, to config SMTP_URL such as smtp://127.0.0.1:8025 or
smtps://user:pass@host:465); after a rollback it forgets them, so that a change that did not happen sends
nothing. The request never waits for the mail server: a slow or stopped one delays the e-mail, not the
click; the job retries with back-off until the server answers. A notification is claimed (`emailed_at`
set) before it is sent, so a job run twice sends one e-mail. Only the kinds its reader wants by e-mail at
once are sent now (messages/preferences.py); the daily digest (jobs/schedule.py) sends the others. Each
e-mail links to its record's page, built from the app's route table under config BASE_URL (there is no
request in a worker), and is written in its recipient's language (users.language, English when unset:
core/i18n.speaking), the notification's words too.

`queue_email(recipient, subject, body)` is for messages to one person about their account (a password-reset
link, a registration attempt with their address): queued the same way after the commit (job `mail.account`,
sent once: its key is claimed in the queue's storage), never stored in the database; the caller writes them
in the recipient's language (`with speaking(user.language)`).
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
from exchange.jobs.queue import huey, job
from exchange.messages.models import Notification, written
from exchange.messages.notify import page_of
from exchange.people.models import User

log = logging.getLogger(__name__)
PENDING_KEY = "exchange_mail_pending"
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
    "subscription.request": _l("New request matching your saved search"),
    "subscription.offer": _l("New offer matching your saved search"),
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


def _claim(ids: list[int]) -> list[int]:
    """Mark these notifications e-mailed (those not yet marked) and return them: whoever claims a row sends
    it, so that a job run twice (or two workers) sends one e-mail."""
    with db.engine.begin() as conn:
        return list(conn.scalars(update(Notification).where(Notification.id.in_(ids), Notification.emailed_at.is_(None))
                                 .values(emailed_at=utcnow()).returning(Notification.id)))


def _unclaim(ids: list[int]) -> None:
    with db.engine.begin() as conn:
        conn.execute(update(Notification).where(Notification.id.in_(ids)).values(emailed_at=None))


def send_notifications(app: Flask, ids: list[int]) -> int:
    """E-mail these notifications (those not e-mailed yet whose reader wants them by e-mail at once, see
    preferences.py) and mark them; returns how many were sent. A mail server that cannot be reached raises
    (the job is retried later, with back-off) and leaves the unsent ones unmarked; an address the server
    refuses is logged and not tried again."""
    url = app.config.get("SMTP_URL")
    if not url or not ids:
        return 0
    settings = parse_smtp_url(url)
    claimed = _claim(wanted_now(ids))
    if not claimed:
        return 0
    sender = app.config.get("MAIL_FROM", "exchange@localhost")
    sent: list[int] = []
    refused: list[int] = []
    try:
        with db.engine.connect() as conn:
            rows = conn.execute(select(Notification.id, Notification.kind, Notification.message, Notification.params,
                                       Notification.record_type, Notification.record_id, User.email,
                                       User.language).join(User, User.id == Notification.user_id)
                                .where(Notification.id.in_(claimed), User.active.is_(True))).all()
        inactive = set(claimed) - {row.id for row in rows}
        refused += inactive
        if rows:
            with connect(settings) as smtp:
                for row in rows:
                    with speaking(row.language):
                        email = build_email(sender, row.email, row.kind, written(row.message, row.params),
                                            page_url(app, row.record_type, row.record_id, row.kind))
                    try:
                        smtp.send_message(email)
                        sent.append(row.id)
                    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError):
                        log.exception("The mail server refused notification %s to %s", row.id, row.email)
                        refused.append(row.id)
    finally:
        unsent = sorted(set(claimed) - set(sent) - set(refused))
        if unsent:
            _unclaim(unsent)
    return len(sent)


def wanted_now(ids: list[int]) -> list[int]:
    """Those of these notifications whose reader wants that kind by e-mail at once."""
    from exchange.messages.preferences import Delivery, email_choices
    with db.engine.connect() as conn:
        rows = conn.execute(select(Notification.id, Notification.user_id, Notification.kind)
                            .where(Notification.id.in_(ids))).all()
    choices = email_choices(rows)
    return [row.id for row in rows if choices.get(row.id, Delivery.NOW) == Delivery.NOW]


def queue_email(recipient: str, subject: str, body: str) -> None:
    """E-mail `recipient` once the current transaction commits (nothing if it rolls back)."""
    from uuid import uuid4
    send_account_email.after_commit(recipient, prefixed(str(subject)), str(body), uuid4().hex)


def send_direct(app: Flask, messages: list[tuple[str, str, str]]) -> int:
    """Send account e-mails now; returns how many were sent (a mail server out of reach raises)."""
    url = app.config.get("SMTP_URL")
    if not url or not messages:
        return 0
    sender = app.config.get("MAIL_FROM", "exchange@localhost")
    sent = 0
    with connect(parse_smtp_url(url)) as smtp:
        for recipient, subject, body in messages:
            email = EmailMessage()
            email["From"], email["To"], email["Subject"] = sender, recipient, subject
            email.set_content(body)
            try:
                smtp.send_message(email)
                sent += 1
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError):
                log.exception("Could not send an account e-mail to %s", recipient)
    return sent


# ------------------------------------------------------------------------------------------------
# The jobs: queued after the commit that made the notifications (or asked for the account e-mail).

@job("mail.notifications")
def send_notification_emails(ids: list[int]) -> int:
    return send_notifications(current_app._get_current_object(), ids)


@job("mail.account", secret_args=True)  # its body may hold a password-reset link
def send_account_email(recipient: str, subject: str, body: str, key: str) -> int:
    """One account e-mail, sent once whatever the runs (the key is claimed in the queue's storage first)."""
    if not current_app.config.get("SMTP_URL"):
        return 0
    claim = f"exchange:mail:{key}"
    if not huey.put_if_empty(claim, "1"):
        return 0
    try:
        return send_direct(current_app._get_current_object(), [(recipient, subject, body)])
    except Exception:
        huey.get(claim)  # not sent: the retry may claim it again
        raise


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

    @event.listens_for(target, "after_commit")
    def send_after_commit(session):
        if session.in_nested_transaction():
            return
        ids = session.info.pop(PENDING_KEY, None)
        if ids and has_app_context() and current_app.config.get("SMTP_URL"):
            try:
                send_notification_emails(sorted(ids))
            except Exception:  # the queue out of reach: the sweep (jobs/schedule.py) sends them later
                log.exception("Could not queue the e-mail of notifications %s", ids)
