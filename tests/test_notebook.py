"""A notebook run headless in a real kernel: what the *saved* notebook shows of a job.

One kernel start; a job of 300 items against the sandbox with ``progress=True``, its
report the last expression of the cell. Checked in the notebook as written to disk
and read back: the report's HTML (counts, the English meaning of each failing errno,
an example key) and the progress line's final state (never a widget, no warning).
"""

from __future__ import annotations

import html
import json
import re
import sys
from typing import Any

import pytest

import eeo_async as eeo

nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
nbformat = pytest.importorskip("nbformat")

WIDGET = "application/vnd.jupyter.widget-view+json"
STRANGERS = list(range(9_000_001, 9_000_021))  # not in the school: errno 228
DELETED = 10  # the first students' accounts deleted by their users: errno 886
MEMBERS = 20  # the next students already in the course: 163, already

SETUP = f"""\
import eeo_async as eeo
from eeo_async.testing import Sandbox

sandbox = Sandbox()  # answers in Chinese, as the production server does
await sandbox.start()
students = sandbox.add_students(280)
course = sandbox.add_course(lessons=1)
for uid in students[:{DELETED}]:
    sandbox.delete_student_account(uid)
sandbox.add_course_members(course.course_id, students[{DELETED}:{DELETED + MEMBERS}])
strangers = {STRANGERS!r}
"""
JOB = """\
async with eeo.Client(sandbox.sid, sandbox.secret, base_url=sandbox.base_url) as client:
    batcher = eeo.Batcher(client, concurrency=4)
    report = await batcher.add_students_to_course(
        course.course_id, [*students, *strangers], progress=True
    )
report
"""
CLOSE = "await sandbox.close()"
COUNTS = {"succeeded": 250, "already": MEMBERS, "failed": DELETED + len(STRANGERS), "unknown": 0}
FINAL = "300/300 items (100%)"
OUTCOME = "30 failed, 270 ok"


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The notebook, run in a kernel of this interpreter, written to disk and read back."""
    tmp_path = tmp_path_factory.mktemp("notebook")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
        patch.setenv("JUPYTER_PLATFORM_DIRS", "1")
        # A kernel of this very interpreter, whatever kernels the machine has installed.
        spec = tmp_path / "jupyter" / "kernels" / "eeo-test"
        spec.mkdir(parents=True)
        argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
        document = {"argv": argv, "display_name": "eeo-test", "language": "python"}
        (spec / "kernel.json").write_text(json.dumps(document), encoding="utf-8")
        patch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(code) for code in (SETUP, JOB, CLOSE)]
        client = nbclient.NotebookClient(
            nb, kernel_name="eeo-test", timeout=120, resources={"metadata": {"path": tmp_path}}
        )
        client.execute()
    path = tmp_path / "job.ipynb"
    nbformat.write(nb, path)
    return nbformat.read(path, as_version=4)


def outputs(nb: Any) -> list[Any]:
    return [output for cell in nb.cells for output in cell.get("outputs", [])]


def text(output: Any, mime: str) -> str:
    value = output.get("data", {}).get(mime, "")
    return "".join(value) if isinstance(value, list) else str(value)


def tags_out(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_the_report_cell_shows_counts_meanings_and_an_example_key(saved: Any) -> None:
    """The report renders as HTML with its counts, each failing errno in English, a key."""
    results = [o for o in saved.cells[1].outputs if o.output_type == "execute_result"]
    assert len(results) == 1
    page = text(results[0], "text/html")
    words = tags_out(page)
    for name, count in COUNTS.items():
        assert re.search(rf"\b{name}\b\W*{count}\b|\b{count}\W*{name}\b", words), (name, words)
    for errno in (eeo.Errno.ACCOUNT_DELETED, eeo.Errno.STUDENT_NOT_IN_SCHOOL):
        meaning = eeo.describe(errno)
        assert html.escape(meaning) in page or html.escape(meaning, quote=False) in page, meaning
    # An example key of a failing item (the report's HTML names some per errno).
    failing = [*STRANGERS, *range(1_000_001, 1_000_001 + DELETED)]
    assert any(re.search(rf"\b{uid}\b", words) for uid in failing), words


def test_the_progress_line_ends_on_the_final_state(saved: Any) -> None:
    """One progress output, left at done/total and the outcome counts, as HTML and text."""
    lines = [
        o
        for o in saved.cells[1].outputs
        if o.output_type == "display_data" and "<progress" in text(o, "text/html")
    ]
    assert len(lines) == 1, saved.cells[1].outputs  # updated in place, never appended
    page = text(lines[0], "text/html")
    plain = text(lines[0], "text/plain")
    assert '<progress value="300" max="300"></progress>' in page
    for shown in (tags_out(page), plain):
        assert shown.startswith(f"add_students_to_course: {FINAL} in "), shown
        assert shown.endswith(f" s: {OUTCOME}"), shown


def test_no_widget_and_no_warning(saved: Any) -> None:
    """No ipywidget output anywhere, and nothing on stderr (no tqdm, no warning)."""
    every = outputs(saved)
    assert all(WIDGET not in o.get("data", {}) for o in every)
    assert [o for o in every if o.output_type == "error"] == []
    assert [o.text for o in every if o.output_type == "stream" and o.name == "stderr"] == []
