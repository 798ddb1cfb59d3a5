"""Memory of one cloud-drive upload, in a fresh process with nothing else in it.

Reads a JSON spec on standard input (``base_url``, ``sid``, ``secret``, ``path`` of the
file to upload), then: imports the SDK, resets the peak RSS (``echo 5 >
/proc/self/clear_refs``), reads VmRSS as the baseline, uploads the file with
``Client.upload_file`` into the drive's top folder, and reads VmHWM (the peak since the
reset). A second upload runs under ``tracemalloc`` for the peak of Python's own
allocations. The server's listing gives the size it received. Prints one JSON line.
Only the SDK's public API is used.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

from memory import peak_kib, reset_peak, status_kib

import eeo_async as eeo

MIB = 1024 * 1024


async def upload(spec: dict[str, Any]) -> tuple[int, str, float]:
    """Upload the file once; its new ID, the size the server lists, the seconds it took."""
    path = Path(spec["path"])
    async with eeo.Client(
        spec["sid"], spec["secret"], base_url=spec["base_url"], timeout=600
    ) as client:
        top = await client.get_top_folder_id()
        started = time.perf_counter()
        uploaded = await client.upload_file(top, path)
        wall = time.perf_counter() - started
        listing = await client.get_cloud_list(top)
    size = next(f.size for f in listing.files if f.file_id == uploaded.file_id)
    return uploaded.file_id, size, wall


def main() -> None:
    spec = json.loads(sys.stdin.read())
    size = Path(spec["path"]).stat().st_size
    method = "VmHWM after clear_refs" if reset_peak() else "ru_maxrss (peak since start)"
    baseline = status_kib("VmRSS") or peak_kib()
    file_id, listed, wall = asyncio.run(upload(spec))
    peak = peak_kib()
    tracemalloc.start()
    asyncio.run(upload(spec))
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    result = {
        "file_mb": size / MIB,
        "listed": listed,
        "file_id": file_id,
        "baseline_mb": baseline / 1024,
        "peak_mb": peak / 1024,
        "above_mb": (peak - baseline) / 1024,
        "traced_peak_mb": traced_peak / MIB,
        "wall": wall,
        "method": method,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
