"""A catalogue made with the oldest schema (revision 0001) and filled with every kind of record
upgrades with ``egov db upgrade`` to the newest one with nothing lost: every record of every
table keeps every value of the columns revision 0001 had."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from sqlalchemy import MetaData, insert, inspect, select

from egov_cli.core.history import ChangeContext
from egov_cli.core.models import ReferenceUpdate, Service
from egov_cli.domain.catalogue import edit_service, remove_service
from egov_cli.domain.procedures import edit_procedure
from egov_cli.domain.scale import seed_default_scale
from egov_cli.domain.targets import add_target
from egov_cli.imports import ImportOptions, run_import
from egov_cli.reports.builders import record_run
from egov_cli.storage.db import HEAD_REVISION, Catalogue, current_revision, make_engine, transaction
from egov_cli.storage.migrate import _run_upgrade
from tests.exports.services_sample import fill
from tests.helpers import downgrade, egov
from tests.test_crash_safety import _drop_scratch_databases, _empty_database

__all__ = ["_drop_scratch_databases"]  # the fixture that drops PostgreSQL scratch databases

TABLES = (
    "maturity_level", "setting", "department", "procedure", "import_run", "service",
    "change_record", "target", "report_run", "reference_update",
)  # fmt: skip


def _workbook(path: Path) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Leistungen")
    sheet.write_row(0, 0, ["LeiKa-Schlüssel", "Leistung", "Amt", "Reifegrad", "Umsetzungsstatus"])
    sheet.write_row(1, 0, ["99050012104000", "Gewerbeanmeldung", "32", 4, "live"])
    sheet.write_row(2, 0, ["99001001000000", "Neu aus der Tabelle", "60", 1, "geplant"])
    book.close()
    return path


def _fill_oldest(target: str, tmp_path: Path) -> None:
    """Revision 0001, then every kind of record through the services: departments, a
    procedure with every attribute, services with every field, history of creating, updating
    and removing, an import run, targets, a report run and a reference update."""
    engine = make_engine(target)
    _run_upgrade(engine)  # filled by today's code, then taken back to the first revision
    catalogue = Catalogue(target, engine)
    ctx = ChangeContext(actor="tester", source="test", at=datetime(2026, 11, 20, 9, tzinfo=UTC))
    with transaction(catalogue) as s:
        seed_default_scale(s)
    fill(catalogue, ctx)
    with transaction(catalogue) as s:
        edit_service(
            s, ctx, "99102013002000", {"level": 2, "notes": None, "go_live": date(1950, 1, 1)}
        )
        gone = s.execute(
            select(Service.id).where(Service.name == "Ohne Amt: Sondernutzung öffentlicher Straßen")
        ).scalar_one()
        remove_service(s, ctx, str(gone))
        edit_procedure(s, ctx, "Gewerbe-Service-Portal", {"epayment": False})
        today = date(2026, 11, 20)
        add_target(s, ctx, "Online 2026", today=today, threshold_level=3, goal_count=2)
        add_target(
            s, ctx, "SDG Ende", today=today, threshold_level=4, goal_share=0.5,
            due_date=date(2199, 12, 31), department="32",
        )  # fmt: skip
        record_run(
            s, "readiness", generated_at=ctx.at, actor="tester", format="html", output="r.html"
        )
        s.execute(
            insert(ReferenceUpdate),
            [
                {
                    "file_name": "leika.csv",
                    "sha256": "ab" * 32,
                    "rows": 12000,
                    "loaded_at": ctx.at,
                    "actor": "tester",
                }
            ],
        )
    with transaction(catalogue) as s:
        at = datetime(2026, 11, 21, 9, tzinfo=UTC)
        run_import(s, _workbook(tmp_path / "amt.xlsx"), ImportOptions(actor="tester", at=at))
    downgrade(engine, "0001")
    engine.dispose()


def _records(target: str, columns: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """Every table's rows (ordered by primary key) over ``columns`` (default: all it has)."""
    engine = make_engine(target)
    try:
        meta = MetaData()
        meta.reflect(engine)
        out: dict[str, Any] = {}
        with engine.connect() as conn:
            for name in TABLES:
                table = meta.tables[name]
                names = columns[name] if columns else [c.name for c in table.columns]
                query = select(*(table.c[n] for n in names)).order_by(*table.primary_key.columns)
                out[name] = [tuple(row) for row in conn.execute(query)]
        return out
    finally:
        engine.dispose()


@pytest.fixture
def oldest(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    target = _empty_database(request, tmp_path)
    _fill_oldest(target, tmp_path)
    return target


def test_an_oldest_catalogue_with_every_kind_of_record_upgrades_with_nothing_lost(
    oldest: str,
) -> None:
    engine = make_engine(oldest)
    assert current_revision(engine) == "0001"
    found = inspect(engine)
    columns = {t: [c["name"] for c in found.get_columns(t)] for t in TABLES}
    engine.dispose()
    before = _records(oldest, columns)
    assert {t: len(rows) for t, rows in before.items()} == {
        "maturity_level": 5,
        "setting": 1,
        "department": 4,  # three filled in, one new from the import
        "procedure": 1,
        "import_run": 1,
        "service": 4,  # four filled in, one removed, one new from the import
        "change_record": len(before["change_record"]),
        "target": 2,
        "report_run": 1,
        "reference_update": 1,
    }
    actions = {row[columns["change_record"].index("action")] for row in before["change_record"]}
    assert actions == {"create", "update", "delete"}

    result = egov("--db", oldest, "db", "upgrade")

    assert result.exit_code == 0, result.stderr
    engine = make_engine(oldest)
    assert current_revision(engine) == HEAD_REVISION
    engine.dispose()
    assert _records(oldest, columns) == before
    listed = egov("--db", oldest, "services", "list", "--json")
    assert listed.exit_code == 0, listed.stderr
