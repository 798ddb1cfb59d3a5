"""How every job command runs and ends: shared options, outputs, exit codes, secrets kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import env, run, sandbox, write  # noqa: F401 - fixtures

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "S3cretPw!x"


# ------------------------------------------------------------ passwords never shown


@pytest.mark.parametrize(
    "text",
    [
        # Columns swapped: the password sits under telephone (and an email under it).
        f"telephone,password\n{PASSWORD},13800000001\n",
        f"email,password\n{PASSWORD}@x,13800000001\n",
        # No header: the first row is data.
        f"13800000001,{PASSWORD}\n13800000002,other-Pw1\n",
        # No header, and a password that looks like a misspelt column.
        "13800000001,passw0rd\n",
        # Role swapped with the password.
        f"telephone,password,add_to_school\n13800000001,student,{PASSWORD}\n",
    ],
)
def test_an_accounts_file_problem_never_quotes_a_password(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str
) -> None:
    """Whatever is wrong with the file, no message shows a value that may be a password."""
    path = tmp_path / "accounts.csv"
    path.write_text(text, encoding="utf-8")
    code, out, err = run(["register", "--accounts", str(path), "--dry-run"], capsys)
    assert code == 2
    assert f"{path}:" in err  # the problem is still named, by its line
    for secret in (PASSWORD, "passw0rd", "other-Pw1"):
        assert secret not in out + err


def test_a_header_that_names_columns_is_still_quoted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A real header (it names a column) is quoted, and a bad value is named by its cell."""
    path = write(tmp_path / "a.csv", ["telephone,secret", "13800000001,x"])
    code, _, err = run(["register", "--accounts", str(path), "--dry-run"], capsys)
    assert code == 2
    assert "cannot use the header 'telephone, secret'" in err
    bad = write(tmp_path / "b.csv", ["telephone,password", f"{PASSWORD},x"])
    code, _, err = run(["register", "--accounts", str(bad), "--dry-run"], capsys)
    assert code == 2
    assert f"{bad}:2: telephone (column 1) is not a number" in err
