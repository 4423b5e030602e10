"""API reads never fail while others write (issue 10, defect 3): over real HTTP against the served app,
8 threads post offers and requests through the API while 4 threads list offers, requests and matches with
their own bearer tokens, for a bounded number of calls. Every read answers 200 and every write 201, on
SQLite (WAL: a read's transaction must never write, or it fails at once with "database is locked") and on
PostgreSQL alike. The figures are printed for the record (`pytest -s`)."""
from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request

from sqlalchemy import select
from werkzeug.serving import make_server

from exchange.core.extensions import db
from exchange.people.models import ApiToken, User
from tests.factories import OFFER, REQUEST

WRITERS, READERS = 8, 4
WRITES_EACH, READS_EACH = 12, 40
READ_PATHS = ("/api/v1/offers", "/api/v1/requests", "/api/v1/matches", "/api/v1/offers?sort=newest")
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _call(method: str, url: str, token: str, body: dict | None = None) -> int:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    try:
        with OPENER.open(req, timeout=60) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


def test_api_reads_answer_200_while_eight_clients_write(app, people, tokens):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    base = f"http://127.0.0.1:{server.server_port}"
    reads: list[int] = []
    writes: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(WRITERS + READERS)
    writer_tokens = [tokens.provider, tokens.state, tokens.other_provider, tokens.other_state]
    reader_tokens = [tokens.coordinator, tokens.admin, tokens.outside, tokens.provider]

    def write(i: int) -> None:
        token = writer_tokens[i % len(writer_tokens)]
        start.wait()
        for n in range(WRITES_EACH):
            if token in (tokens.provider, tokens.other_provider):
                status = _call("POST", f"{base}/api/v1/offers", token, OFFER | {"title": f"Course {i}-{n} on CFT"})
            else:
                status = _call("POST", f"{base}/api/v1/requests", token,
                               REQUEST | {"draft": True, "title": f"Training request {i}-{n}"})
            with lock:
                writes.append(status)

    def read(i: int) -> None:
        token = reader_tokens[i % len(reader_tokens)]
        start.wait()
        for n in range(READS_EACH):
            status = _call("GET", base + READ_PATHS[(i + n) % len(READ_PATHS)], token)
            with lock:
                reads.append(status)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(WRITERS)]
    threads += [threading.Thread(target=read, args=(i,)) for i in range(READERS)]
    began = time.perf_counter()
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
    finally:
        server.shutdown()
    duration = time.perf_counter() - began
    read_errors = [s for s in reads if s != 200]
    write_errors = [s for s in writes if s != 201]
    engine = app.config["SQLALCHEMY_DATABASE_URI"].split(":", 1)[0]
    print(f"\n[{engine}] reads={len(reads)} writes={len(writes)} read errors={len(read_errors)} "
          f"write errors={len(write_errors)} statuses={sorted(set(read_errors + write_errors))} "
          f"duration={duration:.1f}s")
    assert len(reads) == READERS * READS_EACH and len(writes) == WRITERS * WRITES_EACH
    assert read_errors == [] and write_errors == []
    with app.app_context():
        # Each reader's token use was recorded (after its first read, in a transaction of its own).
        used = db.session.scalars(select(ApiToken.last_used_at).join(User).where(
            User.email.in_([people.coordinator.email, people.admin.email]))).all()
        assert len(used) == 2 and all(used)
