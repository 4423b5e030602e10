"""The event streams over real HTTP: `GET /api/v1/events` (bearer token) and `/live/stream` (session cookie)
served by a threaded server, read as a client reads them (http.client); the polling fallback; resume with
Last-Event-ID; heartbeats; the cap on streams; and Redis pub/sub carrying events between two apps, as between
two gunicorn processes."""
from __future__ import annotations

import http.client
import json
import queue
import threading
import time
import uuid

import pytest
from werkzeug.serving import make_server

from exchange.app import create_app
from tests.factories import REQUEST
from tests.helpers import signed_in_client, test_config

REDIS_URL = "redis://127.0.0.1:6379/2"


@pytest.fixture
def serve(app):
    """serve(**config) → base (host, port) of a second app on the test database, served in threads."""
    servers = []

    def start(**config):
        served = create_app(test_config(**config))
        server = make_server("127.0.0.1", 0, served, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append((server, served))
        return served, ("127.0.0.1", server.server_port)

    yield start
    for server, served in servers:
        served.extensions["exchange_live"].stop()
        server.shutdown()


class Stream:
    """An open event stream, read line by line in a thread: `.events` (parsed), `.comments`, `.ended`."""

    def __init__(self, address, path: str, headers: dict):
        self.connection = http.client.HTTPConnection(*address, timeout=30)
        self.connection.request("GET", path, headers=headers)
        self.response = self.connection.getresponse()
        self.status = self.response.status
        self.content_type = self.response.getheader("Content-Type", "")
        self.events: queue.Queue = queue.Queue()
        self.comments: queue.Queue = queue.Queue()
        self.ended = threading.Event()
        if self.status == 200:
            threading.Thread(target=self._read, daemon=True).start()
        else:
            self.body = self.response.read()

    def _read(self) -> None:
        fields: dict = {}
        try:
            for raw in self.response:
                line = raw.decode("utf-8").rstrip("\n")
                if not line:
                    if "data" in fields:
                        self.events.put({"id": fields.get("id"), "event": fields.get("event", "message"),
                                         "data": json.loads(fields["data"])})
                    fields = {}
                elif line.startswith(":"):
                    self.comments.put(line[1:].strip())
                else:
                    name, _, value = line.partition(":")
                    fields[name] = value.lstrip(" ")
        except (OSError, ValueError):
            pass
        self.ended.set()

    def next_event(self, timeout: float = 3.0, type_: str | None = None) -> dict | None:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                event = self.events.get(timeout=left)
            except queue.Empty:
                return None
            if type_ is None or event["data"].get("type") == type_:
                return event
        return None

    def close(self) -> None:
        self.connection.close()


def call(address, method: str, path: str, token: str | None = None, body: dict | None = None):
    connection = http.client.HTTPConnection(*address, timeout=30)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, json.loads(data) if data else None


@pytest.fixture
def streams():
    opened = []

    def open_stream(address, path="/api/v1/events", token=None, **headers):
        if token:
            headers["Authorization"] = f"Bearer {token}"
        stream = Stream(address, path, headers)
        opened.append(stream)
        return stream

    yield open_stream
    for stream in opened:
        stream.close()


def test_without_a_valid_token_the_stream_answers_401_with_the_error_body(serve, streams):
    _app, address = serve()
    for token in (None, "not-a-token"):
        stream = streams(address, token=token)
        assert stream.status == 401
        assert json.loads(stream.body)["error"]["code"] == "unauthorized"


def test_the_stream_opens_at_once_and_tells_a_change_to_who_may_see_it(serve, streams, tokens):
    _app, address = serve()
    coordinator = streams(address, token=tokens.coordinator)
    other_state = streams(address, token=tokens.other_state)
    assert coordinator.status == 200 and coordinator.content_type.startswith("text/event-stream")
    assert coordinator.comments.get(timeout=2) == "connected"
    assert other_state.comments.get(timeout=2) == "connected"
    status, req = call(address, "POST", "/api/v1/requests", tokens.state, REQUEST)
    assert status == 201
    event = coordinator.next_event(timeout=3, type_="request.submitted")  # (timed in the browser test)
    assert event is not None
    data = event["data"]
    assert {"type", "record_type", "record_id"} <= set(data)
    assert data["record_type"] == "request" and data["record_id"] == req["id"] and data["status"] == "submitted"
    assert event["id"] == str(data["id"])
    assert other_state.next_event(timeout=0.7) is None  # another State's request: nothing, not even a hint


def test_heartbeats_keep_a_quiet_stream_and_it_ends_after_its_lifetime(serve, streams, tokens):
    _app, address = serve(LIVE_HEARTBEAT_SECONDS=0.2, LIVE_STREAM_SECONDS=1.0)
    stream = streams(address, token=tokens.provider)
    assert stream.comments.get(timeout=2) == "connected"
    assert stream.comments.get(timeout=2) == "heartbeat"
    assert stream.ended.wait(5)  # the client reconnects (through the guard again)


def test_last_event_id_replays_what_followed_and_an_unknown_one_asks_to_resync(serve, streams, tokens):
    _app, address = serve()
    first = streams(address, token=tokens.coordinator)
    call(address, "POST", "/api/v1/requests", tokens.state, REQUEST)
    seen = first.next_event(type_="request.submitted")
    first.close()
    _, second_req = call(address, "POST", "/api/v1/requests", tokens.state, REQUEST | {"title": "A second request"})
    _, other = call(address, "POST", "/api/v1/requests", tokens.other_state, REQUEST | {"title": "Nigeria's need"})
    resumed = streams(address, token=tokens.state, **{"Last-Event-ID": seen["id"]})
    replayed = resumed.next_event(type_="request.submitted")
    assert replayed["data"]["record_id"] == second_req["id"]
    # Nigeria's request is not replayed to Kazakhstan's focal point.
    assert all(e["data"]["record_id"] != other["id"] for e in _drain(resumed))
    unknown = streams(address, token=tokens.state, **{"Last-Event-ID": "12345"})
    resync = unknown.next_event()
    assert resync["event"] == "resync" and resync["data"]["type"] == "resync"


def _drain(stream, wait: float = 0.5) -> list[dict]:
    found = []
    while (event := stream.next_event(timeout=wait)) is not None:
        found.append(event)
    return found


def test_the_page_stream_and_the_polling_fallback_follow_the_session(app, people, serve, streams, tokens):
    served, address = serve()
    anonymous = streams(address, path="/live/stream")
    assert anonymous.status == 302 and "/login" in anonymous.response.getheader("Location", "")
    client = signed_in_client(served, people.coordinator.id)
    cookie = client.get_cookie(served.config.get("SESSION_COOKIE_NAME", "session"))
    headers = {"Cookie": f"{cookie.key}={cookie.value}"}
    page = streams(address, path="/live/stream", **headers)
    assert page.status == 200 and page.content_type.startswith("text/event-stream")
    assert page.comments.get(timeout=2) == "connected"
    _, first = call(address, "POST", "/api/v1/requests", tokens.state, REQUEST)
    assert page.next_event(type_="request.submitted")["data"]["record_id"] == first["id"]
    # The polling fallback: the newest id first, then what follows it.
    connection = http.client.HTTPConnection(*address, timeout=10)
    connection.request("GET", "/live/poll", headers=headers)
    start = json.loads(connection.getresponse().read())
    assert start["events"] == [] and start["last_id"] > 0
    _, req = call(address, "POST", "/api/v1/requests", tokens.state, REQUEST | {"title": "A second request"})
    assert page.next_event(type_="request.submitted")["data"]["record_id"] == req["id"]
    connection.request("GET", f"/live/poll?after={start['last_id']}", headers=headers)
    polled = json.loads(connection.getresponse().read())
    assert polled["resync"] is False and polled["last_id"] > start["last_id"]
    assert [e["record_id"] for e in polled["events"] if e["type"] == "request.submitted"] == [req["id"]]
    connection.request("GET", "/live/poll?after=999", headers=headers)  # an id this process never gave
    assert json.loads(connection.getresponse().read())["resync"] is True
    connection.close()


def test_a_server_with_all_its_streams_taken_answers_503_and_the_page_polls(serve, streams, tokens):
    _app, address = serve(LIVE_MAX_STREAMS=1)
    held = streams(address, token=tokens.coordinator)
    assert held.status == 200
    refused = streams(address, token=tokens.provider)
    assert refused.status == 503
    assert json.loads(refused.body)["error"]["code"] == "unavailable"


def test_a_revoked_token_hears_nothing_more(app, people, serve, streams, tokens):
    from exchange.core.extensions import db
    from exchange.people.models import ApiToken
    _app, address = serve()
    stream = streams(address, token=tokens.provider)
    assert stream.comments.get(timeout=2) == "connected"
    with app.app_context():
        for row in db.session.scalars(db.select(ApiToken).where(ApiToken.user_id == people.provider.id)):
            row.revoked_at = row.created_at
        db.session.commit()
    call(address, "POST", "/api/v1/requests", tokens.state, REQUEST)
    assert stream.next_event(timeout=1.5, type_="request.submitted") is None
    assert stream.ended.wait(3)


def test_redis_carries_events_between_two_processes_apps(serve, streams, tokens):
    pytest.importorskip("redis")
    import redis
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        pytest.skip("no Redis at " + REDIS_URL)
    channel = f"exchange-test-{uuid.uuid4().hex}"
    _a, writer = serve(EVENTS_URL=REDIS_URL, EVENTS_CHANNEL=channel)
    _b, reader = serve(EVENTS_URL=REDIS_URL, EVENTS_CHANNEL=channel)
    coordinator = streams(reader, token=tokens.coordinator)
    other_state = streams(reader, token=tokens.other_state)
    assert coordinator.comments.get(timeout=2) == "connected"
    _, req = call(writer, "POST", "/api/v1/requests", tokens.state, REQUEST)
    event = coordinator.next_event(timeout=3, type_="request.submitted")
    assert event is not None and event["data"]["record_id"] == req["id"]
    assert other_state.next_event(timeout=0.7) is None
    _, second = call(writer, "POST", "/api/v1/requests", tokens.state, REQUEST | {"title": "Another request"})
    later = coordinator.next_event(timeout=3, type_="request.submitted")
    assert later["data"]["record_id"] == second["id"] and int(later["id"]) > int(event["id"])
    redis.Redis.from_url(REDIS_URL).delete(channel + ":last-id")
