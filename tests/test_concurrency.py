"""Nothing is lost under concurrent writers: eight clients PATCH the same request at once with the
version they read, over real HTTP against the served app; exactly one wins, the others get 409 and
change nothing (on SQLite through BEGIN IMMEDIATE, on PostgreSQL through the version column)."""
from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

from sqlalchemy import func, select
from werkzeug.serving import make_server

from exchange.audit.models import AuditEvent
from exchange.core.extensions import db
from exchange.requests.models import AssistanceRequest
from tests.factories import World

CLIENTS = 8


def _patch(url: str, token: str, body: dict) -> int:
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="PATCH",
                                 headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(req, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


def test_concurrent_edits_of_one_request_never_lose_an_update(app, people, tokens):
    request_id = World(app, people).request("submitted")
    with app.app_context():
        version = db.session.get(AssistanceRequest, request_id).version
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/api/v1/requests/{request_id}"
    results: dict[int, int] = {}
    start = threading.Barrier(CLIENTS)

    def edit(i: int) -> None:
        start.wait()
        results[i] = _patch(url, tokens.state, {"version": version, "title": f"Edited by client number {i}"})

    workers = [threading.Thread(target=edit, args=(i,)) for i in range(CLIENTS)]
    try:
        for w in workers:
            w.start()
        for w in workers:
            w.join(60)
    finally:
        server.shutdown()
    statuses = sorted(results.values())
    assert statuses == [200] + [409] * (CLIENTS - 1), statuses
    winner = next(i for i, status in results.items() if status == 200)
    with app.app_context():
        req = db.session.get(AssistanceRequest, request_id)
        assert req.title == f"Edited by client number {winner}"
        edits = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "request.edited", AuditEvent.record_id == request_id))
        assert edits == 1
