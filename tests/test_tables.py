"""The table reader under every input file: encodings, quotes, comments, workbooks, columns."""

from __future__ import annotations

import datetime as dt
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from eeo_async._cli.cells import Cell, Row
from eeo_async._cli.columns import (
    EMAIL,
    PASSWORD,
    STUDENT_UID,
    TELEPHONE,
    match_header,
)
from eeo_async._cli.files import InputFileError, cell_id, read_ids
from eeo_async._cli.tables import read_table


def raw(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def book(tmp_path: Path, sheets: dict[str, list[list[object]]], name: str = "b.xlsx") -> Path:
    """Write a workbook with openpyxl, one sheet per entry, rows as given."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


# ------------------------------------------------------------------------ CSV


def test_quoted_cells_are_kept_exactly_and_unquoted_ones_stripped(tmp_path: Path) -> None:
    """Quoted cells keep their spaces, doubled quotes and line breaks; others lose padding."""
    path = raw(tmp_path, "a.csv", b'a , "  b c ",  "x""y"\r\n"two\r\nlines", 5 \r\nlast,"q"z\r\n')
    table = read_table(path)
    assert [(row.line, row.texts) for row in table.rows] == [
        (1, ("a", "  b c ", 'x"y')),
        (2, ("two\nlines", "5")),
        (4, ("last", "qz")),
    ]
    assert [cell.quoted for cell in table.rows[0].cells] == [False, True, True]
    assert table.rows[1][9] == Cell("")


def test_only_an_unquoted_hash_alone_on_its_line_is_a_comment(tmp_path: Path) -> None:
    """`#note` alone is a comment; `#Start2026,...` and a quoted `"#x"` are data."""
    path = raw(tmp_path, "c.csv", b'# note\n#Start2026,158\n"#x"\n  # padded ,,\n')
    rows = read_table(path).rows
    assert [(row.comment, row.hashed) for row in rows] == [
        (True, True),
        (False, True),
        (False, False),
        (True, True),
    ]


def test_old_mac_line_ends_and_unclosed_quotes(tmp_path: Path) -> None:
    """CR-only line ends count as lines; a quote never closed is named at its line."""
    table = read_table(raw(tmp_path, "m.csv", b"uid\r5\r\r6\r"))
    assert [(row.line, row.texts) for row in table.rows] == [
        (1, ("uid",)),
        (2, ("5",)),
        (4, ("6",)),
    ]
    with pytest.raises(InputFileError, match=r"u\.csv:2: not readable as CSV: a quote opened"):
        read_table(raw(tmp_path, "u.csv", b'a\n"b\nc\n'))


@pytest.mark.parametrize(
    ("encoding", "found"),
    [("gbk", "gb18030"), ("gb18030", "gb18030"), ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig")],
)
def test_chinese_text_in_the_encodings_excel_writes(
    tmp_path: Path, encoding: str, found: str
) -> None:
    """GBK and GB18030 (Chinese Excel's default) read like UTF-8, with or without a BOM."""
    text = "姓名,学生UID\r\n张三,1000001\r\n“李四”,1000002\r\n"
    table = read_table(raw(tmp_path, "g.csv", text.encode(encoding)))
    assert (table.encoding, table.rows[0].texts, table.rows[2].texts[0]) == (
        found,
        ("姓名", "学生UID"),
        "“李四”",
    )


def test_gb18030_only_characters_and_excel_unicode_text(tmp_path: Path) -> None:
    """A GB18030 four-byte character reads; Excel's "Unicode text" (UTF-16, tabs) too."""
    table = read_table(raw(tmp_path, "r.csv", "昵称,uid\n王𠮷,5\n".encode("gb18030")))
    assert table.rows[1].texts == ("王𠮷", "5")
    table = read_table(raw(tmp_path, "u.txt", "名字\tuid\r\n王五\t6\r\n".encode("utf-16")))
    assert (table.encoding, table.delimiter, table.rows[1].texts) == ("utf-16", "\t", ("王五", "6"))


def test_western_text_is_not_taken_for_gbk(tmp_path: Path) -> None:
    """cp1252 text that decodes as GB18030 is refused with a hint, and read with --encoding."""
    path = raw(tmp_path, "w.csv", "name,uid\nMüller,5\n".encode("cp1252"))
    with pytest.raises(InputFileError, match=r"not UTF-8 text.*--encoding \(e\.g\. cp1252\)"):
        read_table(path)
    assert read_table(path, encoding="cp1252").rows[1].texts == ("Müller", "5")
    with pytest.raises(InputFileError, match=r"w\.csv:2: not utf-8 text \(byte 0xfc\)"):
        read_table(path, encoding="utf-8")


def test_sheet_is_refused_for_text_and_xls_is_named(tmp_path: Path) -> None:
    """--sheet on a CSV file and an old .xls workbook are clear errors."""
    with pytest.raises(InputFileError, match=r"applies to \.xlsx workbooks; this is a text file"):
        read_table(raw(tmp_path, "a.csv", b"5\n"), sheet="Sheet1")
    with pytest.raises(InputFileError, match=r"an old \.xls workbook"):
        read_table(raw(tmp_path, "a.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 60))


# ------------------------------------------------------------------- workbooks


def test_workbook_rows_keep_sheet_row_numbers_and_typed_values(tmp_path: Path) -> None:
    """A workbook's cells keep their types (a date cell is a datetime); rows keep numbers."""
    when = dt.datetime(2026, 3, 2, 8, 30)
    path = book(
        tmp_path,
        {
            "Lessons": [
                ["name", "date", "start", "teacher", "ok"],
                [],
                ["  Algebra ", when, dt.time(8, 30), 1000001, True],
                ["", None, None, 2.5, None],
            ]
        },
    )
    table = read_table(path)
    assert (table.kind, table.sheet, [row.line for row in table.rows]) == (
        "xlsx",
        "Lessons",
        [1, 3, 4],
    )
    algebra = table.rows[1]
    assert [cell.value for cell in algebra.cells] == [
        "  Algebra ",
        when,
        dt.time(8, 30),
        1000001,
        True,
    ]
    assert algebra.texts == ("  Algebra ", "2026-03-02 08:30:00", "08:30:00", "1000001", "TRUE")
    assert table.cell_name(algebra, 3) == "D3"
    assert table.rows[2].texts == ("", "", "", "2.5")


def test_sheet_by_name_ignoring_case_and_missing_sheets(tmp_path: Path) -> None:
    """--sheet picks a sheet (case ignored when unambiguous); a missing one lists the sheets."""
    path = book(tmp_path, {"Students": [["uid"], [5]], "Lessons": [["classId"], [7]]})
    assert read_table(path).rows[1].texts == ("5",)
    assert read_table(path, sheet="lessons").rows[1].texts == ("7",)
    with pytest.raises(InputFileError, match=r"no sheet 'Teachers' .*sheets: Students, Lessons"):
        read_table(path, sheet="Teachers")


def test_missing_openpyxl_names_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without openpyxl a workbook is refused with the pip command that installs the extra."""
    path = book(tmp_path, {"S": [[5]]})
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(InputFileError, match=r"needs openpyxl: pip install 'eeo-async\[xlsx\]'"):
        read_table(path)


def test_not_a_workbook_though_a_zip(tmp_path: Path) -> None:
    """A zip that is no workbook, or a workbook with a damaged sheet, is a clear error."""
    with pytest.raises(InputFileError, match=r"cannot read as an \.xlsx workbook"):
        read_table(raw(tmp_path, "z.xlsx", b"PK\x03\x04" + b"\x00" * 40))
    good = book(tmp_path, {"S": [["uid"], *([n] for n in range(1, 50))]})
    damaged = tmp_path / "d.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            target.writestr(
                item, data[: len(data) // 2] if "worksheets/" in item.filename else data
            )
    with pytest.raises(InputFileError, match=r"d\.xlsx: cannot read the sheet: .* from Excel"):
        read_table(damaged)


# ------------------------------------------------------------- IDs from cells


def test_workbook_numbers_are_ids_when_whole(tmp_path: Path) -> None:
    """An integral float is the ID; a fraction or a number too big is refused naming its cell."""
    path = book(tmp_path, {"S": [["uid"], [1000001], ["1000002"], [1000003.5], [1e20]]})
    table = read_table(path)
    found = [cell_id(table, row, 0, row[0]) for row in table.rows[1:]]
    assert found[:2] == [1000001, 1000002]
    assert found[2] == f"{path}:4: bad ID 1000003.5 in cell A4: a number that has a fraction; " + (
        "format the column as Text and enter the IDs again"
    )
    assert "A5: a number that is too large to be held exactly" in str(found[3])
    whole = Row(9, ("1000004",), values=(1000004.0,))
    assert cell_id(table, whole, 0, whole[0]) == 1000004


def test_csv_ids_excel_made_numbers_say_so(tmp_path: Path) -> None:
    """`1000001.0`, `1.000001E+06` and `1,000,001` in CSV say what Excel did and how to fix it."""
    path = raw(tmp_path, "s.csv", b'uid\n1000001.0\n1.000001E+06\n"1,000,001"\n12x\n')
    with pytest.raises(InputFileError) as info:
        read_ids(path)
    assert info.value.problems == [
        f"{path}:2: bad ID '1000001.0': Excel has turned the ID into a number with decimals; "
        "format the column as Text (or as Number with 0 decimal places) and save again",
        f"{path}:3: bad ID '1.000001E+06': Excel has turned the ID into a number in "
        "scientific notation, which may have lost digits; format the column as Text, enter "
        "the values again and save again",
        f"{path}:4: bad ID '1,000,001': Excel's number format added thousands separators to "
        "the ID; format the column as Text or General and save again",
        f"{path}:5: bad ID '12x'",
    ]


def test_id_column_by_the_docs_name(tmp_path: Path) -> None:
    """`--column uid` finds `studentUid`, and a header of several columns hints at the right one."""
    path = raw(tmp_path, "s.csv", b"name,studentUid\nann,5\n")
    assert read_ids(path, "uid") == [5]
    assert read_ids(path, "Student UID") == [5]
    with pytest.raises(InputFileError, match=r"choose one with --x \(e\.g\. --x 'studentUid'\)"):
        read_ids(path, option="--x", known=STUDENT_UID)
    with pytest.raises(InputFileError, match=r"did you mean 'studentUid'\?"):
        read_ids(path, "studentUld")


# --------------------------------------------------------------------- headers


def test_header_aliases_unused_and_misspelt_columns(tmp_path: Path) -> None:
    """Docs' names map; an unknown column warns; a near miss of a lacking column is refused."""
    columns = (TELEPHONE, EMAIL, PASSWORD)
    warnings: list[str] = []
    table = read_table(raw(tmp_path, "a.csv", b"Mobile,PASSWORD,Class,,\n1,2,3,,4\n"))
    header = match_header(table, columns, warn=warnings.append)
    assert header.index == {"telephone": 0, "password": 1}
    assert header.cell(header.rows[0], EMAIL) == Cell("")
    assert warnings == [
        f"{table.path}:1: not reading the column(s) 'Class' (this file's columns: telephone, "
        "email, password)",
        f"{table.path}:2: not reading column 5: its column has no header (and so no meaning); "
        "name it or clear it",
    ]
    present = read_table(raw(tmp_path, "p.csv", b"telphone,password,phone\n"))
    with pytest.raises(InputFileError) as info:
        match_header(present, columns, warn=warnings.append, required=[[EMAIL]])
    assert info.value.problems == [
        f"{present.path}:1: cannot use the header 'telphone, password, phone': the header "
        "must name email (missing: email)"
    ]  # telephone is there (as phone), so telphone is only unused
    misspelt = read_table(raw(tmp_path, "m.csv", b"email,telphone,password\n"))
    with pytest.raises(InputFileError, match=r"'telphone' is not one .* did you mean 'telephone'"):
        match_header(misspelt, columns, warn=warnings.append)
    twice = read_table(raw(tmp_path, "t.csv", b"uid,studentUid\n"))
    with pytest.raises(InputFileError, match="'uid' and 'studentUid' both name student_uid"):
        match_header(twice, (STUDENT_UID,), warn=warnings.append)


def test_a_named_encoding_drops_the_bom_and_nul_bytes_are_named(tmp_path: Path) -> None:
    """`--encoding utf-8` on Excel's "CSV UTF-8" keeps the BOM out; UTF-16 without BOM is named."""
    path = raw(tmp_path, "b.csv", "\ufeffuid\n5\n".encode())
    assert read_table(path, encoding="utf-8").rows[0].texts == ("uid",)
    bare = raw(tmp_path, "n.txt", "uid\n5\n".encode("utf-16-le"))
    with pytest.raises(InputFileError, match=r"NUL bytes .* --encoding \(e\.g\. utf-16-le\)"):
        read_table(bare)
    assert read_table(bare, encoding="utf-16-le").rows[1].texts == ("5",)
