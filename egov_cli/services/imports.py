"""Applying a read spreadsheet to the catalogue: plan, check, then write in bulk.

:func:`apply_import` compares every valid row with the catalogue (matched on the LeiKa key, else
on the ID column, else, for services without a key, on the name), plans new / changed /
unchanged / rejected services with field-level differences, creates unknown departments and
online procedures, and writes everything with executemany (services and history), recorded as
one :class:`~egov_cli.models.ImportRun` that is the source of every change record.

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
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text, update
from sqlmodel import Session

from egov_cli import history, schema
from egov_cli.errors import InputRejected, Problem, ValidationError
from egov_cli.history import ChangeContext
from egov_cli.importers.types import ImportFile, ParsedRow
from egov_cli.models import ChangeRecord, Department, ImportRun, Procedure, Service, utcnow
from egov_cli.services.reference import fill_from_reference, load_reference
from egov_cli.services.scale import load_scale
from egov_cli.text import fold

MODES = ("upsert", "insert", "update")
ON_ERROR = ("abort", "skip")

#: Service fields an import sets (department and procedure are given by code and name).
SERVICE_FIELDS = (
    "leika_key", "name", "citizen_name", "leika_type", "ozg_id", "ozg_name", "topic",
    "life_event", "addressee", "level", "status", "online_url", "bayernportal_url", "go_live",
    "target_level", "target_date", "sdg_annex2", "cases_per_year", "notes",
)  # fmt: skip
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
                f"--mode {self.mode!r} is not known.", f"Use one of: {', '.join(MODES)}."
            )
        if self.on_error not in ON_ERROR:
            raise ValidationError(
                f"--on-error {self.on_error!r} is not known.",
                f"Use one of: {', '.join(ON_ERROR)}.",
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


@dataclass
class _Planned:
    row: ParsedRow
    values: dict[str, Any]
    existing_id: int | None = None
    department_code: str | None = None
    procedure_name: str | None = None


@dataclass
class _Catalogue:
    """What the plan needs from the catalogue, loaded in a few queries."""

    columns: tuple[str, ...]
    services: dict[int, tuple[Any, ...]]
    by_key: dict[str, int]
    keyless_by_name: dict[str, list[int]]
    dept_by_code: dict[str, int]
    dept_code_of: dict[int, str]
    dept_folded: dict[str, str]
    procedures: dict[str, dict[str, Any]]
    proc_name_of: dict[int, str]
    proc_folded: dict[str, str]
    index: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.index = {name: i for i, name in enumerate(self.columns)}


def _load(session: Session) -> _Catalogue:
    table = Service.__table__  # type: ignore[attr-defined]
    columns = ("id", "department_id", "procedure_id", *SERVICE_FIELDS)
    rows = session.execute(select(*(table.c[c] for c in columns))).all()
    services: dict[int, tuple[Any, ...]] = {}
    by_key: dict[str, int] = {}
    keyless: dict[str, list[int]] = {}
    for row in rows:
        services[row[0]] = tuple(row)
        if row[3] is not None:
            by_key[row[3]] = row[0]
        else:
            keyless.setdefault(fold(row[4] or ""), []).append(row[0])
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
    return _Catalogue(
        columns=columns,
        services=services,
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


def search_texts(columns: dict[str, list[Any]], count: int) -> list[str]:
    """``fast_search_text`` of ``count`` rows given as columns (field -> values)."""
    folded = [
        [_search_fold(v) if v else None for v in columns[name]]
        for name in _SEARCH_FIELDS
        if name in columns
    ]
    if not folded:
        return [""] * count
    return [" | ".join([p for p in parts if p is not None]) for parts in zip(*folded, strict=True)]


_encode_text = json.encoder.encode_basestring  # what json.dumps(ensure_ascii=False) uses


def snapshots(columns: dict[str, list[Any]], count: int) -> list[str]:
    """``history.snapshot`` (the same JSON text) of ``count`` rows given as columns."""
    fragments: list[list[str | None]] = []
    for name in sorted(columns):
        values = columns[name]
        if values.count(None) == len(values):
            continue  # an empty column adds nothing
        head = _encode_text(name) + ": "
        kinds = set(map(type, values)) - {type(None)}
        if kinds == {str}:
            column = [head + _encode_text(v) if v else None for v in values]
        elif kinds == {int}:
            column = [None if v is None else f'{head}"{v}"' for v in values]
        elif kinds == {bool}:
            yes, no = head + '"true"', head + '"false"'
            column = [None if v is None else (yes if v else no) for v in values]
        else:
            column = [
                None if v is None or v == "" else head + _encode_text(str(history.as_text(v)))
                for v in values
            ]
        fragments.append(column)
    if not fragments:
        return ["{}"] * count
    return [
        "{" + ", ".join([f for f in parts if f is not None]) + "}"
        for parts in zip(*fragments, strict=True)
    ]


class _Planner:
    def __init__(self, data: ImportFile, cat: _Catalogue, options: ImportOptions):
        self.data = data
        self.cat = cat
        self.options = options
        self.problems: dict[int, list[Problem]] = {}
        self.warnings: list[str] = list(data.warnings)
        self.new_departments: dict[str, str] = {}  # code -> name
        self.new_procedures: dict[str, dict[str, Any]] = {}  # name -> attributes
        self.headers = {c.field: c.header for c in data.columns}
        self._dept_cache: dict[str, str] = {}
        self._new_dept_folded: dict[str, str] = {}
        self._proc_cache: dict[str, str] = {}
        self._new_proc_folded: dict[str, str] = {}
        self._reference = load_reference().by_key
        fields = data.fields
        self._procedure_columns = [f for f in schema.PROCEDURE_ATTRIBUTES if f in fields]
        self._always_columns = [f for f in _ALWAYS_SET if f in fields]
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

    def plan(self) -> list[_Planned]:
        rows = self.data.rows
        self._duplicates(rows, "leika_key", "LeiKa key")
        self._duplicates(rows, "id", "ID")
        keyless = [
            r for r in rows if r.values.get("leika_key") is None and r.values.get("id") is None
        ]
        self._duplicates(keyless, "name", "name (without LeiKa key)", folded=True)
        planned: list[_Planned] = []
        matched: dict[int, int] = {}  # service id -> row
        for row in rows:
            if row.row in self.problems:
                continue
            item = self._plan_row(row, matched)
            if item is not None:
                planned.append(item)
        planned = self._procedures(planned)
        self._summarise_warnings()
        return [p for p in planned if p.row.row not in self.problems]

    def _summarise_warnings(self) -> None:
        """Reference warnings, summarised: a count and the first few rows, not one per row."""
        missing = self.not_in_reference
        if missing:
            shown = ", ".join(f"row {row}: {key}" for row, key in missing[:WARNING_EXAMPLES])
            more = " ..." if len(missing) > WARNING_EXAMPLES else ""
            self.warnings.append(
                f"{len(missing)} row{'s have' if len(missing) > 1 else ' has'} a LeiKa key that "
                f"is not in the reference catalogue ({shown}{more}); the services are kept as "
                "given (local services and newer keys exist). Check the keys with "
                "'egov reference search'."
            )
        notes = self.reference_notes
        for row, note in notes[:WARNING_EXAMPLES]:
            self.warnings.append(f"row {row}: {note}")
        if len(notes) > WARNING_EXAMPLES:
            self.warnings.append(
                f"... and {len(notes) - WARNING_EXAMPLES} more such warnings about values "
                "taken from the reference catalogue."
            )

    def _duplicates(
        self, rows: Iterable[ParsedRow], name: str, label: str, *, folded: bool = False
    ) -> None:
        seen: dict[Any, list[tuple[int, Any]]] = {}
        for row in rows:
            value = row.values.get(name)
            if value is None:
                continue
            seen.setdefault(fold(value) if folded else value, []).append((row.row, value))
        for group in seen.values():
            if len(group) < 2:
                continue
            for number, value in group:
                others = [n for n, _v in group if n != number]
                self.problem(
                    number,
                    f"{label} appears again in row{'s' if len(others) > 1 else ''} "
                    + ", ".join(map(str, others)),
                    name,
                    value,
                    "Each service may appear once in a file: merge the rows or delete one.",
                )

    def _plan_row(self, row: ParsedRow, matched: dict[int, int]) -> _Planned | None:
        cat = self.cat
        values = row.values
        key = values.get("leika_key")
        sid = values.get("id")
        existing: int | None = None
        if key is not None:
            existing = cat.by_key.get(key)
            if sid is not None and existing is not None and existing != sid:
                self.problem(
                    row.row,
                    f"ID {sid} does not match: LeiKa key {key} belongs to service {existing}",
                    "id",
                    sid,
                    "Check the ID and the key; leave the ID empty to match on the key.",
                )
                return None
        if existing is None and sid is not None:
            if sid not in cat.services:
                self.problem(
                    row.row,
                    f"no service with ID {sid} in the catalogue",
                    "id",
                    sid,
                    "Leave the ID empty for new services; egov assigns IDs.",
                )
                return None
            existing = sid
        if existing is None and key is None and sid is None and values.get("name"):
            candidates = cat.keyless_by_name.get(fold(values["name"]), [])
            if len(candidates) > 1:
                self.problem(
                    row.row,
                    "several services without LeiKa key have this name "
                    f"(IDs {', '.join(map(str, candidates))})",
                    "name",
                    values["name"],
                    "Add an ID column to say which one is meant.",
                )
                return None
            existing = candidates[0] if candidates else None
        if existing is not None:
            if existing in matched:
                self.problem(
                    row.row,
                    f"service {existing} is also changed by row {matched[existing]}",
                    "leika_key" if key else "id",
                    key or sid,
                    "Each service may appear once in a file: merge the rows or delete one.",
                )
                return None
            matched[existing] = row.row
            if self.options.mode == "insert":
                self.problem(
                    row.row,
                    f"service {existing} exists already (--mode insert adds new services only)",
                    "leika_key" if key else "id",
                    key or sid,
                    "Use --mode upsert to change existing services, or remove the row.",
                )
                return None
        elif self.options.mode == "update":
            self.problem(
                row.row,
                "no such service in the catalogue (--mode update changes existing services only)",
                "leika_key" if key else "name",
                key or values.get("name"),
                "Use --mode upsert to add new services, or check the key.",
            )
            return None
        values = self._fill(row, values, existing)
        if existing is None and not values.get("name"):
            self.problem(
                row.row,
                "a new service needs a name",
                "name",
                None,
                f"Fill in the column {schema.BY_FIELD['name'].de!r}.",
            )
            return None
        item = _Planned(row, values, existing)
        if not self._links(item):
            return None
        return item

    def _fill(self, row: ParsedRow, values: dict[str, Any], existing: int | None) -> dict[str, Any]:
        """Blank and missing reference fields filled from the LeiKa key; blank cells of fields
        every service has left out (the current value, or the default, stays).

        A blank reference cell takes the reference's value (an existing service's value too);
        a reference field the file has no column for is filled only where the catalogue has
        nothing.
        """
        key = values.get("leika_key")
        if key is not None:
            if key not in self._reference:
                self.not_in_reference.append((row.row, key))
            elif not self._all_reference_columns or any(values[f] is None for f in _REFERENCE_SET):
                filled, warnings = fill_from_reference(values)
                self.reference_notes.extend((row.row, warning) for warning in warnings)
                added = {
                    k: v for k, v in filled.items() if values.get(k) is None and v not in (None, "")
                }
                if added and existing is not None:
                    old = self.cat.services[existing]
                    index = self.cat.index
                    added = {
                        k: v
                        for k, v in added.items()
                        if k in values or (k in index and old[index[k]] in (None, ""))
                    }
                if added:
                    values = {**values, **added}
        if self._always_columns and any(values.get(f, 0) is None for f in self._always_columns):
            values = {k: v for k, v in values.items() if v is not None or k not in _ALWAYS_SET}
        return values

    def _links(self, item: _Planned) -> bool:
        values = item.values
        code = values.get("department")
        if code is not None:
            known = self._department(code)
            if known is None:
                self.problem(
                    item.row.row,
                    f"department code is {len(code)} characters long; at most 32 are allowed",
                    "department",
                    code,
                    "Use the department's short code, e.g. 32 or FB3.",
                )
                return False
            if values.get("department_name") and self.new_departments.get(known) == known:
                self.new_departments[known] = values["department_name"]
            item.department_code = known
        name = values.get("procedure")
        if name is not None:
            item.procedure_name = self._procedure(name)
        elif self._procedure_columns and any(
            values.get(f) is not None for f in self._procedure_columns
        ):
            given = next(f for f in self._procedure_columns if values.get(f) is not None)
            self.problem(
                item.row.row,
                "online procedure details without an online procedure",
                given,
                values[given],
                f"Name the online procedure in the column {schema.BY_FIELD['procedure'].de!r}.",
            )
            return False
        return True

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

    def _procedures(self, planned: list[_Planned]) -> list[_Planned]:
        """Procedure attributes: rows naming one procedure must agree."""
        given: dict[str, dict[str, tuple[Any, int]]] = {}
        for item in planned:
            if item.procedure_name is None:
                continue
            attrs = given.setdefault(item.procedure_name, {})
            for column, attr in schema.PROCEDURE_ATTRIBUTES.items():
                value = item.values.get(column)
                if value is None:  # blank or no column: says nothing about the procedure
                    continue
                if attr in attrs and attrs[attr][0] != value:
                    first_value, first_row = attrs[attr]
                    for row, shown in ((item.row.row, value), (first_row, first_value)):
                        other = first_row if row == item.row.row else item.row.row
                        self.problem(
                            row,
                            f"online procedure {item.procedure_name!r}: row {other} gives "
                            f"another value for this column",
                            column,
                            shown,
                            "Give the online procedure's details the same in every row, "
                            "or only in one row.",
                        )
                    continue
                attrs.setdefault(attr, (value, item.row.row))
        self.procedure_values = {
            name: {attr: value for attr, (value, _row) in attrs.items()}
            for name, attrs in given.items()
        }
        return planned


def apply_import(
    session: Session,
    ctx_actor: str,
    data: ImportFile,
    options: ImportOptions | None = None,
    *,
    dry_run: bool = False,
    at: datetime | None = None,
) -> ImportResult:
    """Plan and (unless ``dry_run``) write an import; see the module docstring."""
    options = options or ImportOptions()
    at = at or utcnow()
    scale = load_scale(session)
    numbers = set(scale.numbers)
    for name in ("level", "target_level"):  # parsed against the same scale; nothing slipped by?
        if name in data.fields:
            for row in data.rows:
                value = row.values.get(name)
                if value is not None and value not in numbers:
                    scale.check(value, name)
    cat = _load(session)
    planner = _Planner(data, cat, options)
    planned = planner.plan()
    all_problems = sorted(
        [*data.problems, *(p for ps in planner.problems.values() for p in ps)],
        key=lambda p: p.row or 0,
    )
    if all_problems and options.on_error == "abort":
        raise InputRejected(all_problems)

    # Field-level differences.
    idx = cat.index
    new_items: list[_Planned] = []
    changed: list[tuple[_Planned, dict[str, tuple[Any, Any]], dict[str, Any]]] = []
    unchanged = 0
    for item in planned:
        if item.existing_id is None:
            new_items.append(item)
            continue
        old = cat.services[item.existing_id]
        changes: dict[str, tuple[Any, Any]] = {}
        columns: dict[str, Any] = {}
        for name, value in item.values.items():
            if name in idx and name != "id" and old[idx[name]] != value:
                changes[name] = (old[idx[name]], value)
                columns[name] = value
        if "department" in item.values:  # a blank cell clears the department
            old_code = cat.dept_code_of.get(old[idx["department_id"]])
            if old_code != item.department_code:
                changes["department"] = (old_code, item.department_code)
                columns["department"] = item.department_code
        if "procedure" in item.values:  # a blank cell clears the online procedure
            old_name = cat.proc_name_of.get(old[idx["procedure_id"]])
            if old_name != item.procedure_name:
                changes["procedure"] = (old_name, item.procedure_name)
                columns["procedure"] = item.procedure_name
        if changes:
            ordered = {k: changes[k] for k in SHOWN_FIELDS if k in changes}
            changed.append((item, ordered, columns))
        else:
            unchanged += 1

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

    rejected_rows = [
        RejectedRow(number, sorted_problems, data.rejected_raw.get(number) or _raw_of(data, number))
        for number, sorted_problems in _by_row(all_problems).items()
    ]
    result = ImportResult(
        file_name=data.file_name,
        sha256=data.sha256,
        sheet=data.sheet,
        header_row=data.header_row,
        mode=options.mode,
        dry_run=dry_run,
        import_id=None,
        rows=data.data_rows,
        created=len(new_items),
        changed=len(changed),
        unchanged=unchanged,
        rejected=len(rejected_rows),
        new_departments=sorted(planner.new_departments),
        new_procedures=sorted(planner.new_procedures),
        changed_procedures=procedure_changes,
        new_services=[
            NewService(i.row.row, i.values.get("leika_key"), i.values.get("name") or "")
            for i in new_items
        ],
        changes=[
            ServiceDiff(
                item.row.row,
                item.existing_id or 0,
                cat.services[item.existing_id or 0][idx["leika_key"]]
                if item.values.get("leika_key") is None
                else item.values["leika_key"],
                item.values.get("name") or cat.services[item.existing_id or 0][idx["name"]],
                diff,
            )
            for item, diff, _cols in changed
        ],
        rejected_rows=rejected_rows,
        unknown_headers=list(data.unknown_headers),
        warnings=planner.warnings,
    )
    if dry_run:
        return result
    return _write(session, ctx_actor, at, result, cat, planner, new_items, changed)


HISTORY_COLUMNS = (
    "changed_at", "actor", "source", "import_id", "entity", "entity_id", "entity_key", "action",
    "field", "old_value", "new_value",
)  # fmt: skip
BATCH = 20_000
SQLITE_CACHE_KB = 64_000
_POS = {name: i for i, name in enumerate(SERVICE_FIELDS)}


def _as_text(value: object) -> str | None:
    """``history.as_text``, quicker for text."""
    if value is None or type(value) is str:
        return value
    return history.as_text(value)


class _Bulk:
    """executemany straight on the driver, with the column types' own value conversions.

    The rows are tuples in a given column order; values the driver cannot take as they are
    (dates on SQLite) are converted by the column type's bind processor, as SQLAlchemy would.
    """

    def __init__(self, session: Session):
        self.connection = session.connection()
        self.dialect = self.connection.dialect
        self.marker = "?" if self.dialect.paramstyle == "qmark" else "%s"
        if self.dialect.name == "sqlite":
            # A larger page cache for this transaction: index updates of 100,000 rows
            # otherwise spill pages to the WAL again and again.
            self.connection.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KB}")
        self._processors: dict[tuple[str, str], Any] = {}

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

    def insert(self, table: Any, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        if rows:
            sql = (
                f"INSERT INTO {table.name} ({', '.join(columns)}) "
                f"VALUES ({', '.join([self.marker] * len(columns))})"
            )
            self.connection.exec_driver_sql(sql, rows)

    def update_sql(self, table: Any, columns: tuple[str, ...]) -> str:
        sets = ", ".join(f"{c} = {self.marker}" for c in columns)
        return f"UPDATE {table.name} SET {sets} WHERE id = {self.marker}"

    def execute(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            self.connection.exec_driver_sql(sql, rows)


def _by_row(problems: list[Problem]) -> dict[int, list[Problem]]:
    rows: dict[int, list[Problem]] = {}
    for problem in problems:
        rows.setdefault(problem.row or 0, []).append(problem)
    return rows


def _raw_of(data: ImportFile, number: int) -> list[Any]:
    for row in data.rows:
        if row.row == number:
            return row.raw
    return []


def _write(
    session: Session,
    actor: str,
    at: datetime,
    result: ImportResult,
    cat: _Catalogue,
    planner: _Planner,
    new_items: list[_Planned],
    changed: list[tuple[_Planned, dict[str, tuple[Any, Any]], dict[str, Any]]],
) -> ImportResult:
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
    idx = cat.index
    bulk = _Bulk(session)
    at_db = bulk.process(table, "created_at", at)
    history_table = ChangeRecord.__table__  # type: ignore[attr-defined]
    count = history.insert_records(session, records)  # departments and procedures: few
    head = (bulk.process(history_table, "changed_at", at), actor, "import", run.id, "service")

    # New services: ids allocated here so that history can name them without a round trip.
    if new_items:
        postgres = bulk.dialect.name == "postgresql"
        if postgres:
            session.execute(text("LOCK TABLE service IN SHARE ROW EXCLUSIVE MODE"))
        next_id = (session.execute(select(func.max(table.c.id))).scalar() or 0) + 1
        columns = (*SERVICE_FIELDS, "id", "department_id", "procedure_id", "search_text",
                   "created_at", "updated_at")  # fmt: skip
        converted = [n for n in SERVICE_FIELDS if bulk.needs(table, n)]
        for start in range(0, len(new_items), BATCH):
            batch = new_items[start : start + BATCH]
            count_here = len(batch)
            # Column by column: each field's values of the batch in one list.
            cols: dict[str, list[Any]] = {}
            for name in SERVICE_FIELDS:
                values = [item.values.get(name) for item in batch]
                default = NEW_DEFAULTS.get(name)
                if default is not None:
                    values = [default if v is None else v for v in values]
                cols[name] = values
            cols["department"] = [item.department_code for item in batch]
            cols["procedure"] = [item.procedure_name for item in batch]
            ids = list(range(next_id + start, next_id + start + count_here))
            history_rows: list[tuple[Any, ...]] = [
                (*head, sid, key or f"#{sid}", "create", None, None, snapshot)
                for sid, key, snapshot in zip(
                    ids, cols["leika_key"], snapshots(cols, count_here), strict=True
                )
            ]
            texts = search_texts(cols, count_here)
            for name in converted:
                process = bulk.processor(table, name)
                cols[name] = [None if v is None else process(v) for v in cols[name]]
            service_rows = list(
                zip(
                    *(cols[name] for name in SERVICE_FIELDS),
                    ids,
                    [dept_ids[c] if c else None for c in cols["department"]],
                    [proc_ids[n] if n else None for n in cols["procedure"]],
                    texts,
                    [at_db] * count_here,
                    [at_db] * count_here,
                    strict=True,
                )
            )
            del cols
            bulk.insert(table, columns, service_rows)
            bulk.insert(history_table, HISTORY_COLUMNS, history_rows)
            count += len(history_rows)
        if postgres:
            session.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence('service', 'id'), "
                    "(SELECT MAX(id) FROM service))"
                )
            )

    if changed:
        names = (*SERVICE_FIELDS, "department_id", "procedure_id", "search_text", "updated_at")
        sql = bulk.update_sql(table, names)
        converted = [n for n in names[:-1] if bulk.needs(table, n)]
        for start in range(0, len(changed), BATCH):
            params: list[tuple[Any, ...]] = []
            history_rows = []
            for item, diff, columns_changed in changed[start : start + BATCH]:
                sid = item.existing_id
                assert sid is not None
                old = cat.services[sid]
                new = {name: old[idx[name]] for name in (*SERVICE_FIELDS, "department_id")}
                new["procedure_id"] = old[idx["procedure_id"]]
                for name, value in columns_changed.items():
                    if name == "department":
                        new["department_id"] = None if value is None else dept_ids[value]
                    elif name == "procedure":
                        new["procedure_id"] = None if value is None else proc_ids[value]
                    else:
                        new[name] = value
                new["search_text"] = fast_search_text(new)
                key = new["leika_key"] or f"#{sid}"
                for name, (old_value, new_value) in diff.items():
                    history_rows.append(
                        (*head, sid, key, "update", name, _as_text(old_value), _as_text(new_value))
                    )
                for name in converted:
                    new[name] = bulk.process(table, name, new[name])
                params.append((*(new[n] for n in names[:-1]), at_db, sid))
            bulk.execute(sql, params)
            bulk.insert(history_table, HISTORY_COLUMNS, history_rows)
            count += len(history_rows)
    session.flush()
    return dataclasses.replace(result, import_id=run.id, history_records=count)
