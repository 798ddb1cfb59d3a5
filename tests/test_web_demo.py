"""``make demo`` builds only what the demo needs, and the demo says what its final check does."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


def dry_make(target: str, venv: Path) -> list[str]:
    """The commands ``make TARGET`` would run for a venv at ``venv`` (``make -n``)."""
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    done = subprocess.run(
        [make, "--no-print-directory", "-n", target, f"VENV={venv}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.splitlines()


def test_make_demo_installs_the_package_without_the_test_tools(tmp_path: Path) -> None:
    """From nothing, make demo installs the package alone: no test or bench extras."""
    lines = dry_make("demo", tmp_path / ".venv")
    installs = [line for line in lines if "pip install" in line]
    assert len(installs) == 1
    assert installs[0].endswith("-e .")
    assert "[test" not in "\n".join(lines)
    assert lines[-1].endswith("eeo-async demo")


def test_make_test_still_installs_everything(tmp_path: Path) -> None:
    """make test builds the venv with the test and bench extras, as before."""
    lines = dry_make("test", tmp_path / ".venv")
    assert any("pip install" in line and "'.[test,bench]'" in line for line in lines)


def test_the_demo_says_what_it_checks_at_the_end(tmp_path: Path) -> None:
    """The demo's final check announces itself (how many items) and says when it is done."""
    report = tmp_path / "demo.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "eeo_async._cli",
            "demo",
            "--students",
            "60",
            "--lessons",
            "6",
            "--report",
            str(report),
            "--no-progress",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    announce = out.index("checking the ")
    assert "items of the last three reports against the sandbox" in out[announce:]
    assert out.index("done in ", announce) < out.index("report agrees with the server")
