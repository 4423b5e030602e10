"""Live pages in Chromium (the threaded test server, in-process broker): a request's page follows its status and
its thread while its reader is typing (nothing typed is lost); a page that cannot hold a stream polls instead;
pages without JavaScript are the same pages; an updated page has no accessibility violations; screenshots in
English and Arabic, at 1366 and 390 px."""
from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.factories import REQUEST
from tests.helpers import screenshot, sign_in, violations

pytestmark = pytest.mark.browser


def api(base_url: str, method: str, path: str, token: str, body: dict | None = None):
    address = urlsplit(base_url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    connection.request(method, path, body=json.dumps(body) if body is not None else None,
                       headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    response = connection.getresponse()
    answer = response.status, json.loads(response.read() or b"null")
    connection.close()
    return answer


def test_a_request_page_follows_its_status_and_thread_while_its_reader_types(people, tokens, new_page, base_url):
    status, req = api(base_url, "POST", "/api/v1/requests", tokens.state, REQUEST)
    assert status == 201
    state, coordinator = new_page(), new_page()
    sign_in(state, people.state.email)
    sign_in(coordinator, people.coordinator.email)
    state.goto(f"/requests/{req['id']}")
    expect(state.locator("html")).to_have_attribute("data-live", "stream", timeout=10000)
    typing = state.locator("#thread textarea[name=message]")
    typing.fill("Our answer, half written")
    typing.focus()

    assert api(base_url, "POST", f"/api/v1/requests/{req['id']}/accept", tokens.coordinator)[0] == 200
    expect(state.locator("#record-head")).to_contain_text("Open", timeout=5000)

    coordinator.goto(f"/requests/{req['id']}")
    coordinator.locator("#thread textarea[name=message]").fill("Which ministry will host the training?")
    coordinator.locator("#thread button[type=submit]").click()
    expect(state.locator("#thread")).to_contain_text("Which ministry will host the training?", timeout=5000)
    expect(typing).to_have_value("Our answer, half written")  # what the State was typing is still there
    expect(state.locator("#live-status")).to_have_text("This page was updated.")
    assert violations(state) == []
    for language in ("en", "ar"):
        for width in (1366, 390):
            state.set_viewport_size({"width": width, "height": 900})
            state.goto(f"/requests/{req['id']}?lang={language}")
            screenshot(state, f"live-request-{language}-{width}")


def test_a_page_that_cannot_hold_a_stream_polls(live_app, people, tokens, new_page, base_url):
    held = live_app.config["LIVE_MAX_STREAMS"], live_app.config["LIVE_POLL_SECONDS"]
    live_app.config.update(LIVE_MAX_STREAMS=0, LIVE_POLL_SECONDS=1)
    try:
        coordinator = new_page()
        sign_in(coordinator, people.coordinator.email)
        coordinator.goto("/triage")
        expect(coordinator.locator("html")).to_have_attribute("data-live", "polling", timeout=10000)
        coordinator.wait_for_timeout(1500)  # one poll has answered: the page knows the newest event
        status, req = api(base_url, "POST", "/api/v1/requests", tokens.state, REQUEST | {"title": "Polled request"})
        assert status == 201
        expect(coordinator.locator(f"#case-{req['id']}")).to_contain_text("Polled request", timeout=10000)
        assert "/triage" in coordinator.url
    finally:
        live_app.config.update(LIVE_MAX_STREAMS=held[0], LIVE_POLL_SECONDS=held[1])


def test_without_javascript_the_pages_are_the_same(browser, people, tokens, base_url):
    context = browser.new_context(base_url=base_url, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, people.coordinator.email)
        status, req = api(base_url, "POST", "/api/v1/requests", tokens.state, REQUEST | {"title": "Seen on reload"})
        assert status == 201
        page.goto("/triage")
        expect(page.locator(f"#case-{req['id']}")).to_contain_text("Seen on reload")
        assert page.locator("html").get_attribute("data-live") is None
        page.goto(f"/requests/{req['id']}")
        expect(page.locator("#record-head")).to_contain_text("Submitted")
    finally:
        context.close()
