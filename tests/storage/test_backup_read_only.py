"""``egov db backup`` only reads the catalogue: it works where the catalogue's folder cannot be
written (a read-only share, someone else's folder), with the copy written elsewhere. The
folder is really read-only: a read-only bind mount for root, the folder's permissions for
anyone else (``tests.helpers.on_read_only_storage``)."""

from __future__ import annotations

import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import egov, egov_on_read_only_storage

pytestmark = pytest.mark.sqlite_only

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def on_read_only(tmp_path: Path) -> tuple[Path, Run]:
    """A catalogue with one department in a folder that cannot be written, and a way to run
    egov where that holds."""
    folder = tmp_path / "share"
    folder.mkdir()
    path = folder / "catalogue.db"
    assert egov("--db", str(path), "init").exit_code == 0
    assert egov("--db", str(path), "departments", "add", "32", "Ordnungsamt").exit_code == 0
    return path, egov_on_read_only_storage(folder, path)


def test_a_backup_of_a_catalogue_in_a_read_only_folder_is_written_elsewhere(
    on_read_only: tuple[Path, Run], tmp_path: Path
) -> None:
    path, run = on_read_only
    copy = tmp_path / "elsewhere" / "copy.db"
    result = run("db", "backup", str(copy))
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT code FROM department").fetchall() == [("32",)]
    assert sorted(p.name for p in path.parent.iterdir()) == ["catalogue.db"]


def test_the_catalogue_in_a_read_only_folder_is_still_readable(
    on_read_only: tuple[Path, Run],
) -> None:
    _path, run = on_read_only
    result = run("departments", "list")
    assert result.returncode == 0, result.stderr
    assert "Ordnungsamt" in result.stdout
