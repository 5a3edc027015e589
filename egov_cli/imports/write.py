"""Writing a planned import: :func:`write_import`.

One :class:`~egov_cli.core.models.ImportRun` records the import and is the source of every change
record it writes. New departments and online procedures come first (services refer to them),
then the new services in batches (their ids allocated here, so that their create records need
no round trip), then the changed services, one UPDATE per set of changed fields (only those
columns and their indexes are written), each changed field with its update record. Everything
is written in the caller's transaction, through a :class:`~egov_cli.imports.bulk.BulkWriter`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import chain, repeat
from typing import Any

from sqlalchemy import Boolean, Integer, func, select, text, update
from sqlmodel import Session

from egov_cli.core import history, schema
from egov_cli.core.history import ChangeContext
from egov_cli.core.models import ChangeRecord, Department, ImportRun, Procedure, Service
from egov_cli.core.schema import SERVICE_FIELDS
from egov_cli.imports.bulk import BulkWriter
from egov_cli.imports.compare import Changes, Comparison
from egov_cli.imports.known import KnownCatalogue
from egov_cli.imports.options import WriteSizes
from egov_cli.imports.plan import Planner
from egov_cli.imports.result import ImportResult
from egov_cli.imports.rules.shared import ABSENT, NEW_DEFAULTS, Plan
from egov_cli.values.fold import SEARCH_FIELDS, search_texts

HISTORY_COLUMNS = (
    "changed_at", "actor", "source", "import_id", "entity", "entity_id", "entity_key", "action",
    "field", "old_value", "new_value",
)  # fmt: skip
#: The columns in which the update records of an import differ.
_UPDATE_COLUMNS = ("entity_id", "entity_key", "field", "old_value", "new_value")


@dataclass
class _Target:
    """Where the services are written: the session, its bulk writer, the tables, the ids of
    the departments and procedures by code and name, and what every service record shares."""

    session: Session
    bulk: BulkWriter
    table: Any
    history_table: Any
    dept_ids: dict[str, int]
    proc_ids: dict[str, int]
    at_db: Any  # the import's time as the service table binds it
    head: tuple[Any, ...]  # changed_at, actor, source, import_id, entity of a service record


def write_import(
    session: Session,
    result: ImportResult,
    plan: Plan,
    planner: Planner,
    cat: KnownCatalogue,
    comparison: Comparison,
    *,
    actor: str,
    at: datetime,
    sizes: WriteSizes,
) -> tuple[int, int]:
    """Write the planned import (see the module docstring); returns the import's id and how
    many change records it wrote."""
    run = ImportRun(
        file_name=result.file_name,
        sha256=result.sha256,
        sheet=result.sheet,
        mode=result.mode,
        actor=actor,
        started_at=at,
        created_count=result.created,
        changed_count=result.changed,
        unchanged_count=result.unchanged,
        rejected_count=result.rejected,
        new_departments=",".join(result.new_departments),
        new_procedures=",".join(result.new_procedures),
    )
    session.add(run)
    session.flush()
    assert run.id is not None
    ctx = ChangeContext(actor=actor, source="import", import_id=run.id, at=at)
    table = Service.__table__  # type: ignore[attr-defined]
    history_table = ChangeRecord.__table__  # type: ignore[attr-defined]
    bulk = BulkWriter(session, sizes)
    dept_ids, proc_ids, count = _write_links(session, bulk, ctx, cat, planner, result)
    head = (bulk.process(history_table, "changed_at", at), actor, "import", run.id, "service")
    target = _Target(
        session, bulk, table, history_table, dept_ids, proc_ids,
        bulk.process(table, "created_at", at), head,
    )  # fmt: skip
    if comparison.new_positions:
        count += _write_new(target, plan, comparison.new_positions, len(cat.position))
    if comparison.changed:
        count += _write_changed(target, plan, cat, comparison.changed)
    session.flush()
    return run.id, count


def _write_links(
    session: Session,
    bulk: BulkWriter,
    ctx: ChangeContext,
    cat: KnownCatalogue,
    planner: Planner,
    result: ImportResult,
) -> tuple[dict[str, int], dict[str, int], int]:
    """Write the new departments and procedures and the changed procedure details; returns
    their ids by code and name (known ones too) and how many change records were written."""
    at = ctx.at
    records: list[dict[str, Any]] = []
    dept_ids = dict(cat.dept_by_code)
    for code, name in planner.new_departments.items():  # few
        dept = Department(code=code, name=name, created_at=at, updated_at=at)
        session.add(dept)
        session.flush()
        assert dept.id is not None
        dept_ids[code] = dept.id
        records.append(
            history.created(
                ctx, "department", dept.id, code, {"code": code, "name": name, "contact": None}
            )
        )
    count = history.insert_records(session, records)
    proc_ids = {name: p["id"] for name, p in cat.procedures.items()}
    if planner.new_procedures:
        proc_ids.update(_write_new_procedures(bulk, ctx, planner.new_procedures))
        count += len(planner.new_procedures)
    records = []
    proc_table = Procedure.__table__  # type: ignore[attr-defined]
    for change in result.changed_procedures:
        session.execute(
            update(proc_table)
            .where(proc_table.c.id == proc_ids[change.name])
            .values({**{a: new for a, (_old, new) in change.changes.items()}, "updated_at": at})
        )
        records.extend(
            history.updated(ctx, "procedure", proc_ids[change.name], change.name, change.changes)
        )
    count += history.insert_records(session, records)
    return dept_ids, proc_ids, count


def _write_new_procedures(
    bulk: BulkWriter, ctx: ChangeContext, new: dict[str, dict[str, Any]]
) -> dict[str, int]:
    """INSERT the new online procedures (name -> details) in one go, each with its create
    record; returns their ids by name. A file may name thousands (one ORM object and flush
    each made 33,000 take about a minute, the batched INSERT half a second). On SQLite the
    create records' snapshots are made by SQLite from the stored rows, as for services."""
    table = Procedure.__table__  # type: ignore[attr-defined]
    history_table = ChangeRecord.__table__  # type: ignore[attr-defined]
    attributes = tuple(schema.PROCEDURE_ATTRIBUTES.values())
    defaults = {a: Procedure.model_fields[a].default for a in attributes}
    names = list(new)
    details = [{**defaults, **new[name]} for name in names]
    at_db = bulk.process(table, "created_at", ctx.at)
    columns: dict[str, list[Any]] = {"name": names}
    for attribute in attributes:
        values = [d[attribute] for d in details]
        needs = bulk.needs(table, attribute)
        columns[attribute] = bulk.bind_column(table, attribute, values) if needs else values
    count = len(names)
    columns["created_at"] = columns["updated_at"] = [at_db] * count
    # The write lock is held (the import run is written): the new rows are those after it.
    last = bulk.connection.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar()
    bulk.insert_columns(table, columns)
    ids: dict[str, int] = {
        name: pid
        for pid, name in bulk.connection.execute(
            select(table.c.id, table.c.name).where(table.c.id > last)
        )
    }
    shared = {
        "changed_at": bulk.process(history_table, "changed_at", ctx.at),
        "actor": ctx.actor,
        "source": ctx.source,
        "import_id": ctx.import_id,
        "entity": "procedure",
    }
    if bulk.json_in_sql:
        bulk.execute(_procedure_records_sql(table, columns), [(*shared.values(), last)])
        return ids
    rows = [
        (ids[name], name, history.snapshot({"name": name, **d}))
        for name, d in zip(names, details, strict=True)
    ]
    bulk.insert_with(
        history_table,
        {**shared, "action": "create"},
        ("entity_id", "entity_key", "new_value"),
        rows,
    )
    return ids


def _procedure_records_sql(table: Any, columns: dict[str, list[Any]]) -> str:
    """SQLite: an INSERT of the create records of the procedures after an id (bound after the
    record's changed_at, actor, source, import_id and entity), each with its snapshot made by
    SQLite from the row as stored (``history.snapshot_sql``) over the fields that hold a value
    in some of the new procedures (``columns``: their values by field, as bound)."""
    fields: list[tuple[str, str, str]] = []
    gaps: list[str] = []
    for name in sorted(("name", *schema.PROCEDURE_ATTRIBUTES.values())):
        values = columns[name]
        blank = values.count(None) + values.count("")
        if blank == len(values):
            continue  # a snapshot leaves a blank field out
        if blank:
            gaps.append(name)
        kind = "bool" if isinstance(table.c[name].type, Boolean) else "text"
        fields.append((name, f"p.{name}", kind))
    return (
        f"INSERT INTO {ChangeRecord.__tablename__} ({', '.join(HISTORY_COLUMNS[:5])}, "
        "entity_id, entity_key, action, new_value) "
        f"SELECT ?, ?, ?, ?, ?, p.id, p.name, 'create', {history.snapshot_sql(fields, gaps)} "
        f"FROM {table.name} AS p WHERE p.id > ? ORDER BY p.id"
    )


def _write_new(target: _Target, plan: Plan, new_positions: list[int], present: int) -> int:
    """INSERT the new services in batches, each with its create record; returns how many."""
    session, bulk, table = target.session, target.bulk, target.table
    postgres = bulk.dialect.name == "postgresql"
    if postgres:  # ids are allocated here: no concurrent import may take them meanwhile
        session.execute(text("LOCK TABLE service IN SHARE ROW EXCLUSIVE MODE"))
    next_id = (session.execute(select(func.max(table.c.id))).scalar() or 0) + 1
    converted = [n for n in SERVICE_FIELDS if bulk.needs(table, n)]
    everyone = len(new_positions) == len(plan.numbers)
    batch_rows = bulk.sizes.batch_rows
    with bulk.without_indexes(table, len(new_positions), present), bulk.pipelined():
        for start in range(0, len(new_positions), batch_rows):
            batch = new_positions[start : start + batch_rows]
            count = len(batch)
            cols = _new_columns(plan, batch, start if everyone else None)
            ids = list(range(next_id + start, next_id + start + count))
            # SQLite makes the create records from the stored rows (the statement, made for
            # the fields this batch fills, runs later); elsewhere they are made here.
            records_sql = _create_records_sql(table, cols) if bulk.json_in_sql else ""
            created = None if records_sql else _created_records(target.head, ids, cols)
            texts = search_texts(cols, count)
            for name in converted:
                cols[name] = bulk.bind_column(table, name, cols[name])
            bulk.insert_columns(
                table,
                {
                    **{name: cols[name] for name in SERVICE_FIELDS},
                    "id": ids,
                    "department_id": _ids_of(cols["department"], target.dept_ids),
                    "procedure_id": _ids_of(cols["procedure"], target.proc_ids),
                    "search_text": texts,
                    "created_at": [target.at_db] * count,
                    "updated_at": [target.at_db] * count,
                },
            )
            del cols
            if created is not None:
                bulk.insert_columns(target.history_table, created)
            else:  # SQLite works on these records while the next batch is prepared
                bulk.execute_later(records_sql, [(*target.head, ids[0], ids[-1])])
            del created
    if postgres:
        session.execute(
            text(
                "SELECT setval(pg_get_serial_sequence('service', 'id'), "
                "(SELECT MAX(id) FROM service))"
            )
        )
    return len(new_positions)


def _ids_of(names: list[str | None], ids: dict[str, int]) -> list[int | None]:
    """The ids of the departments (procedures) ``names`` (None where blank)."""
    if not any(names):
        return [None] * len(names)
    return [ids[n] if n else None for n in names]


def _new_columns(plan: Plan, batch: list[int], start: int | None) -> dict[str, list[Any]]:
    """The values of the new services at the plan's positions ``batch``, column by column, with
    the defaults of a new service filled in. ``start``: the batch is the plan's rows from there
    on (every row is new), so the columns are sliced."""
    count = len(batch)
    cols: dict[str, list[Any]] = {}
    for name in SERVICE_FIELDS:
        column = plan.values.get(name)
        default = NEW_DEFAULTS.get(name)
        if column is None:
            cols[name] = [default] * count
            continue
        part = column[start : start + count] if start is not None else [column[i] for i in batch]
        if ABSENT in part or (default is not None and None in part):
            part = [default if v is None or v is ABSENT else v for v in part]
        cols[name] = part
    for name, links in (("department", plan.departments), ("procedure", plan.procedures)):
        if links is None:
            cols[name] = [None] * count
        elif start is not None:
            cols[name] = links[start : start + count]
        else:
            cols[name] = [links[i] for i in batch]
    return cols


def _created_records(
    head: tuple[Any, ...], ids: list[int], cols: dict[str, list[Any]]
) -> dict[str, list[Any]]:
    """The create records of new services (ids, columns as :func:`_new_columns` gives them),
    column by column, each with its ``history.snapshot``. A create record has no field and no
    old value: those are left out."""
    count = len(ids)
    created = {
        name: [value] * count
        for name, value in zip(HISTORY_COLUMNS[: len(head)], head, strict=True)
    }
    created["entity_id"] = ids
    created["entity_key"] = [
        key or f"#{sid}" for sid, key in zip(ids, cols["leika_key"], strict=True)
    ]
    created["action"] = ["create"] * count
    names = list(cols)
    created["new_value"] = [
        history.snapshot(dict(zip(names, row, strict=True)))
        for row in zip(*cols.values(), strict=True)
    ]
    return created


def _create_records_sql(table: Any, cols: dict[str, list[Any]]) -> str:
    """SQLite: an INSERT of the create records of the services whose ids lie in a range (bound
    after the record's changed_at, actor, source, import_id and entity), each with its snapshot
    made by SQLite from the row as stored (``history.snapshot_sql``) over the fields that hold
    a value in some row of the batch ``cols`` (columns as :func:`_new_columns` gives them)."""
    fields: list[tuple[str, str, str]] = []
    gaps: list[str] = []
    for name in sorted(cols):
        values = cols[name]
        blank = values.count(None) + values.count("")
        if blank == len(values):
            continue  # a snapshot leaves a blank field out
        if blank:
            gaps.append(name)
        if name == "department":
            fields.append((name, "d.code", "text"))
        elif name == "procedure":
            fields.append((name, "p.name", "text"))
        elif isinstance(table.c[name].type, Boolean):
            fields.append((name, f"s.{name}", "bool"))
        elif isinstance(table.c[name].type, Integer):
            fields.append((name, f"s.{name}", "int"))
        else:  # text, and dates (stored as ISO text)
            fields.append((name, f"s.{name}", "text"))
    return (
        f"INSERT INTO {ChangeRecord.__tablename__} ({', '.join(HISTORY_COLUMNS[:5])}, "
        "entity_id, entity_key, action, new_value) "
        "SELECT ?, ?, ?, ?, ?, s.id, COALESCE(NULLIF(s.leika_key, ''), '#' || s.id), 'create', "
        f"{history.snapshot_sql(fields, gaps)} "
        f"FROM {table.name} AS s "
        f"LEFT JOIN {Department.__tablename__} AS d ON d.id = s.department_id "
        f"LEFT JOIN {Procedure.__tablename__} AS p ON p.id = s.procedure_id "
        "WHERE s.id BETWEEN ? AND ? ORDER BY s.id"
    )


def _write_changed(
    target: _Target, plan: Plan, cat: KnownCatalogue, changed: list[tuple[int, Changes]]
) -> int:
    """UPDATE the changed services, one statement per set of changed fields, each changed field
    with its update record; returns how many records."""
    bulk, table = target.bulk, target.table
    count = 0
    # The columns every update record of this import shares, and their values.
    shared = dict(
        zip((*HISTORY_COLUMNS[: len(target.head)], "action"), (*target.head, "update"), strict=True)
    )
    groups: dict[tuple[str, ...], list[tuple[int, Changes]]] = {}
    for item in changed:
        groups.setdefault(tuple(item[1]), []).append(item)
    for names, members in groups.items():
        columns = tuple(
            "department_id" if n == "department" else "procedure_id" if n == "procedure" else n
            for n in names
        )
        searched = [n for n in names if n in SEARCH_FIELDS]
        # The search text is written again only where a field it is made of changes.
        sql = bulk.update_sql(
            table, (*columns, *(["search_text"] if searched else []), "updated_at")
        )
        processors = [
            bulk.processor(table, column) if column in SERVICE_FIELDS else None
            for column in columns
        ]
        batch_rows = bulk.sizes.batch_rows
        for start in range(0, len(members), batch_rows):
            part = members[start : start + batch_rows]
            sids = [plan.existing[i] or 0 for i, _diff in part]
            places = cat.places(sids)
            keys: list[Any]
            new_texts: list[str] | None = None
            if searched:  # the search fields as they will be, column by column
                search = {
                    name: [diff[name][1] for _i, diff in part]
                    if name in searched
                    else cat.column(name, places)
                    for name in SEARCH_FIELDS
                }
                keys, new_texts = search["leika_key"], search_texts(search, len(part))
            else:
                keys = cat.column("leika_key", places)
            entity_keys = [key or f"#{sid}" for key, sid in zip(keys, sids, strict=True)]
            # Field by field: the values the UPDATE binds and the update records.
            bound: list[list[Any]] = []
            records_of_field: list[list[tuple[Any, ...]]] = []
            for name, process in zip(names, processors, strict=True):
                pairs = [diff[name] for _i, diff in part]
                news = [new for _old, new in pairs]
                records_of_field.append(
                    list(
                        zip(
                            sids, entity_keys, repeat(name),
                            history.as_texts([old for old, _new in pairs]), history.as_texts(news),
                        )
                    )
                )  # fmt: skip
                if name in ("department", "procedure"):
                    ids_of = target.dept_ids if name == "department" else target.proc_ids
                    news = [None if v is None else ids_of[v] for v in news]
                elif process is not None:
                    news = [None if v is None else process(v) for v in news]
                bound.append(news)
            if new_texts is not None:
                bound.append(new_texts)
            params = list(zip(*bound, repeat(target.at_db), sids))
            # Each service's records together, its fields in the order of the difference.
            history_rows = list(chain.from_iterable(zip(*records_of_field, strict=True)))
            bulk.execute(sql, params)
            bulk.insert_with(target.history_table, shared, _UPDATE_COLUMNS, history_rows)
            count += len(history_rows)
    return count
