"""Crash safety: ``egov import``, ``egov report run`` and ``egov db upgrade`` killed with SIGKILL
at many points leave the catalogue exactly as before (and sound), never a half-written report
under its final name, and never a schema half-way between two revisions; the next run succeeds.

The kill points are fractions of how long the same command takes uninterrupted on this machine
and backend (measured once per session), so they fall into reading, writing and committing
alike on fast and slow machines.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from egov_cli.core.errors import SchemaMismatch
from egov_cli.storage.db import HEAD_REVISION, Catalogue, current_revision, make_engine, sqlite_path
from egov_cli.storage.records import content_checksum
from tests.conftest import BACKEND, PG_ADMIN_URL, _pg_database
from tests.helpers import downgrade

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX only"),
]

ROWS = 30_000
SMALL_ROWS = 500
#: Where the kills fall, as fractions of the uninterrupted run's duration.
FRACTIONS = (0.05, 0.25, 0.45, 0.6, 0.75)
NOW = "2026-11-25T09:00:00Z"
HEADERS = [
    "LeiKa-Schlüssel",
    "Leistung",
    "Amt",
    "Amtsbezeichnung",
    "Reifegrad",
    "Ziel-Reifegrad",
    "Zieldatum",
    "Themenfeld",
    "SDG Anhang II",
    "Fallzahl pro Jahr",
    "Bemerkungen",
]


def _workbook(path: Path, rows: int, variant: str) -> Path:
    import datetime as dt

    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Leistungen")
    day = book.add_format({"num_format": "DD.MM.YYYY"})
    sheet.write_row(0, 0, HEADERS)
    for i in range(1, rows + 1):
        sheet.write_row(
            i,
            0,
            [
                f"99{i:012d}",
                f"Leistung {i} {variant} für Bürgerinnen und Bürger",
                str(30 + i % 10),
                f"Amt {30 + i % 10}",
                (i + len(variant)) % 5,
                4,
            ],
        )
        sheet.write_datetime(i, 6, dt.datetime(2025 + i % 3, 1 + i % 12, 1), day)
        sheet.write_row(
            i, 7, ["Bauen & Wohnen", "ja" if i % 7 == 0 else "nein", i * 3, f"Bemerkung {i}"]
        )
    book.close()
    return path


@pytest.fixture(scope="session")
def workbooks(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small workbook (imported first) and a big one that changes and adds services."""
    folder = tmp_path_factory.mktemp("crash-workbooks")
    return (
        _workbook(folder / "klein.xlsx", SMALL_ROWS, "alt"),
        _workbook(folder / "gross.xlsx", ROWS, "neu"),
    )


# --- catalogues on the suite's backend, outside the function-scoped db_url -----------------------


_CLEANUPS = pytest.StashKey[list[Iterator[str]]]()


def _new_catalogue(request: pytest.FixtureRequest, folder: Path) -> str:
    from egov_cli.storage.migrate import init_catalogue

    if BACKEND == "postgres":
        template = request.getfixturevalue("pg_template")
        gen = _pg_database(template)
        url = next(gen)
        request.session.stash.setdefault(_CLEANUPS, []).append(gen)
        return url
    path = folder / f"{uuid.uuid4().hex[:8]}.db"
    init_catalogue(str(path))
    return str(path)


@pytest.fixture(scope="session", autouse=True)
def _drop_scratch_databases(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    for gen in request.session.stash.get(_CLEANUPS, []):
        next(gen, None)


# --- running egov as a process --------------------------------------------------------------------


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"NO_COLOR": "1", "EGOV_ACTOR": "tester", "EGOV_NOW": NOW, **extra})
    env.pop("EGOV_DEBUG", None)
    return env


def _run(target: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "egov_cli", "--db", target, *args],
        cwd=cwd,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def _timed(target: str, *args: str, cwd: Path) -> float:
    start = time.monotonic()
    done = _run(target, *args, cwd=cwd)
    took = time.monotonic() - start
    assert done.returncode == 0, done.stderr
    return took


def _kill_after(target: str, delay: float, *args: str, cwd: Path) -> int:
    """Start ``egov ARGS``, SIGKILL it after ``delay`` seconds; its return code. Its temporary
    files (the halves of a large sheet) stay in the test's folder: a killed process cannot
    remove them."""
    temporary = cwd / "temporary"
    temporary.mkdir(exist_ok=True)
    with (cwd / "stderr.txt").open("w") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "egov_cli", "--db", target, *args],
            cwd=cwd,
            env={**_env(), "TMPDIR": str(temporary)},
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
        try:
            time.sleep(delay)
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
            return process.wait(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()


def _checksum(target: str) -> tuple[dict[str, int], str]:
    engine = make_engine(target)
    try:
        return content_checksum(engine)
    finally:
        engine.dispose()


def _integrity(target: str) -> None:
    path = sqlite_path(target)
    if path is None:
        return  # PostgreSQL: a killed client's transaction is rolled back by the server
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()


# --- import ----------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def import_seconds(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    workbooks: tuple[Path, Path],
) -> tuple[float, dict[str, int]]:
    """How long the big import takes uninterrupted here (after the small one), and the record
    counts after it."""
    folder = tmp_path_factory.mktemp("crash-import-timing")
    target = _new_catalogue(request, folder)
    small, big = workbooks
    _timed(target, "import", str(small), cwd=folder)
    seconds = _timed(target, "import", str(big), cwd=folder)
    return seconds, _checksum(target)[0]


@pytest.mark.parametrize("fraction", FRACTIONS)
def test_a_killed_import_leaves_the_catalogue_exactly_as_before(
    db_url: str,
    tmp_path: Path,
    workbooks: tuple[Path, Path],
    import_seconds: tuple[float, dict[str, int]],
    fraction: float,
) -> None:
    """Killed before its commit, the import left nothing; killed after it (while the process
    was still ending), all of it. Never a part."""
    small, big = workbooks
    seconds, complete = import_seconds
    first = _run(db_url, "import", str(small), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    before = _checksum(db_url)
    assert before[0]["service"] == SMALL_ROWS

    code = _kill_after(db_url, seconds * fraction, "import", str(big), cwd=tmp_path)

    # On a machine faster than when the timing was taken, the import may end before the kill:
    # then it must simply be complete.
    assert code in (-signal.SIGKILL, 0), f"the import failed ({code})"
    _integrity(db_url)
    after = _checksum(db_url)
    committed = after != before
    assert committed or code != 0
    if committed:
        assert after[0] == complete
    again = _run(db_url, "import", str(big), "--json", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    result = json.loads(again.stdout)
    if committed:
        assert (result["created"], result["changed"], result["unchanged"]) == (0, 0, ROWS)
    else:
        assert (result["created"], result["rejected"]) == (ROWS - SMALL_ROWS, 0)
        assert result["created"] + result["changed"] + result["unchanged"] == ROWS
    assert _checksum(db_url)[0]["service"] == ROWS
    _integrity(db_url)


# --- report run --------------------------------------------------------------------------------------

SCHEDULE = """\
output = "berichte"
formats = ["html", "xlsx", "json", "md", "csv"]

[[report]]
name = "readiness"

[[report]]
name = "overdue"
due_within_days = 400

[[report]]
name = "targets"

[[report]]
name = "sdg"
"""


@pytest.fixture(scope="session")
def report_setup(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    workbooks: tuple[Path, Path],
) -> tuple[str, dict[str, bytes], float]:
    """A big catalogue with targets, the files of one uninterrupted run (by name), and how long
    that run took."""
    folder = tmp_path_factory.mktemp("crash-report-reference")
    target = _new_catalogue(request, folder)
    _timed(target, "import", str(workbooks[1]), cwd=folder)
    for args in (
        ("targets", "add", "Online 2026", "--min-level", "3", "--share", "80%"),
        ("targets", "add", "Transaktion 2027", "--min-level", "4", "--count", "20000"),
    ):
        done = _run(target, *args, cwd=folder)
        assert done.returncode == 0, done.stderr
    (folder / "plan.toml").write_text(SCHEDULE, "utf-8")
    seconds = _timed(target, "report", "run", "plan.toml", cwd=folder)
    files = {p.name: p.read_bytes() for p in (folder / "berichte").iterdir()}
    assert len(files) == 20
    return target, files, seconds


def _complete(name: str, data: bytes) -> None:
    """The file is whole in its own format."""
    if name.endswith(".json"):
        json.loads(data.decode("utf-8"))
    elif name.endswith(".html"):
        assert data.rstrip().endswith(b"</html>")
    elif name.endswith(".xlsx"):
        import io

        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            assert archive.testzip() is None


@pytest.mark.parametrize("fraction", FRACTIONS)
def test_a_killed_report_run_leaves_no_half_written_file_under_a_final_name(
    tmp_path: Path,
    report_setup: tuple[str, dict[str, bytes], float],
    fraction: float,
) -> None:
    target, reference, seconds = report_setup
    checksum = _checksum(target)
    (tmp_path / "plan.toml").write_text(SCHEDULE, "utf-8")

    code = _kill_after(target, seconds * fraction, "report", "run", "plan.toml", cwd=tmp_path)

    assert code in (-signal.SIGKILL, 0), f"the run failed ({code})"
    folder = tmp_path / "berichte"
    finals = sorted(p for p in folder.glob("*") if not p.name.startswith("."))
    for path in finals:
        data = path.read_bytes()
        _complete(path.name, data)
        assert data == reference[path.name], path.name
    after = _checksum(target)
    assert after != checksum or code != 0
    if after != checksum:  # killed after its last step, recording the files, while ending (or done)
        assert len(finals) == 20
        assert after[0] == {**checksum[0], "report_run": checksum[0]["report_run"] + 20}
    _integrity(target)
    rerun = _run(target, "report", "run", "plan.toml", cwd=tmp_path)
    assert rerun.returncode == 0, rerun.stderr
    written = {p.name for p in folder.iterdir() if not p.name.startswith(".")}
    assert len(written) == len(finals) + 20


# --- db upgrade --------------------------------------------------------------------------------------

HISTORY_ROWS = 50_000


def _empty_database(request: pytest.FixtureRequest, folder: Path) -> str:
    if BACKEND != "postgres":
        return str(folder / "alt.db")
    request.getfixturevalue("pg_template")  # skips where PostgreSQL is not reachable
    admin = make_engine(PG_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    name = f"egov_old_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> Iterator[str]:
        yield name
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    gen = drop()
    next(gen)
    request.session.stash.setdefault(_CLEANUPS, []).append(gen)
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def _oldest_with_history(target: str) -> None:
    """A catalogue at revision 0001 with services and a long history (so that the upgrade's
    index builds take a while)."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import insert

    from egov_cli.core.history import ChangeContext
    from egov_cli.core.models import ChangeRecord
    from egov_cli.domain.catalogue import add_service
    from egov_cli.domain.departments import add_department
    from egov_cli.domain.scale import seed_default_scale
    from egov_cli.storage.db import transaction
    from egov_cli.storage.migrate import _run_upgrade

    engine = make_engine(target)
    _run_upgrade(engine)  # filled by today's code, then taken back to the first revision
    ctx = ChangeContext(actor="tester", source="test", at=datetime(2026, 11, 25, 9, tzinfo=UTC))
    start = datetime(2020, 1, 1, tzinfo=UTC)
    with transaction(Catalogue(target, engine)) as s:
        seed_default_scale(s)
        add_department(s, ctx, "32", "Ordnungsamt")
        add_service(s, ctx, {"name": "Gewerbe", "leika_key": "99050012104000", "department": "32"})
    downgrade(engine, "0001")  # before the history: its indexes are not made twice
    with transaction(Catalogue(target, engine)) as s:
        s.execute(
            insert(ChangeRecord),
            [
                {
                    "changed_at": start + timedelta(minutes=i),
                    "actor": "tester",
                    "source": "test",
                    "entity": "service",
                    "entity_id": 1 + i % 5000,
                    "entity_key": f"99{i % 5000:012d}",
                    "action": "updated",
                    "field": "level" if i % 2 else "notes",
                    "old_value": str(i % 4),
                    "new_value": str(1 + i % 4),
                }
                for i in range(HISTORY_ROWS)
            ],
        )
    engine.dispose()


def _indexes(target: str) -> dict[str, set[str]]:
    """Every table's index names: the schema's shape beyond its revision number."""
    engine = make_engine(target)
    try:
        found = inspect(engine)
        return {t: {str(i["name"]) for i in found.get_indexes(t)} for t in found.get_table_names()}
    finally:
        engine.dispose()


def _revision(target: str) -> str | None:
    engine = make_engine(target)
    try:
        return current_revision(engine)
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def upgrade_seconds(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[float, dict[str, set[str]]]:
    """How long the upgrade takes uninterrupted, and the indexes of the upgraded catalogue."""
    folder = tmp_path_factory.mktemp("crash-upgrade-timing")
    target = _empty_database(request, folder)
    _oldest_with_history(target)
    seconds = _timed(target, "db", "upgrade", cwd=folder)
    return seconds, _indexes(target)


@pytest.mark.parametrize("fraction", FRACTIONS)
def test_a_killed_upgrade_leaves_the_old_or_the_new_schema_never_one_half_way(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    upgrade_seconds: tuple[float, dict[str, set[str]]],
    fraction: float,
) -> None:
    from egov_cli.storage.db import open_catalogue
    from egov_cli.storage.migrate import upgrade_catalogue

    target = _empty_database(request, tmp_path)
    _oldest_with_history(target)
    before = _checksum(target)
    seconds, head_indexes = upgrade_seconds
    old_indexes = _indexes(target)
    assert old_indexes != head_indexes

    code = _kill_after(target, seconds * fraction, "db", "upgrade", cwd=tmp_path)

    assert code in (-signal.SIGKILL, 0), f"the upgrade failed ({code})"
    _integrity(target)
    revision = _revision(target)
    assert revision in ("0001", HEAD_REVISION)
    assert revision == HEAD_REVISION or code != 0
    if revision == "0001":
        assert _indexes(target) == old_indexes
        with pytest.raises(SchemaMismatch) as info:
            open_catalogue(target)
        assert (
            info.value.hint
            == "Rufen Sie 'egov db upgrade' auf (es schreibt vorher eine Sicherung)."
        )
    else:
        assert _indexes(target) == head_indexes
    for backup in tmp_path.glob("alt.before-upgrade-*"):  # whole, or not under its final name
        _integrity(str(backup))
        assert _revision(str(backup)) == "0001"
    assert _checksum(target) == before

    upgrade_catalogue(target)
    assert _revision(target) == HEAD_REVISION
    assert _indexes(target) == head_indexes
    assert _checksum(target) == before
    open_catalogue(target).engine.dispose()
