"""Moving a whole catalogue: engine-independent dumps, restores and copies, verified.

A dump is a gzip-compressed JSON-lines file: a header line (format, version, schema revision,
source, time), one line per record (``[table, {column: value}]``, values as JSON with dates and
times as ISO text), and a trailer line with the record counts and a content checksum. A restore
checks the trailer, so a truncated dump is refused. The checksum is computed the same way from
any database, so SQLite and PostgreSQL copies of one catalogue have the same checksum.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Table, delete, func, insert, inspect, select, text
from sqlalchemy.engine import Connection, Engine

from egov_cli.core.errors import Conflict, FileError, SchemaMismatch, ValidationError
from egov_cli.core.files import atomic_path
from egov_cli.core.models import (
    ChangeRecord,
    Department,
    ImportProfile,
    ImportRun,
    MaturityLevel,
    Procedure,
    ReferenceUpdate,
    ReportRun,
    Service,
    Setting,
    Target,
    utcnow,
)
from egov_cli.i18n import _
from egov_cli.storage.db import HEAD_REVISION, Catalogue, current_revision, describe, make_engine
from egov_cli.values.parse import parse_text

DUMP_FORMAT = "egov-cli catalogue dump"
DUMP_VERSION = 1
BATCH = 5_000

#: Every table of a catalogue, parents before children.
TABLES: tuple[Table, ...] = tuple(
    m.__table__  # type: ignore[union-attr]
    for m in (
        MaturityLevel, Setting, Department, Procedure, ImportRun, Service, ChangeRecord, Target,
        ReportRun, ReferenceUpdate, ImportProfile,
    )
)  # fmt: skip


@dataclass(frozen=True)
class TransferResult:
    source: str
    destination: str
    counts: dict[str, int]
    checksum: str
    verified: bool


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _rows(conn: Connection, table: Table) -> Iterator[dict[str, Any]]:
    query = select(table).order_by(*table.primary_key.columns)
    for row in conn.execution_options(yield_per=BATCH).execute(query):
        yield {k: _plain(v) for k, v in row._mapping.items()}


class _Digest:
    """Counts and a checksum over canonical JSON of every record, table by table."""

    def __init__(self) -> None:
        self.sha = hashlib.sha256()
        self.counts: dict[str, int] = {t.name: 0 for t in TABLES}

    def add(self, table: str, row: dict[str, Any]) -> None:
        self.counts[table] += 1
        line = json.dumps([table, row], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        self.sha.update(line.encode())
        self.sha.update(b"\n")

    @property
    def checksum(self) -> str:
        return self.sha.hexdigest()


def content_checksum(engine: Engine) -> tuple[dict[str, int], str]:
    """Record counts per table and the content checksum of a catalogue."""
    with engine.connect() as conn:
        return _checksum(conn)


def _checksum(conn: Connection) -> tuple[dict[str, int], str]:
    """A table the catalogue does not hold yet (an older schema) counts as empty: an upgrade
    that adds an empty table leaves the content, and so the checksum, as it was."""
    digest = _Digest()
    present = set(inspect(conn).get_table_names())
    for table in TABLES:
        if table.name not in present:
            continue
        for row in _rows(conn, table):
            digest.add(table.name, row)
    return digest.counts, digest.checksum


def _python_type(column: Any) -> type | None:
    kind = getattr(column.type, "impl", column.type)  # see through TypeDecorators (UTCDateTime)
    try:
        return kind.python_type  # type: ignore[no-any-return]
    except NotImplementedError:
        return None


def _typed(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """JSON values back to Python ones for the table's date and time columns."""
    out = dict(row)
    for column in table.columns:
        value = out.get(column.name)
        if isinstance(value, str):
            kind = _python_type(column)
            if kind is datetime:
                out[column.name] = datetime.fromisoformat(value)
            elif kind is date:
                out[column.name] = date.fromisoformat(value)
    return out


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
                name=describe(target), count=held
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
    sent = _Digest()
    with engine.begin() as conn:
        for table in reversed(TABLES):
            conn.execute(delete(table))
        batch: list[dict[str, Any]] = []
        current: str | None = None

        def flush() -> None:
            if batch and current is not None:
                conn.execute(insert(by_name[current]), [_typed(by_name[current], r) for r in batch])
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
        counts, checksum = _checksum(conn)
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
        if len(pk) != 1 or pk[0].autoincrement is False or _python_type(pk[0]) is not int:
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
                    for row in _rows(conn, table):
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
    header, records, trailer = _dump_records(path)
    digest = _Digest()
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
    digest = _Digest()
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
            for row in _rows(conn, table):
                digest.add(table.name, row)
                out.write(json.dumps([table.name, row], ensure_ascii=False) + "\n")
                if progress:
                    progress(1)
        out.write(
            json.dumps({"end": True, "counts": digest.counts, "checksum": digest.checksum}) + "\n"
        )
    return TransferResult(source.label, str(path), digest.counts, digest.checksum, True)


def _dump_records(
    path: Path,
) -> tuple[dict[str, Any], Iterator[tuple[str, dict[str, Any]]], dict[str, Any]]:
    """The dump's header, an iterator over its records, and (filled when the iterator ends)
    its trailer. The iterator raises on a damaged or truncated dump."""
    try:
        handle = gzip.open(path, "rt", encoding="utf-8")  # noqa: SIM115  (the records iterator closes it)
        first = handle.readline()
    except FileNotFoundError:
        raise FileError(
            _("No file {path!r}.").format(path=str(path)),
            _("Check the path (quote it if it contains spaces)."),
        ) from None
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise FileError(
            _("{path} is not a readable egov dump: {reason}.").format(path=path, reason=exc),
            _("Use a file written by 'egov db dump'."),
        ) from exc
    try:
        header = json.loads(first) if first else None
    except json.JSONDecodeError:
        header = None
    if not isinstance(header, dict) or header.get("format") != DUMP_FORMAT:
        handle.close()
        raise FileError(
            _("{path} is not an egov dump.").format(path=path),
            _("Use a file written by 'egov db dump'."),
        )
    if header.get("version") != DUMP_VERSION:
        handle.close()
        raise SchemaMismatch(
            _("{path} is a dump of format version {version}; this egov reads {supported}.").format(
                path=path, version=header.get("version"), supported=DUMP_VERSION
            )
        )
    if header.get("schema") != HEAD_REVISION:
        handle.close()
        raise SchemaMismatch(
            _("{path} holds schema {schema}; this egov restores schema {head}.").format(
                path=path, schema=header.get("schema"), head=HEAD_REVISION
            ),
            _("Restore it with the egov version that wrote it, upgrade there, and dump again."),
        )
    trailer: dict[str, Any] = {}

    def records() -> Iterator[tuple[str, dict[str, Any]]]:
        with handle:
            try:
                for number, line in enumerate(handle, start=2):
                    item = json.loads(line)
                    if isinstance(item, dict) and item.get("end"):
                        trailer.update(item)
                        break
                    if not (
                        isinstance(item, list) and len(item) == 2 and isinstance(item[1], dict)
                    ):
                        raise FileError(
                            _("{path}: line {number} is not a record.").format(
                                path=path, number=number
                            ),
                            _("The dump is damaged; nothing was restored."),
                        )
                    _refuse_control_characters(path, number, str(item[0]), item[1])
                    yield str(item[0]), item[1]
            except (OSError, EOFError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise FileError(
                    _("{path} is damaged: {reason}.").format(path=path, reason=exc),
                    _("Nothing was restored; use a complete dump."),
                ) from exc
            if not trailer:
                raise FileError(
                    _("{path} is truncated (it has no end marker).").format(path=path),
                    _("Nothing was restored; use a complete dump."),
                )

    return header, records(), trailer


#: The codes and names a restored record may not hold control characters in (they are shown
#: on terminals and in every report); the rest of a record is data, kept as dumped.
NAMED_COLUMNS = {
    "department": ("code", "name"),
    "procedure": ("name",),
    "service": ("leika_key", "name", "citizen_name", "ozg_id"),
    "maturity_level": ("label",),
    "target": ("name",),
}


def _refuse_control_characters(path: Path, line: int, table: str, row: dict[str, Any]) -> None:
    """Refuse (exit 3, nothing restored) a code or name in a dump that holds a control
    character: a terminal escape sequence in a name would reach every terminal it is shown on."""
    for column in NAMED_COLUMNS.get(table, ()):
        value = row.get(column)
        if isinstance(value, str):
            try:
                parse_text(value, column)
            except ValidationError as exc:
                raise ValidationError(
                    _(
                        "{path}, line {line}: {table} {column}: {message} Nothing was restored."
                    ).format(path=path, line=line, table=table, column=column, message=exc.message),
                    _(
                        "Correct the name in the catalogue the dump was made from and dump it again."
                    ),
                ) from None


def restore_catalogue(
    path: Path, target: str, *, replace: bool = False, progress: Callable[[int], None] | None = None
) -> TransferResult:
    """Restore a dump into ``target`` (new or empty, or any with ``replace``), verified against
    the dump's own counts and checksum before anything is committed."""
    header, records, trailer = _dump_records(path)
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
