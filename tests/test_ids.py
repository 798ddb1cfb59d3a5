"""The command's file readers: IDs, group plans and accounts, naming the line of each problem."""

from __future__ import annotations

from pathlib import Path

import pytest

import eeo_async as eeo
from eeo_async._cli.accounts import read_accounts
from eeo_async._cli.files import InputFileError, choose_sheets, read_groups, read_ids


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_plain_ids_skip_blanks_and_comments(tmp_path: Path) -> None:
    """One ID per line; blank lines and # comments are skipped; digits with spaces pass."""
    path = write(tmp_path, "a.txt", "# students\n1001\n\n  1002 \n# end\n")
    assert read_ids(path) == [1001, 1002]


def test_header_with_one_column_is_used(tmp_path: Path) -> None:
    """A first line that is not an ID is a header; with one column, that column is read."""
    assert read_ids(write(tmp_path, "a.csv", "uid\n5\n6\n")) == [5, 6]


def test_column_picks_among_several(tmp_path: Path) -> None:
    """With several columns --column chooses; without it the error lists the columns."""
    path = write(tmp_path, "a.csv", 'name,uid\nann,5\n"b, c",6\n')
    assert read_ids(path, "uid") == [5, 6]
    with pytest.raises(InputFileError, match=r"several columns \(name, uid\)"):
        read_ids(path)
    with pytest.raises(InputFileError, match="no column 'id' in the header; columns: name, uid"):
        read_ids(path, "id")


def test_every_bad_line_reported(tmp_path: Path) -> None:
    """Each bad line is reported as FILE:LINE (physical, header counted)."""
    path = write(tmp_path, "a.csv", "uid\n1\n12x\n\n0\n2,3\n")
    with pytest.raises(InputFileError) as info:
        read_ids(path)
    assert info.value.problems == [
        f"{path}:3: bad ID '12x'",
        f"{path}:5: bad ID '0'",
        f"{path}:6: bad ID '2,3'",
    ]
    assert isinstance(info.value, eeo.InputError)


def test_empty_and_missing_files(tmp_path: Path) -> None:
    """An empty file or one that cannot be read is a clear error."""
    with pytest.raises(InputFileError, match="no IDs"):
        read_ids(write(tmp_path, "e.txt", "# nothing\n\n"))
    with pytest.raises(InputFileError, match="no IDs"):
        read_ids(write(tmp_path, "h.txt", "uid\n"))
    with pytest.raises(InputFileError, match="cannot read"):
        read_ids(tmp_path / "missing.txt")


def test_groups_from_documented_json(tmp_path: Path) -> None:
    """The documented groupList JSON reads into GroupMember lists."""
    path = write(
        tmp_path,
        "g.json",
        '[[{"studentUid": 1000152, "isLeader": 1}, {"studentUid": 1000109, "isLeader": 0}],'
        ' [{"studentUid": 1000101, "isLeader": 1}]]',
    )
    assert read_groups(path) == [
        [eeo.GroupMember(1000152, is_leader=True), eeo.GroupMember(1000109)],
        [eeo.GroupMember(1000101, is_leader=True)],
    ]


def test_bad_group_json(tmp_path: Path) -> None:
    """Bad JSON entries are all reported with their place."""
    path = write(
        tmp_path,
        "g.json",
        '[[{"studentUid": "x", "isLeader": 1}, 5, {"studentUid": 3, "isLeader": 7}]]',
    )
    with pytest.raises(InputFileError) as info:
        read_groups(path)
    assert [p.split(": ", 1)[1] for p in info.value.problems] == [
        "groups[0][0]: bad ID 'x'",
        "groups[0][1]: expected {'studentUid': ..., 'isLeader': 0/1}",
        "groups[0][2]: bad isLeader 7",
    ]
    with pytest.raises(InputFileError, match="not valid JSON"):
        read_groups(write(tmp_path, "b.json", "[[}"))


def test_groups_from_csv(tmp_path: Path) -> None:
    """CSV group files group rows by their label, leaders marked 1/yes/true."""
    path = write(tmp_path, "g.csv", "group,student_uid,is_leader\nA,1,1\nB,3,yes\nA,2,0\n")
    assert read_groups(path) == [
        [eeo.GroupMember(1, is_leader=True), eeo.GroupMember(2)],
        [eeo.GroupMember(3, is_leader=True)],
    ]


def test_bad_group_csv(tmp_path: Path) -> None:
    """A wrong header, bad IDs, bad leader marks and missing labels are reported by line."""
    with pytest.raises(InputFileError, match="cannot use the header 'team, uid'"):
        read_groups(write(tmp_path, "h.csv", "team,uid\nA,1\n"))
    path = write(tmp_path, "g.csv", "group,student_uid,is_leader\nA,x,1\nA,2,maybe\n,3,1\n")
    with pytest.raises(InputFileError) as info:
        read_groups(path)
    assert info.value.problems == [
        f"{path}:2: bad ID 'x'",
        f"{path}:3: bad is_leader 'maybe' (use 1/0)",
        f"{path}:4: no group label",
    ]
    with pytest.raises(InputFileError, match="no groups"):
        read_groups(write(tmp_path, "e.csv", "\n"))


def sheet(tmp_path: Path, name: str, text: str, encoding: str = "utf-8-sig") -> Path:
    path = tmp_path / name
    path.write_bytes(text.replace("\n", "\r\n").encode(encoding))
    return path


def test_whole_file_csv_with_quoted_line_breaks(tmp_path: Path) -> None:
    """A quoted cell spanning lines stays in its record; later lines keep their physical number."""
    path = sheet(tmp_path, "a.csv", 'name,uid\n"Flat 3\n1200 Main St",5\nbo,x\n')
    with pytest.raises(InputFileError) as info:
        read_ids(path, "UID")
    assert info.value.problems == [f"{path}:4: bad ID 'x'"]
    assert read_ids(sheet(tmp_path, "b.csv", 'name,uid\n"Flat 3\n1200 Main St",5\n'), "uid") == [5]


def test_first_row_is_data_unless_it_names_the_column_or_has_no_digit(tmp_path: Path) -> None:
    """A quoted ID or a bad value on the first line is data; a digit-free line is a header."""
    assert read_ids(sheet(tmp_path, "q.csv", '"2000001"\n"2000002"\n')) == [2000001, 2000002]
    with pytest.raises(InputFileError) as info:
        read_ids(sheet(tmp_path, "b.csv", "1000x01\n2\n"))
    assert info.value.problems == [f"{tmp_path / 'b.csv'}:1: bad ID '1000x01'"]
    assert read_ids(sheet(tmp_path, "h.csv", "Lesson ID\n7\n")) == [7]
    assert read_ids(sheet(tmp_path, "n.csv", "uid2,x\n7,a\n"), "UID 2") == [7]


def test_delimiters_and_encodings(tmp_path: Path) -> None:
    """Semicolons, tabs and UTF-16 read; other encodings and huge cells are clear errors."""
    assert read_ids(sheet(tmp_path, "s.csv", "a;Student UID\nx,y;5\n"), "student_uid") == [5]
    assert read_ids(sheet(tmp_path, "t.txt", "a\tb-c\nx\t6\n", "utf-16"), "B_C") == [6]
    with pytest.raises(InputFileError, match="not UTF-8 text"):
        read_ids(sheet(tmp_path, "l.csv", "caf\xe9\n5\n", "latin-1"))
    with pytest.raises(InputFileError, match=r"n\.csv:2: not readable as CSV"):
        read_ids(sheet(tmp_path, "n.csv", '5\n"' + "x" * 200_000 + '"\n'))
    assert read_ids(sheet(tmp_path, "e.csv", "#x\n5,,\n,,\n \n6,\n")) == [5, 6]


def test_group_csv_header_matched_loosely(tmp_path: Path) -> None:
    """Group CSV headers match like ID files', in any order, with other columns ignored."""
    path = sheet(tmp_path, "g.csv", "Name;Is Leader;Student UID;Group\nann;1;5;A\nbo;;6;A\n")
    assert read_groups(path) == [[eeo.GroupMember(5, is_leader=True), eeo.GroupMember(6)]]
    with pytest.raises(InputFileError, match="no groups"):
        read_groups(sheet(tmp_path, "h.csv", "group,student_uid,is_leader\n"))


def test_group_csv_leaders_and_repeats_named_by_label_and_line(tmp_path: Path) -> None:
    """A group without exactly one leader, or a student twice, is reported by label and line."""
    path = write(tmp_path, "g.csv", "group,student_uid,is_leader\nA,1,1\nA,2,1\nB,3,0\nB,1,1\n")
    with pytest.raises(InputFileError) as info:
        read_groups(path)
    assert info.value.problems == [
        f"{path}:5: student 1 is already on line 2",
        f"{path}: group 'A' needs exactly one leader, has 2 (lines 2, 3)",
        f"{path}: group 'B' needs exactly one leader, has 0 (none)",
    ]


def test_accounts_rows_are_items_or_errors_never_dropped(tmp_path: Path) -> None:
    """A `#` row with values is data: it becomes an account or a problem naming its line."""
    path = write(
        tmp_path,
        "a.csv",
        "# header next\npassword,telephone,nickname\n"
        "#Start2026,15800000001\n#short,,Ann\n# alone,\n",
    )
    with pytest.raises(InputFileError) as info:
        read_accounts(path)
    assert info.value.problems == [
        f"{path}:4: give exactly one of telephone and email (a line starting with # is a "
        "comment only when nothing else is on it)"
    ]
    good = write(tmp_path, "b.csv", "password,telephone\n#Start2026,15800000001\n")
    assert [user.password for user in read_accounts(good)] == ["#Start2026"]


def test_accounts_telephone_excel_made_a_number(tmp_path: Path) -> None:
    """A telephone Excel wrote in scientific notation says so, and how to fix the column."""
    path = write(tmp_path, "a.csv", "telephone,password\n1.58E+10,s3cret-pass\n")
    with pytest.raises(InputFileError, match="Excel has turned the telephone into a number"):
        read_accounts(path)


def test_group_columns_not_read_are_warned_about(tmp_path: Path) -> None:
    """A group file's extra column is named in a warning, not ignored silently."""
    warnings: list[str] = []
    path = write(tmp_path, "g.csv", "group,studentUid,isLeader,Name\nA,1,1,Ann\n")
    assert read_groups(path, warn=warnings.append) == [[eeo.GroupMember(1, is_leader=True)]]
    assert warnings == [
        f"{path}:1: not reading the column(s) 'Name' (this file's columns: group, "
        "student_uid, is_leader)"
    ]


def test_common_sheet_option_goes_to_the_workbooks(tmp_path: Path) -> None:
    """`--sheet` reaches each workbook among a job's files; a file's own option wins."""
    workbook = tmp_path / "b.xlsx"
    workbook.write_bytes(b"PK\x03\x04rest")
    text = write(tmp_path, "l.csv", "5\n")
    paths = {"--students": workbook, "--lessons": text}
    assert choose_sheets(paths, {}, "Term 2") == {"--students": "Term 2"}
    assert choose_sheets(paths, {"--lessons": "L"}, "S") == {"--students": "S", "--lessons": "L"}
    # Where no file is a workbook, every file gets it, so the reader says why it is wrong.
    assert choose_sheets({"--lessons": text}, {}, "S") == {"--lessons": "S"}
