"""``egov db backup`` only reads the catalogue: it works where the catalogue's folder cannot be
written (a read-only share, someone else's folder), with the copy written elsewhere."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import egov

pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def read_only_catalogue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "share"
    folder.mkdir()
    path = folder / "catalogue.db"
    monkeypatch.setenv("EGOV_DB", str(path))
    assert egov("init").exit_code == 0
    assert egov("departments", "add", "32", "Ordnungsamt").exit_code == 0
    folder.chmod(0o555)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("the folder stays writable (running as root): chmod cannot show this")
        yield path
    finally:
        folder.chmod(0o755)


def test_a_backup_of_a_catalogue_in_a_read_only_folder_is_written_elsewhere(
    read_only_catalogue: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "elsewhere" / "copy.db"
    result = egov("db", "backup", str(copy))
    assert result.exit_code == 0, result.stderr
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT code FROM department").fetchall() == [("32",)]
    assert sorted(p.name for p in read_only_catalogue.parent.iterdir()) == ["catalogue.db"]


def test_the_catalogue_in_a_read_only_folder_is_still_readable(read_only_catalogue: Path) -> None:
    result = egov("departments", "list")
    assert result.exit_code == 0, result.stderr
    assert "Ordnungsamt" in result.stdout
