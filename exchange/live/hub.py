"""Each web process's listener of live events: it hears every published event (brokers.py), keeps the recent
ones (for `Last-Event-ID` and the polling fallback), and hands each open stream the events its person may see.

The access policy decides at delivery, per subscriber: for each event the hub loads the record once and asks
`core.visibility.who_may_see` of the people holding streams in this process (one query for each role and
organisation among them), with their rows read again (a disabled account, an ended session or a revoked
token hears nothing more, and its stream ends). What is sent names the record and nothing of its content:
its type, id and status, and the related records the person may also see (a match's request and offer, the
record whose thread a message is in). A notification's event reaches its owner only.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy import func, select

from exchange.core.extensions import db
from exchange.core.models import utcnow
from exchange.core.visibility import who_may_see
from exchange.live.brokers import GAP, broker_for
from exchange.matches.models import Match
from exchange.messages.models import Message, Notification
from exchange.messages.notify import in_inbox
from exchange.messages.policy import may_read_message, may_see_message_thread
from exchange.offers.models import Offer
from exchange.people.models import ApiToken, User, UserSession
from exchange.requests.models import AssistanceRequest

log = logging.getLogger(__name__)

MODELS = {"request": AssistanceRequest, "offer": Offer, "match": Match}
RESYNC = "resync"  # what a subscriber's queue receives when it may have missed events


class Full(Exception):
    """This process holds as many streams as it may (LIVE_MAX_STREAMS): the client should poll."""


@dataclass(eq=False)
class Subscriber:
    """One open stream: whose it is, by which credential (a session row or an API token), and its queue."""
    user_id: int
    session_id: int | None = None
    token_id: int | None = None
    queue: queue.Queue = field(default_factory=lambda: queue.Queue(maxsize=500))
    closed: bool = False
    reading: bool = False   # its stream has begun to be sent
    opened: float = field(default_factory=time.monotonic)

    def abandoned(self) -> bool:
        """An answer opened and never sent (its client went away before the first byte)."""
        return not self.reading and time.monotonic() - self.opened > 30

    def put(self, item) -> None:
        try:
            self.queue.put_nowait(item)
        except queue.Full:  # a stream that does not read: it resynchronises when it does
            self._drain()
            self.queue.put_nowait(RESYNC)

    def _drain(self) -> None:
        try:
            while True:
                self.queue.get_nowait()
        except queue.Empty:
            pass

    def close(self) -> None:
        self.closed = True
        self.put(None)


@dataclass
class Prepared:
    """An event with its record loaded: enough to decide who may hear of it and what they are told."""
    id: int
    payload: dict
    record: object = None                 # what visibility is asked of (a message: its thread's record)
    message: object = None                # a message's event: the message (its audience is asked too)
    extra: dict = field(default_factory=dict)
    related: dict = field(default_factory=dict)   # field → (record, id): told only to who may see it


class Hub:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self._broker = None
        self._lock = threading.Lock()
        self._subscribers: set[Subscriber] = set()
        self._recent: deque[tuple[int, dict]] = deque(maxlen=int(app.config.get("LIVE_RECENT_EVENTS", 1000)))
        self._newest = 0
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    # --------------------------------------------------------------------------------------------
    # The broker and the listening thread (started by the first stream or poll of this process).

    @property
    def broker(self):
        if self._broker is None:
            with self._lock:
                if self._broker is None:
                    self._broker = broker_for(self.app.config.get("EVENTS_URL") or "memory://",
                                              self.app.config.get("EVENTS_CHANNEL") or "")
        return self._broker

    def start(self) -> None:
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stop.clear()
            ready = threading.Event()
            self._thread = threading.Thread(target=self._listen, args=(ready,), name="exchange-live", daemon=True)
            self._thread.start()
        ready.wait(2)

    def stop(self) -> None:
        self._stop.set()
        for subscriber in list(self._subscribers):
            subscriber.close()
        if self._thread is not None:
            self._thread.join(5)

    def _listen(self, ready: threading.Event) -> None:
        stream = self.broker.listen(self._stop)  # listening from here on
        ready.set()
        while not self._stop.is_set():
            try:
                for event_id, payload in stream:
                    if (event_id, payload) == GAP:
                        self._resync_all()
                    else:
                        self._receive(event_id, payload)
            except Exception:  # one bad event must not end this process's live pages
                log.exception("Live events: delivery failed")
                stream = self.broker.listen(self._stop)
                self._resync_all()

    def _resync_all(self) -> None:
        with self._lock:
            self._recent.clear()
            subscribers = list(self._subscribers)
        for subscriber in subscribers:
            subscriber.put(RESYNC)

    # --------------------------------------------------------------------------------------------
    # Streams.

    def subscribe(self, user, *, session_id: int | None = None, token_id: int | None = None) -> Subscriber:
        self.start()
        limit = int(self.app.config.get("LIVE_MAX_STREAMS", 50))
        with self._lock:
            self._subscribers -= {s for s in self._subscribers if s.abandoned()}
            if len(self._subscribers) >= limit:
                raise Full()
            subscriber = Subscriber(user.id, session_id, token_id)
            self._subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        with self._lock:
            self._subscribers.discard(subscriber)

    @property
    def streams(self) -> int:
        return len(self._subscribers)

    @property
    def newest(self) -> int:
        return self._newest

    def _receive(self, event_id: int, payload: dict) -> None:
        with self._lock:
            self._recent.append((event_id, payload))
            self._newest = max(self._newest, event_id)
            self._subscribers -= {s for s in self._subscribers if s.abandoned()}
            subscribers = [s for s in self._subscribers if not s.closed]
        if not subscribers:
            return
        with self.app.app_context():
            try:
                prepared = prepare(event_id, payload)
                if prepared is None:
                    return
                users = _live_users(subscribers)
                told = tell(prepared, list(users.values()))
                for subscriber in subscribers:
                    user = users.get(subscriber)
                    if user is None:
                        subscriber.close()  # account disabled, session ended, token revoked
                    elif user.id in told:
                        subscriber.put(told[user.id])
            finally:
                db.session.remove()

    def since(self, user, last_id: int) -> list[dict] | None:
        """What `user` may see of the events after `last_id`, oldest first; None when those are no longer all
        held (too old, another broker's id, a restart): the client should resynchronise."""
        self.start()
        with self._lock:
            recent = list(self._recent)
            newest = self._newest
        if last_id == newest:
            return []
        ids = [event_id for event_id, _ in recent]
        if last_id not in ids:
            return None
        result = []
        for event_id, payload in recent[ids.index(last_id) + 1:]:
            prepared = prepare(event_id, payload)
            if prepared is not None and (told := tell(prepared, [user])):
                result.append(told[user.id])
        return result


def _live_users(subscribers: list[Subscriber]) -> dict[Subscriber, User]:
    """The subscribers whose account is active and whose session or token still holds, with their user rows
    read now (role, organisation and approval as they are at this delivery)."""
    user_ids = {s.user_id for s in subscribers}
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids), User.active.is_(True)))}
    session_ids = {s.session_id for s in subscribers if s.session_id is not None}
    token_ids = {s.token_id for s in subscribers if s.token_id is not None}
    live_sessions = set(db.session.scalars(select(UserSession.id).where(
        UserSession.id.in_(session_ids), UserSession.ended_at.is_(None)))) if session_ids else set()
    now = utcnow()
    live_tokens = {t.id for t in db.session.scalars(select(ApiToken).where(ApiToken.id.in_(token_ids)))
                   if t.state(now) == "active"} if token_ids else set()
    result = {}
    for subscriber in subscribers:
        user = users.get(subscriber.user_id)
        if user is None:
            continue
        if subscriber.session_id is not None and subscriber.session_id not in live_sessions:
            continue
        if subscriber.token_id is not None and subscriber.token_id not in live_tokens:
            continue
        result[subscriber] = user
    return result


def prepare(event_id: int, payload: dict) -> Prepared | None:
    """The event with its record loaded (None when the record is gone)."""
    record_type, record_id = payload.get("record_type"), payload.get("record_id")
    prepared = Prepared(event_id, payload)
    if record_type in MODELS:
        record = db.session.get(MODELS[record_type], record_id)
        if record is None:
            return None
        prepared.record = record
        prepared.extra["status"] = str(record.status)
        if isinstance(record, Match):
            prepared.related = {"request_id": (record.request, record.request_id),
                                "offer_id": (record.offer, record.offer_id)}
    elif record_type == "message":
        message = db.session.get(Message, record_id)
        if message is None:
            return None
        thread = db.session.get(Match, message.match_id) if message.match_id else \
            db.session.get(AssistanceRequest, message.request_id)
        if thread is None:
            return None
        prepared.record, prepared.message = thread, message
        prepared.extra["thread"] = {"record_type": "match" if message.match_id else "request",
                                    "record_id": thread.id}
        if isinstance(thread, Match):
            prepared.related = {"request_id": (thread.request, thread.request_id)}
    elif record_type == "notification":
        note = db.session.get(Notification, record_id)
        if note is None or note.inbox_hold is not None:   # held for the digest, or for e-mail only: not in the inbox
            return None
    else:
        return None
    return prepared


def tell(prepared: Prepared, users: list) -> dict[int, dict]:
    """user id → the event as that user may be told it, for those of `users` who may hear of it at all."""
    payload = prepared.payload
    base = {"id": prepared.id, "type": payload["type"], "record_type": payload["record_type"],
            "record_id": payload["record_id"]}
    if payload["record_type"] == "notification":
        owners = set(payload.get("audience") or [])
        result = {}
        for user in users:
            if user.id in owners:
                unread = db.session.scalar(select(func.count()).select_from(Notification).where(
                    Notification.user_id == user.id, Notification.read_at.is_(None), in_inbox())) or 0
                result[user.id] = {**base, "unread": unread}
        return result
    allowed = who_may_see(users, prepared.record)
    if payload["record_type"] == "message":
        allowed = [u for u in allowed if may_see_message_thread(u, prepared.record)
                   and may_read_message(u, prepared.message)]
    related_seen = {name: {u.id for u in who_may_see(allowed, record)} if record is not None else set()
                    for name, (record, _id) in prepared.related.items()}
    result = {}
    for user in allowed:
        told = {**base, **prepared.extra}
        for name, (_record, related_id) in prepared.related.items():
            if user.id in related_seen[name]:
                told[name] = related_id
        result[user.id] = told
    return result


def hub_of(app: Flask) -> Hub:
    return app.extensions["exchange_live"]


def wait_for_listener(app: Flask, timeout: float = 2.0) -> bool:
    """Whether this process's hub listens (for tests and the polling view)."""
    hub = hub_of(app)
    hub.start()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if hub._thread is not None and hub._thread.is_alive():
            return True
        time.sleep(0.01)
    return False
