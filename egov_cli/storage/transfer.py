"""Moving a whole catalogue: engine-independent dumps, restores and copies, verified.

Writing a dump, restoring one and copying between databases live here; what a dump file holds
and how it is read is in ``dumpfile``, a catalogue's records and their checksum in ``records``.
A copy or restore is checked, before it commits, against the counts and checksum of what was
sent, so a truncated dump is refused and a copy that differs is never kept.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.engine import Connection, Engine

from egov_cli.core.errors import Conflict, FileError, SchemaMismatch, ValidationError
from egov_cli.core.files import atomic_path
from egov_cli.core.models import ChangeRecord, Service, utcnow
from egov_cli.i18n import _
from egov_cli.storage.db import HEAD_REVISION, Catalogue, current_revision, describe, make_engine
from egov_cli.storage.dumpfile import DUMP_FORMAT, DUMP_VERSION, dump_records
from egov_cli.storage.records import (
    BATCH,
    TABLES,
    Digest,
    connection_checksum,
    content_checksum,
    python_type,
    table_rows,
    typed_row,
)
from egov_cli.values.display import number

__all__ = [
    "TransferResult",
    "copy_catalogue",
    "dump_catalogue",
    "plan_copy",
    "plan_restore",
    "restore_catalogue",
]


@dataclass(frozen=True)
class TransferResult:
    source: str
    destination: str
    counts: dict[str, int]
    checksum: str
    verified: bool


def _prepare_destination(target: str, *, replace: bool) -> Engine:
    """An initialised, empty catalogue at ``target`` (refusing one that holds data)."""
    from egov_cli.storage.migrate import init_catalogue

    engine = make_engine(target)
    revision = current_revision(engine)
    if revision is not None and revision != HEAD_REVISION:
        raise SchemaMismatch(
            _("The destination {name} has schema {revision}; this egov writes {head}.").format(
                name=describe(target), revision=revision, head=HEAD_REVISION
            ),
            _("Upgrade it with 'egov --db DEST db upgrade' or choose an empty destination."),
        )
    init_catalogue(target)
    with engine.connect() as conn:
        held = conn.execute(select(func.count()).select_from(Service.__table__)).scalar_one()  # type: ignore[attr-defined]
        held += conn.execute(select(func.count()).select_from(ChangeRecord.__table__)).scalar_one()  # type: ignore[attr-defined]
    if held and not replace:
        raise Conflict(
            _("The destination {name} already holds a catalogue ({count} records).").format(
                name=describe(target), count=number(held)
            ),
            _("Choose an empty destination, or add --replace to overwrite it."),
        )
    return engine


def _load(
    engine: Engine,
    records: Iterator[tuple[str, dict[str, Any]]],
    progress: Callable[[int], None] | None,
    label: str,
    expect: Callable[[], tuple[object, object]] | None = None,
) -> tuple[dict[str, int], str]:
    """Replace the destination's content by ``records`` in one transaction, verified before
    it commits: the destination read back must have the counts and checksum of what was sent.
    ``records`` may raise (a damaged dump): then nothing is written."""
    by_name = {t.name: t for t in TABLES}
    sent = Digest()
    with engine.begin() as conn:
        for table in reversed(TABLES):
            conn.execute(delete(table))
        batch: list[dict[str, Any]] = []
        current: str | None = None

        def flush() -> None:
            if batch and current is not None:
                conn.execute(
                    insert(by_name[current]), [typed_row(by_name[current], r) for r in batch]
                )
                if progress:
                    progress(len(batch))
                batch.clear()

        for name, row in records:
            if name not in by_name:
                raise ValidationError(
                    _("Unknown table {name!r} in the data.").format(name=name),
                    _("Is it a dump of a newer egov?"),
                )
            if name != current:
                flush()
                current = name
            sent.add(name, row)
            batch.append(row)
            if len(batch) >= BATCH:
                flush()
        flush()
        if engine.dialect.name == "postgresql":
            _reset_sequences(conn)
        if expect is not None and expect() != (sent.counts, sent.checksum):
            raise ValidationError(
                _(
                    "The records do not match the counts and checksum at the end of the dump; "
                    "nothing was written to {name}."
                ).format(name=label),
                _("The dump is damaged; use another copy."),
            )
        counts, checksum = connection_checksum(conn)
        if counts != sent.counts or checksum != sent.checksum:
            raise ValidationError(
                _(
                    "The copy at {name} does not match what was sent (checksum {got} vs {sent}); "
                    "nothing was written."
                ).format(name=label, got=checksum[:12], sent=sent.checksum[:12]),
                _("Run it again; if it fails again, tell the maintainers (see SECURITY.md)."),
            )
    return sent.counts, sent.checksum


def _reset_sequences(conn: Connection) -> None:
    """After inserting explicit ids, let PostgreSQL's sequences continue past them."""
    for table in TABLES:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or pk[0].autoincrement is False or python_type(pk[0]) is not int:
            continue
        sequence = conn.execute(
            text("SELECT pg_get_serial_sequence(:table, :column)"),
            {"table": table.name, "column": pk[0].name},
        ).scalar()
        if sequence:
            conn.execute(
                text(
                    f"SELECT setval(:sequence, COALESCE((SELECT MAX({pk[0].name}) FROM {table.name}), 0) + 1, false)"
                ),
                {"sequence": sequence},
            )


def copy_catalogue(
    source: Catalogue,
    target: str,
    *,
    replace: bool = False,
    progress: Callable[[int], None] | None = None,
) -> TransferResult:
    """Copy every record to ``target`` (SQLite <-> PostgreSQL), verified by counts and checksum
    on both sides."""
    destination = _prepare_destination(target, replace=replace)
    try:
        with source.engine.connect() as conn:

            def records() -> Iterator[tuple[str, dict[str, Any]]]:
                for table in TABLES:
                    for row in table_rows(conn, table):
                        yield table.name, row

            counts, checksum = _load(destination, records(), progress, describe(target))
    finally:
        destination.dispose()
    source_counts, source_checksum = content_checksum(source.engine)
    verified = source_counts == counts and source_checksum == checksum
    return TransferResult(source.label, describe(target), counts, checksum, verified)


def plan_copy(source: Catalogue, target: str) -> TransferResult:
    """What ``copy_catalogue`` would copy (counts and checksum of the source); writes nothing."""
    counts, checksum = content_checksum(source.engine)
    return TransferResult(source.label, describe(target), counts, checksum, False)


def plan_restore(path: Path, target: str) -> TransferResult:
    """What ``restore_catalogue`` would restore, checked against the dump's end marker; writes
    nothing."""
    header, records, trailer = dump_records(path)
    digest = Digest()
    for name, row in records:
        if name not in digest.counts:
            raise ValidationError(
                _("Unknown table {name!r} in the dump.").format(name=name),
                _("Is it a dump of a newer egov?"),
            )
        digest.add(name, row)
    verified = (digest.counts, digest.checksum) == (trailer.get("counts"), trailer.get("checksum"))
    if not verified:
        raise ValidationError(
            _("{path}: the records do not match the dump's checksum.").format(path=path),
            _("The dump is damaged."),
        )
    return TransferResult(
        str(header.get("source")), describe(target), digest.counts, digest.checksum, True
    )


def dump_catalogue(
    source: Catalogue, path: Path, progress: Callable[[int], None] | None = None
) -> TransferResult:
    """Write a versioned dump of the whole catalogue to ``path`` (atomically)."""
    if path.exists():
        raise FileError(
            _("{path} exists already.").format(path=path),
            _("Choose another file name; a dump never overwrites one."),
        )
    digest = Digest()
    with (
        atomic_path(path) as partial,
        gzip.open(partial, "wt", encoding="utf-8") as out,
        source.engine.connect() as conn,
    ):
        header = {
            "format": DUMP_FORMAT,
            "version": DUMP_VERSION,
            "schema": current_revision(source.engine),
            "source": source.label,
            "created_at": utcnow().isoformat(),
        }
        out.write(json.dumps(header, ensure_ascii=False) + "\n")
        for table in TABLES:
            for row in table_rows(conn, table):
                digest.add(table.name, row)
                out.write(json.dumps([table.name, row], ensure_ascii=False) + "\n")
                if progress:
                    progress(1)
        out.write(
            json.dumps({"end": True, "counts": digest.counts, "checksum": digest.checksum}) + "\n"
        )
    return TransferResult(source.label, str(path), digest.counts, digest.checksum, True)


def restore_catalogue(
    path: Path, target: str, *, replace: bool = False, progress: Callable[[int], None] | None = None
) -> TransferResult:
    """Restore a dump into ``target`` (new or empty, or any with ``replace``), verified against
    the dump's own counts and checksum before anything is committed."""
    header, records, trailer = dump_records(path)
    destination = _prepare_destination(target, replace=replace)
    try:
        counts, checksum = _load(
            destination,
            records,
            progress,
            describe(target),
            expect=lambda: (trailer.get("counts"), trailer.get("checksum")),
        )
    finally:
        destination.dispose()
    verified = checksum == trailer.get("checksum") and counts == trailer.get("counts")
    return TransferResult(str(header.get("source")), describe(target), counts, checksum, verified)
