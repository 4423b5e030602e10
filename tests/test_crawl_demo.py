"""Every page a demo user can reach by following links renders: with the demo data loaded, each role's
client walks the links from its home page (breadth first, GET only) and no page answers a server error,
nor 403 (pages link only to where the person may go), and none writes in its transaction (opening a
notification and reading a thread leave their marks after the request: side_writes)."""
from __future__ import annotations

import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest

from tests.helpers import DEMO_LOGINS, demo_client, writes_in_reads

LINK = re.compile(r'href="(/[^"]*)"')
SKIP = ("/static/", "/bootstrap/", "/logout")
MAX_PAGES = 120

@pytest.mark.parametrize("who", list(DEMO_LOGINS))
def test_every_linked_page_renders_for_each_demo_login(app, demo, who):
    client = demo_client(app, DEMO_LOGINS[who])
    seen, queue, failures = set(), deque(["/"]), []
    with writes_in_reads() as writes:
        _crawl(client, seen, queue, failures)
    print(f"{who}: {len(seen)} pages")
    assert not failures, failures
    assert not writes, writes
    assert len(seen) > (1 if who == "pending_provider" else 10), sorted(seen)


def _crawl(client, seen, queue, failures):
    while queue and len(seen) < MAX_PAGES:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        body = response.get_data()  # read every body whole: streamed exports finish inside their request
        if response.status_code >= 500 or response.status_code == 403:
            failures.append(f"{path}: {response.status_code}")  # a server error, or a link to a closed door
            continue
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        for href in LINK.findall(body.decode()):
            href = urldefrag(href.replace("&amp;", "&"))[0]
            if href and not href.startswith(SKIP) and urlsplit(href).netloc == "" and href not in seen:
                queue.append(href)
