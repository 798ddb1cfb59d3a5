"""Peak RSS of an enroll job of many items against a fake transport (planner + merger)."""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import time

import eeo_async as eeo
from eeo_async.testing import MockRequest, MockTransport

OK = {"errno": 1, "error": "Successful execution."}


def answer(request: MockRequest) -> dict[str, object]:
    """Every item answered 1 at once, so only the SDK is measured."""
    count = request.form["classJson"].count(",") + 1
    return {"error_info": {"errno": 1, "error": "ok"}, "data": [OK] * count}


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--lessons", type=int, default=1000)
    args = parser.parse_args()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    async with eeo.Client(
        1, "benchmark-secret", transport=MockTransport(answer, record=False)
    ) as client:
        report = await eeo.Batcher(client, concurrency=16).enroll(
            1, range(1, args.students + 1), range(1, args.lessons + 1)
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    result = {
        "items": report.total,
        "calls": report.calls,
        "seconds": time.perf_counter() - started,
        "baseline_mb": before / 1024,
        "peak_mb": peak / 1024,
        "bytes_per_item": (peak - before) * 1024 / report.total,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main())
