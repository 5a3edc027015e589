"""Importing a file (``run_import``): plan, modes, all-or-nothing, history, idempotence,
procedures, batches."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select, text

from egov_cli.core.errors import InputRejected
from egov_cli.core.models import ChangeRecord, Department, ImportRun, Procedure, Service
from egov_cli.domain.common import service_search_text
from egov_cli.imports import ImportOptions, ImportResult, WriteSizes, run_import
from egov_cli.storage.db import Catalogue, transaction

AT = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
HEADER = "LeiKa-Schlüssel;Leistung;Amt;Reifegrad;Umsetzungsstatus;Online-Dienst;E-Payment\n"

#: These tests read the messages in English, their message ids.
pytestmark = pytest.mark.usefixtures("english")


def write(tmp_path: Path, body: str, name: str = "amt.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def run(
    catalogue: Catalogue, path: Path, dry_run: bool = False, at: datetime = AT, **options: Any
) -> ImportResult:
    return run_import(
        catalogue, path, ImportOptions(dry_run=dry_run, actor="tester", at=at, **options)
    )


def services(catalogue: Catalogue) -> list[tuple[object, ...]]:
    with transaction(catalogue, write=False) as session:
        rows = session.exec(select(Service).order_by(Service.id)).all()  # type: ignore[arg-type]
        return [(s.leika_key, s.name, s.level, s.status) for s in rows]


def test_a_new_file_creates_services_departments_and_procedures_with_history(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "99990012104000;Gewerbeanmeldung;32;3;live;Gewerbe-Online;ja\n"
        "99990012105000;Gewerbeabmeldung;32;2;;Gewerbe-Online;\n",
    )
    result = run(catalogue, path)
    assert (result.created, result.changed, result.unchanged, result.rejected) == (2, 0, 0, 0)
    assert result.new_departments == ["32"]
    assert result.new_procedures == ["Gewerbe-Online"]
    assert services(catalogue) == [
        ("99990012104000", "Gewerbeanmeldung", 3, "live"),
        ("99990012105000", "Gewerbeabmeldung", 2, "planned"),
    ]
    with transaction(catalogue, write=False) as session:
        run_row = session.exec(select(ImportRun)).one()
        assert (run_row.file_name, run_row.mode, run_row.created_count, run_row.actor) == (
            "amt.csv",
            "upsert",
            2,
            "tester",
        )
        records = session.exec(select(ChangeRecord).order_by(ChangeRecord.id)).all()  # type: ignore[arg-type]
        assert {(r.entity, r.action, r.source, r.import_id) for r in records} == {
            ("department", "create", "import", run_row.id),
            ("procedure", "create", "import", run_row.id),
            ("service", "create", "import", run_row.id),
        }
        created = [r for r in records if r.entity == "service"]
        assert json.loads(created[0].new_value or "") == {
            "department": "32",
            "leika_key": "99990012104000",
            "level": "3",
            "name": "Gewerbeanmeldung",
            "procedure": "Gewerbe-Online",
            "sdg_annex2": "false",
            "status": "live",
        }
        assert session.exec(select(Procedure)).one().epayment is True
        service = session.exec(select(Service)).first()
        assert service is not None
        assert service.search_text == service_search_text(service.model_dump())
        assert service.created_at.replace(tzinfo=UTC) == AT


def test_an_import_that_changes_a_name_or_a_level_leaves_every_search_text_as_the_service_now_reads(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    """The search text is written again where a field it is made of changes (the name), and
    left as it is where only other fields change (the level)."""
    run(
        catalogue,
        write(
            tmp_path,
            "99990012104000;Gewerbeanmeldung;32;3;live;;\n99990012105000;Gewerbeabmeldung;32;2;;;\n",
        ),
    )
    later = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    path = write(
        tmp_path,
        "99990012104000;Anmeldung eines Gewerbes;32;3;live;;\n"
        "99990012105000;Gewerbeabmeldung;32;4;;;\n",
        name="amt2.csv",
    )
    result = run(catalogue, path, at=later)
    assert [c.changes for c in result.changes] == [
        {"name": ("Gewerbeanmeldung", "Anmeldung eines Gewerbes")},
        {"level": (2, 4)},
    ]
    with transaction(catalogue, write=False) as session:
        rows = session.exec(select(Service).order_by(Service.id)).all()  # type: ignore[arg-type]
        assert [s.search_text == service_search_text(s.model_dump()) for s in rows] == [True, True]
        assert "anmeldung eines gewerbes" in rows[0].search_text
        assert [s.updated_at.replace(tzinfo=UTC) for s in rows] == [later, later]


def test_an_import_of_more_rows_than_one_statement_takes_writes_every_row_and_record(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    """SQLite inserts many rows to a statement: full statements and a shorter last one."""
    sizes = WriteSizes(rows_per_statement=5)
    count = 2 * 5 + 3
    keys = [f"9999{n:07d}000" for n in range(count)]
    first = write(tmp_path, "".join(f"{k};Leistung {k};32;1;;;\n" for k in keys))
    run(catalogue, first, sizes=sizes)
    changed = write(tmp_path, "".join(f"{k};Leistung {k};32;2;;;\n" for k in keys), name="amt2.csv")
    second = run(catalogue, changed, sizes=sizes)
    assert (second.changed, second.history_records) == (count, count)
    assert services(catalogue) == [(k, f"Leistung {k}", 2, "planned") for k in keys]
    with transaction(catalogue, write=False) as session:
        records = session.exec(
            select(ChangeRecord).where(ChangeRecord.entity == "service")  # type: ignore[arg-type]
        ).all()
    assert sorted((r.entity_key, r.action, r.new_value) for r in records if r.field) == [
        (k, "update", "2") for k in keys
    ]
    assert sorted(r.entity_key for r in records if r.action == "create") == keys


def test_an_import_lists_each_new_and_each_changed_service_with_its_row(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    from egov_cli.imports import NewService

    first = run(catalogue, write(tmp_path, "99990012104000;Gewerbeanmeldung;32;3;;;\n"))
    assert first.new_services == [NewService(2, "99990012104000", "Gewerbeanmeldung")]
    second = run(
        catalogue,
        write(
            tmp_path,
            "99990012105000;Gewerbeabmeldung;32;1;;;\n99990012104000;Gewerbeanmeldung;32;4;;;\n",
            name="amt2.csv",
        ),
    )
    assert second.new_services == [NewService(2, "99990012105000", "Gewerbeabmeldung")]
    assert [(c.row, c.leika_key, c.name, c.changes) for c in second.changes] == [
        (3, "99990012104000", "Gewerbeanmeldung", {"level": (3, 4)})
    ]


def test_importing_the_same_file_twice_changes_nothing_the_second_time(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    path = write(tmp_path, "99990012104000;Gewerbeanmeldung;32;3;live;Gewerbe-Online;ja\n")
    run(catalogue, path)
    second = run(catalogue, path)
    assert (second.created, second.changed, second.unchanged) == (0, 0, 1)
    assert second.new_departments == []
    assert second.new_procedures == []
    with transaction(catalogue, write=False) as session:
        assert len(session.exec(select(ChangeRecord)).all()) == 3
        assert len(session.exec(select(ImportRun)).all()) == 2


def test_changes_are_planned_field_by_field_and_a_dry_run_writes_nothing(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    run(catalogue, write(tmp_path, "99990012104000;Gewerbeanmeldung;32;3;live;;\n"))
    changed = write(tmp_path, "99990012104000;Gewerbeanmeldung;33;4;;;\n", "v2.csv")
    preview = run(catalogue, changed, dry_run=True)
    assert preview.import_id is None
    assert [(d.row, d.leika_key, d.changes) for d in preview.changes] == [
        (2, "99990012104000", {"department": ("32", "33"), "level": (3, 4)})
    ]
    assert preview.new_departments == ["33"]
    assert services(catalogue) == [("99990012104000", "Gewerbeanmeldung", 3, "live")]
    applied = run(catalogue, changed)
    assert applied.changes == preview.changes
    assert services(catalogue) == [("99990012104000", "Gewerbeanmeldung", 4, "live")]
    with transaction(catalogue, write=False) as session:
        updates = session.exec(select(ChangeRecord).where(ChangeRecord.action == "update")).all()
        assert sorted((r.field, r.old_value, r.new_value, r.import_id) for r in updates) == [
            ("department", "32", "33", applied.import_id),
            ("level", "3", "4", applied.import_id),
        ]
        assert {d.code for d in session.exec(select(Department)).all()} == {"32", "33"}


def test_one_bad_row_aborts_everything_and_lists_every_problem(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "99990012104000;Gewerbeanmeldung;32;3;;;\n"
        "99990012104000;Doppelt;32;3;;;\n"
        "123;Kaputt;32;3;;;\n",
    )
    with pytest.raises(InputRejected) as caught:
        run(catalogue, path)
    assert caught.value.details == [
        "amt.csv, row 2, column 'LeiKa-Schlüssel': LeiKa key appears again in row 3 "
        "(value '99990012104000') - Each service may appear once in a file: merge the rows "
        "or delete one.",
        "amt.csv, row 3, column 'LeiKa-Schlüssel': LeiKa key appears again in row 2 "
        "(value '99990012104000') - Each service may appear once in a file: merge the rows "
        "or delete one.",
        "amt.csv, row 4, column 'LeiKa-Schlüssel': LeiKa key '123' is not 14 digits (it has 3 "
        "digits). (value '123') - Write the 14-digit key, e.g. 99050012104000 (spaces are fine), "
        "or 'nicht im LeiKa'.",
    ]
    assert services(catalogue) == []
    with transaction(catalogue, write=False) as session:
        assert session.exec(select(ImportRun)).all() == []
        assert session.exec(select(Department)).all() == []


def test_skip_imports_the_valid_rows_and_reports_the_rejected_ones(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    path = write(tmp_path, "99990012104000;Gewerbeanmeldung;32;3;;;\n123;Kaputt;32;3;;;\n")
    result = run(catalogue, path, on_error="skip")
    assert (result.created, result.rejected) == (1, 1)
    assert [(r.row, r.raw) for r in result.rejected_rows] == [
        (3, ["123", "Kaputt", "32", "3", "", "", ""])
    ]
    assert services(catalogue) == [("99990012104000", "Gewerbeanmeldung", 3, "planned")]


def test_insert_and_update_modes_refuse_what_they_do_not_do(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    run(catalogue, write(tmp_path, "99990012104000;Gewerbeanmeldung;;;;;\n"))
    again = write(tmp_path, "99990012104000;Gewerbeanmeldung;;2;;;\n", "again.csv")
    with pytest.raises(InputRejected) as caught:
        run(catalogue, again, mode="insert")
    assert caught.value.problems[0].message == (
        "service 1 exists already (--mode insert adds new services only)"
    )
    unknown = write(tmp_path, "99990012105000;Gewerbeabmeldung;;;;;\n", "unknown.csv")
    with pytest.raises(InputRejected) as caught:
        run(catalogue, unknown, mode="update")
    assert caught.value.problems[0].message == (
        "no such service in the catalogue (--mode update changes existing services only)"
    )


def test_rows_that_disagree_about_a_procedure_name_both_rows(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "99990012104000;Gewerbeanmeldung;;;;Gewerbe-Online;ja\n"
        "99990012105000;Gewerbeabmeldung;;;;gewerbe online;nein\n",
    )
    with pytest.raises(InputRejected) as caught:
        run(catalogue, path)
    assert [(p.row, p.message, p.value) for p in caught.value.problems] == [
        (2, "online service 'Gewerbe-Online': row 3 gives another value for this column", True),
        (3, "online service 'Gewerbe-Online': row 2 gives another value for this column", False),
    ]


def test_procedure_details_update_the_named_procedure(catalogue: Catalogue, tmp_path: Path) -> None:
    run(catalogue, write(tmp_path, "99990012104000;Gewerbeanmeldung;;;;Gewerbe-Online;nein\n"))
    result = run(
        catalogue,
        write(tmp_path, "99990012104000;Gewerbeanmeldung;;;;Gewerbe-Online;ja\n", "v2.csv"),
    )
    assert [(c.name, c.changes) for c in result.changed_procedures] == [
        ("Gewerbe-Online", {"epayment": (False, True)})
    ]
    assert result.changed == 0
    with transaction(catalogue, write=False) as session:
        assert session.exec(select(Procedure)).one().epayment is True


def _procedures_of_services(catalogue: Catalogue) -> dict[str, tuple[str | None, bool | None]]:
    """Service name -> its online procedure's name (None: it names none) and its e-payment: the
    procedure's, else the service's own (None: not stated)."""
    with transaction(catalogue, write=False) as session:
        procedures = {p.id: p for p in session.exec(select(Procedure)).all()}
        return {
            s.name: (
                procedures[s.procedure_id].name if s.procedure_id else None,
                procedures[s.procedure_id].epayment if s.procedure_id else s.procedure_epayment,
            )
            for s in session.exec(select(Service)).all()
        }


def test_details_for_a_row_that_names_no_procedure_stay_with_the_service(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    # The procedure column is there, blank in the second and third rows: their services keep
    # the e-payment they give (yes and no) as their own; no procedure is made for them.
    result = run(
        catalogue,
        write(
            tmp_path,
            "99990012104000;Gewerbeanmeldung;;;;Gewerbe-Online;ja\n"
            "99102013000000;Hundesteuer;;;;;ja\n"
            "99107023000000;Wohngeld;;;;;nein\n",
        ),
    )
    assert result.rejected == 0
    assert result.new_procedures == ["Gewerbe-Online"]
    assert _procedures_of_services(catalogue) == {
        "Gewerbeanmeldung": ("Gewerbe-Online", True),
        "Hundesteuer": (None, True),
        "Wohngeld": (None, False),
    }
    with transaction(catalogue, write=False) as session:
        # The named procedure's services do not keep the detail a second time.
        named = session.exec(select(Service).where(Service.name == "Gewerbeanmeldung")).one()
        assert named.procedure_epayment is None


def test_details_without_a_procedure_column_go_to_the_procedure_a_service_has(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    run(catalogue, write(tmp_path, "99990012104000;Gewerbeanmeldung;;;;Gewerbe-Online;nein\n"))
    path = tmp_path / "epayment.csv"
    path.write_text(
        "LeiKa-Schlüssel;Leistung;E-Payment\n"
        "99990012104000;Gewerbeanmeldung;ja\n"
        "99102013000000;Hundesteuer;ja\n"
        "99107023000000;Wohngeld;\n",
        encoding="utf-8",
    )
    result = run(catalogue, path)
    assert result.new_procedures == []
    assert [(c.name, c.changes) for c in result.changed_procedures] == [
        ("Gewerbe-Online", {"epayment": (False, True)})
    ]
    assert _procedures_of_services(catalogue) == {
        "Gewerbeanmeldung": ("Gewerbe-Online", True),
        "Hundesteuer": (None, True),
        "Wohngeld": (None, None),
    }


def test_a_services_own_detail_changes_like_any_field_and_is_recorded(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    path = tmp_path / "epayment.csv"
    path.write_text("LeiKa-Schlüssel;Leistung;ePayment\n99102013000000;Hundesteuer;nein\n")
    run(catalogue, path)
    path.write_text("LeiKa-Schlüssel;Leistung;ePayment\n99102013000000;Hundesteuer;ja\n")
    result = run(catalogue, path)
    assert (result.created, result.changed, result.new_procedures) == (0, 1, [])
    assert _procedures_of_services(catalogue) == {"Hundesteuer": (None, True)}
    with transaction(catalogue, write=False) as session:
        records = session.exec(
            select(ChangeRecord).where(ChangeRecord.field == "procedure_epayment")
        ).all()
        assert [(r.old_value, r.new_value) for r in records] == [("false", "true")]
    # A later file without such a column leaves the service's own details alone.
    path.write_text("LeiKa-Schlüssel;Reifegrad\n99102013000000;2\n")
    assert run(catalogue, path).changes[0].changes == {"level": (0, 2)}
    assert _procedures_of_services(catalogue) == {"Hundesteuer": (None, True)}


def test_services_without_key_are_matched_by_id_or_name(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    run(catalogue, write(tmp_path, "nicht im LeiKa;Baumfällung;;1;;;\n"))
    second = run(catalogue, write(tmp_path, "nicht im LeiKa;baumfaellung;;2;;;\n", "v2.csv"))
    assert (second.created, second.changed) == (0, 1)
    path = tmp_path / "ids.csv"
    path.write_text("ID;Leistung;Reifegrad\n1;Baumfällung;3\n99;Neu;1\n", encoding="utf-8")
    with pytest.raises(InputRejected) as caught:
        run(catalogue, path)
    assert [str(p) for p in caught.value.problems] == [
        "ids.csv, row 3, column 'ID': no service with ID 99 in the catalogue (value 99) - "
        "Leave the ID empty for new services; egov assigns IDs."
    ]


def test_new_service_ids_continue_after_existing_ones(catalogue: Catalogue, tmp_path: Path) -> None:
    run(catalogue, write(tmp_path, "99990012104000;A;;;;;\n"))
    run(catalogue, write(tmp_path, "99990012105000;B;;;;;\n", "b.csv"))
    with transaction(catalogue) as session:
        session.add(Service(name="by hand"))
        session.flush()
    with transaction(catalogue, write=False) as session:
        assert [s.id for s in session.exec(select(Service)).all()] == [1, 2, 3]


#: The federal reference catalogue as shipped with egov.
REFERENCE = Path(__file__).resolve().parents[2] / "catalogue" / "reference"


@pytest.mark.slow
def test_the_federal_reference_catalogue_imports_with_every_problem_row_reported(
    catalogue: Catalogue,
) -> None:
    source = REFERENCE / "ozg_umsetzungskatalog_leika.csv"
    with pytest.raises(InputRejected) as caught:
        run(catalogue, source)
    assert sorted({p.row for p in caught.value.problems}) == [5209, 5210, 5236, 5237]
    result = run(catalogue, source, on_error="skip")
    assert result.unknown_headers == ["sdg1", "gesetzeskuerzel"]
    assert (result.rows, result.created, result.rejected) == (5249, 5245, 4)
    assert result.created + result.rejected == result.rows
    again = run(catalogue, source, on_error="skip")
    assert (again.created, again.changed, again.unchanged, again.rejected) == (0, 0, 5245, 4)


def _write_csv(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _service(catalogue: Catalogue, key: str) -> Service:
    with transaction(catalogue, write=False) as session:
        return session.exec(select(Service).where(Service.leika_key == key)).one()


def test_a_blank_cell_clears_the_field_and_a_missing_column_leaves_it_alone(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    head = "LeiKa-Schlüssel;Leistung;Amt;Online-Dienst;Bemerkungen;Online-URL;Fallzahl pro Jahr\n"
    run(
        catalogue,
        _write_csv(
            tmp_path,
            "v1.csv",
            head + "99990012104000;Gewerbeanmeldung;32;Gewerbe-Online;alt;https://a.de;12\n",
        ),
    )
    cleared = _write_csv(
        tmp_path,
        "v2.csv",
        "LeiKa-Schlüssel;Leistung;Online-Dienst;Bemerkungen;Online-URL\n"
        "99990012104000;Gewerbeanmeldung;;;\n",
    )
    result = run(catalogue, cleared)
    assert [d.changes for d in result.changes] == [
        {
            "procedure": ("Gewerbe-Online", None),
            "online_url": ("https://a.de", None),
            "notes": ("alt", None),
        }
    ]
    service = _service(catalogue, "99990012104000")
    assert (service.procedure_id, service.notes, service.online_url) == (None, None, None)
    assert (service.department_id, service.cases_per_year) == (1, 12)  # no column: left alone
    with transaction(catalogue, write=False) as session:
        records = session.exec(
            select(ChangeRecord).where(ChangeRecord.import_id == result.import_id)
        ).all()
        assert sorted((r.field, r.old_value, r.new_value) for r in records) == [
            ("notes", "alt", None),
            ("online_url", "https://a.de", None),
            ("procedure", "Gewerbe-Online", None),
        ]
    assert run(catalogue, cleared).changed == 0


def test_blank_name_level_and_status_keep_the_values_a_service_always_has(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    run(catalogue, write(tmp_path, "99990012104000;Gewerbeanmeldung;32;3;live;;\n"))
    result = run(catalogue, write(tmp_path, "99990012104000;;;;;;\n", "blank.csv"))
    assert (result.changed, result.unchanged, result.rejected) == (1, 0, 0)
    assert [d.changes for d in result.changes] == [{"department": ("32", None)}]
    assert services(catalogue) == [("99990012104000", "Gewerbeanmeldung", 3, "live")]


def test_a_new_service_with_blank_level_and_status_gets_the_defaults(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    run(catalogue, write(tmp_path, "99990012104000;Gewerbeanmeldung;;;;;\n"))
    assert services(catalogue) == [("99990012104000", "Gewerbeanmeldung", 0, "planned")]


def test_blank_reference_cells_are_filled_from_the_reference_catalogue(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    head = "LeiKa-Schlüssel;Leistung;Themenfeld;OZG-ID;Bemerkungen\n"
    run(
        catalogue,
        _write_csv(tmp_path, "v1.csv", head + "99050012104000;Gewerbe;Eigenes Thema;;x\n"),
    )
    service = _service(catalogue, "99050012104000")
    assert (service.name, service.topic, service.ozg_id, service.leika_type) == (
        "Gewerbe",
        "Eigenes Thema",
        "10294",
        "2/3",
    )
    result = run(catalogue, _write_csv(tmp_path, "v2.csv", head + "99050012104000;;;;\n"))
    assert [d.changes for d in result.changes] == [
        {
            "name": ("Gewerbe", "Gewerbe Anmeldung"),
            "topic": ("Eigenes Thema", "Unternehmensführung & -entwicklung"),
            "notes": ("x", None),
        }
    ]


def test_keys_missing_from_the_reference_give_one_summarised_warning(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    body = "".join(f"999900121{n:05d};Leistung {n};;1;;;\n" for n in range(40))
    result = run(catalogue, write(tmp_path, body))
    assert result.created == 40
    assert result.warnings == [
        "40 rows have a LeiKa key that is not in the reference catalogue (row 2: "
        "99990012100000, row 3: 99990012100001, row 4: 99990012100002, row 5: 99990012100003, "
        "row 6: 99990012100004 ...); the services are kept as given (local services and newer "
        "keys exist). Check the keys with 'egov reference search'."
    ]


def test_an_import_rolled_back_runs_again_from_the_start_with_the_same_file(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    path = write(tmp_path, "99990012104000;Gewerbeanmeldung;32;3;live;Gewerbe-Online;ja\n")
    options = ImportOptions(actor="tester", at=AT)

    class Collision(Exception):
        pass

    with pytest.raises(Collision), transaction(catalogue) as session:
        run_import(session, path, options)
        raise Collision
    with transaction(catalogue) as session:
        result = run_import(session, path, options)
    assert (result.created, result.new_departments, result.new_procedures) == (
        1,
        ["32"],
        ["Gewerbe-Online"],
    )
    assert services(catalogue) == [("99990012104000", "Gewerbeanmeldung", 3, "live")]


def test_concurrent_imports_of_the_same_new_key_end_in_one_row(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    """A writer that commits the key after this import planned it as new: the insert collides,
    the import runs again from the start and updates the service instead."""
    import threading
    import time

    from sqlalchemy import text

    from egov_cli.storage.db import run_transaction

    if catalogue.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers up front (BEGIN IMMEDIATE): no collision there")
    path = write(tmp_path, "99990012104000;Gewerbeanmeldung;;4;;;\n")
    other = catalogue.engine.connect()
    other_tx = other.begin()
    other.execute(
        text(
            "INSERT INTO service (leika_key, name, level, status, sdg_annex2, search_text, "
            "created_at, updated_at) VALUES ('99990012104000', 'Von Hand', 1, 'planned', false, "
            "'', now(), now())"
        )
    )
    attempts: list[int] = []
    results: list[ImportResult] = []

    def work(session: object) -> ImportResult:
        attempts.append(1)
        return run_import(session, path, ImportOptions(actor="tester", at=AT))  # type: ignore[arg-type]

    thread = threading.Thread(target=lambda: results.append(run_transaction(catalogue, work)))
    thread.start()
    time.sleep(1.0)  # the import has planned the key as new and waits for the table lock
    other_tx.commit()
    other.close()
    thread.join(30)
    assert len(attempts) == 2
    assert (results[0].created, results[0].changed) == (0, 1)
    assert services(catalogue) == [("99990012104000", "Gewerbeanmeldung", 4, "planned")]


@pytest.mark.parametrize("taken", [2, 1], ids=["with blank cells", "every cell filled"])
def test_the_create_records_of_an_import_hold_the_snapshot_a_single_addition_records(
    catalogue: Catalogue, tmp_path: Path, taken: int
) -> None:
    """SQLite makes the bulk snapshots from the stored rows; the text must be the one the
    history writes for a service added by hand (PostgreSQL builds it in Python). The statement
    differs where no field of the rows is blank (then nothing has to be dropped)."""
    from datetime import date

    import xlsxwriter

    from egov_cli.core.history import snapshot
    from egov_cli.domain.catalogue import _snapshot_values, view

    path = tmp_path / "amt32.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Leistungen")
    day = book.add_format({"num_format": "dd.mm.yyyy"})
    headers = ["LeiKa-Schlüssel", "Leistung", "Amt", "Reifegrad", "Ziel-Reifegrad", "Online seit",
               "SDG Anhang II", "Fallzahl pro Jahr", "Online-Dienst", "Bemerkungen", "Themenfeld"]  # fmt: skip
    rows: list[list[object]] = [
        ["99990012104000", 'Straße "A" \\ B', "32", 3, 4, datetime(2026, 1, 2), "ja", 1200,
         "Gewerbe-Online", "Zeile 1\nZeile 2\t👍", "Bauen & Wohnen"],
        ["nicht im LeiKa", "Ärztliche Bescheinigung", "", 0, "", "", "nein", "", "", "", ""],
    ][:taken]  # fmt: skip
    for c, header in enumerate(headers):
        sheet.write(0, c, header)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, datetime):
                sheet.write_datetime(r, c, value, day)
            elif value != "":
                sheet.write(r, c, value)
    book.close()

    result = run(catalogue, path)
    assert result.created == taken
    with transaction(catalogue, write=False) as session:
        records = session.exec(
            select(ChangeRecord).where(ChangeRecord.entity == "service")  # type: ignore[arg-type]
        ).all()
        expected = {
            s.id: snapshot(_snapshot_values(view(session, s)))
            for s in session.exec(select(Service)).all()
        }
        go_live = session.exec(select(Service.go_live)).first()
    assert go_live == date(2026, 1, 2)
    assert {r.entity_id: r.new_value for r in records} == expected
    keys = [r.entity_key for r in sorted(records, key=lambda r: r.entity_id)]
    assert keys == ["99990012104000", f"#{max(expected)}"][:taken]
    assert json.loads(expected[min(expected)])["notes"] == "Zeile 1\nZeile 2\t👍"


def test_a_statement_left_to_the_worker_reports_its_failure_before_anything_else_runs(
    catalogue: Catalogue,
) -> None:
    from sqlalchemy.exc import DBAPIError

    from egov_cli.imports.bulk import BulkWriter

    after: list[str] = []
    with transaction(catalogue, write=False) as session:
        bulk = BulkWriter(session)
        with pytest.raises(DBAPIError, match="no_such_table"), bulk.pipelined():
            bulk.execute_later("INSERT INTO no_such_table VALUES (1)", [()])
            bulk.execute("SELECT 1", [()])
            after.append("the next statement ran")
    assert after == []


def test_a_failure_of_the_caller_is_not_replaced_by_the_worker_s(catalogue: Catalogue) -> None:
    from egov_cli.imports.bulk import BulkWriter

    with transaction(catalogue, write=False) as session:
        bulk = BulkWriter(session)
        with pytest.raises(KeyError), bulk.pipelined():
            bulk.execute_later("INSERT INTO no_such_table VALUES (1)", [()])
            raise KeyError("the caller's own failure")


def test_a_row_refused_by_the_plan_is_reported_with_its_cells_as_read(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    run(catalogue, write(tmp_path, "99990012104000;Gewerbeanmeldung;;;;;\n"))
    path = write(
        tmp_path,
        "99990012104000;Gewerbeanmeldung;;2;;;\n99990012105000;Gewerbeabmeldung;;;;;\n",
        "update.csv",
    )
    result = run(catalogue, path, mode="update", on_error="skip")
    assert (result.changed, result.rejected) == (1, 1)
    # The row is refused by the plan (not by parsing): its cells come from the file's cells.
    assert [(r.row, r.raw) for r in result.rejected_rows] == [
        (3, ["99990012105000", "Gewerbeabmeldung", "", "", "", "", ""])
    ]


def test_a_file_whose_services_all_exist_writes_only_the_cells_that_differ(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    run(
        catalogue,
        write(
            tmp_path,
            "99990012104000;Gewerbeanmeldung;32;1;live;;\n"
            "99990012105000;Gewerbeabmeldung;32;2;;;\n",
        ),
    )
    path = write(
        tmp_path,
        "99990012104000;Gewerbeanmeldung;32;3;live;;\n99990012105000;Gewerbeabmeldung;33;2;;;\n",
        "again.csv",
    )
    result = run(catalogue, path)
    assert [c.changes for c in result.changes] == [
        {"level": (1, 3)},
        {"department": ("32", "33")},
    ]
    assert services(catalogue) == [
        ("99990012104000", "Gewerbeanmeldung", 3, "live"),
        ("99990012105000", "Gewerbeabmeldung", 2, "planned"),
    ]


def test_new_services_without_a_name_column_point_at_the_columns_egov_did_not_recognise(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    path = tmp_path / "amt50.csv"
    path.write_text(
        "LeiKa-Schlüssel;Gegenstand;Amt\n99990012104000;Wohngeld;50\n",
        encoding="utf-8",
    )
    with pytest.raises(InputRejected) as raised:
        run(catalogue, path)
    (problem,) = raised.value.problems
    assert problem.message == "a new service needs a name"
    assert problem.hint is not None
    assert "'Gegenstand'" in problem.hint
    assert '--map "HEADER=name"' in problem.hint


def _indexes(catalogue: Catalogue) -> list[tuple[object, ...]]:
    from sqlalchemy import inspect

    found = inspect(catalogue.engine).get_indexes("service")
    return sorted((i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in found)


def test_a_bulk_import_into_an_empty_catalogue_leaves_the_indexes_it_found_and_consistent(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    """From ``index_rebuild_rows`` new services on, SQLite makes the table's indexes anew after
    the rows are in (made small here)."""
    from sqlalchemy import event

    before = _indexes(catalogue)
    statements: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement.split(" ON ")[0])

    event.listen(catalogue.engine, "before_cursor_execute", note)
    body = "".join(f"9999{n:07d}000;Leistung {n};{30 + n % 3};{n % 5};;;\n" for n in range(40))
    sizes = WriteSizes(index_rebuild_rows=5)
    assert run(catalogue, write(tmp_path, body), sizes=sizes).created == 40
    event.remove(catalogue.engine, "before_cursor_execute", note)
    if catalogue.engine.dialect.name == "sqlite":  # made anew, not row by row
        assert 'DROP INDEX "ix_service_department_level"' in statements
        assert "CREATE INDEX ix_service_department_level" in statements
    assert _indexes(catalogue) == before
    with transaction(catalogue, write=False) as session:
        if catalogue.engine.dialect.name == "sqlite":
            assert session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        by_department_and_level = session.execute(
            text(
                "SELECT d.code, s.level, count(*) FROM service s JOIN department d "
                "ON d.id = s.department_id WHERE s.level >= 3 GROUP BY d.code, s.level"
            )
        ).all()
    expected: dict[tuple[str, int], int] = {}
    for n in range(40):
        if n % 5 >= 3:
            key = (str(30 + n % 3), n % 5)
            expected[key] = expected.get(key, 0) + 1
    assert {(code, level): count for code, level, count in by_department_and_level} == expected


def test_a_bulk_import_that_fails_halfway_leaves_the_catalogue_and_its_indexes_as_they_were(
    catalogue: Catalogue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from egov_cli.imports.bulk import BulkWriter

    before = _indexes(catalogue)
    inserted = BulkWriter.insert_columns
    calls: list[str] = []

    def fails_the_second_time(self: Any, table: Any, columns: dict[str, list[Any]]) -> None:
        calls.append(table.name)
        if calls.count("service") == 2:
            raise RuntimeError("the disk is full")
        inserted(self, table, columns)

    monkeypatch.setattr(BulkWriter, "insert_columns", fails_the_second_time)
    body = "".join(f"9999{n:07d}000;Leistung {n};32;1;;;\n" for n in range(40))
    with pytest.raises(RuntimeError, match="disk is full"):
        run(
            catalogue,
            write(tmp_path, body),
            sizes=WriteSizes(batch_rows=10, index_rebuild_rows=5),
        )
    assert calls.count("service") == 2  # the first batch was written, then rolled back
    assert services(catalogue) == []
    assert _indexes(catalogue) == before


def test_every_changed_field_gets_its_update_record_across_statements(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    """SQLite binds what update records share once per statement (made short here)."""
    sizes = WriteSizes(rows_per_values=4)
    keys = [f"9999{n:07d}000" for n in range(11)]
    run(catalogue, write(tmp_path, "".join(f"{k};Leistung {k};32;1;;;\n" for k in keys)))
    changed = "".join(f"{k};Neu {k};32;{1 + n % 3};;;\n" for n, k in enumerate(keys))
    second = run(catalogue, write(tmp_path, changed, name="amt2.csv"), sizes=sizes)
    with transaction(catalogue, write=False) as session:
        records = session.exec(
            select(ChangeRecord).where(ChangeRecord.action == "update").order_by(ChangeRecord.id)  # type: ignore[arg-type]
        ).all()
    expected = [(k, "name", f"Leistung {k}", f"Neu {k}") for k in keys[::3]]
    for n, k in enumerate(keys):
        if n % 3:
            expected += [
                (k, "name", f"Leistung {k}", f"Neu {k}"),
                (k, "level", "1", str(1 + n % 3)),
            ]
    assert {r.import_id for r in records} == {second.import_id}
    assert {(r.actor, r.source, r.entity) for r in records} == {("tester", "import", "service")}
    assert sorted((r.entity_key, r.field, r.old_value, r.new_value) for r in records) == sorted(
        expected
    )
    assert second.history_records == len(expected)


def test_new_services_without_a_maturity_level_are_named_once_with_the_level_they_start_at(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    # Two new services without a level, one with; an existing one without is left alone.
    run(catalogue, write(tmp_path, "99990012104000;Gewerbeanmeldung;;3;;;\n"))
    body = (
        "99990012104000;Gewerbeanmeldung;;;;;\n"
        "99990012105000;Gewerbeabmeldung;;;;;\n"
        "99990012106000;Gewerbeummeldung;;;;;\n"
        "99990012107000;Reisegewerbe;;2;;;\n"
    )
    result = run(catalogue, write(tmp_path, body, "v2.csv"))
    assert result.created == 3
    assert [w for w in result.warnings if "maturity level" in w] == [
        "2 new services have no maturity level in the file: they start at level 0. Give the "
        "levels in a column 'Maturity level', or later with 'egov services edit'."
    ]
