"""Live pages as in production: gunicorn with 2 web processes (gthread workers, exchange/deploy/gunicorn_conf.py)
and Redis carrying the events between them, on the test database; Chromium with one browser context a person.

- A coordinator's triage queue shows a request a focal point submits through the form in another context,
  without a reload (timed from the click); then 19 more, filed through the API (each answered by either
  process), are timed from the call that files it (an upper bound: the call's own time is counted, since its
  event may reach the page before its answer reaches the test) to the moment its event
  reaches the coordinator's page and to the moment its row is on the screen (a MutationObserver's clock, the
  same machine's): median and 95th percentile are printed and written to test-artifacts/live-latency.txt
  (the README quotes a run).
- A provider's unread count in the navigation rises while its page is open, each time a coordinator proposes
  one of its offers (timed the same way).
- Events crossed processes: the gunicorn access log names the process that served each call.

Slow (two browsers, about a minute): marked `browser`, it runs with the rest of the suite.
"""
from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from exchange.core.extensions import db
from tests.factories import REQUEST, make_api_token, make_offer, make_request
from tests.helpers import ARTIFACTS, DATABASE_URL, UPLOADS, screenshot, sign_in

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("EXCHANGE_TEST_REDIS_URL", "redis://127.0.0.1:6379/2")
CHANGES = 20
# Records when each watched element first appears in the page, by its id (Date.now(), milliseconds).
WATCH = """() => {
  window.__seen = window.__seen || {};
  const note = (node) => {
    if (!(node instanceof Element)) return;
    const found = [node, ...node.querySelectorAll('[id]')];
    for (const el of found) { if (el.id && !(el.id in window.__seen)) window.__seen[el.id] = Date.now(); }
  };
  document.querySelectorAll('[id]').forEach((el) => { window.__seen[el.id] = 0; });
  window.__heard = {};
  document.addEventListener('exchange:live-event', (e) => {
    const key = e.detail.type + ':' + e.detail.record_id;
    if (!(key in window.__heard)) window.__heard[key] = Date.now();
  });
  new MutationObserver((records) => records.forEach((r) => r.addedNodes.forEach(note)))
    .observe(document.body, {childList: true, subtree: true});
}"""
BADGE = """() => {
  window.__badges = [];
  const read = () => (document.querySelector('#live-unread [aria-hidden]') || {}).textContent || '0';
  let last = read();
  new MutationObserver(() => { const now = read(); if (now !== last) { last = now; window.__badges.push([now, Date.now()]); } })
    .observe(document.body, {childList: true, subtree: true, characterData: true});
}"""


def _redis_or_skip():
    import redis
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL} (the live test runs gunicorn's processes over Redis)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def site(app, people, tmp_path):
    """gunicorn, 2 workers, on the test database with Redis events; yields its base URL and its access log."""
    _redis_or_skip()
    port, log = _free_port(), tmp_path / "gunicorn.log"
    channel = f"exchange-live-test-{uuid.uuid4().hex}"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "EXCHANGE_DATABASE_URL": DATABASE_URL,
           "EXCHANGE_SECRET_KEY": "live-test-" + uuid.uuid4().hex + uuid.uuid4().hex,
           "EXCHANGE_EVENTS_URL": REDIS_URL, "EXCHANGE_EVENTS_CHANNEL": channel,
           "EXCHANGE_UPLOAD_FOLDER": str(UPLOADS), "EXCHANGE_MATCHING_EMBED_AFTER_COMMIT": "off",
           "GUNICORN_THREADS": "16"}
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:exchange.deploy.gunicorn_conf", "--workers", "2",
             "--bind", f"127.0.0.1:{port}", "--access-logfile", str(tmp_path / "access.log"),
             "--access-logformat", "%(p)s %(m)s %(U)s %(s)s", "--no-control-socket", "--chdir", str(ROOT),
             "wsgi:app"], env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/api/v1/openapi.json")
            if connection.getresponse().status == 200:
                break
        except OSError:
            time.sleep(0.2)
        assert process.poll() is None, log.read_text()[-2000:]
    else:
        pytest.fail("gunicorn did not start: " + log.read_text()[-2000:])
    yield f"http://127.0.0.1:{port}", tmp_path / "access.log"
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(20)
    import redis
    redis.Redis.from_url(REDIS_URL).delete(channel + ":last-id")


def _call(base: str, method: str, path: str, token: str, body: dict | None = None):
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    connection.request(method, path, body=json.dumps(body) if body is not None else None,
                       headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    response = connection.getresponse()
    answer = response.status, json.loads(response.read() or b"null")
    connection.close()
    return answer


def _figures(label: str, samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (f"{label}: {len(samples)} changes, median {statistics.median(samples):.0f} ms, p95 {p95:.0f} ms, "
            f"max {ordered[-1]:.0f} ms")


def test_triage_and_unread_count_update_live_across_two_gunicorn_processes(app, people, browser, site):
    base, access_log = site
    with app.app_context():
        state_token = make_api_token(people.state)
        coordinator_token = make_api_token(people.coordinator)
        offer_id = make_offer(people).id
        open_ids = [make_request(people, "open", title=f"Open request number {n} for proposals").id for n in range(5)]
        db.session.commit()
        db.session.remove()

    contexts = [browser.new_context(base_url=base) for _ in range(3)]
    coordinator, state, provider = (c.new_page() for c in contexts)
    try:
        sign_in(coordinator, people.coordinator.email)
        sign_in(state, people.state.email)
        sign_in(provider, people.provider.email)
        coordinator.goto("/triage")
        expect(coordinator.locator("html")).to_have_attribute("data-live", "stream", timeout=10000)
        coordinator.evaluate(WATCH)

        # 1. The focal point files through the form; the coordinator's queue shows it, no reload.
        state.goto("/requests/new")
        state.get_by_label("Title").fill("Forensic laboratory for explosives cases")
        state.get_by_label("Institution that benefits").fill(REQUEST["beneficiary"])
        state.get_by_label("What is needed").fill(REQUEST["description"])
        state.get_by_label("Terrorist financing").check()
        state.get_by_label("Training", exact=True).check()
        state.get_by_label("English (UN official language)").check()
        state.get_by_label("High", exact=True).check()
        clicked = time.time() * 1000  # before the commit: this one's figure is an upper bound
        state.get_by_role("button", name="Submit for review").click()
        expect(state.locator(".flash-messages")).to_contain_text("submitted for review")
        filed_id = int(re.search(r"/requests/(\d+)", state.url).group(1))
        row = coordinator.locator(f"#case-{filed_id}")
        expect(row).to_be_visible(timeout=5000)
        expect(row).to_contain_text("Forensic laboratory for explosives cases")
        latencies = [coordinator.evaluate(f"() => window.__seen['case-{filed_id}']") - clicked]
        arrivals = [coordinator.evaluate(f"() => window.__heard['request.submitted:{filed_id}']") - clicked]
        assert "/triage" in coordinator.url

        # 2. Nineteen more through the API, timed from each call to its row on the screen.
        for n in range(CHANGES - 1):
            at = time.time() * 1000  # before the call: its event may reach the page before the answer does
            status, body = _call(base, "POST", "/api/v1/requests", state_token,
                                 REQUEST | {"title": f"Live triage request number {n}"})
            assert status == 201, body
            expect(coordinator.locator(f"#case-{body['id']}")).to_be_visible(timeout=5000)
            latencies.append(coordinator.evaluate(f"() => window.__seen['case-{body['id']}']") - at)
            arrivals.append(coordinator.evaluate(f"() => window.__heard['request.submitted:{body['id']}']") - at)
        screenshot(coordinator, "live-triage-queue")

        # 3. The provider's unread count rises while its page is open.
        provider.goto("/")
        expect(provider.locator("html")).to_have_attribute("data-live", "stream", timeout=10000)
        provider.evaluate(BADGE)
        before = provider.locator("#live-unread [aria-hidden]").all_inner_texts()
        count = int(before[0]) if before else 0
        unread_latencies = []
        for request_id in open_ids:
            at = time.time() * 1000
            status, body = _call(base, "POST", "/api/v1/matches", coordinator_token,
                                 {"request_id": request_id, "offer_id": offer_id, "note": "A close fit."})
            assert status == 201, body
            count += 1
            expect(provider.locator("#live-unread [aria-hidden]")).to_have_text(str(count), timeout=5000)
            shown = provider.evaluate(f"() => (window.__badges.find(b => b[0] === '{count}') || [0, 0])[1]")
            unread_latencies.append(shown - at)
        assert "/" == provider.url.removeprefix(base)[:1]
        screenshot(provider, "live-unread-count")
    finally:
        for context in contexts:
            context.close()

    report = "\n".join([_figures("event (request submitted → its event in the coordinator's page)", arrivals),
                        _figures("triage queue (request submitted → row on the coordinator's screen)", latencies),
                        _figures("unread count (match proposed → provider's badge)", unread_latencies)])
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "live-latency.txt").write_text(report + "\n")
    print("\n" + report)
    assert all(value > 0 for value in latencies + unread_latencies)  # seen after the change, never before
    assert all(value > 0 for value in arrivals)  # (a row may show before its own event: an earlier refresh got it)

    # Both processes took part: each filed some of the requests, and each of them reached the coordinator's page,
    # whose stream one process held: the other's events crossed through Redis.
    lines = [line.split() for line in access_log.read_text().splitlines() if line.strip()]
    filers = {pid for pid, method, path, _status in lines if method == "POST" and path == "/api/v1/requests"}
    assert len(filers) == 2, filers
