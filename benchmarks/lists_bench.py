"""Benchmark of the lists, search, the request page and the API lists at scale:

    python benchmarks/lists_bench.py [--requests 10000,100000] [--database-url URL] [--keep DIR]

For each size, builds a synthetic database (`prepare` of benchmarks/pages_bench.py, `flask seed synthetic`: requests, offers,
matches, audit events) on a fresh SQLite file (or on PostgreSQL with --database-url, whose schema `public`
it drops first), then asks each list, filter, sort, search, the request page and the API lists the way a
signed-in person would (Flask test client, whole body read) and prints, for each: median and p95 of the
timed runs, and the SQL statements of one call; then the growth from the first size to the last. Last, 8
threads read the API with one token at once (a real threaded server): answers per second, errors, and how
many writes of the token's last use they caused (the rule: at most one an interval). Prints figures; never
fails on slowness (exits 1 only when a page does not answer 200).

--keep DIR keeps the SQLite files there and reuses them on the next run (`flask db upgrade` is run on them
first, so that a new migration's indexes are measured on the same data).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.error import URLError
from urllib.request import Request, urlopen

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event, func, select, text

from benchmarks.pages_bench import COORDINATOR, PROVIDER, STATE, _Caller  # the demo's people, signed in
from benchmarks.pages_bench import prepare as prepare_office  # the shared synthetic office
from exchange.app import create_app
from exchange.core.extensions import db
from exchange.people.models import User
from exchange.requests.models import AssistanceRequest


def _app(url: str):
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                       "MATCHING_EMBED_AFTER_COMMIT": "off", "RATELIMIT_STORAGE_URI": "memory://",
                       "SERVER_NAME": None})


def prepare(url: str, n_requests: int, n_offers: int, reuse: bool):
    """The app over a database with `n_requests` requests: built afresh, or (reuse) upgraded in place."""
    if reuse:
        app = _app(url)
        result = app.test_cli_runner().invoke(args=["db", "upgrade"])
        if result.exit_code != 0:
            raise SystemExit(f"flask db upgrade failed:\n{result.output}")
        with app.app_context():
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        return app
    return prepare_office(url, n_requests, n_offers)


def _token(app, email: str) -> str:
    from exchange.people.tokens import issue_api_token
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        token = issue_api_token(user, user, {"name": "bench"})
        db.session.commit()
    return token


def targets(app) -> list[tuple[str, str, str]]:
    """(who, label, path) of every list, filter, sort, search, the request page and the API lists."""
    with app.app_context():
        R = AssistanceRequest
        matched = db.session.scalar(select(R.id).where(R.status == "matched").order_by(R.id.desc()))
        country = db.session.scalar(select(R.country_iso3).group_by(R.country_iso3)
                                    .order_by(func.count().desc()).limit(1))
    paths = [
        ("coordinator", "/requests"), ("coordinator", "/requests?status=open"),
        ("coordinator", f"/requests?country={country}"), ("coordinator", "/requests?theme=financing"),
        ("coordinator", "/requests?theme=financing&status=open&sort=oldest"),
        ("coordinator", "/requests?sort=updated"), ("coordinator", "/requests?sort=urgency"),
        ("coordinator", "/requests?sort=title"), ("coordinator", "/requests?page=20"),
        ("coordinator", "/requests?q=border"), ("coordinator", "/requests?q=border+management"),
        ("state", "/requests"), ("provider", "/requests"), ("provider", "/requests?q=border"),
        ("coordinator", "/offers"), ("coordinator", "/offers?q=border"), ("provider", "/offers"),
        ("coordinator", "/search?q=border"), ("provider", "/search?q=border"),
        ("coordinator", f"/requests/{matched}"),
        ("coordinator", "/api/v1/requests"), ("coordinator", "/api/v1/requests?per_page=100"),
        ("coordinator", "/api/v1/requests?q=border"), ("coordinator", "/api/v1/requests?status=open&sort=oldest"),
        ("coordinator", "/api/v1/offers"), ("provider", "/api/v1/requests"),
    ]
    labels = {f"/requests?country={country}": "/requests?country=<the commonest>",
              f"/requests/{matched}": "/requests/<a matched one>"}
    return [(who, labels.get(path, path), path) for who, path in paths]


def measure(app, runs: int) -> dict:
    """{(who, path): (median s, p95 s, statements, status)}."""
    emails = {"coordinator": COORDINATOR, "state": STATE, "provider": PROVIDER}
    clients = {who: _Caller(app, email).client for who, email in emails.items()}
    tokens = {who: _token(app, email) for who, email in emails.items()}
    with app.app_context():
        engine = db.engine
    count = [0]

    def on_execute(*_args):
        count[0] += 1

    out = {}
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        for who, label, path in targets(app):
            headers = {"Authorization": f"Bearer {tokens[who]}"} if path.startswith("/api/") else {}
            times, statements, status = [], 0, 0
            for run in range(runs + 2):
                count[0] = 0
                start = time.perf_counter()
                response = clients[who].get(path, headers=headers)
                response.get_data()
                elapsed = time.perf_counter() - start
                status = response.status_code
                if run < 2:  # warm-ups (the request page's first call builds the matching index)
                    statements = count[0]
                    continue
                times.append(elapsed)
            times.sort()
            p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
            out[(who, label)] = (statistics.median(times), p95, statements, status)
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
    return out


def concurrent_api(app, clients: int = 8, per_client: int = 15) -> dict:
    """8 threads × `per_client` GETs of /api/v1/requests with one token through a threaded server."""
    from werkzeug.serving import make_server

    from exchange.people.models import ApiToken
    token = _token(app, COORDINATOR)
    with app.app_context():
        engine = db.engine
        token_id = db.session.scalar(select(ApiToken.id).order_by(ApiToken.id.desc()).limit(1))
    writes = [0]

    def on_execute(_conn, _cursor, statement, *_rest):
        if statement.lstrip().upper().startswith("UPDATE API_TOKENS"):
            writes[0] += 1

    server = make_server("127.0.0.1", 0, app, threaded=True)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    url = f"http://127.0.0.1:{server.server_port}/api/v1/requests"
    statuses, latencies, lock = [], [], threading.Lock()
    barrier = threading.Barrier(clients)

    def client():
        barrier.wait()
        for _ in range(per_client):
            start = time.perf_counter()
            try:
                with urlopen(Request(url, headers={"Authorization": f"Bearer {token}"}), timeout=60) as answer:
                    answer.read()
                    code = answer.status
            except (URLError, OSError) as exc:  # an HTTPError (500) or a refused connection: an error
                code = getattr(exc, "code", 0)
            with lock:
                statuses.append(code)
                latencies.append(time.perf_counter() - start)

    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        threads = [threading.Thread(target=client) for _ in range(clients)]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - start
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
        server.shutdown()
    latencies.sort()
    with app.app_context():
        used = db.session.scalar(select(ApiToken.last_used_at).where(ApiToken.id == token_id))
    return {"answers": len(statuses), "errors": sum(1 for s in statuses if s != 200), "req_s": len(statuses) / wall,
            "p50": statistics.median(latencies), "p99": latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
            "token_writes": writes[0], "last_used_set": used is not None}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", default="10000,100000", help="comma-separated sizes (requests)")
    ap.add_argument("--offers", type=int, default=5_000)
    ap.add_argument("--runs", type=int, default=9, help="timed runs per page (after two warm-ups)")
    ap.add_argument("--database-url", help="PostgreSQL URL to use instead of SQLite files (its schema is dropped)")
    ap.add_argument("--keep", help="SQLite only: keep the database files in this folder and reuse them")
    ap.add_argument("--reuse", action="store_true", help="PostgreSQL, one size: reuse the database as it is")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.requests.split(",")]

    results, concurrency = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for n in sizes:
            if args.database_url:
                url, reuse = args.database_url, args.reuse
            else:
                path = folder / f"lists_{n}.sqlite3"
                url, reuse = f"sqlite:///{path}", bool(args.keep) and path.exists()
            start = time.perf_counter()
            app = prepare(url, n, args.offers, reuse)
            print(f"{n} requests, {args.offers} offers {'reused' if reuse else 'loaded'} in "
                  f"{time.perf_counter() - start:.1f} s ({app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]})",
                  flush=True)
            results[n] = measure(app, args.runs)
            concurrency[n] = concurrent_api(app)
            with app.app_context():
                db.engine.dispose()

    first, last = sizes[0], sizes[-1]
    print(f"\nmedian / p95 of {args.runs} runs after two warm-ups, ms; stmts = SQL statements of one call")
    head = "".join(f"{f'{n:,} med':>11} {'p95':>7} {'stmts':>5}" for n in sizes)
    print(f"{'who':<12} {'page':<48}{head} {'growth':>7} status")
    failed = []
    for key in results[first]:
        cells = ""
        for n in sizes:
            med, p95, stmts, status = results[n][key]
            cells += f"{med * 1000:11.1f} {p95 * 1000:7.1f} {stmts:5d}"
            if status != 200:
                failed.append(f"{n}: {key[0]} {key[1]} {status}")
        growth = results[last][key][0] / results[first][key][0]
        print(f"{key[0]:<12} {key[1][:48]:<48}{cells} {growth:7.2f} {results[last][key][3]}")
    print("\n8 threads x 15 GETs of /api/v1/requests with one token (threaded server):")
    for n in sizes:
        c = concurrency[n]
        print(f"  {n:>7,} requests: {c['answers']} answers, {c['errors']} errors, {c['req_s']:.1f} req/s, "
              f"p50 {c['p50'] * 1000:.0f} ms, p99 {c['p99'] * 1000:.0f} ms, token-use writes {c['token_writes']}, "
              f"last use recorded: {c['last_used_set']}")
        if c["errors"]:
            failed.append(f"{n}: {c['errors']} API errors under 8 clients")
    if failed:
        print("did not answer 200:", *failed, sep="\n  ")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
