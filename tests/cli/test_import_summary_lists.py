"""The import summary names what it created, a few names and how many more: a workbook that
brings thousands of online services is summarised in a line, and --json lists every one."""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import Workbook

from tests.helpers import egov


def _workbook(path: Path, count: int) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["LeiKa-Schlüssel", "Leistung", "Online-Dienst"])
    for i in range(count):
        sheet.append([f"99{i:012d}", f"Leistung {i}", f"Dienst {i:02d}"])
    book.save(path)
    return path


def test_a_summary_names_twenty_new_online_services_and_counts_the_rest(
    db_url: str, tmp_path: Path
) -> None:
    book = _workbook(tmp_path / "dienste.xlsx", 25)

    shown = egov("import", str(book), "--dry-run")
    listed = egov("import", str(book), "--dry-run", "--json")

    assert shown.exit_code == 0, shown.stderr
    line = next(x for x in shown.stdout.splitlines() if "neue Online-Dienste" in x)
    assert "Dienst 19 und 5 weitere" in line
    assert "Dienst 20" not in line
    assert len(json.loads(listed.stdout)["new_procedures"]) == 25
