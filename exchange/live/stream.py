"""The server-sent event stream both the API (`GET /api/v1/events`) and the pages (`/live/stream`) serve.

- It opens with `retry:` and a comment, so the headers leave at once; then one event per change the person may
  see: `id: <event id>` and `data: {"id", "type", "record_type", "record_id", …}` (one JSON object).
- A comment (`: heartbeat`) every LIVE_HEARTBEAT_SECONDS (15 s) keeps proxies from closing a quiet stream
  and lets the server notice a client that left.
- `Last-Event-ID` (sent by browsers when they reconnect) replays what followed that event, if this process
  still holds it; otherwise, and whenever events may have been missed, a `resync` event (`event: resync`,
  `data: {"type": "resync", "record_type": null, "record_id": null}`) tells the client to reload what it shows.
- A stream ends after LIVE_STREAM_SECONDS (5 minutes); the client reconnects through the guard, so a session
  or token that ended stops being served (the hub also ends it at its next delivery).

The stream reads no database while it is open: the view has read the caller and the replay, and its
transaction ended with the request (a stream held for minutes holds no connection).
"""
from __future__ import annotations

import json
import queue
import time
from collections.abc import Iterator

from flask import Response, current_app
from flask_babel import lazy_gettext as _l

from exchange.core.errors import ExchangeError
from exchange.live.hub import RESYNC, Full, Hub, Subscriber, hub_of

MEDIA_TYPE = "text/event-stream"


class StreamsFull(ExchangeError):
    """This server holds as many live streams as it may: the page polls instead."""
    code, status = "unavailable", 503
    default_message = _l("This server holds as many live streams as it may. Try again in a minute.")


def last_event_id(header: str | None) -> int | None:
    """The id a reconnecting client names (`Last-Event-ID`), or None when there is none or it is not ours."""
    value = (header or "").strip()
    return int(value) if value.isdigit() and len(value) < 20 else None


def sse(event: dict, name: str | None = None) -> str:
    """One event as the stream writes it."""
    lines = [f"id: {event['id']}"] if event.get("id") else []
    if name:
        lines.append(f"event: {name}")
    lines.append("data: " + json.dumps(event, separators=(",", ":"), ensure_ascii=False))
    return "\n".join(lines) + "\n\n"


def resync_event(hub: Hub) -> str:
    return sse({"id": hub.newest or None, "type": RESYNC, "record_type": None, "record_id": None}, RESYNC)


def open_stream(user, last_id: int | None, *, session_id: int | None = None,
                token_id: int | None = None) -> Response:
    """The streaming answer for `user` (StreamsFull when this process holds LIVE_MAX_STREAMS already)."""
    app = current_app._get_current_object()
    hub = hub_of(app)
    try:
        subscriber = hub.subscribe(user, session_id=session_id, token_id=token_id)
    except Full:
        raise StreamsFull() from None
    replay = hub.since(user, last_id) if last_id is not None else []
    body = _events(hub, subscriber, last_id or 0, replay, float(app.config.get("LIVE_HEARTBEAT_SECONDS", 15)),
                   float(app.config.get("LIVE_STREAM_SECONDS", 300)))
    response = Response(body, mimetype=MEDIA_TYPE)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    response.call_on_close(lambda: hub.unsubscribe(subscriber))
    return response


def _events(hub: Hub, subscriber: Subscriber, sent: int, replay: list[dict] | None, heartbeat: float,
            lifetime: float) -> Iterator[str]:
    subscriber.reading = True
    try:
        yield "retry: 2000\n: connected\n\n"
        if replay is None:
            yield resync_event(hub)
        for event in replay or []:
            sent = event["id"]
            yield sse(event)
        deadline = time.monotonic() + lifetime
        while not subscriber.closed:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                item = subscriber.queue.get(timeout=min(heartbeat, remaining))
            except queue.Empty:
                yield ": heartbeat\n\n"
                continue
            if item is None:
                break
            if item == RESYNC:
                yield resync_event(hub)
            elif item["id"] > sent:  # an event the replay gave already comes once
                sent = item["id"]
                yield sse(item)
    finally:
        hub.unsubscribe(subscriber)
