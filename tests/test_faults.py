"""Faults from outside: a read-only catalogue, a full disk, an output file that is locked or
whose folder is missing. Each gives a clear message, and nothing is half-written."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from sqlalchemy import event
from sqlalchemy import exc as sa_exc

from egov_cli.core.errors import DatabaseError
from egov_cli.imports import ImportOptions, run_import
from egov_cli.storage.db import Catalogue, database_error, sqlite_path
from egov_cli.storage.records import content_checksum
from tests.helpers import egov, egov_on_read_only_storage

ROWS = 3_000
READ_ONLY_HINT = "The catalogue file or its folder is read-only; check its permissions."
FULL_HINT = "The disk is full; free some space. Nothing was written."


def _workbook(path: Path, rows: int = ROWS) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Leistungen")
    sheet.write_row(0, 0, ["LeiKa-Schlüssel", "Leistung", "Amt", "Reifegrad", "Bemerkungen"])
    for i in range(1, rows + 1):
        sheet.write_row(i, 0, [f"99{i:012d}", f"Leistung {i}", "32", i % 5, "x" * 200])
    book.close()
    return path


def _on_connect(catalogue: Catalogue, statement: str) -> None:
    """Run ``statement`` on every new connection of the catalogue (the pool starts afresh)."""
    catalogue.engine.dispose()

    def run(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute(statement)
        cursor.close()
        dbapi_conn.commit()  # PostgreSQL: a SET in a transaction rolled back would be undone

    event.listen(catalogue.engine, "connect", run)


def _import(catalogue: Catalogue, path: Path) -> Callable[[], object]:
    return lambda: run_import(catalogue, path, ImportOptions(actor="tester"))


@pytest.mark.usefixtures("english")
def test_a_read_only_catalogue_refuses_an_import_with_the_read_only_hint(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    before = content_checksum(catalogue.engine)
    run = _import(catalogue, _workbook(tmp_path / "amt32.xlsx"))
    if catalogue.engine.dialect.name == "sqlite":
        _on_connect(catalogue, "PRAGMA query_only = ON")
    else:
        _on_connect(catalogue, "SET default_transaction_read_only = on")
    with pytest.raises(DatabaseError) as info:
        run()
    assert info.value.message.startswith(f"Catalogue {catalogue.label}: ")
    assert "read" in info.value.message.lower()
    assert info.value.hint == READ_ONLY_HINT
    assert content_checksum(catalogue.engine) == before


@pytest.mark.usefixtures("english")
@pytest.mark.sqlite_only
def test_a_full_disk_stops_an_import_with_the_disk_hint_and_writes_nothing(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    before = content_checksum(catalogue.engine)
    run = _import(catalogue, _workbook(tmp_path / "amt32.xlsx"))
    with catalogue.engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
    # Room for a few more pages only: the import's rows (about 1 MB) cannot fit.
    _on_connect(catalogue, f"PRAGMA max_page_count = {int(pages or 0) + 8}")
    with pytest.raises(DatabaseError) as info:
        run()
    assert info.value.message == f"Catalogue {catalogue.label}: database or disk is full"
    assert info.value.hint == FULL_HINT
    assert content_checksum(catalogue.engine) == before
    conn_ = sqlite3.connect(catalogue.engine.url.database or "")
    try:
        assert conn_.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        conn_.close()


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(
    ("driver_message", "hint"),
    [
        ("database or disk is full", FULL_HINT),
        ("attempt to write a readonly database", READ_ONLY_HINT),
        ("cannot execute INSERT in a read-only transaction", READ_ONLY_HINT),
        ('could not extend file "base/16384/2619": No space left on device', FULL_HINT),
    ],
)
def test_driver_errors_of_full_disks_and_read_only_catalogues_get_their_hints(
    driver_message: str, hint: str
) -> None:
    error = sa_exc.OperationalError("INSERT ...", {}, Exception(driver_message))
    mapped = database_error(error, "c.db")
    assert mapped.message == f"Catalogue c.db: {driver_message}"
    assert mapped.hint == hint


# --- output files ---------------------------------------------------------------------------------


@pytest.fixture
def services(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("EGOV_NOW", "2026-11-25T09:00:00Z")
    assert egov("departments", "add", "32", "Ordnungsamt").exit_code == 0
    added = egov("services", "add", "Gewerbeanmeldung", "--leika", "99050012104000", "-d", "32")
    assert added.exit_code == 0, added.stderr
    return db_url


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """An empty folder for output files (the catalogue lives beside it)."""
    folder = tmp_path / "ausgabe"
    folder.mkdir()
    return folder


def _locked(monkeypatch: pytest.MonkeyPatch, locked: Path) -> None:
    """Replacing ``locked`` fails as on Windows when another program holds the file open."""
    real = os.replace

    def replace(src: Any, dst: Any) -> None:
        if Path(dst).resolve() == locked.resolve():
            raise PermissionError(13, "The process cannot access the file")
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)


@pytest.mark.parametrize("name", ["leistungen.xlsx", "leistungen.csv", "leistungen.json"])
def test_an_export_onto_a_locked_file_says_so_and_leaves_the_file_as_it_was(
    services: str, out: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    target = out / name
    target.write_bytes(b"old content")
    _locked(monkeypatch, target)
    result = egov("export", str(target))
    assert result.exit_code == 8
    assert (
        f"{target} lässt sich nicht schreiben: keine Berechtigung oder die Datei ist in Gebrauch."
        in result.stderr
    )
    assert "Schließen Sie die Datei, wenn sie geöffnet ist (z. B. in Excel)" in result.stderr
    assert target.read_bytes() == b"old content"
    assert sorted(p.name for p in out.iterdir()) == [name]


@pytest.mark.parametrize("fmt", ["html", "xlsx", "md", "json", "csv"])
def test_a_report_onto_a_locked_file_says_so_and_leaves_the_file_as_it_was(
    services: str, out: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    target = out / f"bericht.{fmt}"
    target.write_bytes(b"old content")
    _locked(monkeypatch, target)
    result = egov("report", "readiness", "-o", str(target))
    assert result.exit_code == 8
    assert f"{target} lässt sich nicht schreiben: keine Berechtigung." in result.stderr
    assert "Ist die Datei in einem anderen Programm (Excel) geöffnet?" in result.stderr
    assert target.read_bytes() == b"old content"
    assert sorted(p.name for p in out.iterdir()) == [target.name]
    assert _report_runs(services) == 0


def _report_runs(db_url: str) -> int:
    from egov_cli.storage.db import make_engine

    engine = make_engine(db_url)
    try:
        return content_checksum(engine)[0]["report_run"]
    finally:
        engine.dispose()


def test_a_report_into_a_folder_that_cannot_be_made_is_a_file_error(
    services: str, out: Path
) -> None:
    (out / "akte").write_text("a file, not a folder", "utf-8")
    target = out / "akte" / "bericht.html"
    result = egov("report", "readiness", "-o", str(target))
    assert result.exit_code == 8
    assert result.stderr.startswith(f"Fehler: {target} lässt sich nicht schreiben: ")
    assert sorted(p.name for p in out.iterdir()) == ["akte"]


def test_a_report_run_into_a_folder_that_cannot_be_made_writes_and_records_nothing(
    services: str, out: Path
) -> None:
    (out / "akte").write_text("a file, not a folder", "utf-8")
    schedule = out / "plan.toml"
    schedule.write_text('output = "akte/berichte"\n[[report]]\nname = "readiness"\n', "utf-8")
    result = egov("report", "run", str(schedule))
    assert result.exit_code == 8
    target = Path("akte") / "berichte" / "readiness-2026-11-25.html"
    assert (
        f"{out / target} lässt sich nicht schreiben: {out / 'akte'} ist eine Datei, kein Ordner."
        in result.stderr
    )
    assert sorted(p.name for p in out.iterdir()) == ["akte", "plan.toml"]
    assert _report_runs(services) == 0


def test_an_export_into_a_missing_folder_names_the_folder_and_writes_nothing(
    services: str, out: Path
) -> None:
    target = out / "fehlt" / "leistungen.csv"
    result = egov("export", str(target))
    assert result.exit_code == 8
    assert (
        f"{target} lässt sich nicht schreiben: den Ordner {target.parent} gibt es nicht."
        in result.stderr
    )
    assert list(out.iterdir()) == []


@pytest.fixture
def read_only(services: str) -> str:
    """The SQLite catalogue with services, as a read-only URI URL."""
    path = sqlite_path(services)
    assert path is not None
    return f"sqlite:///file:{path.as_posix()}?mode=ro&uri=true"


@pytest.mark.sqlite_only
def test_a_catalogue_opened_read_only_by_uri_is_read_and_refuses_writes(read_only: str) -> None:
    listed = egov("--db", read_only, "services", "list", "--json")
    refused = egov("--db", read_only, "services", "add", "Neue Leistung")

    assert listed.exit_code == 0, listed.stderr
    assert len(json.loads(listed.stdout)["services"]) > 0
    assert refused.exit_code == 7
    assert f"Katalog {read_only}: attempt to write a readonly database" in refused.stderr
    assert (
        "schreibgeschützt geöffnet (mode=ro); öffnen Sie ihn über seinen Pfad, um ihn zu ändern"
        in refused.stderr
    )


@pytest.mark.sqlite_only
def test_a_report_from_a_read_only_catalogue_is_written_with_a_warning_that_it_is_not_recorded(
    services: str, read_only: str, out: Path
) -> None:
    result = egov("--db", read_only, "report", "readiness", "-o", str(out / "bericht.html"))

    assert result.exit_code == 0, result.stderr
    assert (out / "bericht.html").read_text("utf-8").startswith("<!DOCTYPE html>")
    assert "schreibgeschützt" in result.stderr
    assert _report_runs(services) == 0


# --- a damaged catalogue ---------------------------------------------------------------------------


@pytest.fixture
def filled_file(db_url: str, tmp_path: Path) -> Path:
    """A SQLite catalogue of 600 services, everything in its main file (no -wal)."""
    imported = egov("import", str(_workbook(tmp_path / "amt32.xlsx", rows=600)))
    assert imported.exit_code == 0, imported.stderr
    path = sqlite_path(db_url)
    assert path is not None
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0
    finally:
        conn.close()
    return path


def _workbook_for_import(tmp_path: Path) -> Path:
    return _workbook(tmp_path / "amt33.xlsx", rows=20)


def _assert_damage_reported(tmp_path: Path, path: Path) -> None:
    """Every command that reads the damaged catalogue stops with exit code 7, says the
    catalogue is damaged and how to check it; none calls it a bug or a full disk."""
    commands = [
        ("services", "list", "--json"),
        ("report", "readiness", "--format", "json"),
        ("export", "-", "--format", "json"),
        ("import", str(_workbook_for_import(tmp_path))),
        ("services", "history", "99000000000300"),
    ]
    failed = 0
    for args in commands:
        result = egov(*args)
        if result.exit_code == 0:
            continue  # the command did not read a damaged page
        failed += 1
        said = result.stderr
        if said.startswith("{"):
            error = json.loads(said)
            said = f"{error['message']} {error['hint']}"
        assert result.exit_code == 7, (args, said)
        assert "ist beschädigt" in said, (args, said)
        assert f'sqlite3 "{path}" "PRAGMA integrity_check"' in said
        assert "disk is full" not in said
    assert failed >= 3


@pytest.mark.sqlite_only
def test_a_truncated_catalogue_is_reported_as_damaged_with_integrity_check_advice(
    filled_file: Path, tmp_path: Path
) -> None:
    with filled_file.open("r+b") as file:
        file.truncate(filled_file.stat().st_size // 2)
    _assert_damage_reported(tmp_path, filled_file)


@pytest.mark.sqlite_only
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_bytes_in_data_pages_are_reported_as_damaged_not_as_a_bug(
    filled_file: Path, tmp_path: Path, seed: int
) -> None:
    import random

    rng = random.Random(seed)
    data = bytearray(filled_file.read_bytes())
    page = 4096
    for number in rng.sample(range(2, len(data) // page), 12):
        start = number * page + rng.randrange(0, page - 64)
        data[start : start + 64] = rng.randbytes(64)
    filled_file.write_bytes(bytes(data))
    _assert_damage_reported(tmp_path, filled_file)


@pytest.mark.sqlite_only
def test_a_text_overwritten_with_bytes_that_are_not_utf8_is_reported_as_damaged(
    filled_file: Path,
) -> None:
    data = filled_file.read_bytes()
    at = data.index(b"Leistung 300")
    filled_file.write_bytes(data[:at] + b"\xff\xfe" + data[at + 2 :])
    for args in (("export", "-", "--format", "json"), ("services", "list")):
        result = egov(*args)
        assert result.exit_code == 7, (args, result.stderr)
        assert "ist beschädigt: Could not decode to UTF-8" in result.stderr
        assert "PRAGMA integrity_check" in result.stderr


# --- a catalogue on read-only storage ----------------------------------------------------------------


@pytest.mark.sqlite_only
def test_reports_read_a_catalogue_on_read_only_storage_and_writes_stop_with_exit_code_7(
    tmp_path: Path,
) -> None:

    from egov_cli.storage.migrate import init_catalogue

    folder = tmp_path / "ablage"
    folder.mkdir()
    catalogue = folder / "katalog.db"
    init_catalogue(str(catalogue))
    assert egov("--db", str(catalogue), "services", "add", "Gewerbeanmeldung").exit_code == 0
    held = sorted(p.name for p in folder.iterdir())
    out = tmp_path / "berichte"
    out.mkdir()
    run = egov_on_read_only_storage(folder, catalogue, EGOV_NOW="2026-11-25T09:00:00Z")

    report = run("report", "readiness", "-o", str(out / "bericht.html"))
    listed = run("services", "list", "--json")
    refused = run("services", "add", "Hundesteuer")

    assert report.returncode == 0, report.stderr
    assert (out / "bericht.html").read_text("utf-8").startswith("<!DOCTYPE html>")
    assert "schreibgeschützt: ausgegeben, aber nicht im Katalog vermerkt: readiness" in (
        report.stderr
    )
    assert listed.returncode == 0, listed.stderr
    assert [s["name"] for s in json.loads(listed.stdout)["services"]] == ["Gewerbeanmeldung"]
    assert refused.returncode == 7, refused.stderr
    assert "attempt to write a readonly database" in refused.stderr
    assert "schreibgeschützt; prüfen Sie die Berechtigungen" in refused.stderr
    assert sorted(p.name for p in folder.iterdir()) == held
