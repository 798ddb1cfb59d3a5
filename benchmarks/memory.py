"""Memory of one job, or of reading one back, in a fresh process with nothing else in it.

Reads a JSON spec on standard input and prints one JSON line. Each mode imports the SDK,
builds its inputs, resets the peak RSS (``echo 5 > /proc/self/clear_refs``), reads
VmRSS as the baseline, does its work and reads VmHWM (the peak since the reset) while
what it made is still alive. Modes (``mode``):

* ``job`` (the default): ``Batcher.enroll`` of ``students`` x ``lessons`` against the
  server at ``base_url`` (the canned server), at ``concurrency``; with ``keep``, the
  report is then written there as ``report.json`` and ``report.csv`` (with a BOM).
* ``load``: ``BatchReport.load(path)``, a report file.
* ``command``: the ``eeo-async`` command's own entry point with ``args`` (credentials
  from the spec, as the command's environment), e.g. an ``enroll --journal`` job or its
  resume.

Only the SDK's public API and the command are used.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import eeo_async as eeo

FIRST_STUDENT = 1_000_001
FIRST_LESSON = 5_000_001


def status_kib(name: str) -> int | None:
    """A ``/proc/self/status`` field in KiB (``VmHWM``, ``VmRSS``); None without /proc."""
    try:
        text = Path("/proc/self/status").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1])
    return None


def peak_kib() -> int:
    """The peak RSS in KiB: VmHWM, or ``ru_maxrss`` where there is no /proc."""
    peak = status_kib("VmHWM")
    if peak is not None:
        return peak
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return maxrss // 1024 if sys.platform == "darwin" else maxrss  # bytes on macOS


def reset_peak() -> bool:
    """Make the peak RSS the current RSS (Linux 4.0+); False where that is not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


async def job(spec: dict[str, Any], students: list[int], lessons: list[int]) -> eeo.BatchReport:
    """The enrolment whose memory is measured."""
    async with eeo.Client(spec["sid"], spec["secret"], base_url=spec["base_url"]) as client:
        batcher = eeo.Batcher(client, concurrency=spec["concurrency"])
        return await batcher.enroll(spec["course"], students, lessons)


def write_peaks(report: eeo.BatchReport, baseline: int) -> dict[str, float]:
    """Extra peak RSS (MiB) of writing the report as JSON and as CSV, and the report's own.

    The report's own memory is the RSS above the baseline once the job has ended (its
    columns; the job's working set is gone). Each write starts from a reset peak.
    """
    import tempfile

    now = status_kib("VmRSS")
    if now is None or not reset_peak():
        return {}
    own = (now - baseline) / 1024
    extra: dict[str, float] = {"report_mb": own}
    with tempfile.TemporaryDirectory() as folder:
        for name, write in (("json", report.write_json), ("csv", report.to_csv)):
            reset_peak()
            start = status_kib("VmRSS") or 0
            write(Path(folder) / f"report.{name}")
            extra[f"{name}_write_mb"] = (peak_kib() - start) / 1024
    return extra


def start() -> tuple[str, int]:
    """Reset the peak and read the baseline: (how the peak is measured, baseline KiB).

    With the peak reset, the baseline is the RSS now; otherwise the peak so far of this
    fresh process, which holds nothing but the imports and the inputs.
    """
    method = "clear_refs" if reset_peak() else "fresh process"
    baseline = status_kib("VmRSS") if method == "clear_refs" else None
    return method, baseline if baseline is not None else peak_kib()


def above(method: str, baseline: int, items: int, wall: float) -> dict[str, Any]:
    """The peak above the baseline, in MB and bytes an item."""
    peak = peak_kib()
    return {
        "method": method,
        "items": items,
        "wall": wall,
        "baseline_mb": baseline / 1024,
        "peak_mb": peak / 1024,
        "above_mb": (peak - baseline) / 1024,
        "bytes_per_item": (peak - baseline) * 1024 / max(items, 1),
    }


def run_job(spec: dict[str, Any]) -> dict[str, Any]:
    """An enrolment through the Batcher (the job's own memory)."""
    students = list(range(FIRST_STUDENT, FIRST_STUDENT + spec["students"]))
    lessons = list(range(FIRST_LESSON, FIRST_LESSON + spec["lessons"]))
    method, baseline = start()
    started = time.perf_counter()
    report = asyncio.run(job(spec, students, lessons))
    result = above(method, baseline, report.total, time.perf_counter() - started)
    if report.failed or report.succeeded != report.total:
        raise RuntimeError(f"the job did not succeed: {report.summary()}")
    result.update(write_peaks(report, baseline), calls=report.calls)
    if spec.get("keep"):
        folder = Path(spec["keep"])
        report.write_json(folder / "report.json")
        report.to_csv(folder / "report.csv", bom=True)
    return result


def run_load(spec: dict[str, Any]) -> dict[str, Any]:
    """``BatchReport.load`` of a report file."""
    method, baseline = start()
    started = time.perf_counter()
    report = eeo.BatchReport.load(spec["path"])
    result = above(method, baseline, report.total, time.perf_counter() - started)
    result["unknown"] = report.unknown
    return result


def run_command(spec: dict[str, Any]) -> dict[str, Any]:
    """The ``eeo-async`` command in this process, its summary sent to /dev/null."""
    from eeo_async._cli import main as command

    os.environ.update(
        EEO_SID=str(spec["sid"]), EEO_SECRET=spec["secret"], EEO_BASE_URL=spec["base_url"]
    )
    method, baseline = start()
    started = time.perf_counter()
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        code = command(spec["args"])
    result = above(method, baseline, spec["items"], time.perf_counter() - started)
    result["exit"] = code
    return result


MODES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "job": run_job,
    "load": run_load,
    "command": run_command,
}


def main() -> None:
    spec = json.load(sys.stdin)
    print(json.dumps(MODES[spec.get("mode", "job")](spec)))


if __name__ == "__main__":
    main()
