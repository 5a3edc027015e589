"""Several writers at once, as separate processes: everything lands, nothing is lost or doubled.

Runs on the suite's backend: SQLite (a file) or PostgreSQL (EGOV_TEST_DB=postgres).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook

from egov_cli.core.history import ChangeContext
from egov_cli.domain.catalogue import ServiceFilter, add_service, list_services, service_history
from egov_cli.storage.db import open_catalogue, transaction

pytestmark = pytest.mark.slow


def _workbook(path: Path, rows: list[tuple[str, str, int]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["LeiKa-Schlüssel", "Leistung", "Reifegrad", "Amt"])
    for key, name, level in rows:
        sheet.append([key, name, level, "32"])
    book.save(path)
    return path


def _start(*args: str, db: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "egov_cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "EGOV_DB": db},
    )


def _finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    _out, err = process.communicate(timeout=180)
    return process.returncode, err


def test_two_imports_and_a_hand_edit_started_together_all_land(
    db_url: str, tmp_path: Path, ctx: ChangeContext
) -> None:
    with transaction(open_catalogue(db_url)) as s:
        add_service(
            s, ctx, {"name": "Hundesteuer Anmeldung", "leika_key": "99102013001000", "level": 1}
        )
    first = _workbook(
        tmp_path / "amt32.xlsx", [(f"99{i:012d}", f"Leistung A {i}", 2) for i in range(400)]
    )
    second = _workbook(
        tmp_path / "amt33.xlsx", [(f"98{i:012d}", f"Leistung B {i}", 3) for i in range(400)]
    )
    processes = [
        _start("import", str(first), db=db_url),
        _start("import", str(second), db=db_url),
        _start("services", "edit", "99102013001000", "--level", "3", db=db_url),
    ]
    results = [_finish(p) for p in processes]
    assert [code for code, _ in results] == [0, 0, 0], [err for _, err in results]
    for _, err in results:
        assert "database is locked" not in err
        assert "could not serialize" not in err
    with transaction(open_catalogue(db_url)) as s:
        assert list_services(s, ServiceFilter()).total == 801
        assert list_services(s, ServiceFilter(search="Hundesteuer")).rows[0].level == 3
        assert [r.field for r in service_history(s, "99102013001000") if r.action == "update"] == [
            "level"
        ]


def test_concurrent_upserts_of_the_same_keys_end_in_one_row_each(
    db_url: str, tmp_path: Path
) -> None:
    rows = [(f"97{i:012d}", f"Gemeinsame Leistung {i}", 2) for i in range(200)]
    first = _workbook(tmp_path / "a.xlsx", rows)
    second = _workbook(tmp_path / "b.xlsx", [(k, n, 3) for k, n, _ in rows])
    processes = [
        _start("import", str(first), "--json", db=db_url),
        _start("import", str(second), "--json", db=db_url),
    ]
    results = [_finish(p) for p in processes]
    assert [code for code, _ in results] == [0, 0], [err for _, err in results]
    with transaction(open_catalogue(db_url)) as s:
        services = list_services(s, ServiceFilter()).rows
    assert len(services) == 200
    assert len({r.leika_key for r in services}) == 200
    # Whichever import ran second decided the level; every service has that one level.
    assert len({r.level for r in services}) == 1


def _walk_history(db_url: str, keys: list[str]) -> dict[str, list[int | None]]:
    """Walk the history of every service in ``keys``, oldest first: each update's old value
    is the value the record before it left (the create record's snapshot for the first), and
    the values the history ends with are the row's. Returns the import ids that changed each
    service's level, in order (None for a hand edit)."""
    from egov_cli.core.history import as_text
    from egov_cli.domain.catalogue import find_service, view

    walked: dict[str, list[int | None]] = {}
    with transaction(open_catalogue(db_url), write=False) as s:
        for key in keys:
            records = service_history(s, key)
            assert records[0].action == "create", key
            assert [r.action for r in records[1:]] == ["update"] * (len(records) - 1), key
            values: dict[str, str | None] = json.loads(records[0].new_value or "{}")
            for record in records[1:]:
                assert record.field is not None
                assert record.old_value == values.get(record.field), (key, record.id)
                values[record.field] = record.new_value
            row = view(s, find_service(s, key))
            for field in {r.field for r in records[1:]} | {"level"}:
                assert values.get(str(field)) == as_text(getattr(row, str(field))), (key, field)
            walked[key] = [r.import_id for r in records[1:] if r.field == "level"]
    return walked


def test_concurrent_imports_of_the_same_keys_record_the_values_they_replaced(
    db_url: str, tmp_path: Path, ctx: ChangeContext
) -> None:
    keys = [f"96{i:012d}" for i in range(60)]
    with transaction(open_catalogue(db_url)) as s:
        for key in keys[:30]:  # half the keys are in the catalogue before, at level 1
            add_service(s, ctx, {"name": f"Leistung {key}", "leika_key": key, "level": 1})
    books = [
        _workbook(tmp_path / f"amt{level}.xlsx", [(k, f"Leistung {k}", level) for k in keys])
        for level in (2, 3, 4, 2)
    ]
    processes = [_start("import", str(book), "--json", db=db_url) for book in books]
    outputs = [p.communicate(timeout=180) for p in processes]
    assert [p.returncode for p in processes] == [0] * len(books), [e for _, e in outputs]
    summaries = [json.loads(out) for out, _ in outputs]

    walked = _walk_history(db_url, keys)

    # Every key was new to exactly one import; each import's summary adds up, and its count of
    # changed services is the number of services its records changed.
    assert sum(r["created"] for r in summaries) == 30
    for result in summaries:
        assert result["created"] + result["changed"] + result["unchanged"] == len(keys)
        changed_by_it = [k for k, ids in walked.items() if result["import_id"] in ids]
        assert result["changed"] == len(changed_by_it)


def test_eight_concurrent_edits_of_one_service_record_the_values_they_replaced(
    db_url: str, ctx: ChangeContext
) -> None:
    key = "99102013001000"
    with transaction(open_catalogue(db_url)) as s:
        add_service(s, ctx, {"name": "Hundesteuer Anmeldung", "leika_key": key, "level": 0})
    levels = [1, 2, 3, 4, 1, 2, 3, 4]
    processes = [
        _start("services", "edit", key, "--level", str(level), db=db_url) for level in levels
    ]
    results = [_finish(p) for p in processes]
    assert [code for code, _ in results] == [0] * len(levels), [err for _, err in results]

    _walk_history(db_url, [key])


def _copied_file_alone(path: Path, folder: Path) -> list[str]:
    """The service names in a plain copy of the catalogue's main file (what an officer mails)."""
    import shutil
    import sqlite3

    folder.mkdir()
    copy = shutil.copyfile(path, folder / path.name)
    conn = sqlite3.connect(copy)
    try:
        return [row[0] for row in conn.execute("SELECT name FROM service ORDER BY id")]
    finally:
        conn.close()


@pytest.mark.sqlite_only
@pytest.mark.parametrize("reader_open", [False, True], ids=["alone", "with-an-idle-reader"])
def test_after_a_writing_command_the_catalogue_file_alone_holds_every_change(
    db_url: str, tmp_path: Path, reader_open: bool
) -> None:
    import sqlite3

    path = Path(db_url)
    book = _workbook(
        tmp_path / "amt32.xlsx", [(f"99{i:012d}", f"Leistung {i}", 2) for i in range(50)]
    )
    reader = sqlite3.connect(path) if reader_open else None
    try:
        if reader is not None:
            assert reader.execute("SELECT count(*) FROM service").fetchone() == (0,)
        for args in (["import", str(book)], ["services", "add", "Hundesteuer Anmeldung"]):
            code, err = _finish(_start(*args, db=db_url))
            assert code == 0, err
        names = _copied_file_alone(path, tmp_path / "kopie")
    finally:
        if reader is not None:
            reader.close()
    assert len(names) == 51
    assert names[-1] == "Hundesteuer Anmeldung"


def _run_waiting(*args: str, db: str, cwd: Path) -> tuple[int, str, float]:
    """``egov ARGS`` with a lock timeout of one second: its code, stderr and seconds taken."""
    import time

    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "egov_cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
        env={**os.environ, "EGOV_DB": db, "EGOV_LOCK_TIMEOUT": "1"},
    )
    return done.returncode, done.stderr, time.monotonic() - start


@pytest.mark.sqlite_only
def test_a_report_while_another_program_holds_the_write_lock_is_written_and_says_it_is_not_recorded(
    db_url: str, tmp_path: Path, ctx: ChangeContext
) -> None:
    import sqlite3

    with transaction(open_catalogue(db_url)) as s:
        add_service(s, ctx, {"name": "Hundesteuer Anmeldung", "level": 2})
    (tmp_path / "plan.toml").write_text('output = "berichte"\n[[report]]\nname = "readiness"\n')
    holder = sqlite3.connect(db_url, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program writing, for longer than egov waits
    try:
        single = _run_waiting("report", "readiness", "-o", "bericht.html", db=db_url, cwd=tmp_path)
        scheduled = _run_waiting("report", "run", "plan.toml", db=db_url, cwd=tmp_path)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    for code, err, _ in (single, scheduled):
        assert code == 0, err
        assert "nicht im Katalog vermerkt: readiness" in err
    assert "bericht.html" in single[1]
    assert (tmp_path / "bericht.html").read_text("utf-8").startswith("<!DOCTYPE html>")
    assert [p.suffix for p in (tmp_path / "berichte").iterdir()] == [".html"]
    with transaction(open_catalogue(db_url), write=False) as s:
        from egov_cli.reports.builders import last_run

        assert last_run(s, "readiness") is None


@pytest.mark.postgres
def test_a_table_lock_held_on_postgresql_stops_commands_after_the_lock_timeout(
    pg_template: str, tmp_path: Path
) -> None:
    import psycopg

    from tests.conftest import _pg_database

    gen = _pg_database(pg_template)
    url = next(gen)
    holder = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
    try:
        holder.execute("LOCK TABLE service IN ACCESS EXCLUSIVE MODE")
        for args in (("services", "list"), ("services", "add", "Neue Leistung")):
            code, err, seconds = _run_waiting(*args, db=url, cwd=tmp_path)
            assert code == 7, err
            assert "lock timeout" in err
            assert "EGOV_LOCK_TIMEOUT" in err
            assert seconds < 30
    finally:
        holder.rollback()
        holder.close()
        next(gen, None)


def test_a_lock_timeout_that_is_not_a_number_of_seconds_is_refused(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.helpers import egov

    for value in ("bald", "0", "-3"):
        monkeypatch.setenv("EGOV_LOCK_TIMEOUT", value)
        result = egov("services", "list")
        assert result.exit_code == 3, result.stderr
        assert f"EGOV_LOCK_TIMEOUT={value!r} ist keine Zahl von Sekunden." in result.stderr
