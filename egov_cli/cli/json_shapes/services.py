"""The JSON of ``services``: a service, its changes, its history, what the reference filled in."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from egov_cli.cli.json_shapes.common import JSON, changes, document, iso, plain
from egov_cli.core.schema import PROCEDURE_ATTRIBUTES

if TYPE_CHECKING:
    from egov_cli.core.models import ChangeRecord
    from egov_cli.domain.catalogue import ServiceChange, ServicePage, ServiceView
    from egov_cli.domain.reference import (
        EnrichResult,
    )


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
        "go_live": iso(s.go_live),
        "target_level": s.target_level,
        "target_date": iso(s.target_date),
        "sdg_annex2": s.sdg_annex2,
        "cases_per_year": s.cases_per_year,
        "notes": s.notes,
        "online_details": _online_details(s),
        "created_at": s.created_at.isoformat(),
        "updated_at": s.updated_at.isoformat(),
    }


def _online_details(s: ServiceView) -> JSON | None:
    """The online details the service keeps while it names no procedure, under the keys of a
    procedure's (``epayment`` …; None: not stated); None if it states none."""
    values = [getattr(s, field) for field in PROCEDURE_ATTRIBUTES]
    if values.count(None) == len(values):
        return None
    return dict(zip(PROCEDURE_ATTRIBUTES.values(), values, strict=True))


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
