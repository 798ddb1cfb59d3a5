"""The command reads Excel's files as they are: .xlsx, GBK/GB18030, UTF-16, numbers, columns."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from test_cli import ThreadSandbox, run_cli

from eeo_async.testing import Sandbox


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with ThreadSandbox() as sb:
        yield sb


def book(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    """Write a workbook as Excel would save it, one sheet per entry."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def text(path: Path, rows: list[str], encoding: str, newline: str = "\r\n") -> Path:
    path.write_bytes("".join(row + newline for row in rows).encode(encoding))
    return path


def test_enroll_from_two_sheets_of_one_workbook(sandbox: Sandbox, tmp_path: Path) -> None:
    """IDs as numbers and as text, a header, and a second sheet chosen by its option."""
    students = sandbox.add_students(3)
    course = sandbox.add_course(lessons=2)
    workbook = book(
        tmp_path / "term.xlsx",
        {
            "Students": [
                ["Name", "Student UID", "Born"],
                ["Ann", students[0], None],
                ["Bo", str(students[1]), None],
                [],
                ["Cy", float(students[2]), None],
            ],
            "Lessons": [["classId"], *([lesson] for lesson in course.class_ids)],
        },
    )
    done = run_cli(
        [
            *("enroll", "--course", course.course_id, "--students", workbook),
            *("--students-column", "studentUid", "--lessons", workbook),
            *("--lessons-sheet", "Lessons"),
        ],
        sandbox,
    )
    assert done.returncode == 0, done.stderr
    for lesson in course.class_ids:
        assert sandbox.lesson_members(lesson) == set(students)


def test_sheet_option_and_a_missing_sheet(sandbox: Sandbox, tmp_path: Path) -> None:
    """--sheet reads the named sheet; a sheet that is not there exits 2 listing the sheets."""
    students = sandbox.add_students(2)
    course = sandbox.add_course(lessons=1)
    workbook = book(
        tmp_path / "b.xlsx",
        {"Old": [["uid"], [999]], "New": [["uid"], *([s] for s in students)]},
    )
    args = ["course-add", "--course", course.course_id, "--students", workbook]
    done = run_cli([*args, "--sheet", "New"], sandbox)
    assert done.returncode == 0, done.stderr
    assert sandbox.course_students(course.course_id) == set(students)
    missing = run_cli([*args, "--sheet", "Term 2", "--dry-run"])
    assert missing.returncode == 2
    assert f"{workbook}: no sheet 'Term 2' (--sheet); sheets: Old, New" in missing.stderr


def test_gbk_students_file_with_chinese_headers(sandbox: Sandbox, tmp_path: Path) -> None:
    """A GBK CSV as Chinese Excel saves it, its column named in Chinese, is read as is."""
    students = sandbox.add_students(2)
    course = sandbox.add_course(lessons=1)
    sfile = text(
        tmp_path / "学生.csv",
        ["姓名,学生UID,班级", f"张三,{students[0]},一班", f"李四,{students[1]},二班"],
        "gbk",
    )
    args = ["course-add", "--course", course.course_id, "--students", sfile]
    done = run_cli([*args, "--column", "学生UID"], sandbox)
    assert done.returncode == 0, done.stderr
    assert sandbox.course_students(course.course_id) == set(students)
    # The same bytes named as another encoding are refused at the first bad line.
    wrong = run_cli([*args, "--column", "学生UID", "--encoding", "utf-8", "--dry-run"])
    assert wrong.returncode == 2
    assert f"{sfile}:1: not utf-8 text" in wrong.stderr


def test_register_from_a_gb18030_file(sandbox: Sandbox, tmp_path: Path) -> None:
    """Chinese headers and a name only GB18030 holds register with the name intact."""
    accounts = text(
        tmp_path / "accounts.csv",
        ["手机号,密码,昵称", "15800000011,s3cret-pass,王𠮷", "15800000012,s3cret-pass,李四"],
        "gb18030",
    )
    done = run_cli(["register", "--accounts", accounts], sandbox)
    assert done.returncode == 0, done.stderr
    found = sandbox.account("15800000011")
    assert found is not None
    assert found.nickname == "王𠮷"


def test_utf16_unicode_text_from_excel(tmp_path: Path) -> None:
    """Excel's "Unicode text" (UTF-16 with a BOM, tab-separated) is read by its header."""
    sfile = text(
        tmp_path / "s.txt", ["名字\tStudent UID", "王五\t1000003", "赵六\t1000004"], "utf-16"
    )
    done = run_cli(
        ["course-add", "--course", "1", "--students", sfile, "--column", "uid", "--dry-run"]
    )
    assert done.returncode == 0, done.stderr
    assert "would send 2 items" in done.stdout


def test_ids_excel_turned_into_numbers_say_how_to_fix(tmp_path: Path) -> None:
    """`1000001.0` and `1.000001E+06` are named as Excel's numbers, with the fix; exit 2."""
    sfile = text(tmp_path / "s.csv", ["uid", "1000001.0", "1.000001E+06", "1000002"], "utf-8")
    done = run_cli(["course-add", "--course", "1", "--students", sfile, "--dry-run"])
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"{sfile}:2: bad ID '1000001.0': Excel has turned the ID into a number with "
        "decimals; format the column as Text (or as Number with 0 decimal places) and save again",
        f"{sfile}:3: bad ID '1.000001E+06': Excel has turned the ID into a number in "
        "scientific notation, which may have lost digits; format the column as Text, enter "
        "the values again and save again",
    ]


def test_workbook_number_with_a_fraction_is_named_by_cell(tmp_path: Path) -> None:
    """A whole number cell is an ID; one with a fraction is refused naming its cell; exit 2."""
    workbook = book(tmp_path / "s.xlsx", {"S": [["uid"], [1000001.0], [1000002.5]]})
    done = run_cli(["course-add", "--course", "1", "--students", workbook, "--dry-run"])
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"{workbook}:3: bad ID 1000002.5 in cell A3: a number that has a fraction; format "
        "the column as Text and enter the IDs again"
    )


def test_register_keeps_a_hash_password_and_quoted_spaces(sandbox: Sandbox, tmp_path: Path) -> None:
    """`#Start2026` in the first column is a password, and a quoted one keeps its spaces."""
    accounts = text(
        tmp_path / "a.csv",
        [
            "# accounts for term 2",
            "password,telephone,nickname",
            "#Start2026,15800000021,Ann",
            '"  pass word ",15800000022,Bo',
            "# end",
        ],
        "utf-8",
    )
    done = run_cli(["register", "--accounts", accounts], sandbox)
    assert done.returncode == 0, done.stderr
    assert sandbox.password_matches("15800000021", "#Start2026")
    assert sandbox.password_matches("15800000022", "  pass word ")
    assert not sandbox.password_matches("15800000022", "pass word")


def test_register_columns_by_the_docs_names(sandbox: Sandbox, tmp_path: Path) -> None:
    """`md5pass`, `addToSchoolMember` and `customColumn` work; an unused column is warned of."""
    digest = "0b0d9e5bb9bd0a0b6b0f2b0b3f0d8a6c"
    accounts = text(
        tmp_path / "a.csv",
        [
            "telephone,md5pass,nickname,addToSchoolMember,customColumn,Class",
            f"15800000031,{digest},Ann,1,row-1,7A",
            f"15800000032,{digest},Bo,2,row-2,7B",
        ],
        "utf-8",
    )
    done = run_cli(["register", "--accounts", accounts], sandbox)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[0] == (
        f"warning: {accounts}:1: not reading the column(s) 'Class' (this file's columns: "
        "telephone, email, password, md5_password, nickname, add_to_school, custom_column)"
    )
    ann, bo = sandbox.account("15800000031"), sandbox.account("15800000032")
    assert ann is not None
    assert bo is not None
    assert ann.uid in sandbox.school_students()
    assert bo.uid in sandbox.school_teachers()
    assert sandbox.password_matches("15800000031", digest)


def test_a_misspelt_column_is_refused_before_anything_is_sent(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """`telphone` beside `email` is taken for a misspelling: exit 2, no account registered."""
    accounts = text(
        tmp_path / "a.csv",
        ["email,telphone,password", "ann@example.com,15800000041,s3cret-pass"],
        "utf-8",
    )
    done = run_cli(["register", "--accounts", accounts], sandbox)
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"{accounts}:1: column 'telphone' is not one the command reads: did you mean "
        "'telephone'? (rename it in the header)"
    )
    assert sandbox.account("ann@example.com") is None


def test_group_file_by_the_docs_names_from_a_workbook(sandbox: Sandbox, tmp_path: Path) -> None:
    """A group workbook with `studentUid` and `isLeader` (TRUE/FALSE cells) creates the plan."""
    students = sandbox.add_students(3)
    course = sandbox.add_course(lessons=1)
    sandbox.enroll_directly(course.class_ids[0], students)
    workbook = book(
        tmp_path / "g.xlsx",
        {
            "Groups": [
                ["group", "studentUid", "isLeader"],
                ["Red", students[0], True],
                ["Red", students[1], False],
                ["Blue", students[2], 1],
            ]
        },
    )
    args = ["group", "--course", course.course_id, "--name", "Teams", "--groups", workbook]
    done = run_cli(args, sandbox)
    assert done.returncode == 0, done.stderr
    plan = sandbox.course_group(course.course_id)
    assert plan is not None
    assert [[m.student_uid for m in g] for g in plan.groups] == [students[:2], students[2:]]


def test_unknown_encoding_is_a_usage_error(tmp_path: Path) -> None:
    """--encoding with a name Python does not know exits 2 naming it."""
    sfile = text(tmp_path / "s.csv", ["5"], "utf-8")
    done = run_cli(
        ["course-add", "--course", "1", "--students", sfile, "--encoding", "gbk2", "--dry-run"]
    )
    assert done.returncode == 2
    assert "unknown encoding 'gbk2'" in done.stderr
