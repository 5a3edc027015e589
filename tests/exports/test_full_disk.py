"""An export onto a full disk: one clear message saying exactly which files were written and
which were not, no traceback, no temporary files left. Run on a real small file system (a
tmpfs mounted for the test; skipped where mounting is not permitted)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A folder on a file system of one megabyte of its own."""
    folder = tmp_path / "disk"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {mounted.stderr!r}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


def _leave_free(folder: Path, free: int) -> None:
    """Fill ``folder``'s file system until about ``free`` bytes are left."""
    info = os.statvfs(folder)
    (folder / "filler").write_bytes(b"\0" * max(0, info.f_bavail * info.f_frsize - free))


def _egov(catalogue: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "egov_cli", "--db", str(catalogue), *args],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    path = tmp_path / "demo.db"
    done = subprocess.run(
        [sys.executable, "-m", "egov_cli", "demo", "--db", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return path


def _left_over(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".")]


def test_a_workbook_export_onto_a_full_disk_says_so_without_a_traceback(
    demo: Path, small_disk: Path
) -> None:
    _leave_free(small_disk, 8 << 10)
    target = small_disk / "leistungen.xlsx"
    done = _egov(demo, "export", str(target))
    assert done.returncode == 8
    assert (
        f"{target} lässt sich nicht schreiben: kein Platz mehr auf dem Datenträger." in done.stderr
    )
    assert "nichts wurde geschrieben" in done.stderr
    assert "Traceback" not in done.stderr
    assert "Exception ignored" not in done.stderr
    assert not target.exists()
    assert _left_over(small_disk) == []


def test_a_per_department_export_onto_a_full_disk_names_what_was_written_and_what_not(
    demo: Path, small_disk: Path
) -> None:
    _leave_free(small_disk, 60 << 10)
    done = _egov(demo, "export", "--per-department", str(small_disk))
    assert done.returncode == 8
    assert "Traceback" not in done.stderr
    assert "Exception ignored" not in done.stderr
    assert "Dateien wurden geschrieben (vollständig)" in done.stderr
    assert "nichts wurde geschrieben" not in done.stderr
    written = [
        Path(line.split("geschrieben: ", 1)[1].rsplit(" (", 1)[0])
        for line in done.stderr.splitlines()
        if line.startswith("  - geschrieben: ")
    ]
    missing = [
        Path(line.split("nicht geschrieben: ", 1)[1])
        for line in done.stderr.splitlines()
        if line.startswith("  - nicht geschrieben: ")
    ]
    assert written
    assert missing
    for path in written:
        assert openpyxl.load_workbook(path).worksheets[0].max_row > 1
    for path in missing:
        assert not path.exists()
    on_disk = sorted(p.name for p in small_disk.iterdir() if p.suffix == ".xlsx")
    assert on_disk == sorted(p.name for p in written)
    assert _left_over(small_disk) == []


def test_a_rejects_file_onto_a_full_disk_says_so_without_a_traceback(
    demo: Path, small_disk: Path, tmp_path: Path
) -> None:
    source = tmp_path / "amt.csv"
    bad = "".join(f"9911500501{n:04d};Hund {n};{os.urandom(1000).hex()}\n" for n in range(40))
    source.write_text(f"LeiKa-Schlüssel;Leistung;Online seit\n{bad}", encoding="utf-8")
    _leave_free(small_disk, 8 << 10)
    rejects = small_disk / "abgelehnt.xlsx"
    done = _egov(demo, "import", str(source), "--on-error", "skip", "--rejects", str(rejects))
    assert done.returncode == 8
    assert (
        f"{rejects} lässt sich nicht schreiben: kein Platz mehr auf dem Datenträger." in done.stderr
    )
    assert "Traceback" not in done.stderr
    assert "Exception ignored" not in done.stderr
    assert not rejects.exists()
    assert _left_over(small_disk) == []
