"""The JSON of ``reference``: entries of the federal reference catalogue, its state and updates."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from egov_cli.cli.json_shapes.common import JSON, document

if TYPE_CHECKING:
    from egov_cli.domain.reference import (
        ReferenceDetail,
        ReferenceEntry,
        ReferenceInfo,
        UpdateResult,
    )


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
