"""No terminal escape sequence, control character or undecodable byte reaches the terminal raw:
egov shows them written out (``\\x1b``), refuses them in codes and names given to it, and
imports a file whose name is not UTF-8 like any other."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from egov_cli.core.history import ChangeContext
from egov_cli.domain.catalogue import add_service
from egov_cli.storage.db import open_catalogue, transaction
from egov_cli.storage.records import content_checksum
from tests.helpers import egov
from tests.hostile import corpus

KEY = "99050012104000"
ESCAPE = "\x1b[31mrot\x1b[0m\x9b2J"
SHOWN = "\\x1b[31mrot\\x1b[0m\\x9b2J"


def _state(db_url: str) -> tuple[dict[str, int], str]:
    catalogue = open_catalogue(db_url)
    try:
        return content_checksum(catalogue.engine)
    finally:
        catalogue.engine.dispose()


@pytest.fixture
def hostile(db_url: str, ctx: ChangeContext) -> str:
    """A department and a service whose names hold escape sequences, as a catalogue written
    by an older egov or another program may hold them."""
    catalogue = open_catalogue(db_url)
    try:
        with transaction(catalogue) as session:
            session.execute(
                text(
                    "INSERT INTO department (code, name, created_at, updated_at) "
                    "VALUES (:code, :name, :at, :at)"
                ),
                {"code": "32", "name": "Amt " + ESCAPE, "at": ctx.at},
            )
            add_service(
                session, ctx, {"name": "Gewerbe " + ESCAPE, "leika_key": KEY, "department": "32"}
            )
    finally:
        catalogue.engine.dispose()
    return db_url


def _assert_inert(output: str) -> None:
    assert "\x1b" not in output
    assert "\x9b" not in output
    assert SHOWN in output


@pytest.mark.parametrize(
    "args",
    [
        ("services", "show", KEY),
        ("services", "edit", KEY, "--level", "2"),
        ("services", "remove", KEY, "--yes"),
        ("departments", "list"),
    ],
)
def test_escape_sequences_in_stored_names_are_shown_written_out_by_every_command(
    hostile: str, args: tuple[str, ...]
) -> None:
    result = egov(*args)
    assert result.exit_code == 0, result.stderr
    _assert_inert(result.stdout + result.stderr)


def test_escape_sequences_in_a_json_answer_are_escaped(hostile: str) -> None:
    result = egov("services", "show", KEY, "--json")
    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stdout
    assert "\x9b" not in result.stdout
    assert json.loads(result.stdout)["name"] == "Gewerbe " + ESCAPE


def test_an_error_naming_a_hostile_file_shows_its_name_written_out(
    db_url: str, tmp_path: Path
) -> None:
    path = tmp_path / f"leer{ESCAPE}.csv"
    path.write_bytes(b"")
    result = egov("import", str(path))
    assert result.exit_code == 8
    _assert_inert(result.stderr)
    assert "ist leer (0 Bytes)" in result.stderr


def test_the_import_summary_shows_an_escape_sequence_in_the_file_name_written_out(
    db_url: str, tmp_path: Path
) -> None:
    path = tmp_path / f"esc{ESCAPE}.csv"
    path.write_text(f"LeiKa-Schlüssel;Leistung\n{KEY};Gewerbe\n", encoding="utf-8")
    result = egov("import", str(path))
    assert result.exit_code == 0, result.stderr
    _assert_inert(result.stdout + result.stderr)
    assert "neu: 1" in result.stdout


def test_a_real_egov_process_prints_no_escape_sequence_from_a_name(hostile: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "egov_cli", "services", "edit", KEY, "--level", "1"],
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert b"\x1b" not in done.stdout + done.stderr
    assert b"\xc2\x9b" not in done.stdout + done.stderr
    assert SHOWN.encode() in done.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("departments", "add", "32", "Ordnungs\x1b[31mamt"),
        ("departments", "add", "3\x1b[2J2", "Ordnungsamt"),
        ("departments", "add", "32", "Ordnungsamt\x9b"),
        ("procedures", "add", "Portal\x1b[31m"),
    ],
)
def test_control_characters_in_a_new_code_or_name_are_refused(
    db_url: str, args: tuple[str, ...]
) -> None:
    before = _state(db_url)
    result = egov(*args)
    assert result.exit_code == 3, result.stderr
    assert "enthält das Steuerzeichen U+" in result.stderr
    assert "\x1b" not in result.stderr
    assert _state(db_url) == before


def test_control_characters_in_a_new_department_name_are_refused_on_rename(
    db_url: str,
) -> None:
    assert egov("departments", "add", "32", "Ordnungsamt").exit_code == 0
    before = _state(db_url)
    result = egov("departments", "rename", "32", "Ordnungs\x1b[31mamt")
    assert result.exit_code == 3, result.stderr
    assert "Name des Amts enthält das Steuerzeichen U+001B." in result.stderr
    assert _state(db_url) == before


def test_a_dump_with_an_escape_sequence_in_a_name_is_refused_by_restore(
    hostile: str, tmp_path: Path
) -> None:
    dump = tmp_path / "katalog.jsonl.gz"
    assert egov("db", "dump", str(dump)).exit_code == 0
    target = tmp_path / "neu.db"
    result = egov("--db", str(target), "db", "restore", str(dump))
    assert result.exit_code == 3, result.stderr
    assert "enthält das Steuerzeichen U+001B" in result.stderr
    assert "Nichts wurde wiederhergestellt." in result.stderr
    assert "\x1b" not in result.stderr
    if target.exists():
        counts = _state(str(target))[0]
        assert counts["department"] == counts["service"] == counts["change_record"] == 0


def test_a_dump_with_clean_names_still_restores(db_url: str, tmp_path: Path) -> None:
    assert egov("departments", "add", "32", "Ordnungsamt").exit_code == 0
    dump = tmp_path / "katalog.jsonl.gz"
    assert egov("db", "dump", str(dump)).exit_code == 0
    assert gzip.decompress(dump.read_bytes())
    result = egov("--db", str(tmp_path / "neu.db"), "db", "restore", str(dump))
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_file_whose_name_is_not_utf8_imports_and_is_shown_escaped(
    db_url: str, tmp_path: Path, suffix: str
) -> None:
    path = Path(os.fsdecode(bytes(tmp_path) + b"/bad\xff\xfe" + suffix.encode()))
    if suffix == ".csv":
        path.write_text(f"LeiKa-Schlüssel;Leistung\n{KEY};Gewerbe\n", encoding="utf-8")
    else:
        corpus.valid_workbook(path)
    done = subprocess.run(
        [sys.executable, "-m", "egov_cli", "import", os.fsencode(path)],
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert f"bad\\xff\\xfe{suffix}".encode() in done.stdout
    assert b"neu: 1" in done.stdout
    assert b"internal error" not in done.stderr

    answer = egov("import", str(path), "--json")
    assert answer.exit_code == 0, answer.stderr
    assert json.loads(answer.stdout)["file_name"] == f"bad\\xff\\xfe{suffix}"
    listed = egov("services", "history", KEY)
    assert listed.exit_code == 0, listed.stderr


def test_an_error_about_a_file_whose_name_is_not_utf8_names_it_escaped(
    db_url: str, tmp_path: Path
) -> None:
    path = Path(os.fsdecode(bytes(tmp_path) + b"/leer\xff.csv"))
    path.write_bytes(b"")
    done = subprocess.run(
        [sys.executable, "-m", "egov_cli", "import", os.fsencode(path)],
        capture_output=True,
        check=False,
    )
    assert done.returncode == 8, done.stderr
    assert b"leer\\xff.csv ist leer (0 Bytes)." in done.stderr
    answer = egov("import", str(path), "--json")
    assert answer.exit_code == 8
    assert json.loads(answer.stderr)["message"].startswith("leer")
