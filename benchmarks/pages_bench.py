"""The pages benchmark of issue 17, measured from outside: `make bench-pages` (python benchmarks/pages_bench.py).

For each engine (--engine sqlite|postgresql|both) and each size (--sizes, default 10,000 and 100,000 requests
with --offers 5,000), it builds a synthetic office with the real commands (`flask db upgrade`, `seed reference`,
`seed synthetic`: exchange/seed/synthetic.py), serves it with gunicorn (2 sync workers, as the issue measured;
--worker-class gthread for the deploy configuration's worker) beside a bare Flask hello-world served the same
way (benchmarks/hello_app.py), and drives each page with --clients (8) concurrent HTTP/1.1 clients (one
process each, http.client, a new connection whenever the server closes one: a sync worker closes each), the
hello-world and the page alternated --rounds times in the same run, --duration seconds each. The pages are
read signed in as the demo coordinator: a session row made by the people's own operation (`open_session`)
and the session cookie naming it, marked as past the second factor (what tests/helpers.signed_in_client does:
the demo coordinator has two-step sign-in on); the API with a bearer token of theirs (`issue_api_token`).

It prints, per page: req/s, p50 and p99, the ratio of its req/s to the hello-world's of the same rounds,
the SQL statements one call runs (counted in-process with the Flask test client; --no-statements skips it);
then the growth of each page's p50 from the smallest to the largest size, PostgreSQL against SQLite, a
writes section (POST /api/v1/requests then PATCH of those requests, --clients clients, errors counted), and
each target of the issue as MET / NOT MET. It never fails on slowness: exit 1 only when a page does not
answer 200 (or the office cannot be built). --quick: 300 and 3,000 requests, 300 offers, short rounds.

PostgreSQL: --database-url (or EXCHANGE_BENCH_DATABASE_URL) names a scratch database whose schema `public`
is dropped and rebuilt for each size.
"""
from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HOST = "127.0.0.1"
SECRET = "pages-bench-" + "x" * 40
COORDINATOR, STATE, PROVIDER = ("coordinator@ctitf.demo.example", "focal@kaz.demo.example",
                                "officer@unodc.demo.example")  # the demo's people (the other benchmarks too)
LIST = "/requests"
# (label, path; <request> and <offer> are filled with a matched request and an active offer of the office)
PAGES = [
    ("/requests", "/requests"),
    ("/requests?q=border", "/requests?q=border"),
    ("/requests/<id>", "/requests/<request>"),
    ("/triage", "/triage"),
    ("/matrix", "/matrix"),
    ("/dashboard", "/dashboard"),
    ("/api/v1/requests", "/api/v1/requests"),
    ("/api/v1/requests/<id>/matches", "/api/v1/requests/<request>/matches"),
    ("/search?q=border", "/search?q=border"),
    ("/offers", "/offers"),
]
TARGET_LIST_RATIO, TARGET_LIST_P99, TARGET_P99 = 0.30, 0.050, 0.150
TARGET_PG, TARGET_GROWTH = 1.25, 1.5
TARGET_CREATES, TARGET_EDITS, TARGET_WRITE_P99 = 500, 1000, 0.100


# ------------------------------------------------------------------------------------------------
# Building the office

def _env(url: str) -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT), "EXCHANGE_DATABASE_URL": url, "EXCHANGE_SECRET_KEY": SECRET,
            "EXCHANGE_RATELIMIT_STORAGE_URI": "memory://",
            # no model and no embedding after commit: the pages and the writes are measured, not the embedder
            "EXCHANGE_MATCHING_EMBEDDER": "fake", "EXCHANGE_MATCHING_EMBED_AFTER_COMMIT": "off"}


def _flask(url: str, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], check=False, cwd=ROOT,
                          env=_env(url), capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def build_office(url: str, n_requests: int, n_offers: int) -> tuple[float, str]:
    """An empty database, migrated, with the reference data and the synthetic office; (seconds of the seed,
    its summary line)."""
    if url.startswith("postgresql"):
        from sqlalchemy import create_engine, text
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    _flask(url, "db", "upgrade")
    _flask(url, "seed", "reference")
    start = time.perf_counter()
    out = _flask(url, "seed", "synthetic", "--requests", str(n_requests), "--offers", str(n_offers))
    return time.perf_counter() - start, out.strip().splitlines()[-1]


@dataclass
class Office:
    cookie: str
    bearer: str
    request_id: int
    offer_id: int
    statements: dict = field(default_factory=dict)

    def path(self, template: str) -> str:
        return template.replace("<request>", str(self.request_id)).replace("<offer>", str(self.offer_id))

    def headers(self, path: str) -> dict:
        if path.startswith("/api/"):
            return {"Authorization": f"Bearer {self.bearer}", "Accept": "application/json"}
        return {"Cookie": self.cookie}


def sign_in(url: str, count_statements: bool) -> Office:
    """The coordinator's session cookie and bearer token, the records the pages name, and (optionally) the
    SQL statements of one call of each page, counted in this process."""
    from sqlalchemy import event, select

    from exchange.app import create_app
    from exchange.core.extensions import db
    from exchange.offers.models import Offer
    from exchange.people.models import Organisation, User
    from exchange.people.operations import open_session
    from exchange.people.tokens import issue_api_token
    from exchange.people.views.mfa import signed_in_marks
    from exchange.requests.models import AssistanceRequest
    os.environ.update({k: v for k, v in _env(url).items() if k.startswith("EXCHANGE_MATCHING")})
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET, "RATELIMIT_STORAGE_URI": "memory://",
                      "SERVER_NAME": None})
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == COORDINATOR))
        bearer = issue_api_token(user, user, {"name": "pages-bench"})
        _row, token = open_session(user, {"address": HOST, "user_agent": "pages-bench"})
        user_id = user.id
        request_id = db.session.scalar(select(AssistanceRequest.id).where(
            AssistanceRequest.status == "matched").order_by(AssistanceRequest.id.desc()))
        offer_id = db.session.scalar(select(Offer.id).join(Organisation).where(
            Organisation.code == "UNODC", Offer.status == "active").order_by(Offer.id.desc()))
        db.session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True
        session["_seen"] = int(time.time())
        session.permanent = True
        session.update(signed_in_marks(user_id))
    name = app.config.get("SESSION_COOKIE_NAME", "session")
    office = Office(f"{name}={client.get_cookie(name).value}", bearer, request_id, offer_id)
    if count_statements:
        with app.app_context():
            engine = db.engine
        count = [0]

        def on_execute(*_args):
            count[0] += 1
        for label, template in PAGES:
            path = office.path(template)
            headers = {k: v for k, v in office.headers(path).items() if k != "Cookie"}
            client.get(path, headers=headers).get_data()  # warms (the first suggestion read builds the index)
            event.listen(engine, "before_cursor_execute", on_execute)
            count[0] = 0
            client.get(path, headers=headers).get_data()
            event.remove(engine, "before_cursor_execute", on_execute)
            office.statements[label] = count[0]
    with app.app_context():
        db.engine.dispose()
    return office


def prepare(url: str, n_requests: int, n_offers: int):
    """In this process (for the in-process benchmarks, matrix_bench.py): an app on a fresh database with the
    reference data and the synthetic office of `n_requests` requests and `n_offers` offers."""
    from exchange.app import create_app
    if url.startswith("postgresql"):
        from sqlalchemy import create_engine, text
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    os.environ.update({k: v for k, v in _env(url).items() if k.startswith("EXCHANGE_MATCHING")})
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET, "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_STORAGE_URI": "memory://", "SERVER_NAME": None})
    runner = app.test_cli_runner()
    for args in (["db", "upgrade"], ["seed", "reference"],
                 ["seed", "synthetic", "--requests", str(n_requests), "--offers", str(n_offers)]):
        result = runner.invoke(args=args)
        if result.exit_code != 0:
            raise SystemExit(f"flask {' '.join(args)} failed:\n{result.output}")
    return app


class _Caller:
    """In this process: a signed-in person of `app` (a session row and its cookie; a bearer token for the API)."""

    def __init__(self, app, email: str):
        from sqlalchemy import select

        from exchange.core.extensions import db
        from exchange.people.models import User
        from exchange.people.tokens import issue_api_token
        from tests.helpers import signed_in_client
        with app.app_context():
            user = db.session.scalar(select(User).where(User.email == email))
            self.bearer = issue_api_token(user, user, {"name": "bench"})
            user_id = user.id
            db.session.commit()
        self.client = signed_in_client(app, user_id)

    def get(self, path: str):
        headers = {"Authorization": f"Bearer {self.bearer}"} if path.startswith("/api/") else {}
        return self.client.get(path, headers=headers)


# ------------------------------------------------------------------------------------------------
# Serving

def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    """gunicorn serving `target` (wsgi:app or the hello-world) with `workers` workers of `worker_class`."""

    def __init__(self, target: str, url: str, log: Path, workers: int, worker_class: str, chdir: Path):
        self.port, self.log = free_port(), log
        env = _env(url)
        with log.open("a") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--worker-class", worker_class,
                 "--bind", f"{HOST}:{self.port}", "--timeout", "120", "--graceful-timeout", "5",
                 "--chdir", str(chdir), target], env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=5)
                conn.request("GET", "/")
                conn.getresponse().read()
                conn.close()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit(f"gunicorn {target} did not start; see {log}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # the group of the gunicorn this benchmark started
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


# ------------------------------------------------------------------------------------------------
# Load: one process per client, each with its own connection

def _drive(task: tuple) -> tuple[list[float], Counter, float, list, int]:
    """One client's run: (latencies, statuses, seconds, what it made, bytes read). kind: get | create | edit."""
    port, kind, path, headers, duration, payload = task
    conn = http.client.HTTPConnection(HOST, port, timeout=300)
    latencies, statuses, made = [], Counter(), []
    edits = list(payload) if kind == "edit" else []
    n = size = 0
    start = time.perf_counter()
    deadline = start + duration
    while not n or time.perf_counter() < deadline:  # at least one call (a warm-up asks for one: duration 0)
        method, target, body = "GET", path, None
        if kind == "create":
            method, target, body = "POST", "/api/v1/requests", json.dumps({**payload, "title": f"{payload['title']} {os.getpid()}-{n}"})
        elif kind == "edit":
            if not edits:
                break
            rid, version = edits[n % len(edits)]
            method, target = "PATCH", f"/api/v1/requests/{rid}"
            body = json.dumps({"version": version, "beneficiary": f"Unit {n}"})
        n += 1
        t0 = time.perf_counter()
        try:
            conn.request(method, target, body, headers)
            response = conn.getresponse()
            data = response.read()
            status = response.status
            if response.will_close:
                conn.close()
        except (OSError, http.client.HTTPException):
            conn.close()
            status, data = 0, b""
        latencies.append(time.perf_counter() - t0)
        statuses[status] += 1
        size += len(data)
        if kind in ("create", "edit") and status in (200, 201):
            answer = json.loads(data)
            if kind == "create":
                made.append((answer["id"], answer["version"]))
            else:
                edits[(n - 1) % len(edits)] = (answer["id"], answer["version"])
    return latencies, statuses, time.perf_counter() - start, made, size


@dataclass
class Run:
    count: int
    seconds: float
    latencies: list
    statuses: Counter
    made: list
    size: int = 0

    @property
    def kb(self) -> float:
        """Kilobytes of an answer, on average."""
        return self.size / self.count / 1024 if self.count else 0.0

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    def quantile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    @property
    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status not in (200, 201))


def drive(pool, clients: int, port: int, kind: str, path: str, headers: dict, duration: float,
          payloads: list | None = None) -> Run:
    tasks = [(port, kind, path, headers, duration, payloads[i] if payloads else None) for i in range(clients)]
    results = pool.map(_drive, tasks)
    latencies = [x for r in results for x in r[0]]
    statuses = sum((r[1] for r in results), Counter())
    return Run(len(latencies), max(r[2] for r in results), latencies, statuses, [r[3] for r in results],
               sum(r[4] for r in results))


def merge(runs: list[Run]) -> Run:
    return Run(sum(r.count for r in runs), sum(r.seconds for r in runs), [x for r in runs for x in r.latencies],
               sum((r.statuses for r in runs), Counter()), [m for r in runs for m in r.made],
               sum(r.size for r in runs))


@dataclass
class PageResult:
    page: Run
    hello: Run

    @property
    def ratio(self) -> float:
        return self.page.rate / self.hello.rate if self.hello.rate else float("nan")


def measure(office: Office, app: Server, hello: Server, pool, args) -> tuple[dict, dict]:
    """Each page alternated with the hello-world; then the writes. ({label: PageResult}, {kind: Run})."""
    # warm both workers: every page, then the suggestions (each worker builds its matching index once)
    warm = {}
    for label, template in PAGES:
        path = office.path(template)
        start = time.perf_counter()
        drive(pool, 2, app.port, "get", path, office.headers(path), 0.0)
        warm[label] = time.perf_counter() - start
    suggestions = office.path(PAGES[7][1])
    drive(pool, 4, app.port, "get", suggestions, office.headers(suggestions), 0.0)
    results = {}
    for label, template in PAGES:
        path = office.path(template)
        page_runs, hello_runs = [], []
        for _ in range(args.rounds):
            hello_runs.append(drive(pool, args.clients, hello.port, "get", "/", {}, args.duration))
            page_runs.append(drive(pool, args.clients, app.port, "get", path, office.headers(path), args.duration))
        results[label] = PageResult(merge(page_runs), merge(hello_runs))
        r = results[label]
        print(f"  {label:<32} {r.page.rate:8.1f} req/s  p50 {r.page.quantile(0.5) * 1000:7.1f} ms  "
              f"p99 {r.page.quantile(0.99) * 1000:7.1f} ms  hello {r.hello.rate:7.1f} req/s  "
              f"ratio {r.ratio:6.3f}  {r.page.kb:7.1f} KB  first call {warm[label] * 1000:6.0f} ms  "
              f"statuses {dict(r.page.statuses)}", flush=True)
    headers = {**office.headers("/api/"), "Content-Type": "application/json"}
    body = {"title": "Training for border officials", "description": "Document examination and risk analysis "
            "for the border police, with mentoring over six months.", "country": "KAZ",
            "themes": ["border-management"], "modalities": ["training"], "languages": ["en"]}
    # warm-up (not counted): the first write of a worker pays for what it loads lazily (seconds)
    warm_creates = drive(pool, 4, app.port, "create", "", headers, 1.0, [body] * 4)
    drive(pool, 4, app.port, "edit", "", headers, 1.0, [made[:5] for made in warm_creates.made])
    creates = drive(pool, args.clients, app.port, "create", "", headers, args.duration,
                    [body] * args.clients)
    edits = drive(pool, args.clients, app.port, "edit", "", headers, args.duration,
                  [made[:50] for made in creates.made])
    writes = {"creates": creates, "edits": edits}
    for kind, run in writes.items():
        print(f"  {kind:<32} {run.rate:8.1f} /s     p50 {run.quantile(0.5) * 1000:7.1f} ms  "
              f"p99 {run.quantile(0.99) * 1000:7.1f} ms  errors {run.errors}  statuses {dict(run.statuses)}",
              flush=True)
    return results, writes


# ------------------------------------------------------------------------------------------------
# Report

def verdict(ok: bool) -> str:
    return "MET" if ok else "NOT MET"


def report(results: dict, writes: dict, statements: dict, sizes: list[int], engines: list[str]) -> None:
    largest, smallest = sizes[-1], sizes[0]
    print("\n== Pages (req/s, p50 / p99 ms, ratio to hello-world, size of an answer, SQL statements per call)")
    for engine in engines:
        for size in sizes:
            print(f"{engine}, {size:,} requests:")
            for label, _ in PAGES:
                r = results[engine, size][label]
                print(f"  {label:<32} {r.page.rate:8.1f}  {r.page.quantile(0.5) * 1000:7.1f} / "
                      f"{r.page.quantile(0.99) * 1000:7.1f}  ratio {r.ratio:6.3f}  "
                      f"{r.page.kb:7.1f} KB  stmts {statements[engine, size].get(label, '-')}")
    if len(sizes) > 1:
        print(f"\n== Growth of p50 from {smallest:,} to {largest:,} requests (target ≤ {TARGET_GROWTH}×)")
        for label, _ in PAGES:
            cells = []
            for engine in engines:
                a = results[engine, smallest][label].page.quantile(0.5)
                b = results[engine, largest][label].page.quantile(0.5)
                cells.append(f"{engine} ×{b / a:5.2f}")
            print(f"  {label:<32} " + "   ".join(cells))
    if len(engines) == 2:
        print(f"\n== PostgreSQL against SQLite (req/s PG / SQLite; target ≥ {1 / TARGET_PG:.2f}, i.e. PG "
              f"within 25 % of SQLite's time or better)")
        for size in sizes:
            for label, _ in PAGES:
                s, p = results["sqlite", size][label].page.rate, results["postgresql", size][label].page.rate
                print(f"  {size:>7,} {label:<32} {p / s if s else float('nan'):5.2f}")

    print(f"\n== Targets of issue 17 at {largest:,} requests")
    lines = []
    for engine in engines:
        res = results[engine, largest]
        lst = res[LIST]
        lines.append((f"{engine}: the request list at ≥ {TARGET_LIST_RATIO} of hello-world",
                      lst.ratio >= TARGET_LIST_RATIO, f"{lst.ratio:.3f}"))
        lines.append((f"{engine}: the request list p99 ≤ {TARGET_LIST_P99 * 1000:.0f} ms",
                      lst.page.quantile(0.99) <= TARGET_LIST_P99, f"{lst.page.quantile(0.99) * 1000:.0f} ms"))
        for label, _ in PAGES:
            if label == LIST:
                continue
            p99 = res[label].page.quantile(0.99)
            lines.append((f"{engine}: {label} p99 ≤ {TARGET_P99 * 1000:.0f} ms", p99 <= TARGET_P99,
                          f"{p99 * 1000:.0f} ms"))
        if len(sizes) > 1:
            for label, _ in PAGES:
                a = results[engine, smallest][label].page.quantile(0.5)
                b = res[label].page.quantile(0.5)
                lines.append((f"{engine}: {label} at {largest:,} ≤ {TARGET_GROWTH}× its time at {smallest:,}",
                              b / a <= TARGET_GROWTH, f"×{b / a:.2f}"))
        w = writes[engine, largest]
        lines.append((f"{engine}: ≥ {TARGET_CREATES} creates/s, 0 errors, p99 ≤ {TARGET_WRITE_P99 * 1000:.0f} ms",
                      w["creates"].rate >= TARGET_CREATES and not w["creates"].errors
                      and w["creates"].quantile(0.99) <= TARGET_WRITE_P99,
                      f"{w['creates'].rate:.0f}/s, {w['creates'].errors} errors, "
                      f"p99 {w['creates'].quantile(0.99) * 1000:.0f} ms"))
        lines.append((f"{engine}: ≥ {TARGET_EDITS} edits/s, 0 errors, p99 ≤ {TARGET_WRITE_P99 * 1000:.0f} ms",
                      w["edits"].rate >= TARGET_EDITS and not w["edits"].errors
                      and w["edits"].quantile(0.99) <= TARGET_WRITE_P99,
                      f"{w['edits'].rate:.0f}/s, {w['edits'].errors} errors, "
                      f"p99 {w['edits'].quantile(0.99) * 1000:.0f} ms"))
    if len(engines) == 2:
        for label, _ in PAGES:
            s = results["sqlite", largest][label].page.rate
            p = results["postgresql", largest][label].page.rate
            lines.append((f"PostgreSQL within 25 % of SQLite: {label}", p * TARGET_PG >= s,
                          f"PG {p:.1f} / SQLite {s:.1f} req/s"))
    width = max(len(text) for text, _, _ in lines)
    for text, ok, figure in lines:
        print(f"  {text:<{width}}  {figure:>28}  {verdict(ok)}")
    met = sum(ok for _, ok, _ in lines)
    print(f"  {met} of {len(lines)} targets met")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000", help="requests in each office, comma-separated")
    ap.add_argument("--requests", type=int, help="one size only (instead of --sizes)")
    ap.add_argument("--offers", type=int, default=5_000)
    ap.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="sqlite")
    ap.add_argument("--database-url", default=os.environ.get("EXCHANGE_BENCH_DATABASE_URL"),
                    help="PostgreSQL scratch database (its schema is dropped), for --engine postgresql|both")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--duration", type=float, default=5.0, help="seconds of each round")
    ap.add_argument("--rounds", type=int, default=2, help="hello-world / page alternations per page")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--worker-class", default="sync", help="gunicorn's: sync (as the issue measured) or gthread")
    ap.add_argument("--quick", action="store_true", help="300 and 3,000 requests, 300 offers, 1.5 s rounds")
    ap.add_argument("--no-statements", action="store_true", help="skip the in-process statement counts")
    ap.add_argument("--keep", action="store_true", help="keep the scratch folder (SQLite files, gunicorn logs)")
    args = ap.parse_args(argv)
    if args.quick:
        args.sizes, args.offers, args.duration, args.rounds = "300,3000", 300, 1.5, 1
    sizes = [args.requests] if args.requests else sorted(int(s) for s in args.sizes.split(",") if s.strip())
    engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    if "postgresql" in engines and not (args.database_url or "").startswith("postgresql"):
        ap.error("--engine postgresql needs --database-url postgresql+psycopg://… (or EXCHANGE_BENCH_DATABASE_URL)")
    load = os.getloadavg()
    print(f"pages benchmark: engines {', '.join(engines)}; sizes {', '.join(f'{s:,}' for s in sizes)} requests, "
          f"{args.offers:,} offers; gunicorn {args.workers} {args.worker_class} workers; {args.clients} clients; "
          f"{args.rounds} × {args.duration} s per page and per hello-world; {os.cpu_count()} CPUs, load average "
          f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f}", flush=True)

    tmp = Path(tempfile.mkdtemp(prefix="pages-bench-"))
    results, writes, statements, failed = {}, {}, {}, []
    pool = multiprocessing.get_context("fork").Pool(max(args.clients, 4))
    try:
        for engine in engines:
            for size in sizes:
                url = args.database_url if engine == "postgresql" else f"sqlite:///{tmp}/office-{size}.sqlite3"
                seconds, summary = build_office(url, size, args.offers)
                print(f"\n{engine}, {size:,} requests: seeded in {seconds:.1f} s ({summary})", flush=True)
                office = sign_in(url, not args.no_statements)
                statements[engine, size] = office.statements
                app = Server("wsgi:app", url, tmp / f"gunicorn-{engine}-{size}.log", args.workers,
                             args.worker_class, ROOT)
                hello = Server("hello_app:app", url, tmp / f"hello-{engine}-{size}.log", args.workers,
                               args.worker_class, ROOT / "benchmarks")
                try:
                    results[engine, size], writes[engine, size] = measure(office, app, hello, pool, args)
                finally:
                    app.stop()
                    hello.stop()
                failed += [f"{engine} {size:,} {label}: {dict(r.page.statuses)}"
                           for label, r in results[engine, size].items() if set(r.page.statuses) != {200}]
    finally:
        pool.terminate()
        if args.keep:
            print(f"scratch folder kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    report(results, writes, statements, sizes, engines)
    load = os.getloadavg()
    print(f"\nload average at the end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} (a shared machine: read the ratios)")
    if failed:
        print("pages that did not answer 200 every time:", *failed, sep="\n  ")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
