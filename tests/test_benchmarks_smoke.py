"""The benchmark scripts keep working (a seconds-long run; timings are never asserted)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_benchmark_smoke_run_prints_every_table(tmp_path: Path) -> None:
    """``benchmarks/run.py --smoke`` exits 0, prints every table with its verdicts, saves JSON."""
    saved = tmp_path / "bench.json"
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--smoke", "--json", str(saved)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for title in ("### (a) Batcher, 0 ms", "### (b) Batcher,", "### (c) single calls"):
        assert title in out
    for title in ("### (d) retry efficiency", "### (e) memory", "### correctness", "### cProfile"):
        assert title in out
    assert "### (e) reading back" in out
    assert "### (f) adaptive concurrency" in out
    assert "### (g) receive: acks per second" in out
    assert "### (h) receive memory" in out
    assert "### (j) API v2 beside v1" in out
    # Every target row says met or not met; the correctness rows all passed.
    assert out.count("met |") >= 2 + 3 + 2 + 2 + 1 + 3 + 2 * 2 + 2
    assert "FAILED" not in out
    # The credentials of the benchmark servers never reach the output.
    assert "benchmark-secret" not in out
    assert "benchmark-secret" not in done.stderr
    doc = json.loads(saved.read_text())
    # The profile's three views, (f)'s two tables, (e)'s reading back, (g), (h), (i), (j).
    assert len(doc["tables"]) == 6 + 3 + 2 + 1 + 2 + 1 + 1
    assert all(run["result"] for run in doc["runs"])
    assert "benchmark-secret" not in saved.read_text()
