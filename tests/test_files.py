"""Writing files: complete or not at all, and readable like any file the user makes."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from egov_cli.core.errors import FileError
from egov_cli.core.files import atomic_path, write_atomic, write_new

#: These tests read the messages in English, their message ids.
pytestmark = pytest.mark.usefixtures("english")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
def test_a_written_file_follows_the_umask_not_the_private_temp_mode(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        target = write_atomic(tmp_path / "bericht.md", b"# Bericht\n")
    finally:
        os.umask(old)
    assert target.stat().st_mode & 0o777 == 0o644


def test_a_failure_while_writing_leaves_the_old_file_and_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "export.csv"
    target.write_text("alt", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("halb", encoding="utf-8")
        raise RuntimeError("abgebrochen")
    assert target.read_text(encoding="utf-8") == "alt"
    assert [p.name for p in tmp_path.iterdir()] == ["export.csv"]


def test_new_files_never_replace_an_earlier_one(tmp_path: Path) -> None:
    first = write_new(tmp_path, "readiness-2026-11-25", "md", b"1")
    second = write_new(tmp_path, "readiness-2026-11-25", "md", b"2")
    assert (first.name, second.name) == ("readiness-2026-11-25.md", "readiness-2026-11-25-2.md")
    assert first.read_bytes() == b"1"


def test_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with (
        pytest.raises(FileError, match="does not exist"),
        atomic_path(tmp_path / "fehlt" / "x.xlsx"),
    ):
        pass


def test_a_file_where_a_folder_should_be_is_named_in_the_error(tmp_path: Path) -> None:
    (tmp_path / "reports").write_text("not a folder")

    with pytest.raises(FileError) as info:
        write_atomic(tmp_path / "reports" / "2026" / "readiness.html", b"<html>")

    assert f"{tmp_path / 'reports'} is a file, not a folder" in info.value.message
