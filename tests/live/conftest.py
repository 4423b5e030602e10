"""Fixtures of the live events' tests: listening to the test app's hub as each person would."""
from __future__ import annotations

import pytest

from exchange.live.hub import hub_of
from tests.helpers import settle


@pytest.fixture
def listen(app, people):
    """listen(*names) → {name: Subscriber}: streams of these people on the test app's hub (memory broker),
    closed after the test. They hear only what is published after they open: what earlier commits published is
    handled first (`settle`)."""
    hub = hub_of(app)
    opened = []

    def open_for(*names, **credentials):
        settle(app)
        subscribers = {}
        for name in names:
            subscriber = hub.subscribe(getattr(people, name), **credentials)
            subscriber.reading = True
            opened.append(subscriber)
            subscribers[name] = subscriber
        return subscribers

    yield open_for
    for subscriber in opened:
        hub.unsubscribe(subscriber)
