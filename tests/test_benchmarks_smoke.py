"""The benchmark scripts keep working (a seconds-long run; timings are never asserted)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_benchmark_smoke_run_prints_the_tables() -> None:
    """``benchmarks/run.py --smoke`` exits 0 and prints the speed, memory and retry lines."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--smoke"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "| latency | calls | SDK s | floor s |" in done.stdout
    assert "memory: enroll of" in done.stdout
    assert "retries:" in done.stdout
