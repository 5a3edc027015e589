"""The ``--json`` shapes are a contract (README, "JSON output"): schema 1, these keys, these
types, and the same content as the library call the command makes."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from egov_cli.cli import json_shapes
from egov_cli.core.models import utcnow
from egov_cli.domain.catalogue import ServiceFilter, find_service, list_services, view
from egov_cli.domain.departments import list_departments
from egov_cli.domain.procedures import list_procedures
from egov_cli.domain.progress import all_progress, progress
from egov_cli.domain.reference import reference_detail, reference_info, search_reference
from egov_cli.domain.targets import find_target
from egov_cli.storage.db import Catalogue, open_catalogue, transaction
from egov_cli.storage.info import catalogue_info
from tests.helpers import egov

N = type(None)
TEXT = (str, N)
INT = (int, N)
NUMBER = (int, float, N)
SERVICE = {
    "id": int, "leika_key": TEXT, "name": str, "citizen_name": TEXT, "leika_type": TEXT,
    "ozg_id": TEXT, "ozg_name": TEXT, "topic": TEXT, "life_event": TEXT, "addressee": TEXT,
    "department": TEXT, "level": int, "status": str, "procedure": TEXT, "online_url": TEXT,
    "bayernportal_url": TEXT, "go_live": TEXT, "target_level": INT, "target_date": TEXT,
    "sdg_annex2": bool, "cases_per_year": INT, "notes": TEXT, "online_details": (dict, N),
    "created_at": str, "updated_at": str,
}  # fmt: skip
RECORD = {
    "id": int, "changed_at": str, "actor": str, "source": str, "import_id": INT, "entity": str,
    "entity_id": int, "entity_key": TEXT, "action": str, "field": TEXT, "old_value": TEXT,
    "new_value": TEXT,
}  # fmt: skip
DEPARTMENT = {
    "id": int, "code": str, "name": str, "contact": TEXT, "created_at": str, "updated_at": str
}  # fmt: skip
PROCEDURE_FIELDS = {
    "url": TEXT, "provision": TEXT, "bayernportal": bool, "authentication": TEXT,
    "bayernid": bool, "bundid": bool, "epayment": bool, "submits_electronically": bool,
}  # fmt: skip
PROCEDURE = {"id": int, "name": str, **PROCEDURE_FIELDS, "created_at": str, "updated_at": str}
#: A service's own online details: a procedure's keys, each stated or not (null).
ONLINE_DETAILS = {k: TEXT if v == TEXT else (bool, N) for k, v in PROCEDURE_FIELDS.items()}
ENTRY = {
    "leika_key": TEXT, "name": str, "leika_type": TEXT, "ozg_id": TEXT, "ozg_name": TEXT,
    "topic": TEXT, "life_event": TEXT, "sdg_annex1": bool, "sdg_annex2": bool, "law": TEXT,
}  # fmt: skip
TARGET = {
    "id": int, "name": str, "kind": str, "threshold_level": INT, "goal_count": INT,
    "goal_share": NUMBER, "start_date": str, "due_date": str, "scope_department": TEXT,
    "scope_topic": TEXT, "scope_leika_type": TEXT, "scope_sdg": (bool, N), "notes": TEXT,
    "created_at": str, "updated_at": str,
}  # fmt: skip
PROGRESS = {
    "target_id": int, "name": str, "kind": str, "threshold_level": INT, "scope": dict,
    "scope_size": int, "goal": int, "goal_count": INT, "goal_share": NUMBER, "start_date": str,
    "due_date": str, "today": str, "start_count": int, "current_count": int, "remaining": int,
    "weeks_elapsed": NUMBER, "weeks_left": NUMBER, "pace": NUMBER, "pace_needed": NUMBER,
    "forecast": NUMBER, "reached": bool, "status": str, "burnup": list,
}  # fmt: skip
CHANGES = dict


def _doc(*args: str) -> dict[str, Any]:
    """``egov ARGS --json``: exit code 0 and a JSON object of schema 1 on stdout."""
    result = egov(*args, "--json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert isinstance(doc, dict)
    assert doc["schema"] == 1
    return doc


def _check(data: Any, shape: dict[str, Any]) -> None:
    """``data`` has exactly the keys of ``shape``, each of its type(s)."""
    assert isinstance(data, dict)
    assert list(data) == list(shape)
    wrong = {k: type(v).__name__ for k, v in data.items() if not isinstance(v, shape[k])}
    assert wrong == {}


def _library(db_url: str) -> Catalogue:
    return open_catalogue(db_url)


def test_services_json_has_the_documented_shapes_and_the_library_content(db_url: str) -> None:
    assert egov("departments", "add", "32", "Ordnungsamt").exit_code == 0
    added = _doc("services", "add", "Gewerbe", "--leika", "99050012104000", "-d", "32",
                 "--go-live", "01.10.2026")  # fmt: skip
    _check(added, {"schema": int, "service": dict, "changes": CHANGES, "warnings": list})
    _check(added["service"], SERVICE)
    assert added["service"]["online_details"] is None
    edited = _doc("services", "edit", "99050012104000", "--level", "3", "--epayment", "ja")
    _check(edited, {"schema": int, "service": dict, "changes": CHANGES, "warnings": list})
    assert edited["changes"]["level"] == [0, 3]
    _check(edited["service"]["online_details"], ONLINE_DETAILS)
    assert edited["service"]["online_details"]["epayment"] is True
    listed = _doc("services", "list")
    _check(listed, {"schema": int, "services": list})
    _check(listed["services"][0], SERVICE)
    shown = _doc("services", "show", "99050012104000")
    _check(shown, {"schema": int, **SERVICE})
    history = _doc("services", "history", "99050012104000")
    _check(history, {"schema": int, "history": list})
    for record in history["history"]:
        _check(record, RECORD)
    enriched = _doc("services", "enrich", "--dry-run")
    _check(
        enriched,
        {
            "schema": int, "dry_run": bool, "checked": int, "changed": int, "services": list,
            "not_in_reference": list,
        },
    )  # fmt: skip
    would = _doc("services", "remove", "99050012104000", "--dry-run")
    _check(would, {"schema": int, "would_remove": dict})

    catalogue = _library(db_url)
    with transaction(catalogue, write=False) as session:
        service = view(session, find_service(session, "99050012104000"))
        assert listed == json_shapes.services_list(list_services(session, ServiceFilter()))
        assert shown == json_shapes.services_show(service)
        assert edited["service"] == json_shapes.service(service)
        assert would["would_remove"] == json_shapes.service(service)
    catalogue.engine.dispose()
    assert shown["go_live"] == date(2026, 10, 1).isoformat()

    removed = _doc("services", "remove", "99050012104000", "--yes")
    _check(removed, {"schema": int, "removed": dict})
    assert removed["removed"] == would["would_remove"]


def test_departments_and_procedures_json_have_the_documented_shapes(db_url: str) -> None:
    added = _doc("departments", "add", "32", "Ordnungsamt")
    _check(added, {"schema": int, **DEPARTMENT})
    renamed = _doc("departments", "rename", "32", "Amt für öffentliche Ordnung")
    _check(renamed, {"schema": int, "department": dict, "changes": CHANGES})
    _check(renamed["department"], DEPARTMENT)
    assert renamed["changes"] == {"name": ["Ordnungsamt", "Amt für öffentliche Ordnung"]}
    departments = _doc("departments", "list")
    _check(departments, {"schema": int, "departments": list})
    _check(
        departments["departments"][0],
        {"id": int, "code": str, "name": str, "contact": TEXT, "services": int},
    )

    procedure = _doc("procedures", "add", "Portal", "--bayernportal", "ja", "--auth", "ELSTER")
    _check(procedure, {"schema": int, **PROCEDURE})
    edited = _doc("procedures", "edit", "Portal", "--epayment", "ja")
    _check(edited, {"schema": int, "procedure": dict, "changes": CHANGES})
    _check(edited["procedure"], PROCEDURE)
    procedures = _doc("procedures", "list")
    _check(procedures, {"schema": int, "procedures": list})
    _check(
        procedures["procedures"][0], {"id": int, "name": str, **PROCEDURE_FIELDS, "services": int}
    )

    catalogue = _library(db_url)
    with transaction(catalogue, write=False) as session:
        assert departments == json_shapes.departments_list(list_departments(session))
        assert procedures == json_shapes.procedures_list(list_procedures(session))
    catalogue.engine.dispose()


def test_reference_json_has_the_documented_shapes_and_the_library_content() -> None:
    found = _doc("reference", "search", "wohnsitz anmeldung", "--limit", "2")
    _check(found, {"schema": int, "total": int, "entries": list})
    _check(found["entries"][0], ENTRY)
    assert found == json_shapes.reference_search(
        search_reference("wohnsitz anmeldung", limit=None), 2
    )
    shown = _doc("reference", "show", "99115005104000")
    _check(
        shown,
        {
            "schema": int, **ENTRY, "leika_type_text": str, "municipal_execution": TEXT,
            "key_parts": list, "warnings": list,
        },
    )  # fmt: skip
    assert shown == json_shapes.reference_show(reference_detail("99115005104000"))
    info = _doc("reference", "info")
    _check(
        info,
        {
            "schema": int, "source": str, "path": str, "sha256": str, "rows": int, "keys": int,
            "without_key": int, "ozg_services": int, "warnings": list,
        },
    )  # fmt: skip
    assert info == json_shapes.reference_info(reference_info())


def test_targets_json_has_the_documented_shapes_and_the_library_content(db_url: str) -> None:
    assert egov("services", "add", "S1", "--leika", "99001001001001", "--level", "3").exit_code == 0
    added = _doc(
        "targets", "add", "Online", "--min-level", "3", "--count", "2", "--due", "31.12.2099"
    )
    _check(added, {"schema": int, **TARGET})
    edited = _doc("targets", "edit", "Online", "--count", "3")
    _check(edited, {"schema": int, "target": dict, "changes": CHANGES})
    _check(edited["target"], TARGET)
    assert edited["changes"] == {"goal_count": [2, 3]}
    listed = _doc("targets", "list")
    _check(listed, {"schema": int, "targets": list})
    _check(listed["targets"][0], PROGRESS)
    shown = _doc("targets", "show", "Online")
    _check(shown, {"schema": int, **PROGRESS})
    assert shown["burnup"]
    for point in shown["burnup"]:
        _check(point, {"date": str, "count": int})
    would = _doc("targets", "remove", "Online", "--dry-run")
    _check(would, {"schema": int, "would_remove": dict})

    catalogue = _library(db_url)
    with transaction(catalogue, write=False) as session:
        now = utcnow()
        assert listed == json_shapes.targets_list(all_progress(session, now, weekly=False))
        assert shown == json_shapes.target_show(
            progress(session, find_target(session, "Online"), now)
        )
        assert would["would_remove"] == json_shapes.target(find_target(session, "Online"))
    catalogue.engine.dispose()


def test_catalogue_database_json_has_the_documented_shapes(tmp_path: Path) -> None:
    db = str(tmp_path / "neu.db")
    init = {
        "schema": int, "location": str, "created": bool, "upgraded_from": TEXT, "revision": str,
        "backup": TEXT,
    }  # fmt: skip
    created = _doc("--db", db, "init")
    _check(created, init)
    assert created["created"] is True
    _check(_doc("--db", db, "db", "upgrade"), init)
    info = _doc("--db", db, "db", "info")
    _check(
        info,
        {
            "schema": int, "location": str, "engine": str, "schema_revision": TEXT,
            "size_bytes": INT, "scale": str, "online_from_level": INT, "counts": dict,
        },
    )  # fmt: skip
    catalogue = open_catalogue(db)
    with transaction(catalogue, write=False) as session:
        assert info == json_shapes.db_info(catalogue_info(session, catalogue))
    catalogue.engine.dispose()
    backup = _doc("--db", db, "db", "backup", str(tmp_path / "kopie.db"))
    _check(backup, {"schema": int, "backup": str, "source": str})
    dumped = _doc("--db", db, "db", "dump", str(tmp_path / "katalog.jsonl.gz"))
    _check(
        dumped,
        {
            "schema": int, "source": str, "destination": str, "counts": dict, "checksum": str,
            "verified": bool,
        },
    )  # fmt: skip


def test_export_and_template_json_have_the_documented_shapes(db_url: str, tmp_path: Path) -> None:
    assert egov("services", "add", "S1", "--leika", "99001001001001").exit_code == 0
    exported = _doc("export", str(tmp_path / "alle.csv"))
    _check(exported, {"schema": int, "format": str, "files": list, "rows": int})
    _check(exported["files"][0], {"path": str, "rows": int, "department": TEXT})
    template = _doc("template", str(tmp_path / "vorlage.xlsx"))
    _check(template, {"schema": int, "path": str, "departments": list, "levels": list})


def test_an_error_in_json_names_the_schema_error_exit_code_and_hint(db_url: str) -> None:
    result = egov("services", "show", "12345678901234", "--json")
    assert result.exit_code == 4
    _check(
        json.loads(result.stderr),
        {
            "schema": int, "error": str, "exit_code": int, "message": str, "hint": TEXT,
            "details": list,
        },
    )  # fmt: skip
