"""The pages benchmark still runs: on a tiny office it serves every page it measures with gunicorn, each
answers 200, and it prints its figures and the issue's targets; the in-process helpers matrix_bench.py uses
still build an office and sign in."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path


def _bench():
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "pages_bench.py"
    spec = importlib.util.spec_from_file_location("pages_bench", path)
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench  # its dataclasses look their module up
    spec.loader.exec_module(bench)
    return bench


def test_pages_benchmark_runs_on_a_tiny_office(capsys):
    bench = _bench()
    assert bench.main(["--requests", "60", "--offers", "20", "--duration", "0.2", "--rounds", "1",
                       "--clients", "2"]) == 0
    out = capsys.readouterr().out
    assert "/triage" in out and "/api/v1/requests/<id>/matches" in out and "Targets of issue 17" in out
    assert "creates" in out and "edits" in out and "stmts" in out


def test_in_process_helpers(tmp_path):
    bench = _bench()
    app = bench.prepare(f"sqlite:///{tmp_path}/office.sqlite3", 40, 10)
    caller = bench._Caller(app, bench.COORDINATOR)
    assert caller.get("/matrix").status_code == 200
    assert caller.get("/api/v1/requests").status_code == 200
