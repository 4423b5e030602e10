"""Notifications and message threads: an in-app inbox for every event a person must act on (e-mailed
after commit where EXCHANGE_SMTP_URL is set, see mail.py), and the message threads on requests and
matches with per-person read markers (posting and moving the markers are messages/operations.py).
Operations call `notify`; the rows go in with the change's transaction, which the request commits.

A notification names its record as an audit event does (`record_type`, `record_id`: see `record_ref`), never
a URL: whoever shows it (the inbox, the e-mail) asks `page_of` for the page's endpoint and builds the link
with the route table then.

A notification is written in its reader's language, not the sender's: `notify` stores the English msgid and its
values (Notification.params), and the inbox and the e-mail translate them for whoever reads (models.written).
Callers pass the words marked for extraction but not yet translated, as `_l` (flask_babel.lazy_gettext) marks
them, values as the lazy string's keywords or as `values=`:

    notify(users, "request.accept", _l("%(ref)s was accepted.", ref=req.reference), about=req)
    notify(users, "request.accept", _l("%(ref)s was accepted."), values={"ref": req.reference}, about=req)
    notify(users, "match.start", _ln("%(num)d day", "%(num)d days", n), about=match)   # lazy_ngettext

A value may be a number, a date (written as the reader's locale writes dates), words marked with `_l` (a
status's label: translated for the reader), a `Named` reference (a country, an organisation: named in the
reader's language) or text (stored as given: references, what people wrote). Plain English text is its own
msgid."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from flask_babel import LazyString
from sqlalchemy import func, select, update

from exchange.core.extensions import db
from exchange.core.models import utcnow
from exchange.core.side_writes import defer_write
from exchange.core.statuses import Role
from exchange.messages.models import Notification, written
from exchange.people.models import Organisation, User

MESSAGE_MAX = 5000


def users_of(organisations: Iterable[Organisation | int], roles: tuple[str, ...] | None = None) -> list[User]:
    """The active users of these organisations (optionally only some roles)."""
    ids = [o if isinstance(o, int) else o.id for o in organisations]
    if not ids:
        return []
    stmt = select(User).where(User.organisation_id.in_(ids), User.active.is_(True))
    if roles:
        stmt = stmt.where(User.role.in_(roles))
    return list(db.session.scalars(stmt))


def coordinators() -> list[User]:
    return list(db.session.scalars(select(User).where(User.role == Role.COORDINATOR, User.active.is_(True))))


# Every kind of notification the app sends (mail.KIND_SUBJECTS gives each its e-mail subject). `notify`
# refuses any other, so that a new kind is named here and tests/test_notification_visibility.py, which
# walks each kind against each visibility, fails until it has a case.
KINDS = frozenset({
    "request.submitted", "request.received", "request.review", "request.accept", "request.request-info", "request.reject",
    "request.withdraw", "request.close", "request.routed", "request.assigned",
    "match.proposed", "match.accept", "match.decline", "match.start", "match.complete", "match.confirm",
    "match.withdraw",
    "message.posted",
    "reminder.request", "reminder.match", "reminder.feedback",
    "organisation.approved", "organisation.rejected",
    "subscription.request", "subscription.offer",
})


# The record types a notification (and a thread marker) names, as the audit trail names them; by class name,
# so that telling people imports none of the areas whose records it tells of.
RECORD_TYPES: dict[str, str] = {"AssistanceRequest": "request", "Offer": "offer", "Match": "match",
                                "Organisation": "organisation"}
# The page that shows each type of record: (endpoint, the argument naming the record). An organisation's
# news (its approval) leads to its people's home page.
RECORD_PAGES: dict[str, tuple[str, str | None]] = {
    "request": ("requests.detail", "request_id"), "offer": ("offers.detail", "offer_id"),
    "match": ("matches.detail", "match_id"), "organisation": ("home.index", None),
}
# The part of the record's page a kind of notification leads to.
KIND_ANCHORS = {"message.posted": "thread"}


def record_ref(record) -> tuple[str, int]:
    """(record_type, record_id) of a request, offer, match or organisation."""
    record_type = RECORD_TYPES.get(type(record).__name__)
    if record_type is None:
        raise TypeError(f"A notification cannot be about a {type(record).__name__}.")
    return record_type, record.id


@dataclass(frozen=True)
class Page:
    """Where a notification leads: build it with `url_for(page.endpoint, **page.values, _anchor=page.anchor)`
    in a request, or with the app's route table outside one (mail.py)."""
    endpoint: str
    values: dict = field(default_factory=dict)
    anchor: str | None = None


def page_of(record_type: str, record_id: int, kind: str = "") -> Page:
    """The page of the record a notification of `kind` names."""
    endpoint, argument = RECORD_PAGES[record_type]
    return Page(endpoint, {argument: record_id} if argument else {}, KIND_ANCHORS.get(kind))


def _params(message, values: dict | None) -> tuple[str, dict]:
    """(the English text, the params that write it in any language) of a notification's words."""
    from exchange.core.i18n import speaking
    values = dict(values or {})
    if isinstance(message, LazyString):
        args, values = message._args, {**message._kwargs, **values}
        params = {"msgid": args[0], "plural": args[1], "num": args[2]} if len(args) == 3 else {"msgid": args[0]}
    else:
        params = {"msgid": str(message)}
    params["values"] = {key: _stored(value) for key, value in values.items()}
    with speaking("en"):
        return written(str(message), params), params


@dataclass(frozen=True)
class Named:
    """A notification's value that is the name of a reference record (`kind` "country", "organisation", …, as
    reference.names knows them), written in the reader's language when read; `default` if it has no name."""
    kind: str
    code: str
    default: str = ""

    def __str__(self) -> str:
        from exchange.reference.names import name
        return name(self.kind, self.code, self.default or None)


def _stored(value):
    """A value as JSON: numbers as they are, a date as {"date": ISO} (written per the reader's locale), words
    marked with `_l` (a status's label) as {"msgid": …} (translated for the reader), a `Named` reference as
    {"name": [kind, code, default]} (named for the reader), anything else as text."""
    if isinstance(value, LazyString) and len(value._args) == 1 and not value._kwargs:
        return {"msgid": value._args[0]}
    if isinstance(value, Named):
        return {"name": [value.kind, value.code, value.default]}
    if isinstance(value, bool) or not isinstance(value, int | float | date):
        return str(value)
    return {"date": value.isoformat()[:10]} if isinstance(value, date) else value


def notify(recipients: Iterable[User], kind: str, message, exclude: User | None = None, *, about,
           values: dict | None = None) -> int:
    """Add one notification per recipient (once each, never to `exclude`, the person acting) about the record
    `about` (a request, offer, match or organisation), which the notification names (`record_ref`). The one
    gate of every recipient list: whoever may not see `about` (access.who_may_see) is left out, so nobody is
    told of a record hidden from them, in the inbox or by e-mail (mail.py e-mails exactly these rows).
    `message` is the English msgid (see the module's docstring), `values` its placeholders' values.
    Each reader's choice for the kind (messages/preferences.py) decides whether the row goes in the inbox
    now, at the daily digest, or only to the e-mail; nobody who wants it nowhere gets a row.
    Returns how many were added."""
    from exchange.core.visibility import who_may_see
    if kind not in KINDS:
        raise ValueError(f"Unknown notification kind {kind!r}: add it to notify.KINDS (and a visibility case).")
    if about is None:
        raise ValueError("A notification is about a record: pass about=.")
    seen: set[int] = set()
    candidates = []
    for user in recipients:
        if user is None or user.id in seen or (exclude is not None and user.id == getattr(exclude, "id", None)):
            continue
        seen.add(user.id)
        candidates.append(user)
    allowed = who_may_see(candidates, about)
    record_type, record_id = record_ref(about)
    english, params = _params(message, values)
    from exchange.messages.preferences import Delivery, delivery_choices
    choices = delivery_choices([user.id for user in allowed], kind)  # each reader's choice (preferences.py)
    added = 0
    for user in allowed:
        in_app, email = choices.get(user.id, (Delivery.NOW, Delivery.NOW))
        if in_app == Delivery.OFF and email == Delivery.OFF:
            continue
        db.session.add(Notification(user_id=user.id, kind=kind, message=english, params=params,
                                    record_type=record_type, record_id=record_id,
                                    inbox_hold=None if in_app == Delivery.NOW else str(in_app)))
        added += 1
    return added


# --------------------------------------------------------------------------------------------
# The inbox.

def in_inbox():
    """The notifications an inbox shows: not held for a digest nor kept for the e-mail only."""
    return Notification.inbox_hold.is_(None)


def unread_count(user) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None), in_inbox())) or 0


def open_notification(user, notification_id: int) -> Notification | None:
    """The user's own notification (None if it is not theirs or does not exist), marked read after the
    request in a transaction of its own (opening one is a GET, and a read never writes in its transaction)."""
    note = db.session.scalar(select(Notification).where(Notification.id == notification_id,
                                                        Notification.user_id == user.id, in_inbox()))
    if note is not None and note.read_at is None:
        note_id, at = note.id, utcnow()
        defer_write(lambda connection: connection.execute(update(Notification).where(
            Notification.id == note_id, Notification.read_at.is_(None)).values(read_at=at)))
    return note


__all__ = ["KINDS", "MESSAGE_MAX", "Named", "Page", "coordinators", "in_inbox", "notify", "open_notification", "page_of", "record_ref",
           "unread_count", "users_of"]
