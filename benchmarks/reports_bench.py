"""The matrix and the dashboards at scale: python benchmarks/reports_bench.py [--sizes 10000,100000] [--database-url URL]

For each size, builds the synthetic database of pages_bench (`prepare`, `flask seed synthetic`: requests over the Member
States, offers, matches, audit events), then asks /matrix and /dashboard as a coordinator, a State's focal
point and a provider would (Flask test client, the whole body read) and prints, for each page: the median
and 95th percentile of the timed runs, the SQL statements of one call, the HTML size, and the growth from the
smallest to the largest size. The seed inserts with Core, past the ORM's hooks, and recounts the summary at
its end; the benchmark times one more rebuild (`flask reports rebuild-summaries`, what the migration does for
existing data) and prints it. With --direct it also times the matrix and dashboard computed straight from the
records (reports.summary off: the computation used before the summary tables) for the before/after ratio.
Prints figures; never fails on slowness (exits 1 only when a page does not answer 200)."""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event, select

from benchmarks.pages_bench import COORDINATOR, PROVIDER, STATE, _Caller, prepare
from exchange.core.extensions import db

PAGES = (("coordinator", "/matrix"), ("coordinator", "/dashboard"), ("state", "/matrix"), ("state", "/dashboard"),
         ("provider", "/matrix"), ("provider", "/dashboard"), ("coordinator", "/api/v1/matrix"))


def _p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def rebuild(app) -> float | None:
    """Rebuild the summary tables if this tree has them (the time in seconds), None otherwise."""
    try:
        from exchange.reports import summary
    except ImportError:
        return None
    with app.app_context():
        start = time.perf_counter()
        summary.rebuild_all()
        db.session.commit()
        return time.perf_counter() - start


def measure(app, runs: int) -> dict:
    clients = {"coordinator": _Caller(app, COORDINATOR), "state": _Caller(app, STATE),
               "provider": _Caller(app, PROVIDER)}
    with app.app_context():
        engine = db.engine
    count = [0]

    def on_execute(*_args):
        count[0] += 1

    event.listen(engine, "before_cursor_execute", on_execute)
    out = {}
    try:
        for who, path in PAGES:
            times, statements, size, status = [], 0, 0, 0
            for run in range(runs + 1):
                count[0] = 0
                start = time.perf_counter()
                response = clients[who].get(path)
                body = response.get_data()
                elapsed = time.perf_counter() - start
                status = response.status_code
                if run == 0:   # the first run warms caches
                    statements, size = count[0], len(body)
                    continue
                times.append(elapsed)
            out[(who, path)] = (statistics.median(times), _p95(times), statements, size, status)
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
    return out


def direct(app, runs: int) -> dict:
    """The matrix and the office's dashboard computed straight from the records (no summary tables)."""
    try:
        from exchange.reports import summary
    except ImportError:
        return {}
    from exchange.people.models import User
    from exchange.reports.dashboards import compute_dashboard
    from exchange.reports.matrix import compute_matrix
    out = {}
    with app.test_request_context("/"):
        user = db.session.scalar(select(User).where(User.email == COORDINATOR))
        for label, call in (("matrix", compute_matrix), ("dashboard", compute_dashboard)):
            for mode in (False, True):
                times = []
                for _ in range(runs):
                    with summary.using_summaries(mode):
                        start = time.perf_counter()
                        call(user)
                        times.append(time.perf_counter() - start)
                out[(label, mode)] = statistics.median(times)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000", help="request counts, separated by commas")
    ap.add_argument("--offers", type=int, default=5_000)
    ap.add_argument("--runs", type=int, default=7, help="timed runs per page (after one warm-up)")
    ap.add_argument("--direct", action="store_true", help="also time the computation straight from the records")
    ap.add_argument("--database-url", help="PostgreSQL URL to use instead of SQLite files (its schema is dropped)")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    results, directs = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            url = args.database_url or f"sqlite:///{tmp}/reports-{n}.sqlite3"
            start = time.perf_counter()
            app = prepare(url, n, min(args.offers, max(n // 2, 10)))
            print(f"{n:,} requests loaded in {time.perf_counter() - start:.1f} s", flush=True)
            took = rebuild(app)
            if took is not None:
                print(f"  summary tables rebuilt in {took * 1000:.0f} ms", flush=True)
            results[n] = measure(app, args.runs)
            if args.direct:
                directs[n] = direct(app, max(3, args.runs // 2))
            with app.app_context():
                db.engine.dispose()
    engine = "PostgreSQL" if args.database_url else "SQLite"
    print(f"\n{engine}: median / p95 of {args.runs} runs after a warm-up; statements = SQL per call")
    print(f"{'who':<12} {'page':<16} {'requests':>9} {'median ms':>10} {'p95 ms':>8} {'stmts':>6} {'KB':>7} status")
    for (who, path) in PAGES:
        for n in sizes:
            median, p95, statements, size, status = results[n][(who, path)]
            print(f"{who:<12} {path:<16} {n:>9,} {median * 1000:10.1f} {p95 * 1000:8.1f} {statements:>6} "
                  f"{size / 1024:7.1f} {status}")
        if len(sizes) > 1:
            first, last = results[sizes[0]][(who, path)][0], results[sizes[-1]][(who, path)][0]
            print(f"{'':<12} {'':<16} growth {sizes[0]:,} → {sizes[-1]:,}: ×{last / first:.2f}")
    if directs:
        print("\nComputation only (coordinator), straight from the records → from the summary tables:")
        for n in sizes:
            for label in ("matrix", "dashboard"):
                before, after = directs[n][(label, False)], directs[n][(label, True)]
                print(f"  {label:<10} {n:>9,}: {before * 1000:8.1f} ms → {after * 1000:6.1f} ms "
                      f"(×{before / after if after else 0:.0f} faster)")
    failed = [f"{who} {path} at {n}: {r[4]}" for n, result in results.items() for (who, path), r in result.items()
              if r[4] != 200]
    if failed:
        print("pages that did not answer 200:", *failed, sep="\n  ")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
