"""How each person wants to hear of each category of notifications: in the inbox and by e-mail, each at once,
in a daily digest or not at all (one NotificationPreference row per person and category; no row: at once).

`notify` asks `delivery_choices` for its recipients: a notification nobody wants anywhere is not written, one
held for the digest or wanted by e-mail only is written with `inbox_hold` set (the inbox leaves those out).
mail.py e-mails at once only what its reader wants at once (`email_choices`); `send_digests` (run daily by the
queue's scheduler, jobs/schedule.py) releases the held ones into the inbox and e-mails each person who chose
the e-mail digest one message listing what came since."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from enum import StrEnum

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select, update

from exchange.core.errors import ValidationFailed
from exchange.core.extensions import db
from exchange.core.i18n import speaking
from exchange.messages.models import Notification, NotificationPreference, written
from exchange.people.models import User

log = logging.getLogger(__name__)


class Delivery(StrEnum):
    NOW = "now"
    DAILY = "daily"
    OFF = "off"


DELIVERY_LABELS = {Delivery.NOW: _l("At once"), Delivery.DAILY: _l("Daily digest"), Delivery.OFF: _l("Not at all")}

# The categories people choose for: the part of a notification's kind before the dot (notify.KINDS).
CATEGORIES = {
    "request": _l("Requests: filed, triaged and moved"),
    "match": _l("Matches: proposed, answered and delivered"),
    "message": _l("New messages in your threads"),
    "reminder": _l("Reminders of cases waiting for you"),
    "subscription": _l("New records matching your saved searches"),
    "organisation": _l("Your organisation's approval"),
}
DIGEST_LOOKBACK = timedelta(days=7)  # how far back an e-mail digest looks for what it has not sent


def category_of(kind: str) -> str:
    return kind.split(".", 1)[0]


def delivery_choices(user_ids: list[int], kind: str) -> dict[int, tuple[str, str]]:
    """user id → (in the inbox, by e-mail) for this kind: only those who chose something else than at once."""
    if not user_ids:
        return {}
    rows = db.session.execute(select(NotificationPreference.user_id, NotificationPreference.in_app,
                                     NotificationPreference.email)
                              .where(NotificationPreference.user_id.in_(user_ids),
                                     NotificationPreference.category == category_of(kind)))
    return {row.user_id: (Delivery(row.in_app), Delivery(row.email)) for row in rows}


def email_choices(rows) -> dict[int, str]:
    """notification id → its reader's e-mail choice, for rows of (id, user_id, kind): one query."""
    users = {row.user_id for row in rows}
    if not users:
        return {}
    with db.engine.connect() as conn:
        chosen = {(r.user_id, r.category): r.email for r in conn.execute(
            select(NotificationPreference.user_id, NotificationPreference.category, NotificationPreference.email)
            .where(NotificationPreference.user_id.in_(users)))}
    return {row.id: chosen.get((row.user_id, category_of(row.kind)), Delivery.NOW) for row in rows}


def preferences_of(user) -> dict[str, tuple[str, str]]:
    """Every category → (in the inbox, by e-mail) for this person, at once where they chose nothing."""
    rows = db.session.scalars(select(NotificationPreference).where(NotificationPreference.user_id == user.id))
    chosen = {row.category: (Delivery(row.in_app), Delivery(row.email)) for row in rows}
    return {category: chosen.get(category, (Delivery.NOW, Delivery.NOW)) for category in CATEGORIES}


def set_preferences(actor, choices: dict[str, tuple[str, str]]) -> int:
    """Keep the person's choices (category → (in the inbox, by e-mail)); refuses an unknown category or
    choice (ValidationFailed, nothing changed). Returns how many categories changed."""
    problems: dict[str, list[str]] = {}
    for category, pair in choices.items():
        if category not in CATEGORIES:
            problems[category] = [_("Unknown kind of notification.")]
        elif len(pair) != 2 or any(value not in Delivery._value2member_map_ for value in pair):
            problems[category] = [_("Choose at once, a daily digest or not at all.")]
    if problems:
        raise ValidationFailed(_("Nothing was changed: some choices were not understood."), problems)
    from exchange.audit import record
    rows = {row.category: row for row in db.session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == actor.id))}
    changed = {}
    for category, (in_app, email) in choices.items():
        row = rows.get(category)
        before = (row.in_app, row.email) if row else (Delivery.NOW, Delivery.NOW)
        if before == (in_app, email):
            continue
        if row is None:
            row = NotificationPreference(user_id=actor.id, category=category)
            db.session.add(row)
        row.in_app, row.email = str(in_app), str(email)
        changed[category] = [f"{before[0]}/{before[1]}", f"{in_app}/{email}"]
    if changed:
        db.session.flush()
        record(actor, "preferences.update", "User", actor.id, "Notification preferences changed", changed)
    return len(changed)


# ------------------------------------------------------------------------------------------------
# The daily digest.

def release_held(now: datetime) -> int:
    """Put the notifications held for the daily digest into their readers' inboxes (dated now, so that they
    show at the top); returns how many."""
    with db.engine.begin() as conn:
        return conn.execute(update(Notification).where(Notification.inbox_hold == Delivery.DAILY)
                            .values(inbox_hold=None, at=now)).rowcount or 0


def digest_emails(app, now: datetime) -> int:
    """E-mail each person who chose the e-mail digest for some kind one message listing those notifications
    not e-mailed yet (of the last DIGEST_LOOKBACK); each is claimed before it is sent, so a digest run twice
    sends each item once. Returns how many e-mails were sent."""
    from exchange.messages.mail import _claim, _unclaim, connect, page_url, parse_smtp_url, prefixed
    url = app.config.get("SMTP_URL")
    if not url:
        return 0
    with db.engine.connect() as conn:
        rows = conn.execute(select(Notification.id, Notification.user_id, Notification.kind)
                            .join(NotificationPreference, NotificationPreference.user_id == Notification.user_id)
                            .where(Notification.emailed_at.is_(None), Notification.at >= now - DIGEST_LOOKBACK,
                                   NotificationPreference.email == Delivery.DAILY)).all()
    choices = email_choices(rows)
    due = sorted({row.id for row in rows if choices.get(row.id) == Delivery.DAILY})
    if not due:
        return 0
    claimed = _claim(due)
    if not claimed:
        return 0
    with db.engine.connect() as conn:
        items = conn.execute(select(Notification.id, Notification.kind, Notification.message, Notification.params,
                                    Notification.record_type, Notification.record_id, Notification.user_id,
                                    User.email, User.language).join(User, User.id == Notification.user_id)
                             .where(Notification.id.in_(claimed), User.active.is_(True))
                             .order_by(Notification.user_id, Notification.at)).all()
    by_user: dict[int, list] = {}
    for item in items:
        by_user.setdefault(item.user_id, []).append(item)
    sent_ids: list[int] = []
    sent = 0
    sender = app.config.get("MAIL_FROM", "exchange@localhost")
    from email.message import EmailMessage
    try:
        with connect(parse_smtp_url(url)) as smtp:
            for user_items in by_user.values():
                first = user_items[0]
                with speaking(first.language):
                    lines = [ngettext("%(num)d notification since your last digest:",
                                      "%(num)d notifications since your last digest:", len(user_items)), ""]
                    for item in user_items:
                        lines += [f"- {written(item.message, item.params)}",
                                  f"  {page_url(app, item.record_type, item.record_id, item.kind)}"]
                    lines += ["", _("You chose a daily digest for these kinds of notifications: change it on "
                                    "your notification settings page.")]
                    email = EmailMessage()
                    email["From"], email["To"] = sender, first.email
                    email["Subject"] = prefixed(_("Your daily digest"))
                    email.set_content("\n".join(lines))
                smtp.send_message(email)
                sent += 1
                sent_ids += [item.id for item in user_items]
    finally:
        unsent = sorted(set(claimed) - set(sent_ids) - ({*claimed} - {item.id for item in items}))
        if unsent:
            _unclaim(unsent)
    return sent
