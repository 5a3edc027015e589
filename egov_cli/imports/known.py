"""The catalogue as an import needs it: :func:`load_known` reads every service with every
field, the departments and the online procedures, in a few queries, column by column.

How it is read is speed machinery behind one function: the services come straight from the
driver (the column types' own conversions applied, as SQLAlchemy would), each repeating value
held once (less memory), on SQLite a part at a time as JSON arrays (``early.read_parts``), and
where the command could start reading before its transaction began, from that early read
(``early.EarlyRead``) as long as nobody has committed since.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from egov_cli.core.models import Department, Procedure, Service
from egov_cli.core.schema import SERVICE_FIELDS
from egov_cli.imports.early import PART_ROWS, EarlyRead, Part, known_columns, read_parts
from egov_cli.values.fold import fold


@dataclass
class KnownCatalogue:
    """What an import's plan needs from the catalogue, loaded in a few queries (see
    :func:`load_known`)."""

    #: every service's fields, column by column (a service at its ``position``)
    fields: dict[str, list[Any]]
    position: dict[int, int]  # service id -> its place in the columns
    by_key: dict[str, int]
    keyless_by_name: dict[str, list[int]]
    dept_by_code: dict[str, int]
    dept_code_of: dict[int, str]
    dept_folded: dict[str, str]
    procedures: dict[str, dict[str, Any]]
    proc_name_of: dict[int, str]
    proc_folded: dict[str, str]

    def value(self, service_id: int, name: str) -> Any:
        """A field of one service."""
        return self.fields[name][self.position[service_id]]

    def places(self, service_ids: list[int]) -> list[int]:
        """The places of the services ``service_ids`` in the columns (for :meth:`column`)."""
        return list(map(self.position.__getitem__, service_ids))

    def column(self, name: str, places: list[int]) -> list[Any]:
        """A field of the services at ``places``, in their order."""
        return list(map(self.fields[name].__getitem__, places))


#: Service fields whose values repeat across many services (vocabulary, references, dates).
#: (Whole numbers are left out: small ones are shared by Python itself, case counts hardly
#: repeat.)
_REPEATING = frozenset({"leika_type", "ozg_id", "ozg_name", "topic", "life_event", "addressee",
                        "status", "go_live", "target_date"})  # fmt: skip


_FETCH_ROWS = 10_000


def _fetch_services(
    session: Session,
    table: Any,
    columns: tuple[str, ...],
    early: list[Part] | None = None,
    part_rows: int = PART_ROWS,
) -> dict[str, list[Any]]:
    """Every service's ``columns``, column by column, straight from the driver, with the column
    types' own conversions (e.g. dates and flags on SQLite) as SQLAlchemy applies them.
    ``early``: the parts an :class:`~egov_cli.imports.early.EarlyRead` of the same columns
    read and found still valid (SQLite)."""
    connection = session.connection()
    dialect = connection.dialect
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    fetched: list[list[Any]] = [[] for _name in columns]
    try:
        cursor.execute(f"SELECT {', '.join(columns)} FROM {table.name} LIMIT 0")
        processors = [
            table.c[name].type.dialect_impl(dialect).result_processor(dialect, entry[1])
            for name, entry in zip(columns, cursor.description, strict=True)
        ]
        # One object per distinct value of a repeating field: the catalogue held in less memory.
        memos: list[dict[Any, Any] | None] = [{} if n in _REPEATING else None for n in columns]
        parts: Iterator[list[Any]]
        if sqlite_json(dialect):  # see early.read_parts; the parts read early where given
            read = read_parts(cursor, table.name, columns, part_rows) if early is None else early
            parts = (part.columns for part in read)
        else:
            parts = _cursor_parts(cursor, table.name, columns)
        for converted in parts:
            for i, (process, memo) in enumerate(zip(processors, memos, strict=True)):
                if process is not None:
                    converted[i] = [None if v is None else process(v) for v in converted[i]]
                if memo is not None and converted[i].count(None) < len(converted[i]):
                    converted[i] = [memo.setdefault(v, v) for v in converted[i]]
            for whole, part in zip(fetched, converted, strict=True):
                whole += part
            del converted
    finally:
        cursor.close()
    return dict(zip(columns, fetched, strict=True))


def sqlite_json(dialect: Any) -> bool:
    """SQLite with its JSON functions built in (3.38 and later)."""
    version = getattr(dialect.dbapi, "sqlite_version_info", (0,))
    return dialect.name == "sqlite" and version >= (3, 38)


def _cursor_parts(cursor: Any, table: str, columns: tuple[str, ...]) -> Iterator[list[Any]]:
    """The rows a part at a time, column by column: few rows straight from the driver are
    alive at once (their values are mostly replaced by shared ones)."""
    cursor.execute(f"SELECT {', '.join(columns)} FROM {table}")
    while rows := cursor.fetchmany(_FETCH_ROWS):
        yield list(zip(*rows, strict=True))
        del rows


def load_known(
    session: Session,
    early: EarlyRead | None = None,
    *,
    part_rows: int = PART_ROWS,
    fields: tuple[str, ...] = SERVICE_FIELDS,
) -> KnownCatalogue:
    """The catalogue as an import of any file needs it: every service with ``fields`` (an
    import: :func:`~egov_cli.imports.early.import_fields`), the departments and the online
    procedures, as this transaction sees them. ``early``: the services read before the
    transaction (:func:`~egov_cli.imports.early.start_early_read`), used where it read the
    same columns and is still valid. ``part_rows``: services read at a time (SQLite)."""
    table = Service.__table__  # type: ignore[attr-defined]
    columns = known_columns(fields)
    parts = None
    if early is not None and early.columns == columns:
        # This transaction's view of the catalogue is fixed by its first read; the early read
        # counts only if nobody has committed since it was made.
        session.execute(select(table.c.id).limit(1))
        parts = early.parts()
    loaded = _fetch_services(session, table, columns, parts, part_rows)
    ids, keys = loaded["id"], loaded["leika_key"]
    by_key: dict[str, int] = dict(zip(keys, ids, strict=True))
    by_key.pop(None, None)  # type: ignore[call-overload]
    keyless: dict[str, list[int]] = {}
    if len(by_key) < len(ids):
        for sid, key, name in zip(ids, keys, loaded["name"], strict=True):
            if key is None:
                keyless.setdefault(fold(name or ""), []).append(sid)
    dept_by_code: dict[str, int] = {}
    dept_folded: dict[str, str] = {}
    for dept_id, code, name in session.execute(
        select(Department.id, Department.code, Department.name)  # type: ignore[call-overload]
    ):
        dept_by_code[code] = dept_id
        dept_folded.setdefault(fold(code), code)
        dept_folded.setdefault(fold(name), code)
    procedures: dict[str, dict[str, Any]] = {}
    proc_folded: dict[str, str] = {}
    for proc in session.execute(select(Procedure.__table__)).mappings():  # type: ignore[attr-defined]
        procedures[proc["name"]] = dict(proc)
        proc_folded.setdefault(fold(proc["name"]), proc["name"])
    return KnownCatalogue(
        fields=loaded,
        position={sid: i for i, sid in enumerate(ids)},
        by_key=by_key,
        keyless_by_name=keyless,
        dept_by_code=dept_by_code,
        dept_code_of={v: k for k, v in dept_by_code.items()},
        dept_folded=dept_folded,
        procedures=procedures,
        proc_name_of={p["id"]: n for n, p in procedures.items()},
        proc_folded=proc_folded,
    )
