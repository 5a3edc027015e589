"""A catalogue's records, table by table, and their content checksum.

Every table is read in primary-key order with dates and times as ISO text; the checksum is the
SHA-256 of each record's canonical JSON, computed the same way from any database, so SQLite and
PostgreSQL copies of one catalogue have the same checksum.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, inspect, null, select
from sqlalchemy.engine import Connection, Engine

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
)

BATCH = 5_000

#: Every table of a catalogue, parents before children.
TABLES: tuple[Table, ...] = tuple(
    m.__table__  # type: ignore[union-attr]
    for m in (
        MaturityLevel, Setting, Department, Procedure, ImportRun, Service, ChangeRecord, Target,
        ReportRun, ReferenceUpdate, ImportProfile,
    )
)  # fmt: skip


def plain_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def table_rows(
    conn: Connection, table: Table, held: set[str] | None = None
) -> Iterator[dict[str, Any]]:
    """The table's rows as plain values, by primary key. ``held``: the columns the catalogue's
    table has (an older schema); the others read as None."""
    columns = [c if held is None or c.name in held else null().label(c.name) for c in table.columns]
    query = select(*columns).order_by(*table.primary_key.columns)
    for row in conn.execution_options(yield_per=BATCH).execute(query):
        yield {k: plain_value(v) for k, v in row._mapping.items()}


class Digest:
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
        return connection_checksum(conn)


def connection_checksum(conn: Connection) -> tuple[dict[str, int], str]:
    """A table the catalogue does not hold yet (an older schema) counts as empty, a column it
    does not hold yet as blank: an upgrade that adds an empty table or a column without values
    leaves the content, and so the checksum, as it was."""
    digest = Digest()
    found = inspect(conn)
    present = set(found.get_table_names())
    for table in TABLES:
        if table.name not in present:
            continue
        held = {c["name"] for c in found.get_columns(table.name)}
        for row in table_rows(conn, table, held):
            digest.add(table.name, row)
    return digest.counts, digest.checksum


def python_type(column: Any) -> type | None:
    kind = getattr(column.type, "impl", column.type)  # see through TypeDecorators (UTCDateTime)
    try:
        return kind.python_type  # type: ignore[no-any-return]
    except NotImplementedError:
        return None


def typed_row(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """JSON values back to Python ones for the table's date and time columns."""
    out = dict(row)
    for column in table.columns:
        value = out.get(column.name)
        if isinstance(value, str):
            kind = python_type(column)
            if kind is datetime:
                out[column.name] = datetime.fromisoformat(value)
            elif kind is date:
                out[column.name] = date.fromisoformat(value)
    return out
