"""Schema versions: creating, upgrading, and refusing catalogues this program does not fit."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from egov_cli.core.errors import SchemaMismatch
from egov_cli.core.history import ChangeContext
from egov_cli.domain.catalogue import ServiceFilter, add_service, list_services
from egov_cli.domain.departments import add_department
from egov_cli.domain.scale import seed_default_scale
from egov_cli.storage.db import (
    HEAD_REVISION,
    SQLITE_SORT_THREADS,
    Catalogue,
    current_revision,
    make_engine,
    open_catalogue,
    transaction,
)
from egov_cli.storage.migrate import _run_upgrade, init_catalogue, script_head, upgrade_catalogue
from tests.helpers import downgrade, egov

pytestmark = pytest.mark.sqlite_only


def test_the_program_knows_the_head_of_its_shipped_migrations() -> None:
    assert script_head() == HEAD_REVISION


def _oldest_catalogue(path: Path, ctx: ChangeContext) -> None:
    """A catalogue at the first schema revision, filled through the services."""
    engine = make_engine(str(path))
    _run_upgrade(engine)
    with transaction(Catalogue(str(path), engine)) as s:
        seed_default_scale(s)
        add_department(s, ctx, "32", "Ordnungsamt")
        add_service(
            s,
            ctx,
            {
                "name": "Gewerbe Anmeldung",
                "leika_key": "99050012104000",
                "department": "32",
                "level": 3,
            },
        )
    downgrade(engine, "0001")
    engine.dispose()


def test_an_older_catalogue_is_refused_with_the_upgrade_command_named(
    tmp_path: Path, ctx: ChangeContext
) -> None:
    path = tmp_path / "alt.db"
    _oldest_catalogue(path, ctx)
    with pytest.raises(SchemaMismatch) as info:
        open_catalogue(str(path))
    assert f"hat Schema 0001; dieses egov braucht {HEAD_REVISION}" in info.value.message
    assert info.value.hint == "Rufen Sie 'egov db upgrade' auf (es schreibt vorher eine Sicherung)."


def test_upgrading_writes_a_backup_and_keeps_every_record(
    tmp_path: Path, ctx: ChangeContext
) -> None:
    path = tmp_path / "alt.db"
    _oldest_catalogue(path, ctx)
    result = upgrade_catalogue(str(path))
    assert result.upgraded_from == "0001"
    assert result.backup is not None
    assert Path(result.backup).exists()
    assert current_revision(make_engine(result.backup)) == "0001"
    catalogue = open_catalogue(str(path))
    with transaction(catalogue) as s:
        rows = list_services(s, ServiceFilter()).rows
    assert [(r.leika_key, r.department, r.level) for r in rows] == [("99050012104000", "32", 3)]
    indexes = {i["name"] for i in inspect(catalogue.engine).get_indexes("change_record")}
    assert "ix_change_level" in indexes
    assert "ix_change_entity_key" not in indexes


def test_a_newer_catalogue_is_refused_and_left_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "neu.db"
    init_catalogue(str(path))
    engine = make_engine(str(path))
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    result = egov("--db", str(path), "services", "list")
    assert result.exit_code == 6
    assert "neuer als dieses egov kennt" in result.stderr
    assert "pip install --upgrade egov-cli" in result.stderr
    init_again = egov("--db", str(path), "init")
    assert init_again.exit_code == 6
    assert current_revision(engine) == "0099"


def test_init_twice_leaves_the_catalogue_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    assert egov("--db", str(path), "init").exit_code == 0
    again = egov("--db", str(path), "init")
    assert again.exit_code == 0
    assert "ist aktuell" in again.stderr


def test_sqlite_runs_with_wal_foreign_keys_and_a_busy_timeout(db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 15000


def test_sqlite_may_sort_on_helper_threads(db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA threads")).scalar() == SQLITE_SORT_THREADS > 0


def _tables(target: str) -> list[str]:
    engine = make_engine(target)
    try:
        with engine.connect() as conn:
            return sorted(inspect(conn).get_table_names())
    finally:
        engine.dispose()


def _foreign_database(target: str) -> None:
    engine = make_engine(target)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE kunden (id INTEGER PRIMARY KEY, name TEXT)"))
            conn.execute(text("INSERT INTO kunden (id, name) VALUES (1, 'Muster GmbH')"))
    finally:
        engine.dispose()


def _init_refuses_then_forces(target: str) -> None:
    refused = egov("--db", target, "init")
    assert refused.exit_code == 7, refused.stderr
    assert "ist kein egov-Katalog und nicht leer; darin: kunden." in refused.stderr
    assert "--force" in refused.stderr
    assert _tables(target) == ["kunden"]

    forced = egov("--db", target, "init", "--force")
    assert forced.exit_code == 0, forced.stderr
    assert "kunden" in _tables(target)
    assert current_revision(make_engine(target)) == HEAD_REVISION


def test_init_refuses_a_sqlite_file_of_another_program_unless_forced(tmp_path: Path) -> None:
    target = str(tmp_path / "fremd.db")
    _foreign_database(target)
    _init_refuses_then_forces(target)


@pytest.mark.postgres
def test_init_refuses_a_postgresql_database_of_another_program_unless_forced(
    pg_template: str,
) -> None:
    import uuid

    from tests.conftest import PG_ADMIN_URL

    admin = make_engine(PG_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    name = f"egov_fremd_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        target = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
        _foreign_database(target)
        _init_refuses_then_forces(target)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_init_of_an_empty_file_creates_the_catalogue(tmp_path: Path) -> None:
    target = tmp_path / "leer.db"
    target.touch()
    created = egov("--db", str(target), "init")
    assert created.exit_code == 0, created.stderr
    assert current_revision(make_engine(str(target))) == HEAD_REVISION
