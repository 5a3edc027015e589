"""Dumps, restores and copies between SQLite and PostgreSQL lose nothing and say so."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from egov_cli.core.errors import Conflict, FileError, ValidationError
from egov_cli.core.history import ChangeContext
from egov_cli.domain.catalogue import ServiceFilter, add_service, edit_service, list_services
from egov_cli.domain.departments import add_department
from egov_cli.domain.procedures import add_procedure
from egov_cli.storage.db import Catalogue, open_catalogue, transaction
from egov_cli.storage.records import content_checksum
from egov_cli.storage.transfer import copy_catalogue, dump_catalogue, restore_catalogue
from tests.helpers import egov


@pytest.fixture
def filled(catalogue: Catalogue, ctx: ChangeContext) -> Catalogue:
    with transaction(catalogue) as s:
        add_department(s, ctx, "32", "Ordnungsamt", "ordnung@stadt.example")
        add_procedure(
            s,
            ctx,
            {
                "name": "Gewerbe-Service-Portal",
                "bayernportal": True,
                "submits_electronically": True,
            },
        )
        add_service(
            s,
            ctx,
            {
                "name": "Gewerbe Anmeldung",
                "leika_key": "99050012104000",
                "department": "32",
                "level": 3,
                "procedure": "Gewerbe-Service-Portal",
                "notes": "Straße „Ü“ – ok",
            },
        )
        add_service(s, ctx, {"name": "Ohne Schlüssel", "level": 0})
        edit_service(s, ctx, "99050012104000", {"level": 4, "status": "live"})
    return catalogue


def test_a_dump_restores_to_an_identical_catalogue(filled: Catalogue, tmp_path: Path) -> None:
    dump = tmp_path / "k.jsonl.gz"
    written = dump_catalogue(filled, dump)
    restored = restore_catalogue(dump, str(tmp_path / "neu.db"))
    assert restored.verified
    assert restored.checksum == written.checksum == content_checksum(filled.engine)[1]
    assert restored.counts["change_record"] == written.counts["change_record"] == 6


def test_a_restored_catalogue_takes_new_records_after_the_old_ids(
    filled: Catalogue, tmp_path: Path, ctx: ChangeContext
) -> None:
    dump = tmp_path / "k.jsonl.gz"
    dump_catalogue(filled, dump)
    restore_catalogue(dump, str(tmp_path / "neu.db"))
    with transaction(open_catalogue(str(tmp_path / "neu.db"))) as s:
        change = add_service(s, ctx, {"name": "Neu"})
    assert change.service.id == 3


def test_a_truncated_dump_is_refused_and_writes_nothing(filled: Catalogue, tmp_path: Path) -> None:
    dump = tmp_path / "k.jsonl.gz"
    dump_catalogue(filled, dump)
    lines = gzip.decompress(dump.read_bytes()).decode().splitlines()
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(gzip.compress(("\n".join(lines[:-2]) + "\n").encode()))
    with pytest.raises(FileError, match="truncated"):
        restore_catalogue(cut, str(tmp_path / "neu.db"))
    with transaction(open_catalogue(str(tmp_path / "neu.db"))) as s:
        assert list_services(s, ServiceFilter()).total == 0


def test_a_tampered_dump_is_refused(filled: Catalogue, tmp_path: Path) -> None:
    dump = tmp_path / "k.jsonl.gz"
    dump_catalogue(filled, dump)
    text = (
        gzip.decompress(dump.read_bytes())
        .decode()
        .replace("Gewerbe Anmeldung", "Gewerbe Abmeldung")
    )
    bad = tmp_path / "bad.jsonl.gz"
    bad.write_bytes(gzip.compress(text.encode()))
    with pytest.raises(ValidationError, match="stimmen nicht mit Anzahlen und Prüfsumme"):
        restore_catalogue(bad, str(tmp_path / "neu.db"))


def test_restoring_over_a_filled_catalogue_needs_replace(
    filled: Catalogue, tmp_path: Path, db_url: str
) -> None:
    dump = tmp_path / "k.jsonl.gz"
    dump_catalogue(filled, dump)
    with pytest.raises(Conflict, match="enthält schon einen Katalog"):
        restore_catalogue(dump, db_url)
    assert restore_catalogue(dump, db_url, replace=True).verified


def test_copy_to_sqlite_verifies_counts_and_checksum_on_both_sides(
    filled: Catalogue, tmp_path: Path
) -> None:
    result = copy_catalogue(filled, str(tmp_path / "kopie.db"))
    assert result.verified
    assert result.counts["service"] == 2


@pytest.mark.postgres
def test_copy_from_sqlite_to_postgresql_and_back_loses_nothing(
    tmp_path: Path, ctx: ChangeContext, pg_template: str
) -> None:
    from tests.conftest import _pg_database

    source_path = str(tmp_path / "quelle.db")
    from egov_cli.storage.migrate import init_catalogue

    init_catalogue(source_path)
    source = open_catalogue(source_path)
    with transaction(source) as s:
        add_department(s, ctx, "33", "Bürgeramt")
        add_service(
            s,
            ctx,
            {
                "name": "Wohnsitz Anmeldung",
                "leika_key": "99115005104000",
                "department": "33",
                "level": 2,
            },
        )
    gen = _pg_database(pg_template)
    url = next(gen)
    try:
        there = copy_catalogue(source, url, replace=True)
        back = copy_catalogue(open_catalogue(url), str(tmp_path / "zurueck.db"))
        assert there.verified
        assert back.verified
        assert there.checksum == back.checksum == content_checksum(source.engine)[1]
    finally:
        next(gen, None)


def test_db_dump_and_restore_through_the_cli(filled: Catalogue, tmp_path: Path) -> None:
    dump = tmp_path / "k.jsonl.gz"
    assert egov("db", "dump", str(dump)).exit_code == 0
    again = egov("db", "dump", str(dump))
    assert again.exit_code == 8
    assert "gibt es schon" in again.stderr
    restored = egov("--db", str(tmp_path / "neu.db"), "db", "restore", str(dump))
    assert restored.exit_code == 0, restored.stderr
    assert "Anzahl und Prüfsumme stimmen überein" in restored.stderr


def test_a_dry_run_restore_checks_the_dump_and_writes_nothing(
    filled: Catalogue, tmp_path: Path
) -> None:
    dump = tmp_path / "k.jsonl.gz"
    dump_catalogue(filled, dump)
    result = egov(
        "--db", str(tmp_path / "neu.db"), "db", "restore", str(dump), "--dry-run", "--json"
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["counts"]["service"] == 2
    assert not (tmp_path / "neu.db").exists()


def test_a_dry_run_copy_writes_nothing(filled: Catalogue, tmp_path: Path) -> None:
    result = egov("db", "copy", "--to", str(tmp_path / "kopie.db"), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert not (tmp_path / "kopie.db").exists()


@pytest.mark.postgres
def test_a_catalogue_copied_to_postgresql_takes_new_records_after_the_copied_ids(
    filled: Catalogue, ctx: ChangeContext, pg_template: str
) -> None:
    from tests.conftest import _pg_database

    gen = _pg_database(pg_template)
    url = next(gen)
    try:
        copy_catalogue(filled, url, replace=True)
        copied = open_catalogue(url)
        with transaction(copied) as s:
            change = add_service(s, ctx, {"name": "Nach der Kopie"})
            add_department(s, ctx, "99", "Neues Amt")
        assert change.service.id == 3
        copied.engine.dispose()
    finally:
        next(gen, None)
