"""Benchmark of the case queue (/triage) and the overlap warnings at scale:
python benchmarks/triage_bench.py [--sizes 10000 100000] [--runs 15] [--database-url postgresql+psycopg://…]

For each size builds a synthetic office (benchmarks/pages_bench.prepare, `flask seed synthetic`: requests, offers, matches, audit
events; then gives the live cases a running or stopped office clock, so that the waiting time is not the same
for all), on a fresh SQLite file (or the PostgreSQL database given, whose schema `public` it drops first), and
asks, as a signed-in coordinator (Flask test client, the whole body read): the queue's default view, a deep
page, the title order, the overdue view, the rows fragment the live script fetches, a case's triage page and a
request's page (both with overlap warnings). Prints for each the median and p95 time, the SQL statements of
one call and the size of the answer in KB, then the ratio of the largest size to the smallest. Prints figures;
never fails on slowness (exit 1 only when a page does not answer 200).
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event, select, text, update

from benchmarks.pages_bench import COORDINATOR, _Caller
from benchmarks.pages_bench import prepare as prepare_office
from exchange.app import create_app
from exchange.core.extensions import db
from exchange.core.models import utcnow
from exchange.requests.models import AssistanceRequest


def _wind_clocks(seed: int = 11) -> None:
    """Vary the office clocks of the seed: start the office's clock on the cases it holds
    (submitted, in review, open) at their submission, bank some days on the others."""
    R = AssistanceRequest
    rnd = random.Random(seed)
    now = utcnow()
    rows = db.session.execute(select(R.id, R.status, R.submitted_at).where(R.submitted_at.is_not(None))).all()
    running = [{"i": r.id, "since": min(r.submitted_at, now), "days": rnd.choice((0, 0, 1, 3, 8))}
               for r in rows if r.status in ("submitted", "in_review", "open")]
    stopped = [{"i": r.id, "days": rnd.randint(0, 30)} for r in rows if r.status not in ("submitted", "in_review", "open")]
    for start in range(0, len(running), 5_000):
        db.session.execute(update(R.__table__).where(R.__table__.c.id == db.bindparam("i")).values(
            clock_since=db.bindparam("since"), clock_days=db.bindparam("days")), running[start:start + 5_000])
    for start in range(0, len(stopped), 5_000):
        db.session.execute(update(R.__table__).where(R.__table__.c.id == db.bindparam("i")).values(
            clock_since=None, clock_days=db.bindparam("days")), stopped[start:start + 5_000])
    db.session.commit()


def _app(url: str):
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                       "MATCHING_EMBED_AFTER_COMMIT": "off", "RATELIMIT_STORAGE_URI": "memory://",
                       "SERVER_NAME": None})


def prepare(url: str, n_requests: int, n_offers: int):
    """The synthetic office of pages_bench (`flask seed synthetic`), its live cases' clocks wound."""
    app = prepare_office(url, n_requests, n_offers)
    with app.app_context():
        _wind_clocks()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    return app


def targets(app) -> list[tuple[str, str, dict]]:
    with app.app_context():
        R = AssistanceRequest
        submitted = db.session.scalar(select(R.id).where(R.status == "submitted").order_by(R.id.desc()))
        opened = db.session.scalar(select(R.id).where(R.status == "open").order_by(R.id.desc()))
    live = {"X-Exchange-Live": "1"}
    return [("/triage", "/triage", {}), ("/triage?page=20", "/triage?page=20", {}),
            ("/triage?sort=title", "/triage?sort=title", {}), ("/triage?overdue=1", "/triage?overdue=1", {}),
            ("/triage?status=open&sort=state", "/triage?status=open&sort=state", {}),
            ("/triage?fragment=rows (live)", "/triage?fragment=rows", live),
            ("/triage/<submitted>", f"/triage/{submitted}", {}), ("/requests/<open>", f"/requests/{opened}", {})]


def measure(app, runs: int) -> dict:
    client = _Caller(app, COORDINATOR).client
    with app.app_context():
        engine = db.engine
    count = [0]

    def on_execute(*_args):
        count[0] += 1

    client.get("/requests/1")  # builds the process's matching index (suggestions on the request page)
    event.listen(engine, "before_cursor_execute", on_execute)
    out = {}
    try:
        for label, path, headers in targets(app):
            times, statements, size, status = [], 0, 0, 0
            for run in range(runs + 1):
                count[0] = 0
                start = time.perf_counter()
                response = client.get(path, headers=headers)
                body = response.get_data()
                elapsed = time.perf_counter() - start
                if run == 0:
                    statements, size, status = count[0], len(body), response.status_code
                    continue  # the first run warms caches
                times.append(elapsed)
            times.sort()
            p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
            out[label] = (statistics.median(times), p95, statements, size, status)
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--offers", type=int, default=5_000)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--database-url", help="PostgreSQL URL instead of SQLite files (its schema is dropped)")
    ap.add_argument("--keep", help="a folder to keep the SQLite files in, and to reuse them from on the next run")
    args = ap.parse_args(argv)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            folder = Path(args.keep or tmp)
            kept = folder / f"triage-{size}-{args.offers}.sqlite3"
            url = args.database_url or f"sqlite:///{kept}"
            start = time.perf_counter()
            if args.keep and kept.exists() and not args.database_url:
                app = _app(url)
                app.test_cli_runner().invoke(args=["db", "upgrade"])  # a kept file gets the newer migrations
            else:
                app = prepare(url, size, args.offers)
            with app.app_context():
                live = db.session.scalar(select(db.func.count()).where(AssistanceRequest.status.in_(
                    ("submitted", "in_review", "needs_info", "open", "matched", "in_delivery"))))
            print(f"{size:,} requests ({live:,} live), {args.offers:,} offers loaded in "
                  f"{time.perf_counter() - start:.0f} s", flush=True)
            results[size] = measure(app, args.runs)
            with app.app_context():
                db.engine.dispose()
    engine = "PostgreSQL" if args.database_url else "SQLite"
    print(f"\nCase queue on {engine}: median and p95 of {args.runs} runs after a warm-up; statements per call; KB")
    for size, result in results.items():
        print(f"\n{size:,} requests")
        print(f"{'page':<34} {'median ms':>10} {'p95 ms':>8} {'stmts':>6} {'KB':>7} status")
        for label, (median, p95, statements, size_b, status) in result.items():
            print(f"{label:<34} {median * 1000:10.1f} {p95 * 1000:8.1f} {statements:6} {size_b / 1024:7.1f} {status}")
    first, last = min(results), max(results)
    if first != last:
        print(f"\ngrowth {first:,} → {last:,} requests (median ratio)")
        for label in results[last]:
            print(f"{label:<34} ×{results[last][label][0] / results[first][label][0]:.2f}")
    failed = [f"{size} {label}: {r[4]}" for size, result in results.items() for label, r in result.items()
              if r[4] != 200]
    if failed:
        print("pages that did not answer 200:", *failed, sep="\n  ")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
