"""Progress displays: a line updated in place in a notebook, tqdm or plain lines elsewhere."""

from __future__ import annotations

import re
import sys
import types
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

import eeo_async as eeo
from eeo_async._batch import progress as _progress
from eeo_async._batch.progress import NotebookProgress, PlainProgress, TqdmProgress, open_progress
from eeo_async.testing import MockRequest, MockTransport, Sandbox


class ZMQInteractiveShell:
    """Stands for ipykernel's shell: only its class name and config are looked at."""

    config: dict[str, Any] = {"IPKernelApp": {"connection_file": "kernel.json"}}  # noqa: RUF012


class TerminalInteractiveShell:
    config: dict[str, Any] = {"TerminalIPythonApp": {}}  # noqa: RUF012


class Handle:
    def __init__(self, first: Any) -> None:
        self.shown = [first]

    def update(self, obj: Any) -> None:
        self.shown.append(obj)


class Display:
    """``IPython.display.display`` as a kernel has it, recording every call."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.handles: list[Handle] = []

    def __call__(self, *objs: Any, display_id: Any = None, **kwargs: Any) -> Handle | None:
        self.calls.append({"objs": objs, "display_id": display_id, **kwargs})
        if display_id is None:
            return None
        handle = Handle(objs[0])
        self.handles.append(handle)
        return handle

    @property
    def shown(self) -> list[Any]:
        assert len(self.handles) == 1, self.calls
        return self.handles[0].shown


def fake_ipython(monkeypatch: pytest.MonkeyPatch, shell: object) -> Display:
    display = Display()
    ipython = types.ModuleType("IPython")
    ipython.get_ipython = lambda: shell  # type: ignore[attr-defined]
    module = types.ModuleType("IPython.display")
    module.display = display  # type: ignore[attr-defined]
    ipython.display = module  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    monkeypatch.setitem(sys.modules, "IPython.display", module)
    return display


@pytest.fixture
def kernel(monkeypatch: pytest.MonkeyPatch) -> Display:
    """A Jupyter kernel as the SDK sees one: IPython imported, its shell a kernel's."""
    return fake_ipython(monkeypatch, ZMQInteractiveShell())


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """No IPython in the program (a script, a web backend, pytest itself)."""
    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    monkeypatch.delitem(sys.modules, "IPython.display", raising=False)


@pytest.fixture
def no_tqdm(monkeypatch: pytest.MonkeyPatch, terminal: None) -> None:
    monkeypatch.setitem(sys.modules, "tqdm.std", None)


@pytest.fixture
def no_warnings() -> Iterator[list[warnings.WarningMessage]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught
    assert [str(w.message) for w in caught] == []


def client_for(sb: Sandbox) -> eeo.Client:
    return eeo.Client(sb.sid, sb.secret, base_url=sb.base_url, initial_backoff=0, max_backoff=0)


async def school_job(sb: Sandbox, *, progress: bool = True) -> eeo.BatchReport[int]:
    """Add 40 students to a course: 30 join, 5 already are members, 5 are not in the school."""
    students = sb.add_students(35)
    course = sb.add_course(lessons=1)
    sb.add_course_members(course.course_id, students[:5])
    strangers = list(range(9_000_001, 9_000_006))
    async with client_for(sb) as client:
        batcher = eeo.Batcher(client, concurrency=2, chunk_size=10)
        return await batcher.add_students_to_course(
            course.course_id, [*students, *strangers], progress=progress
        )


def refused(request: MockRequest) -> dict[str, Any]:
    """Every call answered 102: the job stops after its first call."""
    return {"error_info": {"errno": 102, "error": "no permission"}}


async def stopped_job(*, progress: bool = True) -> eeo.BatchReport[int]:
    """A job of 10 items that stops on 102 after its first call of 2."""
    client = eeo.Client(1, "not-the-secret", transport=MockTransport(refused))
    async with client:
        batcher = eeo.Batcher(client, concurrency=1, chunk_size=2)
        return await batcher.add_students_to_course(1, range(1, 11), progress=progress)


FINAL = re.compile(
    r"^add_students_to_course: 40/40 items \(100%\) in \d+\.\d\d s: 5 failed, 35 ok$"
)


# ------------------------------------------------------------------ notebooks


async def test_a_notebook_job_shows_one_line_that_ends_on_its_outcome(
    eeo_sandbox: Sandbox,
    kernel: Display,
    capsys: pytest.CaptureFixture[str],
    no_warnings: list[warnings.WarningMessage],
) -> None:
    """In a kernel: one display with a display_id, updated in place, last with the counts."""
    report = await school_job(eeo_sandbox)
    assert (report.succeeded, report.already, report.failed) == (30, 5, 5)
    assert len(kernel.calls) == 1
    assert kernel.calls[0]["display_id"] is True
    first, *_, last = kernel.shown
    assert repr(first) == "add_students_to_course: 0/40 items (0%)"
    assert '<progress value="0" max="40"></progress>' in first._repr_html_()
    assert FINAL.match(repr(last)), repr(last)
    page = last._repr_html_()
    assert '<progress value="40" max="40"></progress>' in page
    assert "5 failed, 35 ok" in page
    done = [int(repr(line).split(": ")[1].split("/")[0]) for line in kernel.shown]
    assert done == sorted(done)
    assert capsys.readouterr().err == ""  # no tqdm bar, no plain lines, no warning


async def test_a_stopped_notebook_job_does_not_claim_to_be_done(
    kernel: Display, no_warnings: list[warnings.WarningMessage]
) -> None:
    """A job stopped by 102 ends on the items it did, not 100%, with its counts and reason."""
    report = await stopped_job()
    assert report.stopped_by == "credentials"
    last = repr(kernel.shown[-1])
    assert last.startswith("add_students_to_course: 2/10 items (20%) in ")
    assert " s: 2 failed, 8 not sent, 0 ok; stopped early: " in last
    assert "credentials" in last
    assert "100%" not in last
    assert '<progress value="2" max="10"></progress>' in kernel.shown[-1]._repr_html_()


def test_updates_are_throttled_and_the_last_one_is_not() -> None:
    """At most one update per interval while running; closing shows the state at once."""
    now = [100.0]
    display = Display()
    bar = NotebookProgress(10, "enroll", display, clock=lambda: now[0], interval=0.25)
    for step, at in enumerate([100.05, 100.1, 100.2, 100.26, 100.3, 100.4, 100.5, 100.52]):
        now[0] = at
        bar.update(1)
        assert bar.done == step + 1
    # Shown: at the start, at 100.26 (4 done) and at 100.52 (8 done); none in between.
    assert [repr(line) for line in display.shown] == [
        "enroll: 0/10 items (0%)",
        "enroll: 4/10 items (40%)",
        "enroll: 8/10 items (80%)",
    ]
    now[0] = 100.53  # within the interval: closing shows the final state all the same
    bar.update(2)
    bar.close()
    assert [repr(line) for line in display.shown][-1] == "enroll: 10/10 items (100%)"
    assert len(display.shown) == 4


def test_the_line_is_escaped_html_with_a_progress_element() -> None:
    """The HTML line escapes its text and keeps a <progress> element within its bounds."""
    display = Display()
    NotebookProgress(0, "a<b>&", display)
    page = display.shown[0]._repr_html_()
    assert '<progress value="1" max="1"></progress>' in page  # nothing to do: full
    assert "a&lt;b&gt;&amp;: 0/0 items (100%)" in page
    assert "<b>" not in page


def test_kernels_are_recognised_without_importing_ipython(
    monkeypatch: pytest.MonkeyPatch, terminal: None
) -> None:
    """Only an IPython already imported, whose shell is a kernel's, gets the notebook line."""
    assert _progress.notebook_display() is None
    assert "IPython" not in sys.modules  # not imported by looking

    fake_ipython(monkeypatch, None)  # IPython imported, no shell running
    assert _progress.notebook_display() is None
    fake_ipython(monkeypatch, TerminalInteractiveShell())  # terminal IPython
    assert _progress.notebook_display() is None

    class ColabShell(ZMQInteractiveShell):  # a kernel's shell subclassed
        config: dict[str, Any] = {}  # noqa: RUF012

    display = fake_ipython(monkeypatch, ColabShell())
    assert _progress.notebook_display() is display

    class Shell:  # any shell run by an IPKernelApp
        config: dict[str, Any] = {"IPKernelApp": {}}  # noqa: RUF012

    display = fake_ipython(monkeypatch, Shell())
    assert isinstance(open_progress(3, "enroll"), NotebookProgress)
    assert len(display.calls) == 1


async def test_without_progress_nothing_is_displayed(eeo_sandbox: Sandbox, kernel: Display) -> None:
    await school_job(eeo_sandbox, progress=False)
    assert kernel.calls == []


# ------------------------------------------------------------ outside notebooks


async def test_outside_a_notebook_tqdm_draws_on_stderr(
    eeo_sandbox: Sandbox,
    terminal: None,
    capsys: pytest.CaptureFixture[str],
    no_warnings: list[warnings.WarningMessage],
) -> None:
    """tqdm's own bar (tqdm.std, never a widget) on stderr, ending on the counts."""
    assert isinstance(open_progress(3, "enroll"), TqdmProgress)
    capsys.readouterr()
    await school_job(eeo_sandbox)
    captured = capsys.readouterr()
    assert captured.out == ""
    last = captured.err.rstrip("\n").split("\r")[-1]
    assert last.startswith("add_students_to_course (5 failed): 100%")
    assert "40/40" in last
    assert last.endswith(", 35 ok]")


async def test_tqdm_ends_a_stopped_job_on_the_items_it_did(
    terminal: None, capsys: pytest.CaptureFixture[str]
) -> None:
    await stopped_job()
    last = capsys.readouterr().err.rstrip("\n").split("\r")[-1]
    assert "2/10" in last
    assert "10/10" not in last
    assert last.startswith("add_students_to_course (2 failed, 8 not sent), stopped (credentials)")


async def test_without_tqdm_plain_lines_on_stderr(
    eeo_sandbox: Sandbox,
    no_tqdm: None,
    capsys: pytest.CaptureFixture[str],
    no_warnings: list[warnings.WarningMessage],
) -> None:
    """Without tqdm: a line every 10% short of the end, then the final line with the counts."""
    assert isinstance(open_progress(3, "enroll"), PlainProgress)
    await school_job(eeo_sandbox)
    lines = capsys.readouterr().err.splitlines()
    assert 1 < len(lines) <= 11
    running = r"progress: \d+/40 items \(\d+%\)(, [1-5] failed)?$"
    assert all(re.match(running, line) for line in lines[:-1]), lines
    assert re.match(r"progress: 40/40 items \(100%\) in \d+\.\d\d s: 5 failed, 35 ok$", lines[-1])


async def test_plain_lines_end_a_stopped_job_truthfully(
    no_tqdm: None, capsys: pytest.CaptureFixture[str]
) -> None:
    await stopped_job()
    lines = capsys.readouterr().err.splitlines()
    assert re.match(
        r"progress: 2/10 items \(20%\) in \d+\.\d\d s: 2 failed, 8 not sent, 0 ok; stopped \(cr",
        lines[-1],
    )
    assert len(lines[-1]) <= 80
    assert not any("100%" in line for line in lines)


def test_plain_lines_every_ten_percent(capsys: pytest.CaptureFixture[str]) -> None:
    bar = PlainProgress(100, "enroll")
    for _ in range(100):
        bar.update(1)
    bar.close()
    lines = capsys.readouterr().err.splitlines()
    assert lines == [f"progress: {n or 1}/100 items ({n or 1}%)" for n in range(0, 100, 10)] + [
        "progress: 100/100 items (100%)"
    ]
