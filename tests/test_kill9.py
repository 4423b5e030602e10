"""The kill -9 script still runs: a short run (2 rounds, the master killed once) loses no acknowledged
write. The figures of the full run (20 rounds, both engines) are in the README."""
from __future__ import annotations

import importlib.util
from pathlib import Path


def test_kill9_short_run_loses_nothing(capsys):
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "kill9.py"
    spec = importlib.util.spec_from_file_location("kill9", path)
    kill9 = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(kill9)
    assert kill9.main(["--rounds", "2", "--master-every", "2", "--writers", "2", "--max-seconds", "60"]) == 0
    out = capsys.readouterr().out
    assert "2 workers and 1 masters killed with SIGKILL (1 restarts)" in out
    assert "lost 0" in out and "integrity check: ok" in out and "PASS" in out
