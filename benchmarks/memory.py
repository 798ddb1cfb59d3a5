"""Memory of one enroll job, in a fresh process with nothing else in it.

Reads a JSON spec on standard input (``base_url``, ``sid``, ``secret``, ``course``,
``students`` and ``lessons`` counts, ``concurrency``), then: imports the SDK, builds the
input lists, resets the peak RSS (``echo 5 > /proc/self/clear_refs``), reads VmRSS as
the baseline, runs ``Batcher.enroll`` against the server given (the canned server),
and reads VmHWM (the peak since the reset) while the report is still alive. Prints
one JSON line. Only the SDK's public API is used.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
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


def main() -> None:
    spec = json.load(sys.stdin)
    students = list(range(FIRST_STUDENT, FIRST_STUDENT + spec["students"]))
    lessons = list(range(FIRST_LESSON, FIRST_LESSON + spec["lessons"]))
    # With the peak reset, the baseline is the RSS now; otherwise the peak so far of this
    # fresh process, which holds nothing but the imports and the input lists.
    method = "clear_refs" if reset_peak() else "fresh process"
    baseline = status_kib("VmRSS") if method == "clear_refs" else None
    baseline = baseline if baseline is not None else peak_kib()
    started = time.perf_counter()
    report = asyncio.run(job(spec, students, lessons))
    wall = time.perf_counter() - started
    peak = peak_kib()
    if report.failed or report.succeeded != report.total:
        raise RuntimeError(f"the job did not succeed: {report.summary()}")
    writes = write_peaks(report, baseline)
    result = {
        **writes,
        "method": method,
        "items": report.total,
        "calls": report.calls,
        "wall": wall,
        "baseline_mb": baseline / 1024,
        "peak_mb": peak / 1024,
        "above_mb": (peak - baseline) / 1024,
        "bytes_per_item": (peak - baseline) * 1024 / report.total,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
