"""The JSON of ``init`` and ``db``: the catalogue's schema, size and counts, backups, copies."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from egov_cli.cli.json_shapes.common import JSON, document

if TYPE_CHECKING:
    from egov_cli.storage.info import CatalogueInfo
    from egov_cli.storage.migrate import InitResult
    from egov_cli.storage.transfer import TransferResult


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
