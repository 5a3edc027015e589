"""The JSON of every command's ``--json``: documented shapes (README, "JSON output").

Each function builds one command's JSON, key by key, from the result its library call returns,
so no internal name becomes public by accident. Every document is an object whose ``"schema"``
says which version of these shapes it follows; a change that renames or removes a key, or
changes a value's type, raises :data:`SCHEMA`. Adding a key does not. Dates and times are ISO
8601 text, missing values ``null``. The contract tests in ``tests/cli/test_json_contract.py``
pin the shapes.

The import's JSON (``egov import --json``) and the reports' JSON (``--format json``) carry
versions of their own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from egov_cli.core.models import ChangeRecord, Department, Procedure, Target
    from egov_cli.domain.catalogue import ServiceChange, ServicePage, ServiceView
    from egov_cli.domain.departments import DepartmentView
    from egov_cli.domain.procedures import ProcedureView
    from egov_cli.domain.progress import Progress
    from egov_cli.domain.reference import (
        EnrichResult,
        ReferenceDetail,
        ReferenceEntry,
        ReferenceInfo,
        UpdateResult,
    )
    from egov_cli.exports.services_export import Written
    from egov_cli.storage.info import CatalogueInfo
    from egov_cli.storage.migrate import InitResult
    from egov_cli.storage.transfer import TransferResult

#: The version of the shapes below.
SCHEMA = 1

JSON = dict[str, Any]


def document(**parts: Any) -> JSON:
    """A command's JSON document: the schema version, then ``parts``."""
    return {"schema": SCHEMA, **parts}


def plain(value: Any) -> Any:
    """``value`` as a JSON value: dates and times as ISO text, tuples as lists."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def _iso(value: date | None) -> str | None:
    """A date or time that may be missing, as ISO text."""
    return None if value is None else value.isoformat()


def changes(found: Mapping[str, tuple[Any, Any]]) -> JSON:
    """Field changes: field -> [old value, new value]."""
    return {name: [plain(old), plain(new)] for name, (old, new) in found.items()}


# --- services --------------------------------------------------------------------------------


def service(s: ServiceView) -> JSON:
    """A service: every field, the department by its code, the procedure by its name."""
    return {
        "id": s.id,
        "leika_key": s.leika_key,
        "name": s.name,
        "citizen_name": s.citizen_name,
        "leika_type": s.leika_type,
        "ozg_id": s.ozg_id,
        "ozg_name": s.ozg_name,
        "topic": s.topic,
        "life_event": s.life_event,
        "addressee": s.addressee,
        "department": s.department,
        "level": s.level,
        "status": s.status,
        "procedure": s.procedure,
        "online_url": s.online_url,
        "bayernportal_url": s.bayernportal_url,
        "go_live": _iso(s.go_live),
        "target_level": s.target_level,
        "target_date": _iso(s.target_date),
        "sdg_annex2": s.sdg_annex2,
        "cases_per_year": s.cases_per_year,
        "notes": s.notes,
        "created_at": s.created_at.isoformat(),
        "updated_at": s.updated_at.isoformat(),
    }


def services_list(page: ServicePage) -> JSON:
    """``services list``: the matching services."""
    return document(services=[service(s) for s in page.rows])


def services_show(s: ServiceView) -> JSON:
    """``services show``: the service's fields."""
    return document(**service(s))


def service_change(change: ServiceChange) -> JSON:
    """``services add`` and ``services edit``: the service after the change, what changed,
    and the warnings."""
    return document(
        service=service(change.service),
        changes=changes(change.changes),
        warnings=list(change.warnings),
    )


def service_removed(s: ServiceView, *, dry_run: bool) -> JSON:
    """``services remove``: the service removed (``would_remove`` with ``--dry-run``)."""
    return document(**{"would_remove" if dry_run else "removed": service(s)})


def change_record(r: ChangeRecord) -> JSON:
    """One recorded change."""
    return {
        "id": r.id,
        "changed_at": plain(r.changed_at),
        "actor": r.actor,
        "source": r.source,
        "import_id": r.import_id,
        "entity": r.entity,
        "entity_id": r.entity_id,
        "entity_key": r.entity_key,
        "action": r.action,
        "field": r.field,
        "old_value": r.old_value,
        "new_value": r.new_value,
    }


def services_history(records: Sequence[ChangeRecord]) -> JSON:
    """``services history``: the service's recorded changes, oldest first."""
    return document(history=[change_record(r) for r in records])


def services_enrich(result: EnrichResult) -> JSON:
    """``services enrich``: the services filled from the reference and what was filled."""
    return document(
        dry_run=result.dry_run,
        checked=result.checked,
        changed=len(result.services),
        services=[
            {"id": s.id, "leika_key": s.leika_key, "name": s.name, "changes": changes(s.changes)}
            for s in result.services
        ],
        not_in_reference=list(result.not_in_reference),
    )


# --- departments and procedures --------------------------------------------------------------


def department(d: Department) -> JSON:
    return {
        "id": d.id,
        "code": d.code,
        "name": d.name,
        "contact": d.contact,
        "created_at": plain(d.created_at),
        "updated_at": plain(d.updated_at),
    }


def departments_list(rows: Iterable[DepartmentView]) -> JSON:
    """``departments list``: every department with its number of services."""
    return document(
        departments=[
            {
                "id": d.id,
                "code": d.code,
                "name": d.name,
                "contact": d.contact,
                "services": d.services,
            }
            for d in rows
        ]
    )


def department_added(d: Department) -> JSON:
    """``departments add``: the department."""
    return document(**department(d))


def department_renamed(d: Department, found: Mapping[str, tuple[Any, Any]]) -> JSON:
    """``departments rename``: the department after the change and what changed."""
    return document(department=department(d), changes=changes(found))


_PROCEDURE_FIELDS = (
    "url", "provision", "bayernportal", "authentication", "bayernid", "bundid", "epayment",
    "submits_electronically",
)  # fmt: skip


def procedure(p: Procedure) -> JSON:
    return {
        "id": p.id,
        "name": p.name,
        **{name: getattr(p, name) for name in _PROCEDURE_FIELDS},
        "created_at": plain(p.created_at),
        "updated_at": plain(p.updated_at),
    }


def procedures_list(rows: Iterable[ProcedureView]) -> JSON:
    """``procedures list``: every online procedure with the number of services it serves."""
    return document(
        procedures=[
            {
                "id": p.id,
                "name": p.name,
                **{name: getattr(p, name) for name in _PROCEDURE_FIELDS},
                "services": p.services,
            }
            for p in rows
        ]
    )


def procedure_added(p: Procedure) -> JSON:
    """``procedures add``: the procedure."""
    return document(**procedure(p))


def procedure_edited(p: Procedure, found: Mapping[str, tuple[Any, Any]]) -> JSON:
    """``procedures edit``: the procedure after the change and what changed."""
    return document(procedure=procedure(p), changes=changes(found))


# --- the reference ---------------------------------------------------------------------------


def reference_entry(e: ReferenceEntry) -> JSON:
    return {
        "leika_key": e.key,
        "name": e.name,
        "leika_type": e.leika_type,
        "ozg_id": e.ozg_id,
        "ozg_name": e.ozg_name,
        "topic": e.topic,
        "life_event": e.life_event,
        "sdg_annex1": e.sdg_annex1,
        "sdg_annex2": e.sdg_annex2,
        "law": e.law,
    }


def reference_search(hits: Sequence[ReferenceEntry], limit: int) -> JSON:
    """``reference search``: how many entries match, and the first ``limit`` of them."""
    return document(total=len(hits), entries=[reference_entry(e) for e in hits[:limit]])


def reference_show(detail: ReferenceDetail) -> JSON:
    """``reference show``: the entry, its type in words, the key's parts."""
    return document(
        **reference_entry(detail.entry),
        leika_type_text=detail.type_text,
        municipal_execution=detail.scope,
        key_parts=[
            {"digits": p.digits, "label": p.label, "value": p.value, "meaning": p.meaning}
            for p in detail.parts
        ],
        warnings=list(detail.warnings),
    )


def reference_info(info: ReferenceInfo) -> JSON:
    """``reference info``: the reference in use."""
    return document(
        source=info.source,
        path=info.path,
        sha256=info.sha256,
        rows=info.rows,
        keys=info.keys,
        without_key=info.without_key,
        ozg_services=info.ozg_services,
        warnings=list(info.warnings),
    )


def reference_update(r: UpdateResult) -> JSON:
    """``reference update``: the file loaded (or checked, with ``dry_run``)."""
    return document(
        file_name=r.file_name,
        sha256=r.sha256,
        rows=r.rows,
        keys=r.keys,
        added_keys=r.added_keys,
        removed_keys=r.removed_keys,
        warnings=list(r.warnings),
        stored_at=r.stored_at,
        record_id=r.record_id,
        dry_run=r.dry_run,
    )


# --- targets ---------------------------------------------------------------------------------


def target(t: Target) -> JSON:
    return {
        "id": t.id,
        "name": t.name,
        "kind": t.kind,
        "threshold_level": t.threshold_level,
        "goal_count": t.goal_count,
        "goal_share": t.goal_share,
        "start_date": plain(t.start_date),
        "due_date": plain(t.due_date),
        "scope_department": t.scope_department,
        "scope_topic": t.scope_topic,
        "scope_leika_type": t.scope_leika_type,
        "scope_sdg": t.scope_sdg,
        "notes": t.notes,
        "created_at": plain(t.created_at),
        "updated_at": plain(t.updated_at),
    }


def progress(p: Progress) -> JSON:
    """A target's progress today, with its burn-up week by week."""
    return {
        "target_id": p.target_id,
        "name": p.name,
        "kind": p.kind,
        "threshold_level": p.threshold_level,
        "scope": dict(p.scope),
        "scope_size": p.scope_size,
        "goal": p.goal,
        "goal_count": p.goal_count,
        "goal_share": p.goal_share,
        "start_date": plain(p.start_date),
        "due_date": plain(p.due_date),
        "today": plain(p.today),
        "start_count": p.start_count,
        "current_count": p.current_count,
        "remaining": p.remaining,
        "weeks_elapsed": p.weeks_elapsed,
        "weeks_left": p.weeks_left,
        "pace": p.pace,
        "pace_needed": p.pace_needed,
        "forecast": p.forecast,
        "reached": p.reached,
        "status": p.status,
        "burnup": [{"date": plain(day), "count": n} for day, n in p.burnup],
    }


def target_added(t: Target) -> JSON:
    """``targets add``: the target."""
    return document(**target(t))


def targets_list(progresses: Iterable[Progress]) -> JSON:
    """``targets list``: every target's progress."""
    return document(targets=[progress(p) for p in progresses])


def target_show(p: Progress) -> JSON:
    """``targets show``: the target's progress."""
    return document(**progress(p))


def target_edited(t: Target, found: Mapping[str, tuple[Any, Any]]) -> JSON:
    """``targets edit``: the target after the change and what changed."""
    return document(target=target(t), changes=changes(found))


def target_removed(t: Target, *, dry_run: bool) -> JSON:
    """``targets remove``: the target removed (``would_remove`` with ``--dry-run``)."""
    return document(**{"would_remove" if dry_run else "removed": target(t)})


# --- the catalogue database ------------------------------------------------------------------


def init_result(r: InitResult) -> JSON:
    """``init`` and ``db upgrade``: the catalogue's schema revision, and whether it was
    created or upgraded (from which revision, with which backup)."""
    return document(
        location=r.location,
        created=r.created,
        upgraded_from=r.upgraded_from,
        revision=r.revision,
        backup=r.backup,
    )


def db_info(r: CatalogueInfo) -> JSON:
    """``db info``: where the catalogue is, its schema, size and counts."""
    return document(
        location=r.location,
        engine=r.engine,
        schema_revision=r.schema_revision,
        size_bytes=r.size_bytes,
        scale=r.scale,
        online_from_level=r.online_from_level,
        counts=dict(r.counts),
    )


def db_backup(written: Path, source: Path) -> JSON:
    """``db backup``: the copy written and the catalogue file copied."""
    return document(backup=str(written), source=str(source))


def transfer(r: TransferResult) -> JSON:
    """``db copy``, ``db dump`` and ``db restore``: records per table and the checksum."""
    return document(
        source=r.source,
        destination=r.destination,
        counts=dict(r.counts),
        checksum=r.checksum,
        verified=r.verified,
    )


# --- spreadsheets out and reports run --------------------------------------------------------


def export(fmt: str, written: Sequence[Written]) -> JSON:
    """``export``: the files written (one per department with ``--per-department``)."""
    return document(
        format=fmt,
        files=[{"path": w.path, "rows": w.rows, "department": w.department} for w in written],
        rows=sum(w.rows for w in written),
    )


def template(path: str, departments: Sequence[str], levels: Sequence[int]) -> JSON:
    """``template``: the workbook written, with the departments and levels of its dropdowns."""
    return document(path=path, departments=list(departments), levels=list(levels))


def report_run(files: Iterable[tuple[str, str, Path]], alerts: Iterable[str]) -> JSON:
    """``report run``: the files written (report, format, path) and the targets' alerts."""
    return document(
        files=[{"report": r, "format": f, "path": str(p)} for r, f, p in files],
        alerts=sorted(alerts),
    )
