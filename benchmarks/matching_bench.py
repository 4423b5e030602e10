"""Benchmark of the matching engine: python benchmarks/matching_bench.py [--quick]

Prints index build time, full rebuild time, p50/p95 of one request's refresh, peak memory,
and the ratio against brute-force scoring of every pair (timed on a sample of requests and
extrapolated).  Targets on a 2-core machine: rebuild < 5 s, one request p95 < 20 ms,
peak memory < 500 MB; with ``--vectors 512`` (stored text vectors, issue 13): rebuild <= 2 s,
p95 <= 10 ms, peak <= 400 MB, plus the vectors' store/load through SQLite and (``--embed N``) the
model's texts per second and the time from saving a request to its suggestions being current.
Prints figures; never fails on slowness.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from exchange.matching.bench import format_bench, run_bench


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=10_000)
    ap.add_argument("--offers", type=int, default=5_000)
    ap.add_argument("--quick", action="store_true", help="small sizes (1000 requests, 500 offers)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--brute-sample", type=int, default=30, help="requests scored by brute force")
    ap.add_argument("--no-tracemalloc", action="store_true", help="skip tracemalloc (faster, ru_maxrss only)")
    ap.add_argument("--vectors", type=int, default=0, metavar="DIM",
                    help="attach precomputed random text vectors of this dimension (512: the model's)")
    ap.add_argument("--embed", type=int, default=0, metavar="N",
                    help="also load the real model and embed N texts (texts per second, one text's latency)")
    args = ap.parse_args(argv)
    if args.quick:
        args.requests, args.offers = 1_000, 500
    result = run_bench(args.requests, args.offers, seed=args.seed, brute_sample=args.brute_sample,
                       trace_memory=not args.no_tracemalloc, log=lambda m: print(m, flush=True),
                       vectors=args.vectors, embed_texts=args.embed)
    print(format_bench(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
