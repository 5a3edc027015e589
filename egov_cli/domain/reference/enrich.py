"""Filling services from the reference by their LeiKa key: on the way in, and afterwards."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from egov_cli.core.errors import ValidationError
from egov_cli.domain.reference.codes import unknown_type_parts
from egov_cli.domain.reference.store import load_reference
from egov_cli.i18n import _
from egov_cli.values.parse import is_blank, parse_leika_key

if TYPE_CHECKING:
    from sqlmodel import Session

    from egov_cli.core.history import ChangeContext

#: Service fields the reference fills, and the ReferenceEntry attribute each comes from.
FILLED_FIELDS: dict[str, str] = {
    "name": "name",
    "leika_type": "leika_type",
    "ozg_id": "ozg_id",
    "ozg_name": "ozg_name",
    "topic": "topic",
    "life_event": "life_event",
    "sdg_annex2": "sdg_annex2",
}


def _is_empty(value: object) -> bool:
    return value is None or is_blank(value)


def fill_from_reference(values: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """``values`` with empty reference fields filled from the LeiKa key; warnings.

    Fills name, LeiKa type, OZG id and name, Themenfeld, Lebenslage and the SDG Annex II flag
    where ``values`` leaves them empty (missing, None or blank); what the caller gave wins. The
    SDG flag is only filled with "yes" (a missing flag means "not stated", not "no"). A
    well-formed key that is not in the reference gives a warning, not an error: local services
    and newer keys exist. Values without a key come back unchanged.
    """
    filled = dict(values)
    raw_key = filled.get("leika_key")
    if _is_empty(raw_key):
        return filled, []
    key = raw_key if isinstance(raw_key, str) and len(raw_key) == 14 and raw_key.isdigit() else None
    if key is None:
        try:
            key = parse_leika_key(raw_key)
        except ValidationError:
            return filled, []  # the caller validates the key and reports it
        if key is None:
            return filled, []
    reference = load_reference()
    entry = reference.by_key.get(key)
    if entry is None:
        return filled, [
            _(
                "LeiKa key {key} is not in the reference catalogue; the service is kept as given "
                "(local services and newer keys exist). Check the key with 'egov reference search'."
            ).format(key=key)
        ]
    warnings: list[str] = []
    for name, attribute in FILLED_FIELDS.items():
        if not _is_empty(filled.get(name)):
            continue
        value = getattr(entry, attribute)
        if name == "sdg_annex2" and not value:
            continue
        if value is not None:
            filled[name] = value
    if filled.get("leika_type") == entry.leika_type and unknown_type_parts(entry.leika_type):
        warnings.append(
            _(
                "LeiKa type {type!r} of {key} (from the reference) is not in the "
                "LeiKa Typisierung; taken over as it is."
            ).format(type=entry.leika_type, key=key)
        )
    return filled, warnings


@dataclass(frozen=True)
class EnrichedService:
    id: int
    leika_key: str
    name: str
    changes: dict[str, tuple[Any, Any]]


@dataclass(frozen=True)
class EnrichResult:
    services: list[EnrichedService]
    checked: int  # services with a LeiKa key
    not_in_reference: list[str]  # keys of services the reference does not know
    dry_run: bool

    @property
    def fields_changed(self) -> int:
        return sum(len(s.changes) for s in self.services)


_ENRICH_COLUMNS = ("id", "leika_key", "citizen_name", "notes", *FILLED_FIELDS)


def enrich_services(session: Session, ctx: ChangeContext, *, dry_run: bool = False) -> EnrichResult:
    """Fill empty reference fields of every service with a LeiKa key from the reference.

    Recorded in the change history (one update row per field, source ``ctx.source``). The SDG
    Annex II flag is set to yes where the reference says so and the service says no, unless
    someone set the flag explicitly before (an edit of it is on record).
    """
    from sqlalchemy import select, update
    from sqlmodel import col

    from egov_cli.core import history
    from egov_cli.core.models import ChangeRecord, Service
    from egov_cli.domain.common import service_search_text

    ref = load_reference()
    rows = session.execute(
        select(*(col(getattr(Service, c)) for c in _ENRICH_COLUMNS))
        .where(col(Service.leika_key).is_not(None))
        .order_by(col(Service.id))
    ).all()
    sdg_set_by_hand = set(
        session.execute(
            select(col(ChangeRecord.entity_id))
            .where(col(ChangeRecord.entity) == "service", col(ChangeRecord.field) == "sdg_annex2")
            .distinct()
        ).scalars()
    )
    enriched: list[EnrichedService] = []
    not_found: list[str] = []
    updates: list[dict[str, Any]] = []
    records: list[dict[str, Any]] = []
    for row in rows:
        current = dict(zip(_ENRICH_COLUMNS, row, strict=True))
        entry = ref.by_key.get(current["leika_key"])
        if entry is None:
            not_found.append(current["leika_key"])
            continue
        changes: dict[str, tuple[Any, Any]] = {}
        for name, attribute in FILLED_FIELDS.items():
            value = getattr(entry, attribute)
            if name == "sdg_annex2":
                if value and not current[name] and current["id"] not in sdg_set_by_hand:
                    changes[name] = (current[name], True)
            elif value is not None and _is_empty(current[name]):
                changes[name] = (current[name], value)
        if not changes:
            continue
        enriched.append(
            EnrichedService(current["id"], current["leika_key"], current["name"], changes)
        )
        after = {**current, **{k: new for k, (_old, new) in changes.items()}}
        updates.append(
            {
                "id": current["id"],
                **{k: new for k, (_old, new) in changes.items()},
                "search_text": service_search_text(after),
                "updated_at": ctx.at,
            }
        )
        records += history.updated(ctx, "service", current["id"], current["leika_key"], changes)
    if not dry_run and updates:
        # ORM bulk UPDATE by primary key (executemany, grouped by the set of changed fields).
        session.execute(update(Service), updates)
        history.insert_records(session, records)
    return EnrichResult(enriched, len(rows), not_found, dry_run)
