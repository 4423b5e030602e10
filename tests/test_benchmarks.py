"""The pages benchmark still runs: every page and endpoint it times answers 200 on tiny databases."""
from __future__ import annotations

import importlib.util
from pathlib import Path


def test_pages_benchmark_runs_on_tiny_databases(capsys):
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "pages_bench.py"
    spec = importlib.util.spec_from_file_location("pages_bench", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert bench.main(["--requests", "80", "--offers", "30", "--small", "40", "--runs", "1"]) == 0
    out = capsys.readouterr().out
    assert "/triage" in out and "/exports/requests.csv" in out and "peak memory" in out
