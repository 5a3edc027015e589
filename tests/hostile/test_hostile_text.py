"""Hostile text in the catalogue comes out inert in every report and export format: HTML
escaped, Markdown escaped, formulas neutralised (CSV) or written as text (xlsx), terminal escape
sequences stripped from terminal output."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest

from egov_cli.core.history import ChangeContext
from egov_cli.domain.catalogue import add_service
from egov_cli.storage.db import open_catalogue, transaction
from tests.helpers import egov

SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://x","y")'
PIPES = "| a | b |"
ESCAPE = "\x1b[31mrot"
NAMES = [SCRIPT, FORMULA, PIPES, ESCAPE]
KEYS = ["99050012104000", "99115005011000", "99102013002000", "99050012070000"]


@pytest.fixture
def hostile(db_url: str, ctx: ChangeContext, monkeypatch: pytest.MonkeyPatch) -> str:
    """Four services with hostile names (the escape sequence put in through the service layer,
    which the import would refuse), all below a target so that reports list them."""
    monkeypatch.setenv("EGOV_NOW", "2026-11-25T09:00:00Z")
    assert egov("departments", "add", "32", "Ordnungsamt").exit_code == 0
    catalogue = open_catalogue(db_url)
    try:
        with transaction(catalogue) as session:
            for key, name in zip(KEYS, NAMES, strict=True):
                add_service(
                    session, ctx, {"name": name, "leika_key": key, "department": "32", "level": 1}
                )
    finally:
        catalogue.engine.dispose()
    result = egov("targets", "add", "Online 2026", "--min-level", "3", "--count", "4")
    assert result.exit_code == 0, result.stderr
    return db_url


def _check_html(data: bytes) -> None:
    page = data.decode("utf-8")
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "\x1b" not in page


def _check_md(data: bytes) -> None:
    text = data.decode("utf-8")
    assert r"\<script\>" in text
    assert r"\| a \| b \|" in text
    assert "\x1b" not in text


def _check_csv(data: bytes) -> None:
    text = data.decode("utf-8-sig")
    assert "\x1b" not in text
    delimiter = ";" if text.count(";") >= text.count(",") else ","
    cells = [c for row in csv.reader(io.StringIO(text), delimiter=delimiter) for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")]
    assert "'" + FORMULA in cells


def _check_xlsx(data: bytes) -> None:
    book = openpyxl.load_workbook(io.BytesIO(data))
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    assert FORMULA in texts or "'" + FORMULA in texts
    assert not [t for t in texts if "\x1b" in t]


def _check_json(data: bytes) -> None:
    assert b"\x1b" not in data  # escaped as \u001b inside JSON strings, or stripped
    text = json.dumps(json.loads(data.decode("utf-8")), ensure_ascii=False)
    assert "script" in text


CHECKS = {
    "html": _check_html,
    "md": _check_md,
    "csv": _check_csv,
    "xlsx": _check_xlsx,
    "json": _check_json,
}


@pytest.mark.parametrize("report", ["targets"])
@pytest.mark.parametrize("fmt", list(CHECKS))
def test_hostile_names_are_inert_in_every_report_format(
    hostile: str, tmp_path: Path, report: str, fmt: str
) -> None:
    target = tmp_path / f"bericht.{fmt}"
    result = egov("report", report, "-f", fmt, "-o", str(target))
    assert result.exit_code == 0, result.stderr
    CHECKS[fmt](target.read_bytes())


@pytest.mark.parametrize("report", ["targets"])
def test_terminal_escapes_are_stripped_from_the_terminal_report(hostile: str, report: str) -> None:
    result = egov("report", report, "-f", "rich")
    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stdout
    assert "rot" in result.stdout


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
def test_hostile_names_are_inert_in_every_export_format(
    hostile: str, tmp_path: Path, fmt: str
) -> None:
    target = tmp_path / f"leistungen.{fmt}"
    result = egov("export", str(target))
    assert result.exit_code == 0, result.stderr
    CHECKS[fmt](target.read_bytes())


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_export_drops_control_characters_but_keeps_tabs_and_line_breaks(
    db_url: str, ctx: ChangeContext, tmp_path: Path, fmt: str
) -> None:
    """An escape, a NUL-like C0 character and a C1 character vanish; the text around them, tabs
    and line breaks stay; what an escape hid (``ESC=cmd``) is neutralised like any formula."""
    catalogue = open_catalogue(db_url)
    try:
        with transaction(catalogue) as session:
            add_service(
                session,
                ctx,
                {
                    "name": "\x1b=1+1",
                    "leika_key": KEYS[0],
                    "notes": "a\x07b\x85c\td\ne\x9bf\x7f",
                },
            )
    finally:
        catalogue.engine.dispose()
    target = tmp_path / f"leistungen.{fmt}"
    result = egov("export", str(target), "--columns", "leika_key,name,notes")
    assert result.exit_code == 0, result.stderr
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(target.read_text("utf-8-sig")), delimiter=";"))
        assert rows[1] == [KEYS[0], "'=1+1", "abc\td\nef"]
    else:
        sheet = openpyxl.load_workbook(target).worksheets[0]
        assert [c.value for c in sheet[2]] == [KEYS[0], "=1+1", "abc\td\nef"]
        assert sheet["B2"].data_type == "s"


def test_terminal_escapes_are_stripped_from_the_service_list(hostile: str) -> None:
    result = egov("services", "list")
    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stdout
