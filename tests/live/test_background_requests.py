"""What a page asks by itself for live updates (the stream, its polling, the regions fetched again with
`X-Exchange-Live: 1`) never counts as its person's activity: an open tab does not keep an idle session alive,
and once the session has lapsed those requests are refused like any other."""
from __future__ import annotations

import time

import pytest

from tests.helpers import signed_in_client

IDLE = 30 * 60  # SESSION_IDLE_TIMEOUT's default


def seen_of(client) -> int:
    with client.session_transaction() as session:
        return session["_seen"]


def set_seen(client, at: int) -> None:
    with client.session_transaction() as session:
        session["_seen"] = at


@pytest.mark.parametrize("path, headers", [("/live/poll", {}), ("/triage", {"X-Exchange-Live": "1"}),
                                           ("/inbox", {"X-Exchange-Live": "1"})])
def test_background_requests_leave_the_idle_clock_alone(app, people, path, headers):
    client = signed_in_client(app, people.coordinator.id)
    earlier = int(time.time()) - 10 * 60
    set_seen(client, earlier)
    assert client.get(path, headers=headers).status_code == 200
    assert seen_of(client) == earlier
    assert client.get("/triage").status_code == 200  # the person's own request counts
    assert seen_of(client) > earlier


def test_after_the_idle_timeout_the_poll_is_signed_out(app, people):
    client = signed_in_client(app, people.provider.id)
    set_seen(client, int(time.time()) - IDLE - 5)
    response = client.get("/live/poll")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
