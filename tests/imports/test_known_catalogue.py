"""The catalogue as an import reads it (``load_known``): every service's fields as stored,
whichever way the driver hands them over."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from egov_cli.core.history import ChangeContext
from egov_cli.core.models import Service
from egov_cli.domain.catalogue import add_service
from egov_cli.domain.departments import add_department
from egov_cli.imports.early import EarlyRead, import_fields, start_early_read
from egov_cli.imports.known import load_known
from egov_cli.storage.db import Catalogue, transaction

NAMES = [
    'Anführungszeichen " und \\ Schrägstrich',
    "Zeile 1\nZeile 2\tTab 👍 \u2028 \x01",
    "Ärztliche Bescheinigung",
    "Gewerbeanmeldung",
    "Hundesteuer",
]


def _add_services(catalogue: Catalogue, ctx: ChangeContext) -> None:
    with transaction(catalogue) as session:
        add_department(session, ctx, "32", "Ordnungsamt")
        for i, name in enumerate(NAMES):
            add_service(
                session,
                ctx,
                {
                    "name": name,
                    "leika_key": f"9999001210{i:04d}",
                    "level": i % 5,
                    "sdg_annex2": i % 2 == 0,
                    "go_live": date(2026, 1, 1 + i) if i % 2 else None,
                    "cases_per_year": 2_000_000_000 + i if i != 3 else None,
                    "citizen_name": "" if i == 1 else None,
                    "department": "32",
                },
            )


def _as_stored(catalogue: Catalogue, columns: list[str]) -> dict[str, list[Any]]:
    """The services' columns as SQLAlchemy reads them, in id order."""
    table = Service.__table__  # type: ignore[attr-defined]
    with transaction(catalogue, write=False) as session:
        rows = session.execute(select(*(table.c[c] for c in columns)).order_by(table.c.id)).all()
    return {c: [row[i] for row in rows] for i, c in enumerate(columns)}


def _known(catalogue: Catalogue, part_rows: int = 20_000) -> dict[str, list[Any]]:
    with transaction(catalogue, write=False) as session:
        fields = load_known(session, part_rows=part_rows).fields
    order = sorted(range(len(fields["id"])), key=fields["id"].__getitem__)
    return {name: [values[i] for i in order] for name, values in fields.items()}


@pytest.mark.parametrize("part", [1, 2, 5, 50_000])
def test_the_catalogue_read_for_an_import_holds_every_field_as_stored_whatever_the_part_size(
    catalogue: Catalogue, ctx: ChangeContext, part: int
) -> None:
    _add_services(catalogue, ctx)
    known = _known(catalogue, part)
    assert known == _as_stored(catalogue, list(known))
    assert known["name"] == NAMES
    assert known["cases_per_year"][0] == 2_000_000_000
    assert known["go_live"][1] == date(2026, 1, 2)
    assert known["sdg_annex2"][:2] == [True, False]


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    ("column", "value"),
    [("cases_per_year", 1 / 3), ("level", 2.5), ("notes", b"\x00\xff"), ("name", b"bytes")],
)
def test_a_value_json_would_not_carry_exactly_is_read_as_stored(
    catalogue: Catalogue,
    ctx: ChangeContext,
    column: str,
    value: Any,
) -> None:
    # SQLite keeps what it is given (a floating-point number in an integer column, a blob):
    # written past the program, as another tool might.
    _add_services(catalogue, ctx)
    with transaction(catalogue) as session:
        session.execute(text(f"UPDATE service SET {column} = :v WHERE id = 3"), {"v": value})
    known = _known(catalogue, 2)
    assert known[column][2] == value
    assert type(known[column][2]) is type(value)
    assert known == _as_stored(catalogue, list(known))


def test_an_empty_catalogue_is_read_as_empty(catalogue: Catalogue) -> None:
    known = _known(catalogue)
    assert known["id"] == []
    assert set(known) >= {"id", "leika_key", "name", "level"}


def _read_early_in_parts_of_two(catalogue: Catalogue, ctx: ChangeContext) -> EarlyRead:
    """The early read of a catalogue of five services, in parts of two (three parts)."""
    _add_services(catalogue, ctx)
    return start_early_read(Path(catalogue.target), rows=2)


@pytest.mark.sqlite_only
def test_services_read_early_are_the_services_the_transaction_would_read(
    catalogue: Catalogue, ctx: ChangeContext
) -> None:
    with _read_early_in_parts_of_two(catalogue, ctx) as early:
        early.wait()
        with transaction(catalogue) as session:
            # the fields an import of a file without online details reads, as the early read
            read_early = load_known(session, early, fields=import_fields()).fields
            assert early.parts() is None  # used up: asked once
    with transaction(catalogue, write=False) as session:
        assert read_early == load_known(session, fields=import_fields()).fields


@pytest.mark.sqlite_only
def test_services_read_early_are_not_used_once_another_connection_has_committed(
    catalogue: Catalogue, ctx: ChangeContext
) -> None:
    _add_services(catalogue, ctx)
    with start_early_read(Path(catalogue.target)) as early:
        early.wait()
        with transaction(catalogue) as session:  # another writer, after the early read
            session.execute(text("UPDATE service SET level = 4, name = 'Neu' WHERE id = 1"))
        with transaction(catalogue) as session:
            known = load_known(session, early, fields=import_fields())
    assert known.value(1, "level") == 4
    assert known.value(1, "name") == "Neu"


@pytest.mark.sqlite_only
def test_an_early_read_of_a_file_that_is_no_catalogue_is_not_used(tmp_path: Path) -> None:
    path = tmp_path / "not-a-catalogue.db"
    path.write_bytes(b"no database" * 100)
    with start_early_read(path) as early:
        assert early.parts() is None


@pytest.mark.sqlite_only
def test_an_early_read_holds_while_nobody_has_committed_since(
    catalogue: Catalogue, ctx: ChangeContext
) -> None:
    with (
        _read_early_in_parts_of_two(catalogue, ctx) as early,
        transaction(catalogue) as session,
    ):
        session.execute(text("SELECT id FROM service LIMIT 1"))
        parts = early.parts()
    assert parts is not None
    assert [(p.after, p.count) for p in parts] == [(None, 2), (2, 2), (4, 1)]
    assert all(p.columns is not None for p in parts)


@pytest.mark.sqlite_only
def test_an_early_read_closed_before_it_is_used_lets_go_of_the_catalogue(
    catalogue: Catalogue, ctx: ChangeContext
) -> None:
    _add_services(catalogue, ctx)
    early = start_early_read(Path(catalogue.target))
    early.close()
    assert early.parts() is None
    with transaction(catalogue) as session:  # nothing holds the catalogue
        session.execute(text("UPDATE service SET level = 1"))


@pytest.mark.sqlite_only
def test_an_early_read_of_a_catalogue_another_program_holds_locked_is_given_up(
    catalogue: Catalogue, ctx: ChangeContext
) -> None:
    import sqlite3

    _add_services(catalogue, ctx)
    catalogue.engine.dispose()  # no idle connection of the command's in the way
    other = sqlite3.connect(catalogue.target, isolation_level=None)
    other.execute("PRAGMA locking_mode = EXCLUSIVE")
    other.execute("BEGIN EXCLUSIVE")  # readers too must wait for it
    other.execute("UPDATE service SET level = 2")
    with start_early_read(Path(catalogue.target)) as early:
        early.wait()
        other.execute("COMMIT")
        other.close()
        with transaction(catalogue) as session:
            known = load_known(session, early)
    assert set(known.fields["level"]) == {2}
