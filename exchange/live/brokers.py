"""How live events travel from the process that committed them to every process that holds streams.

Each event gets an increasing id when it is published (the `id:` of the stream, which `Last-Event-ID` names):

- `MemoryBroker` (`memory://`, the embedded default): one process; ids from a counter that starts at the
  clock's milliseconds, so that ids given after a restart are above those given before it.
- `RedisBroker` (`redis://host:port/db`): Redis pub/sub on one channel; a Lua script takes the id (`INCR`)
  and publishes in one step, so ids are global and arrive in order. A web process subscribes when it first
  holds a stream; when the connection drops it reconnects and says so (`GAP`: streams resynchronise).

Publishing never fails a request: the change is committed already, and a lost event costs a page one
refresh (the stream's resync, the polling fallback), never data.
"""
from __future__ import annotations

import contextlib
import itertools
import json
import logging
import queue
import threading
import time
from collections.abc import Iterator

log = logging.getLogger(__name__)

GAP = (0, None)  # yielded by `listen` when events may have been missed (a reconnection)
CHANNEL = "exchange:events"


class MemoryBroker:
    """Events of this process only (a single process: `make run`, the tests)."""

    def __init__(self) -> None:
        self._ids = itertools.count(int(time.time() * 1000))
        self._lock = threading.Lock()
        self._queue: queue.Queue | None = None  # set while a listener runs

    def publish(self, events: list[dict]) -> None:
        target = self._queue
        if target is None:
            return  # nobody in this process listens (a command, a worker): nothing to hold
        with self._lock:
            for event in events:
                target.put((next(self._ids), event))

    def listen(self, stop: threading.Event) -> Iterator[tuple[int, dict | None]]:
        """Start listening now (what is published from here on is held), and iterate over the events."""
        self._queue = held = queue.Queue()

        def events():
            try:
                while not stop.is_set():
                    try:
                        yield held.get(timeout=0.5)
                    except queue.Empty:
                        continue
            finally:
                self._queue = None
        return events()

    def close(self) -> None:
        pass


_PUBLISH = """
local id = redis.call('INCR', KEYS[1])
for i, event in ipairs(ARGV) do
  if i > 1 then id = redis.call('INCR', KEYS[1]) end
  redis.call('PUBLISH', KEYS[2], id .. ' ' .. event)
end
return id
"""


class RedisBroker:
    """Events of every process that shares the Redis database, through pub/sub."""

    def __init__(self, url: str, channel: str = CHANNEL) -> None:
        import redis
        self.url, self.channel, self.counter = url, channel, channel + ":last-id"
        # Short timeouts: a request that committed must not hang on a Redis that does not answer.
        self._client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1,
                                            health_check_interval=30)
        self._script = self._client.register_script(_PUBLISH)

    def publish(self, events: list[dict]) -> None:
        if not events:
            return
        try:
            self._script(keys=[self.counter, self.channel],
                         args=[json.dumps(e, separators=(",", ":")) for e in events])
        except Exception:  # the change is committed; the pages catch up on their next resync
            log.exception("Live events not published to %s", self.url)

    def _subscribed(self):
        import redis
        listener = redis.Redis.from_url(self.url, socket_connect_timeout=2, socket_timeout=5, health_check_interval=30)
        pubsub = listener.pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe(self.channel)
        pubsub.get_message(timeout=1.0)  # the subscription's confirmation: from here on nothing is missed
        return listener, pubsub

    def listen(self, stop: threading.Event) -> Iterator[tuple[int, dict | None]]:
        """Subscribe now (what is published from here on is heard), and iterate over the events; after a lost
        connection, reconnect (with back-off) and yield GAP."""
        import redis
        try:
            first = self._subscribed()
        except (redis.ConnectionError, redis.TimeoutError, OSError):
            log.warning("Live events: no Redis at %s yet; retrying", self.url)
            first = None

        def events():
            connection, backoff = first, 0.5
            while not stop.is_set():
                if connection is None:
                    try:
                        connection = self._subscribed()
                    except (redis.ConnectionError, redis.TimeoutError, OSError):
                        log.warning("Live events: lost Redis at %s; reconnecting in %.1f s", self.url, backoff)
                        stop.wait(backoff)
                        backoff = min(backoff * 2, 10)
                        continue
                    backoff = 0.5
                    yield GAP  # what was published while disconnected was missed
                listener, pubsub = connection
                try:
                    while not stop.is_set():
                        message = pubsub.get_message(timeout=1.0)
                        if message is None or message.get("type") != "message":
                            continue
                        raw = message["data"]
                        raw = raw.decode() if isinstance(raw, bytes) else raw
                        event_id, _, body = raw.partition(" ")
                        try:
                            parsed = int(event_id), json.loads(body)
                        except ValueError:
                            log.warning("A live event that is not ours on %s: %r", self.channel, raw[:200])
                            continue
                        yield parsed
                except (redis.ConnectionError, redis.TimeoutError, OSError):
                    pass
                finally:
                    for closing in (pubsub.close, listener.close):
                        with contextlib.suppress(redis.RedisError, OSError):  # closing a broken connection
                            closing()
                connection = None
        return events()

    def close(self) -> None:
        self._client.close()


def broker_for(url: str, channel: str = CHANNEL):
    """The broker an `EVENTS_URL` names: `memory://` (default) or `redis://…` / `rediss://…` (on `channel`)."""
    url = (url or "memory://").strip()
    if url.startswith("memory://"):
        return MemoryBroker()
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisBroker(url, channel or CHANNEL)
    raise ValueError(f"EXCHANGE_EVENTS_URL: {url!r} is neither memory:// nor redis://…")
