"""The needs matrix for 193 States: python benchmarks/matrix_bench.py [--requests N]

Builds the synthetic office (pages_bench.prepare: `flask seed synthetic`, default 10,000 requests) and prints the
median time of the matrix page (whole body read), its rows and cells, how long the page's numbers' links take
when each is built by `url_for` against the one prebuilt address the page uses (reports/views.py,
requests_list_link), and the same with every region folded. Prints figures; never fails on slowness."""
from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask import url_for

from benchmarks.pages_bench import COORDINATOR, _Caller, prepare


def timed(call, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--offers", type=int, default=3_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        app = prepare(f"sqlite:///{folder}/matrix.db", args.requests, args.offers)
        caller = _Caller(app, COORDINATOR)
        body = caller.get("/matrix").get_data(as_text=True)
        rows = body.count('class="mx-row"')
        links = body.count('class="mx-count mx-')
        page = timed(lambda: caller.get("/matrix").get_data(), args.runs)
        regions = ",".join(sorted(set(re.findall(r'data-region="(\d+)"', body))))
        folded = timed(lambda: caller.get(f"/matrix?fold={regions}").get_data(), args.runs)
        with app.test_request_context("/matrix"):
            from exchange.reports.views import requests_list_link
            link = requests_list_link()
            params = [{"country": "KAZ", "theme": "financing", "status": ["open"]}] * max(links, 1)
            by_url_for = timed(lambda: [url_for("requests.index", **p) for p in params], args.runs)
            prebuilt = timed(lambda: [link(**p) for p in params], args.runs)
    print(f"matrix at {args.requests:,} requests: {rows} country rows, {links:,} linked numbers")
    print(f"  page (median of {args.runs}): {page * 1000:.0f} ms; every region folded: {folded * 1000:.0f} ms")
    print(f"  the {links:,} links: url_for each {by_url_for * 1000:.1f} ms, the prebuilt address {prebuilt * 1000:.1f} ms "
          f"(ratio {by_url_for / prebuilt if prebuilt else 0:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
