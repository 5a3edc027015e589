"""Applying a read spreadsheet to the catalogue: plan, check, then write in bulk.

:func:`apply_import` compares every valid row with the catalogue (matched on the LeiKa key, else
on the ID column, else, for services without a key, on the name), plans new / changed /
unchanged / rejected services with field-level differences, creates unknown departments and
online procedures, and writes everything in bulk, recorded as one
:class:`~egov_cli.models.ImportRun` that is the source of every change record: services and
update records with executemany; the create records on SQLite with one INSERT ... SELECT per
batch that takes each snapshot from the stored row (on a worker thread, while the next batch is
prepared), elsewhere with executemany.

Blank cells: a blank cell in a column the file has clears that field of an existing service (a
department that empties a cell means it); a column the file does not have leaves the field
alone. Exceptions: the reference fields (name, LeiKa type, OZG id and name, Themenfeld,
Lebenslage, SDG Annex II) left blank are filled from the federal reference catalogue where the
LeiKa key is in it; a blank name, level, status or SDG flag (fields a service always has) keeps
the existing service's value, and a new service gets the defaults (level 0, status planned, not
in SDG Annex II; a new service needs a name). Blank cells of online-procedure details and of the
department name say nothing (the procedure or department is shared with other services).

All or nothing: with ``on_error="abort"`` any problem raises ``InputRejected`` listing every
problem, before anything is written; with ``on_error="skip"`` the valid rows are written and
the result lists the rejected ones. With ``dry_run`` the same result is computed and nothing
is written.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import unicodedata
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from itertools import chain, compress, repeat
from operator import ne
from typing import Any

from sqlalchemy import Boolean, Date, Integer, func, select, text, update
from sqlmodel import Session

from egov_cli import history, schema
from egov_cli.errors import InputRejected, Problem, ValidationError
from egov_cli.history import ChangeContext
from egov_cli.i18n import N_, _, ngettext
from egov_cli.importers.types import ImportFile
from egov_cli.models import ChangeRecord, Department, ImportRun, Procedure, Service, utcnow
from egov_cli.schema import SERVICE_FIELDS
from egov_cli.services.early import PART_ROWS, EarlyRead, Part, known_columns, read_parts
from egov_cli.services.reference import fill_from_reference, load_reference
from egov_cli.services.scale import load_scale
from egov_cli.text import fold

MODES = ("upsert", "insert", "update")
ON_ERROR = ("abort", "skip")

#: Fields the federal reference catalogue can fill from a LeiKa key.
REFERENCE_FIELDS = ("name", "leika_type", "ozg_id", "ozg_name", "topic", "life_event")
_REFERENCE_SET = frozenset(REFERENCE_FIELDS)
#: Fields every service has: a blank cell keeps the current value (new services: defaults).
_ALWAYS_SET = ("name", "level", "status", "sdg_annex2")
#: How many rows a summarised warning names as examples.
WARNING_EXAMPLES = 5
#: Defaults of a new service (as the Service model has them).
NEW_DEFAULTS: dict[str, Any] = {"level": 0, "status": "planned", "sdg_annex2": False}
_SEARCH_FIELDS = ("name", "citizen_name", "leika_key", "ozg_name", "notes")
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})
#: Order of the fields in the snapshot and in field-level differences.
SHOWN_FIELDS = (*SERVICE_FIELDS[:9], "department", *SERVICE_FIELDS[9:11], "procedure",
                *SERVICE_FIELDS[11:])  # fmt: skip


@dataclass(frozen=True)
class ImportOptions:
    mode: str = "upsert"  # upsert | insert | update
    on_error: str = "abort"  # abort | skip

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValidationError(
                _("--mode {value!r} is not known.").format(value=self.mode),
                _("Use one of: {allowed}.").format(allowed=", ".join(MODES)),
            )
        if self.on_error not in ON_ERROR:
            raise ValidationError(
                _("--on-error {value!r} is not known.").format(value=self.on_error),
                _("Use one of: {allowed}.").format(allowed=", ".join(ON_ERROR)),
            )


@dataclass(frozen=True)
class ServiceDiff:
    """A changed service: the row it came from and field -> (old, new)."""

    row: int
    id: int
    leika_key: str | None
    name: str
    changes: dict[str, tuple[Any, Any]]


@dataclass(frozen=True)
class NewService:
    row: int
    leika_key: str | None
    name: str


@dataclass(frozen=True)
class ProcedureDiff:
    name: str
    changes: dict[str, tuple[Any, Any]]


@dataclass(frozen=True)
class RejectedRow:
    """A row that was not imported: every problem with it, and its cells as read."""

    row: int
    problems: list[Problem]
    raw: list[Any]


@dataclass(frozen=True)
class ImportResult:
    file_name: str
    sha256: str
    sheet: str | None
    header_row: int
    mode: str
    dry_run: bool
    import_id: int | None
    rows: int  # non-blank rows below the header
    created: int
    changed: int
    unchanged: int
    rejected: int
    new_departments: list[str]
    new_procedures: list[str]
    changed_procedures: list[ProcedureDiff]
    new_services: list[NewService]
    changes: list[ServiceDiff]
    rejected_rows: list[RejectedRow]
    unknown_headers: list[str]
    warnings: list[str]
    history_records: int = 0


_ABSENT: Any = type("_Absent", (), {"__repr__": lambda self: "<absent>"})()
"""A planned value that leaves the field alone (no column, or a blank cell of a field every
service has)."""


@dataclass
class _Plan:
    """The planned rows, column by column (aligned lists)."""

    numbers: list[int]
    existing: list[int | None]
    values: dict[str, list[Any]]  # field -> values; _ABSENT leaves the field alone
    departments: list[str | None] | None  # department codes (None: no department column)
    procedures: list[str | None] | None  # procedure names (None: no procedure column)

    def take(self, keep: list[int]) -> _Plan:
        def pick(values: list[Any]) -> list[Any]:
            return [values[i] for i in keep]

        return _Plan(
            pick(self.numbers),
            pick(self.existing),
            {name: pick(values) for name, values in self.values.items()},
            None if self.departments is None else pick(self.departments),
            None if self.procedures is None else pick(self.procedures),
        )


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
    session: Session, table: Any, columns: tuple[str, ...], early: list[Part] | None = None
) -> dict[str, list[Any]]:
    """Every service's ``columns``, column by column, straight from the driver, with the column
    types' own conversions (e.g. dates and flags on SQLite) as SQLAlchemy applies them.
    ``early``: the parts an :class:`~egov_cli.services.early.EarlyRead` of the same columns
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
        if _sqlite_json(dialect):  # see early.read_parts; the parts read early where given
            read = read_parts(cursor, table.name, columns, PART_ROWS) if early is None else early
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


def _sqlite_json(dialect: Any) -> bool:
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


def load_known(session: Session, early: EarlyRead | None = None) -> KnownCatalogue:
    """The catalogue as an import of any file needs it: every service with every field, the
    departments and the online procedures. A command can read it while the file is still being
    read, in the transaction it then passes it to :func:`apply_import` in. ``early``: the
    services read before the transaction (``early.start_early_read``), used where still valid."""
    return _load(session, set(SERVICE_FIELDS), early)


def _load(session: Session, fields: set[str], early: EarlyRead | None = None) -> KnownCatalogue:
    """The catalogue's services with the fields the plan needs: the file's own, the key and
    name, the search text's and the reference's fields."""
    table = Service.__table__  # type: ignore[attr-defined]
    wanted = fields | {"leika_key", "name", *_SEARCH_FIELDS, *REFERENCE_FIELDS, "sdg_annex2"}
    columns = known_columns(tuple(f for f in SERVICE_FIELDS if f in wanted))
    parts = None
    if early is not None and early.columns == columns:
        # This transaction's view of the catalogue is fixed by its first read; the early read
        # counts only if nobody has committed since it was made.
        session.execute(select(table.c.id).limit(1))
        parts = early.parts()
    loaded = _fetch_services(session, table, columns, parts)
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


def _search_fold(value: object) -> str:
    """``text.search_fold``, quick for ASCII text (most of it)."""
    lowered = str(value).casefold()
    if lowered.isascii():
        return lowered
    lowered = lowered.translate(_UMLAUTS)
    if not lowered.isascii():
        decomposed = unicodedata.normalize("NFKD", lowered)
        lowered = "".join(c for c in decomposed if not unicodedata.combining(c))
    return lowered


def fast_search_text(values: dict[str, Any]) -> str:
    """The same text as ``services.common.service_search_text``, quicker for plain text."""
    return " | ".join(
        [_search_fold(value) for name in _SEARCH_FIELDS if (value := values.get(name))]
    )


def _search_column(values: list[Any]) -> list[str | None] | None:
    """``_search_fold`` of a column's values (None where blank); None if a value folds to
    nothing (then the row-by-row way is taken)."""
    try:
        lowered = [v.casefold() if v else None for v in values]
    except AttributeError:  # not all text
        lowered = [_search_fold(v) if v else None for v in values]
        return None if "" in lowered else lowered
    out = [
        low if low is None or low.isascii() else _search_fold(value)
        for value, low in zip(values, lowered, strict=True)
    ]
    return None if "" in out else out


def search_texts(columns: dict[str, list[Any]], count: int) -> list[str]:
    """``fast_search_text`` of ``count`` rows given as columns (field -> values)."""
    folded = [_search_column(columns[name]) for name in _SEARCH_FIELDS if name in columns]
    if not folded:
        return [""] * count
    if any(column is None for column in folded):
        return [
            fast_search_text({name: columns[name][i] for name in _SEARCH_FIELDS if name in columns})
            for i in range(count)
        ]
    return list(map(" | ".join, map(filter, repeat(None), zip(*folded, strict=True))))


_encode_text = json.encoder.encode_basestring  # what json.dumps(ensure_ascii=False) uses


def snapshots(columns: dict[str, list[Any]], count: int) -> list[str]:
    """``history.snapshot`` (the same JSON text) of ``count`` rows given as columns."""
    fragments: list[list[str]] = []
    whole = False  # the first column has a value in every row: its fragments open the object
    for name in sorted(columns):
        values = columns[name]
        kinds = set(map(type, values))
        blanks = _NONE in kinds
        kinds.discard(_NONE)
        if not kinds:
            continue  # an empty column adds nothing
        if not fragments and not blanks and (str not in kinds or all(values)):
            whole = True
            fragments.append(_fragments("{" + _encode_text(name) + ":", values, kinds))
            continue
        # Each other fragment begins with ","; a row's first one loses it below.
        fragments.append(_fragments("," + _encode_text(name) + ":", values, kinds))
    if not fragments:
        return ["{}"] * count
    if whole:
        return list(map("".join, zip(*fragments, ["}"] * count, strict=True)))
    return ["{" + joined[1:] + "}" for joined in map("".join, zip(*fragments, strict=True))]


_NONE = type(None)


def _fragment(head: str, value: Any) -> str:
    """``head`` and the value's JSON text as a snapshot has it; "" for a blank value."""
    if value is None or value == "":
        return ""
    return head + _encode_text(str(history.as_text(value)))


def _fragments(head: str, values: list[Any], kinds: set[type]) -> list[str]:
    """``_fragment`` of each value of a column whose values are of ``kinds`` (and None)."""
    if len(kinds) == 1:
        distinct = set(values)
        if len(distinct) * 4 <= len(values):  # terms, levels, dates: each text made once
            texts = {value: _fragment(head, value) for value in distinct}
            return list(map(texts.__getitem__, values))
    if kinds == {str}:
        if None not in values and "" not in values:
            return list(map(head.__add__, map(_encode_text, values)))
        return [head + _encode_text(v) if v else "" for v in values]
    if kinds == {int}:
        return ["" if v is None else f'{head}"{v}"' for v in values]
    if kinds == {bool}:
        yes, no = head + '"true"', head + '"false"'
        return ["" if v is None else (yes if v else no) for v in values]
    if kinds == {date}:  # ISO dates need no escaping
        return ["" if v is None else f'{head}"{v.isoformat()}"' for v in values]
    return [_fragment(head, v) for v in values]


class _Planner:
    def __init__(self, data: ImportFile, cat: KnownCatalogue, options: ImportOptions):
        self.data = data
        self.cat = cat
        self.options = options
        self.problems: dict[int, list[Problem]] = {}
        self.warnings: list[str] = list(data.warnings)
        self.new_departments: dict[str, str] = {}  # code -> name
        self.new_procedures: dict[str, dict[str, Any]] = {}  # name -> attributes
        self.procedure_values: dict[str, dict[str, Any]] = {}
        self.headers = {c.field: c.header for c in data.columns}
        self._dept_cache: dict[str, str] = {}
        self._new_dept_folded: dict[str, str] = {}
        self._proc_cache: dict[str, str] = {}
        self._new_proc_folded: dict[str, str] = {}
        self._reference = load_reference().by_key
        fields = data.fields
        self._procedure_columns = [f for f in schema.PROCEDURE_ATTRIBUTES if f in fields]
        self._all_reference_columns = fields >= _REFERENCE_SET
        self.not_in_reference: list[tuple[int, str]] = []  # (row, key)
        self.reference_notes: list[tuple[int, str]] = []  # (row, warning)

    def problem(
        self, row: int, message: str, field: str | None, value: object, hint: str | None
    ) -> None:
        self.problems.setdefault(row, []).append(
            Problem(
                message,
                file=self.data.file_name,
                sheet=self.data.sheet,
                row=row,
                column=self.headers.get(field) if field else None,
                value=value,
                hint=hint,
            )
        )

    def plan(self) -> _Plan:
        data = self.data
        values = data.values
        numbers = data.numbers
        keys = values.get("leika_key")
        ids = values.get("id")
        self._duplicates(numbers, keys, "leika_key", N_("LeiKa key"))
        self._duplicates(numbers, ids, "id", N_("ID"))
        names = values.get("name")
        if names is not None:
            keyless = [
                p
                for p in range(len(numbers))
                if (keys is None or keys[p] is None) and (ids is None or ids[p] is None)
            ]
            self._duplicates(
                [numbers[p] for p in keyless],
                [names[p] for p in keyless],
                "name",
                N_("name (without LeiKa key)"),
                folded=True,
            )
        positions, existing = self._match(numbers, keys, ids, names)
        if len(positions) == len(numbers):
            plan = _Plan(list(numbers), existing, dict(values), None, None)
        else:
            plan = _Plan(
                [numbers[p] for p in positions],
                existing,
                {name: [column[p] for p in positions] for name, column in values.items()},
                None,
                None,
            )
        self._fill(plan)
        plan = self._names(plan)
        plan = self._links(plan)
        self._procedures(plan)
        self._summarise_warnings()
        problems = self.problems
        if any(number in problems for number in plan.numbers):
            plan = plan.take([i for i, n in enumerate(plan.numbers) if n not in problems])
        return plan

    def _summarise_warnings(self) -> None:
        """Reference warnings, summarised: a count and the first few rows, not one per row."""
        missing = self.not_in_reference
        if missing:
            shown = ", ".join(
                _("row {row}: {key}").format(row=row, key=key)
                for row, key in missing[:WARNING_EXAMPLES]
            )
            more = " ..." if len(missing) > WARNING_EXAMPLES else ""
            self.warnings.append(
                ngettext(
                    "{count} row has a LeiKa key that is not in the reference catalogue "
                    "({rows}); the service is kept as given (local services and newer keys "
                    "exist). Check the key with 'egov reference search'.",
                    "{count} rows have a LeiKa key that is not in the reference catalogue "
                    "({rows}); the services are kept as given (local services and newer keys "
                    "exist). Check the keys with 'egov reference search'.",
                    len(missing),
                ).format(count=len(missing), rows=shown + more)
            )
        notes = self.reference_notes
        for row, note in notes[:WARNING_EXAMPLES]:
            self.warnings.append(_("row {row}: {note}").format(row=row, note=note))
        if len(notes) > WARNING_EXAMPLES:
            extra = len(notes) - WARNING_EXAMPLES
            self.warnings.append(
                "... "
                + ngettext(
                    "and {count} more such warning about values taken from the reference "
                    "catalogue.",
                    "and {count} more such warnings about values taken from the reference "
                    "catalogue.",
                    extra,
                ).format(count=extra)
            )

    def _duplicates(
        self,
        numbers: list[int],
        column: list[Any] | None,
        name: str,
        label: str,
        *,
        folded: bool = False,
    ) -> None:
        if column is None:
            return
        present = [v for v in column if v is not None]
        if folded:
            present = [fold(v) for v in present]
        if len(set(present)) == len(present):
            return  # the common case: no value twice
        seen: dict[Any, list[tuple[int, Any]]] = {}
        for number, value in zip(numbers, column, strict=True):
            if value is None:
                continue
            seen.setdefault(fold(value) if folded else value, []).append((number, value))
        for group in seen.values():
            if len(group) < 2:
                continue
            for number, value in group:
                others = [n for n, _v in group if n != number]
                self.problem(
                    number,
                    ngettext(
                        "{label} appears again in row {rows}",
                        "{label} appears again in rows {rows}",
                        len(others),
                    ).format(label=_(label), rows=", ".join(map(str, others))),
                    name,
                    value,
                    _("Each service may appear once in a file: merge the rows or delete one."),
                )

    def _match(
        self,
        numbers: list[int],
        keys: list[Any] | None,
        ids: list[Any] | None,
        names: list[Any] | None,
    ) -> tuple[list[int], list[int | None]]:
        """Positions of the rows that match (or may create) a service, and the service ids."""
        cat = self.cat
        by_key = cat.by_key
        known_ids = cat.position
        problems = self.problems
        mode = self.options.mode
        count = len(numbers)
        # The usual file: a key in every row and none twice (that would be a problem above),
        # so each row changes the service of its key or creates one.
        usual = ids is None and mode == "upsert" and not problems
        if usual and keys is not None and None not in keys:
            return list(range(count)), list(map(by_key.get, keys))
        matched: dict[int, int] = {}  # service id -> row
        positions: list[int] = []
        found: list[int | None] = []
        key_of = keys if keys is not None else [None] * count
        id_of = ids if ids is not None else [None] * count
        for position, number, key, sid in zip(range(count), numbers, key_of, id_of, strict=True):
            if number in problems:
                continue
            existing: int | None = None
            if key is not None:
                existing = by_key.get(key)
                if sid is not None and existing is not None and existing != sid:
                    self.problem(
                        number,
                        _(
                            "ID {id} does not match: LeiKa key {key} belongs to service {other}"
                        ).format(id=sid, key=key, other=existing),
                        "id",
                        sid,
                        _("Check the ID and the key; leave the ID empty to match on the key."),
                    )
                    continue
            if existing is None and sid is not None:
                if sid not in known_ids:
                    self.problem(
                        number,
                        _("no service with ID {id} in the catalogue").format(id=sid),
                        "id",
                        sid,
                        _("Leave the ID empty for new services; egov assigns IDs."),
                    )
                    continue
                existing = sid
            name = names[position] if names is not None else None
            if existing is None and key is None and sid is None and name:
                candidates = cat.keyless_by_name.get(fold(name), [])
                if len(candidates) > 1:
                    self.problem(
                        number,
                        _("several services without LeiKa key have this name (IDs {ids})").format(
                            ids=", ".join(map(str, candidates))
                        ),
                        "name",
                        name,
                        _("Add an ID column to say which one is meant."),
                    )
                    continue
                existing = candidates[0] if candidates else None
            if existing is not None:
                if existing in matched:
                    self.problem(
                        number,
                        _("service {id} is also changed by row {row}").format(
                            id=existing, row=matched[existing]
                        ),
                        "leika_key" if key else "id",
                        key or sid,
                        _("Each service may appear once in a file: merge the rows or delete one."),
                    )
                    continue
                matched[existing] = number
                if mode == "insert":
                    self.problem(
                        number,
                        _(
                            "service {id} exists already (--mode insert adds new services only)"
                        ).format(id=existing),
                        "leika_key" if key else "id",
                        key or sid,
                        _("Use --mode upsert to change existing services, or remove the row."),
                    )
                    continue
            elif mode == "update":
                self.problem(
                    number,
                    _(
                        "no such service in the catalogue (--mode update changes existing "
                        "services only)"
                    ),
                    "leika_key" if key else "name",
                    key or name,
                    _("Use --mode upsert to add new services, or check the key."),
                )
                continue
            positions.append(position)
            found.append(existing)
        return positions, found

    def _fill(self, plan: _Plan) -> None:
        """Blank and missing reference fields filled from the LeiKa key; blank cells of fields
        every service has left alone (the current value, or the default, stays).

        A blank reference cell takes the reference's value (an existing service's value too);
        a reference field the file has no column for is filled only where the catalogue has
        nothing.
        """
        values = plan.values
        keys = values.get("leika_key")
        if keys is not None:
            reference = self._reference
            numbers = plan.numbers
            missing = [i for i, key in enumerate(keys) if key is not None and key not in reference]
            self.not_in_reference.extend((numbers[i], keys[i]) for i in missing)
            known = [i for i, key in enumerate(keys) if key is not None and key in reference]
            if known and self._all_reference_columns:
                reference_columns = [values[f] for f in REFERENCE_FIELDS]
                known = [i for i in known if any(c[i] is None for c in reference_columns)]
            copied: set[str] = set()
            known_fields = self.cat.fields
            for i in known:
                row = {f: c[i] for f, c in values.items() if c[i] is not _ABSENT}
                filled, warnings = fill_from_reference(row)
                self.reference_notes.extend((numbers[i], warning) for warning in warnings)
                added = {
                    k: v for k, v in filled.items() if row.get(k) is None and v not in (None, "")
                }
                existing = plan.existing[i]
                if added and existing is not None:
                    added = {
                        k: v
                        for k, v in added.items()
                        if k in row
                        or (k in known_fields and self.cat.value(existing, k) in (None, ""))
                    }
                for k, v in added.items():
                    if k not in values:
                        values[k] = [_ABSENT] * len(numbers)
                    elif k not in copied:
                        values[k] = list(values[k])  # the file's column stays as read
                    copied.add(k)
                    values[k][i] = v
        for name in _ALWAYS_SET:
            column = values.get(name)
            if column is not None and None in column:
                values[name] = [_ABSENT if v is None else v for v in column]

    def _names(self, plan: _Plan) -> _Plan:
        """A new service needs a name."""
        names = plan.values.get("name")
        bad = [
            i
            for i, existing in enumerate(plan.existing)
            if existing is None and (names is None or names[i] is _ABSENT or not names[i])
        ]
        if not bad:
            return plan
        column = schema.BY_FIELD["name"].de
        if names is not None:
            hint = _("Fill in the column {column!r}.").format(column=column)
        elif self.data.unknown_headers:  # the names are there, most likely, under another header
            unknown = ", ".join(repr(h) for h in self.data.unknown_headers)
            hint = _(
                "The file has no column {column!r}; egov did not recognise {unknown}: map the "
                'one holding the names with --map "HEADER=name".'
            ).format(column=column, unknown=unknown)
        else:
            hint = _("Add a column {column!r} with the names.").format(column=column)
        for i in bad:
            self.problem(plan.numbers[i], _("a new service needs a name"), "name", None, hint)
        rejected = set(bad)
        return plan.take([i for i in range(len(plan.numbers)) if i not in rejected])

    def _links(self, plan: _Plan) -> _Plan:
        """Departments and online procedures by code and name (new ones are noted)."""
        values = plan.values
        codes = values.get("department")
        dept_names = values.get("department_name")
        procedures = values.get("procedure")
        details = [values[f] for f in self._procedure_columns]
        count = len(plan.numbers)
        departments: list[str | None] = [None] * count
        names: list[str | None] = [None] * count
        rejected: list[int] = []
        dept_cache = self._dept_cache
        proc_cache = self._proc_cache
        for i in range(count):
            if codes is not None and (code := codes[i]) is not None:
                known = dept_cache.get(code) or self._department(code)
                if known is None:
                    self.problem(
                        plan.numbers[i],
                        _(
                            "department code is {length} characters long; at most 32 are allowed"
                        ).format(length=len(code)),
                        "department",
                        code,
                        _("Use the department's short code, e.g. 32 or FB3."),
                    )
                    rejected.append(i)
                    continue
                if (
                    dept_names is not None
                    and dept_names[i]
                    and self.new_departments.get(known) == known
                ):
                    self.new_departments[known] = dept_names[i]
                departments[i] = known
            if procedures is not None and (name := procedures[i]) is not None:
                names[i] = proc_cache.get(name) or self._procedure(name)
            elif details and any(column[i] is not None for column in details):
                given = next(
                    f
                    for f, column in zip(self._procedure_columns, details, strict=True)
                    if column[i] is not None
                )
                self.problem(
                    plan.numbers[i],
                    _("online service details without an online service"),
                    given,
                    values[given][i],
                    _("Name the online service in the column {column!r}.").format(
                        column=schema.BY_FIELD["procedure"].de
                    ),
                )
                rejected.append(i)
        plan.departments = departments if codes is not None else None
        plan.procedures = names if procedures is not None else None
        if rejected:
            gone = set(rejected)
            plan = plan.take([i for i in range(count) if i not in gone])
        return plan

    def _department(self, code: str) -> str | None:
        """The code of the department ``code`` names (new ones are noted); None if invalid."""
        known = self._dept_cache.get(code)
        if known is not None:
            return known
        cat = self.cat
        folded = fold(code)
        if code in cat.dept_by_code:
            known = code
        else:
            known = cat.dept_folded.get(folded) or self._new_dept_folded.get(folded)
        if known is None:
            if len(code) > 32:
                return None
            self.new_departments[code] = code
            self._new_dept_folded[folded] = code
            known = code
        self._dept_cache[code] = known
        return known

    def _procedure(self, name: str) -> str:
        """The name of the procedure ``name`` names (new ones are noted)."""
        known = self._proc_cache.get(name)
        if known is not None:
            return known
        cat = self.cat
        folded = fold(name)
        if name in cat.procedures:
            known = name
        else:
            known = cat.proc_folded.get(folded) or self._new_proc_folded.get(folded)
        if known is None:
            self.new_procedures[name] = {}
            self._new_proc_folded[folded] = name
            known = name
        self._proc_cache[name] = known
        return known

    def _procedures(self, plan: _Plan) -> None:
        """Procedure attributes: rows naming one procedure must agree."""
        given: dict[str, dict[str, tuple[Any, int]]] = {}
        if plan.procedures is not None:
            columns = [
                (column, attr, plan.values[column])
                for column, attr in schema.PROCEDURE_ATTRIBUTES.items()
                if column in plan.values
            ]
            for i, procedure in enumerate(plan.procedures):
                if procedure is None:
                    continue
                attrs = given.setdefault(procedure, {})
                number = plan.numbers[i]
                for column, attr, values in columns:
                    value = values[i]
                    if value is None or value is _ABSENT:  # blank: says nothing
                        continue
                    if attr in attrs and attrs[attr][0] != value:
                        first_value, first_row = attrs[attr]
                        for row, shown in ((number, value), (first_row, first_value)):
                            other = first_row if row == number else number
                            self.problem(
                                row,
                                _(
                                    "online service {name!r}: row {row} gives another value "
                                    "for this column"
                                ).format(name=procedure, row=other),
                                column,
                                shown,
                                _(
                                    "Give the online service's details the same in every row, "
                                    "or only in one row."
                                ),
                            )
                        continue
                    attrs.setdefault(attr, (value, number))
        self.procedure_values = {
            name: {attr: value for attr, (value, _row) in attrs.items()}
            for name, attrs in given.items()
        }


def apply_import(
    session: Session,
    ctx_actor: str,
    data: ImportFile,
    options: ImportOptions | None = None,
    *,
    dry_run: bool = False,
    at: datetime | None = None,
    known: KnownCatalogue | None = None,
    consume: bool = False,
) -> ImportResult:
    """Plan and (unless ``dry_run``) write an import; see the module docstring. ``known`` is
    the catalogue as :func:`load_known` read it in this same transaction (else it is read
    here). ``consume``: the caller does not use ``data`` again, so its cells as read are let
    go once the rejected rows have theirs, and its values where the catalogue holds the same
    (less memory while writing)."""
    options = options or ImportOptions()
    at = at or utcnow()
    scale = load_scale(session)
    numbers = set(scale.numbers)
    for name in ("level", "target_level"):  # parsed against the same scale; nothing slipped by?
        column = data.values.get(name)
        if column is not None:
            for value in [v for v in column if v is not None and v not in numbers]:
                scale.check(value, name)
    cat = known if known is not None else _load(session, data.fields)
    planner = _Planner(data, cat, options)
    plan = planner.plan()
    all_problems = sorted(
        [*data.problems, *(p for ps in planner.problems.values() for p in ps)],
        key=lambda p: p.row or 0,
    )
    if all_problems and options.on_error == "abort":
        raise InputRejected(all_problems)
    rejected_rows = [
        RejectedRow(number, sorted_problems, data.raw_row(number))
        for number, sorted_problems in _by_row(all_problems).items()
    ]
    if consume:
        data.raw = None  # the file's cells as read: only the rejected rows need theirs

    # Field-level differences; unchanged services found by comparing tuples of the fields.
    values = plan.values
    compared = [name for name in SERVICE_FIELDS if name in values and name in cat.fields]
    new_positions = [i for i, e in enumerate(plan.existing) if e is None]
    old_positions = [i for i, e in enumerate(plan.existing) if e is not None]
    changed: list[tuple[int, dict[str, tuple[Any, Any]]]] = []  # (position, diff)
    unchanged = 0
    if old_positions:
        # Field by field over all matched services: old and new values side by side.
        matched = cat.places([plan.existing[i] or 0 for i in old_positions])
        everyone = len(old_positions) == len(plan.numbers)
        sides: dict[str, tuple[list[Any], list[Any]]] = {}  # field -> (old values, new values)
        for name in compared:
            column = values[name]
            sides[name] = (
                cat.column(name, matched),
                column if everyone else [column[i] for i in old_positions],
            )
        for name, links, codes, link in (
            ("department", plan.departments, cat.dept_code_of, "department_id"),
            ("procedure", plan.procedures, cat.proc_name_of, "procedure_id"),
        ):
            if links is not None:  # a blank cell clears the department / online procedure
                sides[name] = (
                    list(map(codes.get, cat.column(link, matched))),
                    links if everyone else [links[i] for i in old_positions],
                )
        # Most columns hold no change at all: one list comparison tells.
        differs: dict[str, list[bool]] = {
            name: list(map(ne, old_values, new_values))
            for name, (old_values, new_values) in sides.items()
            if old_values != new_values
        }
        differing: set[int] = set()
        for flags in differs.values():
            differing.update(compress(range(len(flags)), flags))
        candidates = sorted(differing)
        diffs: dict[int, dict[str, tuple[Any, Any]]] = {j: {} for j in candidates}
        for name in SHOWN_FIELDS:  # the order of the fields in a difference
            if name not in differs:
                continue
            old_values, new_values = sides[name]
            for j in compress(range(len(new_values)), differs[name]):
                if (new := new_values[j]) is not _ABSENT:
                    diffs[j][name] = (old_values[j], new)
        for j, diff in diffs.items():
            if diff:
                changed.append((old_positions[j], diff))
        unchanged = len(old_positions) - len(changed)
        if consume and everyone:
            # A column the file holds exactly as the catalogue does: the plan keeps the
            # catalogue's values (equal), the file's are let go (less memory while writing).
            for name in compared:
                if name not in differs:
                    values[name] = sides[name][0]
            data.values = {}
        del matched, sides, differs, diffs

    # Procedures: new ones with their details, changed details of known ones.
    procedure_changes: list[ProcedureDiff] = []
    for name, attrs in planner.procedure_values.items():
        if name in planner.new_procedures:
            planner.new_procedures[name] = attrs
            continue
        current = cat.procedures[name]
        diff = {a: (current[a], v) for a, v in attrs.items() if current[a] != v}
        if diff:
            procedure_changes.append(ProcedureDiff(name, diff))

    def column_of(name: str, positions: list[int]) -> list[Any]:
        column = values.get(name)
        if column is None:
            return [None] * len(positions)
        return [None if (v := column[i]) is _ABSENT else v for i in positions]

    changed_positions = [i for i, _diff in changed]
    result = ImportResult(
        file_name=data.file_name,
        sha256=data.sha256,
        sheet=data.sheet,
        header_row=data.header_row,
        mode=options.mode,
        dry_run=dry_run,
        import_id=None,
        rows=data.data_rows,
        created=len(new_positions),
        changed=len(changed),
        unchanged=unchanged,
        rejected=len(rejected_rows),
        new_departments=sorted(planner.new_departments),
        new_procedures=sorted(planner.new_procedures),
        changed_procedures=procedure_changes,
        new_services=[],  # the long lists: see listed()
        changes=[],
        rejected_rows=rejected_rows,
        unknown_headers=list(data.unknown_headers),
        warnings=planner.warnings,
    )

    def listed() -> ImportResult:
        """The result with its lists of the new and the changed services (long lists on a
        big import: :func:`_write` has them made while SQLite writes the last rows)."""
        return dataclasses.replace(
            result,
            new_services=[
                NewService(plan.numbers[i], key, name or "")
                for i, key, name in zip(
                    new_positions,
                    column_of("leika_key", new_positions),
                    column_of("name", new_positions),
                    strict=True,
                )
            ],
            changes=[
                ServiceDiff(
                    plan.numbers[i],
                    plan.existing[i] or 0,
                    key or cat.value(plan.existing[i] or 0, "leika_key"),
                    name or cat.value(plan.existing[i] or 0, "name"),
                    diff,
                )
                for (i, diff), key, name in zip(
                    changed,
                    column_of("leika_key", changed_positions),
                    column_of("name", changed_positions),
                    strict=True,
                )
            ],
        )

    if dry_run:
        return listed()
    return _write(
        session, ctx_actor, at, result, cat, planner, plan, new_positions, changed, listed
    )


HISTORY_COLUMNS = (
    "changed_at", "actor", "source", "import_id", "entity", "entity_id", "entity_key", "action",
    "field", "old_value", "new_value",
)  # fmt: skip
#: The columns in which the update records of an import differ.
_UPDATE_COLUMNS = ("entity_id", "entity_key", "field", "old_value", "new_value")
BATCH = 20_000
#: SQLite: rows to one INSERT statement (at most as many values as SQLite binds to one).
ROWS_PER_STATEMENT = 200
#: SQLite: rows to one INSERT ... SELECT over a VALUES list (:meth:`_Bulk.insert_with`).
ROWS_PER_VALUES = 1000
SQLITE_CACHE_KB = 32_000
#: SQLite: new services from which their table's indexes are made anew after the rows are
#: added, rather than row by row (where the table at least doubles).
BULK_INDEX_ROWS = 10_000
_POS = {name: i for i, name in enumerate(SERVICE_FIELDS)}


def _as_text(value: object) -> str | None:
    """``history.as_text``, quicker for text and whole numbers."""
    if value is None or type(value) is str:
        return value
    if type(value) is int:
        return str(value)
    return history.as_text(value)


def _as_texts(values: list[Any]) -> list[str | None]:
    """``history.as_text`` of each of ``values``; a column of whole numbers (a level, a
    count) at C speed."""
    if set(map(type, values)) == {int}:
        return list(map(str, values))
    return list(map(_as_text, values))


class _Bulk:
    """executemany straight on the driver, with the column types' own value conversions.

    The rows are tuples in a given column order; values the driver cannot take as they are
    (dates on SQLite) are converted by the column type's bind processor, as SQLAlchemy would.
    """

    def __init__(self, session: Session):
        self.connection = session.connection()
        self.dialect = self.connection.dialect
        self.marker = "?" if self.dialect.paramstyle == "qmark" else "%s"
        #: SQLite's JSON functions make the create records' snapshots (built in since 3.38).
        self.json_in_sql = _sqlite_json(self.dialect)
        self.max_variables = 999  # values bound to one statement (SQLite: asked below)
        if self.dialect.name == "sqlite":
            # A larger page cache for this transaction: index updates of 100,000 rows
            # otherwise spill pages to the WAL again and again.
            self.connection.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KB}")
            driver: Any = self.connection.connection.driver_connection
            self.max_variables = driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        self._processors: dict[tuple[str, str], Any] = {}
        self._worker: ThreadPoolExecutor | None = None
        self._later: Future[Any] | None = None

    def execute_later(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        """Run a statement that works inside the database alone (an INSERT ... SELECT: the
        driver lets go of the interpreter for all of it) on a worker thread, while the caller
        prepares the next rows. The next statement waits for it (:meth:`wait`)."""
        self.wait()
        if self._worker is None:
            self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="egov-write")
        self._later = self._worker.submit(self.connection.exec_driver_sql, sql, rows)

    def wait(self) -> None:
        """Wait for the statement handed to the worker (its error is raised here)."""
        later, self._later = self._later, None
        if later is not None:
            later.result()

    @contextmanager
    def pipelined(self) -> Iterator[None]:
        """A block whose statements may be handed to the worker (:meth:`execute_later`). At its
        end the last one is waited for and the worker stops. A failure in the block is the one
        raised (the worker's statement is still waited for), the worker's raised otherwise."""
        try:
            yield
            self.wait()
        except BaseException:
            later, self._later = self._later, None
            if later is not None:
                later.exception()  # waited for; its error no longer counts
            raise
        finally:
            if self._worker is not None:
                self._worker.shutdown()
                self._worker = None

    @contextmanager
    def without_indexes(self, table: Any, adding: int, present: int) -> Iterator[None]:
        """SQLite, adding at least as many rows as the table holds (and many): the table's
        secondary indexes dropped for the block and made anew at its end, in one sort each
        (a third quicker than adding each row's entries as it goes). The same indexes as
        before: each is made again by its own statement. Nothing of it counts until the
        transaction commits; on an error it is rolled back with the rest."""
        if self.dialect.name != "sqlite" or adding < BULK_INDEX_ROWS or adding < present:
            yield
            return
        indexes = self.connection.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL",  # not those SQLite keeps for UNIQUE and PRIMARY KEY
            (table.name,),
        ).all()
        for name, _sql in indexes:
            self.connection.exec_driver_sql(f'DROP INDEX "{name}"')
        yield
        for _name, sql in indexes:
            self.connection.exec_driver_sql(sql)

    def _processor(self, table: Any, name: str) -> Any:
        key = (table.name, name)
        if key not in self._processors:
            # The dialect's own type (e.g. SQLite's DATETIME), as SQLAlchemy would bind it.
            column_type = table.c[name].type.dialect_impl(self.dialect)
            self._processors[key] = column_type.bind_processor(self.dialect)
        return self._processors[key]

    def processor(self, table: Any, name: str) -> Any:
        return self._processor(table, name)

    def needs(self, table: Any, name: str) -> bool:
        return self._processor(table, name) is not None

    def process(self, table: Any, name: str, value: Any) -> Any:
        processor = self._processor(table, name)
        return value if processor is None or value is None else processor(value)

    def bind_column(self, table: Any, name: str, values: list[Any]) -> list[Any]:
        """A column's values as its type binds them; each distinct value (dates and flags
        repeat) converted once."""
        process = self._processor(table, name)
        distinct = set(values)
        distinct.discard(None)
        if self.dialect.name == "sqlite" and isinstance(table.c[name].type, Date):
            # SQLite stores a date as its ISO text: what the processor makes of it
            bound = {v: v.isoformat() if type(v) is date else process(v) for v in distinct}
        else:
            bound = {v: process(v) for v in distinct}
        bound[None] = None
        return list(map(bound.__getitem__, values))

    def insert(self, table: Any, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        """INSERT ``rows``: on SQLite many rows to a statement (a quarter quicker than one
        statement per row), elsewhere with executemany."""
        if not rows:
            return
        head = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES "
        row = f"({', '.join([self.marker] * len(columns))})"
        self.wait()
        if self.dialect.name != "sqlite":
            self.connection.exec_driver_sql(head + row, rows)
            return
        per = max(1, min(ROWS_PER_STATEMENT, self.max_variables // len(columns)))
        sql = head + ", ".join([row] * per)
        for start in range(0, len(rows), per):
            part = rows[start : start + per]
            if len(part) < per:
                sql = head + ", ".join([row] * len(part))
            self.connection.exec_driver_sql(sql, tuple(chain.from_iterable(part)))

    def insert_with(
        self,
        table: Any,
        shared: dict[str, Any],
        columns: tuple[str, ...],
        rows: list[tuple[Any, ...]],
    ) -> None:
        """INSERT ``rows`` (values of ``columns``), every row with the ``shared`` values too.
        On SQLite these are bound once per statement, not once per row (an INSERT ... SELECT
        over a VALUES list, whose rows SQLite inserts in their order): a sixth quicker for
        history records, which share half their columns."""
        if not rows:
            return
        if self.dialect.name != "sqlite":
            constants = tuple(shared.values())
            self.insert(table, (*shared, *columns), [(*constants, *row) for row in rows])
            return
        head = (
            f"INSERT INTO {table.name} ({', '.join((*shared, *columns))}) "
            f"SELECT {', '.join(['?'] * len(shared))}, "
            f"{', '.join(f'column{n}' for n in range(1, len(columns) + 1))} FROM (VALUES "
        )
        row = f"({', '.join(['?'] * len(columns))})"
        per = max(1, min(ROWS_PER_VALUES, (self.max_variables - len(shared)) // len(columns)))
        constants = tuple(shared.values())
        self.wait()
        for start in range(0, len(rows), per):
            part = rows[start : start + per]
            sql = head + ", ".join([row] * len(part)) + ")"
            self.connection.exec_driver_sql(sql, constants + tuple(chain.from_iterable(part)))

    def insert_columns(self, table: Any, columns: dict[str, list[Any]]) -> None:
        """INSERT rows given column by column (one of them always set, such as the id). A
        column without a value in any row is left out, NULL all the same: the driver binds a
        None slowly (it looks for an adapter for each one)."""
        filled = {
            name: values
            for name, values in columns.items()
            if any(value is not None for value in values)  # stops at the first value
        }
        self.insert(table, tuple(filled), list(zip(*filled.values(), strict=True)))

    def update_sql(self, table: Any, columns: tuple[str, ...]) -> str:
        sets = ", ".join(f"{c} = {self.marker}" for c in columns)
        return f"UPDATE {table.name} SET {sets} WHERE id = {self.marker}"

    def execute(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            self.wait()
            self.connection.exec_driver_sql(sql, rows)


def _new_columns(plan: _Plan, batch: list[int], start: int | None) -> dict[str, list[Any]]:
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
        if _ABSENT in part or (default is not None and None in part):
            part = [default if v is None or v is _ABSENT else v for v in part]
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
    column by column. A create record has no field and no old value: those are left out."""
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
    created["new_value"] = snapshots(cols, count)
    return created


def _snapshot_fields(cols: dict[str, list[Any]]) -> tuple[tuple[str, ...], bool]:
    """The fields of a batch of new services (columns as :func:`_new_columns` gives them) that
    hold a value in some row, in snapshot order, and whether any of them is blank in some row
    (those snapshots leave the field out)."""
    filled: list[str] = []
    gaps = False
    for name in sorted(cols):
        values = cols[name]
        blank = values.count(None) + values.count("")
        if blank < len(values):
            filled.append(name)
            gaps = gaps or blank > 0
    return tuple(filled), gaps


def _create_records_sql(table: Any, fields: tuple[str, ...], gaps: bool) -> str:
    """SQLite: an INSERT of the create records of the services whose ids lie in a range (bound
    after the record's changed_at, actor, source, import_id and entity), each with its snapshot
    made by SQLite from the row as stored: ``json_object`` over ``fields`` (the fields with a
    value in some row of the range, in sorted order) gives the text of ``history.snapshot``.
    Where some of them are blank in some row (``gaps``), ``json_patch`` drops those (a third of
    the statement's time, so it is left out where no field has a gap)."""
    items = []
    for name in fields:
        if name == "department":
            value = "d.code"
        elif name == "procedure":
            value = "p.name"
        elif isinstance(table.c[name].type, Boolean):
            value = f"CASE s.{name} WHEN 1 THEN 'true' WHEN 0 THEN 'false' END"
        elif isinstance(table.c[name].type, Integer):
            value = f"CAST(s.{name} AS TEXT)"
        else:  # text, and dates (stored as ISO text)
            value = f"s.{name}"
        items.append(f"'{name}', NULLIF({value}, '')" if gaps else f"'{name}', {value}")
    snapshot = f"json_object({', '.join(items)})"
    if gaps:
        snapshot = f"json_patch('{{}}', {snapshot})"
    return (
        f"INSERT INTO {ChangeRecord.__tablename__} ({', '.join(HISTORY_COLUMNS[:5])}, "
        "entity_id, entity_key, action, new_value) "
        "SELECT ?, ?, ?, ?, ?, s.id, COALESCE(NULLIF(s.leika_key, ''), '#' || s.id), 'create', "
        f"{snapshot} "
        f"FROM {table.name} AS s "
        f"LEFT JOIN {Department.__tablename__} AS d ON d.id = s.department_id "
        f"LEFT JOIN {Procedure.__tablename__} AS p ON p.id = s.procedure_id "
        "WHERE s.id BETWEEN ? AND ? ORDER BY s.id"
    )


def _by_row(problems: list[Problem]) -> dict[int, list[Problem]]:
    rows: dict[int, list[Problem]] = {}
    for problem in problems:
        rows.setdefault(problem.row or 0, []).append(problem)
    return rows


def _write(
    session: Session,
    actor: str,
    at: datetime,
    result: ImportResult,
    cat: KnownCatalogue,
    planner: _Planner,
    plan: _Plan,
    new_positions: list[int],
    changed: list[tuple[int, dict[str, tuple[Any, Any]]]],
    listed: Callable[[], ImportResult],
) -> ImportResult:
    """Write the planned import; ``listed`` completes ``result`` (its long lists), called while
    the worker writes the last new services' records, else after the writing."""
    complete: ImportResult | None = None
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
    records: list[dict[str, Any]] = []

    # Departments and procedures first (few rows): services refer to them.
    dept_ids = dict(cat.dept_by_code)
    for code, name in planner.new_departments.items():
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
    proc_ids = {name: p["id"] for name, p in cat.procedures.items()}
    for name, attrs in planner.new_procedures.items():
        proc = Procedure(name=name, **attrs, created_at=at, updated_at=at)
        session.add(proc)
        session.flush()
        assert proc.id is not None
        proc_ids[name] = proc.id
        snapshot = {k: getattr(proc, k) for k in ("name", *schema.PROCEDURE_ATTRIBUTES.values())}
        records.append(history.created(ctx, "procedure", proc.id, name, snapshot))
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

    table = Service.__table__  # type: ignore[attr-defined]
    bulk = _Bulk(session)
    at_db = bulk.process(table, "created_at", at)
    history_table = ChangeRecord.__table__  # type: ignore[attr-defined]
    count = history.insert_records(session, records)  # departments and procedures: few
    head = (bulk.process(history_table, "changed_at", at), actor, "import", run.id, "service")

    # New services: ids allocated here so that history can name them without a round trip.
    if new_positions:
        postgres = bulk.dialect.name == "postgresql"
        if postgres:
            session.execute(text("LOCK TABLE service IN SHARE ROW EXCLUSIVE MODE"))
        next_id = (session.execute(select(func.max(table.c.id))).scalar() or 0) + 1
        converted = [n for n in SERVICE_FIELDS if bulk.needs(table, n)]
        everyone = len(new_positions) == len(plan.numbers)
        with bulk.without_indexes(table, len(new_positions), len(cat.position)), bulk.pipelined():
            for start in range(0, len(new_positions), BATCH):
                batch = new_positions[start : start + BATCH]
                count_here = len(batch)
                cols = _new_columns(plan, batch, start if everyone else None)
                ids = list(range(next_id + start, next_id + start + count_here))
                # SQLite makes the create records from the stored rows (the statement, made
                # for the fields this batch fills, runs later); elsewhere they are made here.
                records_sql = (
                    _create_records_sql(table, *_snapshot_fields(cols)) if bulk.json_in_sql else ""
                )
                created = None if records_sql else _created_records(head, ids, cols)
                texts = search_texts(cols, count_here)
                for name in converted:
                    cols[name] = bulk.bind_column(table, name, cols[name])
                dept_column = cols["department"]
                proc_column = cols["procedure"]
                bulk.insert_columns(
                    table,
                    {
                        **{name: cols[name] for name in SERVICE_FIELDS},
                        "id": ids,
                        "department_id": [dept_ids[c] if c else None for c in dept_column]
                        if any(dept_column)
                        else dept_column,
                        "procedure_id": [proc_ids[n] if n else None for n in proc_column]
                        if any(proc_column)
                        else proc_column,
                        "search_text": texts,
                        "created_at": [at_db] * count_here,
                        "updated_at": [at_db] * count_here,
                    },
                )
                del cols
                if created is not None:
                    bulk.insert_columns(history_table, created)
                else:  # SQLite works on these records while the next batch is prepared
                    bulk.execute_later(records_sql, [(*head, ids[0], ids[-1])])
                count += count_here
                del created
            complete = listed()  # while SQLite makes the last records
        if postgres:
            session.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence('service', 'id'), "
                    "(SELECT MAX(id) FROM service))"
                )
            )

    if changed:
        # The columns every update record of this import shares, and their values.
        update_head = dict(
            zip((*HISTORY_COLUMNS[: len(head)], "action"), (*head, "update"), strict=True)
        )
        # One UPDATE per set of changed fields: only those columns (and their indexes) written.
        groups: dict[tuple[str, ...], list[tuple[int, dict[str, tuple[Any, Any]]]]] = {}
        for item in changed:
            groups.setdefault(tuple(item[1]), []).append(item)
        for names, members in groups.items():
            targets = tuple(
                "department_id" if n == "department" else "procedure_id" if n == "procedure" else n
                for n in names
            )
            searched = [n for n in names if n in _SEARCH_FIELDS]
            # The search text is written again only where a field it is made of changes.
            sql = bulk.update_sql(
                table, (*targets, *(["search_text"] if searched else []), "updated_at")
            )
            processors = [
                bulk.processor(table, target) if target in SERVICE_FIELDS else None
                for target in targets
            ]
            for start in range(0, len(members), BATCH):
                part = members[start : start + BATCH]
                sids = [plan.existing[i] or 0 for i, _diff in part]
                places = cat.places(sids)
                keys: list[Any]
                new_texts: list[str] | None = None
                if searched:  # the search fields as they will be, column by column
                    search = {
                        name: [diff[name][1] for _i, diff in part]
                        if name in searched
                        else cat.column(name, places)
                        for name in _SEARCH_FIELDS
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
                                _as_texts([old for old, _new in pairs]), _as_texts(news),
                            )
                        )
                    )  # fmt: skip
                    if name in ("department", "procedure"):
                        ids_of = dept_ids if name == "department" else proc_ids
                        news = [None if v is None else ids_of[v] for v in news]
                    elif process is not None:
                        news = [None if v is None else process(v) for v in news]
                    bound.append(news)
                if new_texts is not None:
                    bound.append(new_texts)
                params = list(zip(*bound, repeat(at_db), sids))
                # Each service's records together, its fields in the order of the difference.
                history_rows = list(chain.from_iterable(zip(*records_of_field, strict=True)))
                bulk.execute(sql, params)
                bulk.insert_with(history_table, update_head, _UPDATE_COLUMNS, history_rows)
                count += len(history_rows)
    session.flush()
    if complete is None:
        complete = listed()
    return dataclasses.replace(complete, import_id=run.id, history_records=count)
