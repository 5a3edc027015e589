"""Recording and reading the change history. Nothing in the catalogue changes without a record.

Writers call :func:`created`, :func:`updated` and :func:`deleted` with a :class:`ChangeContext`
(who, which command, which import). Bulk writers (the import) build rows with the same
functions and insert them with :func:`insert_records` in one executemany.

The snapshot of a created or deleted record (its fields as JSON text) has two forms, both
here: :func:`snapshot` makes it in Python, :func:`snapshot_sql` is the SQL expression with
which SQLite makes the same text from a stored row (the import's create records).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import product
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col, select

from egov_cli.core.models import ChangeRecord, utcnow

#: Up to how many fields that may be blank a snapshot's SQL tells apart (2**n objects).
FEW_GAPS = 2


@dataclass(frozen=True)
class ChangeContext:
    """Who makes a change, through which command, and (for imports) which import run."""

    actor: str
    source: str
    import_id: int | None = None
    at: datetime = field(default_factory=utcnow)


def as_text(value: object) -> str | None:
    """A field value as the history stores it: ISO dates, ``true``/``false``, plain text."""
    if value is None or type(value) is str:
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def snapshot(values: Mapping[str, object]) -> str:
    """A record's fields as compact JSON (keys sorted, blank fields left out), for create and
    delete rows: the text SQLite's ``json_object`` makes of the same values."""
    return json.dumps(
        {k: as_text(v) for k, v in values.items() if v is not None and v != ""},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )


def as_texts(values: Sequence[object]) -> list[str | None]:
    """:func:`as_text` of each of ``values`` (a column of whole numbers in one step)."""
    if set(map(type, values)) == {int}:
        return list(map(str, values))
    return list(map(as_text, values))


def snapshot_sql(fields: Sequence[tuple[str, str, str]], gaps: Sequence[str] = ()) -> str:
    """SQLite: the expression that makes the text of :func:`snapshot` from a stored row.

    ``fields``: (name, SQL expression, kind) in sorted order, kind ``bool`` (stored 1/0),
    ``int`` or ``text`` (text, and dates stored as ISO text): :func:`as_text` of each kind.
    ``json_object`` writes the same compact JSON as :func:`snapshot`. ``gaps``: the fields
    that may be blank, which :func:`snapshot` leaves out. Up to :data:`FEW_GAPS` of them, one
    ``json_object`` per way they can be blank is chosen with a CASE (as quick as one
    ``json_object``); more, and ``json_patch`` drops the blank ones (it costs as much as the
    rest of the statement).
    """
    values = {}
    for name, expression, kind in fields:
        if kind == "bool":
            value = f"CASE {expression} WHEN 1 THEN 'true' WHEN 0 THEN 'false' END"
        elif kind == "int":
            value = f"CAST({expression} AS TEXT)"
        else:
            value = expression
        values[name] = value
    if not gaps:
        return _json_object(values)
    if len(gaps) > FEW_GAPS:
        nullable = {name: f"NULLIF({value}, '')" for name, value in values.items()}
        return f"json_patch('{{}}', {_json_object(nullable)})"
    # Each way the gap fields can be blank, the object of the fields left.
    cases = []
    for blank in product((False, True), repeat=len(gaps)):
        left_out = {name for name, is_blank in zip(gaps, blank, strict=True) if is_blank}
        test = " AND ".join(
            f"COALESCE({values[name]}, '') {'=' if is_blank else '<>'} ''"
            for name, is_blank in zip(gaps, blank, strict=True)
        )
        kept = {name: value for name, value in values.items() if name not in left_out}
        cases.append((test, _json_object(kept)))
    *tested, (_test, last) = cases
    whens = " ".join(f"WHEN {test} THEN {made}" for test, made in tested)
    return f"CASE {whens} ELSE {last} END"


def _json_object(values: Mapping[str, str]) -> str:
    items = ", ".join(f"'{name}', {value}" for name, value in values.items())
    return f"json_object({items})"


def _row(
    ctx: ChangeContext,
    entity: str,
    entity_id: int,
    key: str | None,
    action: str,
    field_name: str | None,
    old: str | None,
    new: str | None,
) -> dict[str, Any]:
    return {
        "changed_at": ctx.at,
        "actor": ctx.actor,
        "source": ctx.source,
        "import_id": ctx.import_id,
        "entity": entity,
        "entity_id": entity_id,
        "entity_key": key,
        "action": action,
        "field": field_name,
        "old_value": old,
        "new_value": new,
    }


def created(
    ctx: ChangeContext, entity: str, entity_id: int, key: str | None, values: Mapping[str, object]
) -> dict[str, Any]:
    return _row(ctx, entity, entity_id, key, "create", None, None, snapshot(values))


def updated(
    ctx: ChangeContext,
    entity: str,
    entity_id: int,
    key: str | None,
    changes: Mapping[str, tuple[object, object]],
) -> list[dict[str, Any]]:
    """One row per changed field; ``changes`` maps field -> (old, new)."""
    return [
        _row(ctx, entity, entity_id, key, "update", name, as_text(old), as_text(new))
        for name, (old, new) in changes.items()
    ]


def deleted(
    ctx: ChangeContext, entity: str, entity_id: int, key: str | None, values: Mapping[str, object]
) -> dict[str, Any]:
    return _row(ctx, entity, entity_id, key, "delete", None, snapshot(values), None)


def insert_records(session: Session, rows: Iterable[dict[str, Any]]) -> int:
    """Insert history rows in one executemany; returns how many."""
    batch = list(rows)
    if batch:
        session.execute(insert(ChangeRecord), batch)
    return len(batch)


def history_of(session: Session, entity: str, entity_id: int) -> list[ChangeRecord]:
    """Every recorded change of one record, oldest first."""
    query = (
        select(ChangeRecord)
        .where(ChangeRecord.entity == entity, ChangeRecord.entity_id == entity_id)
        .order_by(col(ChangeRecord.changed_at), col(ChangeRecord.id))
    )
    return list(session.exec(query).all())
