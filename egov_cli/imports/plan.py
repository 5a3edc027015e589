"""The rules of an import: which row becomes which service, with which values.

:class:`Planner` takes the rows of a read file (``reading.ImportFile``) and the catalogue
(``known.KnownCatalogue``) and plans, column by column, every valid row: the service it
changes (matched on the LeiKa key, else on the ID column, else, for services without a key, on
the name) or that it adds, its values, its department and online procedure (unknown ones are
noted as new), and every problem, by row. Nothing here reads or writes the database.

Keys from names: a row without key and ID whose name is the name of exactly one entry of the
reference catalogue (case and umlaut spelling aside) gets its key, reported; similar names are
suggested (for the first rows), never applied. A key found by name fills no other field from the
reference: the officer checks it first (the next import with the key fills them).

Skipped rows: a total or summary row (no key, no ID, a name such as Summe, Gesamt, Anzahl) and
a row that repeats an earlier row exactly are skipped, each with a note.

Duplicates: a LeiKa key, an ID, or (without key and ID) a name that appears in two rows
rejects both rows; so does a service that two rows match. Modes: ``insert`` rejects rows of
existing services, ``update`` rows of unknown ones.

Blank cells: a blank cell in a column the file has clears that field of an existing service (a
department that empties a cell means it); a column the file does not have leaves the field
alone. Exceptions: the reference fields (name, LeiKa type, OZG id and name, Themenfeld,
Lebenslage, SDG Annex II) left blank are filled from the federal reference catalogue where the
LeiKa key is in it; a blank name, level, status or SDG flag (fields a service always has) keeps
the existing service's value, and a new service gets the defaults (level 0, status planned, not
in SDG Annex II; a new service needs a name). Blank cells of online-procedure details and of the
department name say nothing (the procedure or department is shared with other services).

Online procedures: rows naming one procedure must agree on its details (else both rows are
rejected). Details given for a service without a named procedure (e-payment, BayernPortal,
BayernID/BundID, electronic submission: the way city lists write them) go to the service's
current procedure, else to a procedure of the service's own, named after the service (so it is
counted once, like any procedure); details that are all "no" create nothing.

Departments: a known code, or a known department's code or name (case, spacing and umlaut
spelling aside); else a new department, with the text as its code where it reads as one (short,
at most two words), else as its name with a generated short code (named in the warnings). New
departments that may be the same as another are named as a warning, never merged. A file with
only department names (no code column) is read the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from egov_cli.core import schema
from egov_cli.core.errors import Problem, shown_value
from egov_cli.core.schema import SERVICE_FIELDS
from egov_cli.domain.reference import fill_from_reference, load_reference, match_name
from egov_cli.i18n import _, ngettext
from egov_cli.imports.known import KnownCatalogue
from egov_cli.imports.options import ImportOptions
from egov_cli.imports.reading.types import ImportFile
from egov_cli.values.fold import fold, search_fold

#: Fields the federal reference catalogue can fill from a LeiKa key.
REFERENCE_FIELDS = ("name", "leika_type", "ozg_id", "ozg_name", "topic", "life_event")
REFERENCE_SET = frozenset(REFERENCE_FIELDS)
#: Fields every service has: a blank cell keeps the current value (new services: defaults).
ALWAYS_SET = ("name", "level", "status", "sdg_annex2")
#: Rows without a key for which similar reference names are looked up and suggested.
SUGGESTED_ROWS = 20
#: How many rows a summarised warning names as examples.
WARNING_EXAMPLES = 5
#: Defaults of a new service (as the Service model has them).
NEW_DEFAULTS: dict[str, Any] = {"level": 0, "status": "planned", "sdg_annex2": False}
#: Order of the fields in the snapshot and in field-level differences.
SHOWN_FIELDS = (*SERVICE_FIELDS[:9], "department", *SERVICE_FIELDS[9:11], "procedure",
                *SERVICE_FIELDS[11:])  # fmt: skip

#: Longest text, and most words, read as a department code (longer text is a name).
CODE_LENGTH = 16
CODE_WORDS = 2
#: Longest generated department code (initials of the name's words).
MAX_GENERATED_CODE = 8
#: Similarity (0-100) from which two departments' texts are named as possibly the same.
NEAR_DUPLICATE_SCORE = 90

#: First words of the names of total and summary rows (folded).
TOTAL_WORDS = frozenset(
    {"summe", "summen", "gesamt", "gesamtsumme", "insgesamt", "zwischensumme", "anzahl", "total"}
)

ABSENT: Any = type("_Absent", (), {"__repr__": lambda self: "<absent>"})()
"""A planned value that leaves the field alone (no column, or a blank cell of a field every
service has)."""


@dataclass
class Plan:
    """The planned rows, column by column (aligned lists)."""

    numbers: list[int]
    existing: list[int | None]
    values: dict[str, list[Any]]  # field -> values; ABSENT leaves the field alone
    departments: list[str | None] | None  # department codes (None: no department column)
    procedures: list[str | None] | None  # procedure names (None: no procedure column)

    def take(self, keep: list[int]) -> Plan:
        def pick(values: list[Any]) -> list[Any]:
            return [values[i] for i in keep]

        return Plan(
            pick(self.numbers),
            pick(self.existing),
            {name: pick(values) for name, values in self.values.items()},
            None if self.departments is None else pick(self.departments),
            None if self.procedures is None else pick(self.procedures),
        )


class Planner:
    """Plans one file against one catalogue (:meth:`plan`); what it found besides the plan
    (problems by row, warnings, new departments and procedures, procedure details) is kept on
    it."""

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
        self._all_reference_columns = fields >= REFERENCE_SET
        self.not_in_reference: list[tuple[int, str]] = []  # (row, key)
        self.reference_notes: list[tuple[int, str]] = []  # (row, warning)
        self._keys_by_name: set[int] = set()  # rows whose key was found by their name

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

    def plan(self) -> Plan:
        data = self.data
        values, numbers = self._skip_rows(data.values, data.numbers)
        values = self._keys_from_names(values, numbers)
        keys = values.get("leika_key")
        ids = values.get("id")
        self._duplicates(numbers, keys, "leika_key", "LeiKa key")
        self._duplicates(numbers, ids, "id", "ID")
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
                "name (without LeiKa key)",
                folded=True,
            )
        positions, existing = self._match(numbers, keys, ids, names)
        if len(positions) == len(numbers):
            plan = Plan(list(numbers), existing, dict(values), None, None)
        else:
            plan = Plan(
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
        self._near_duplicate_departments()
        self._summarise_warnings()
        problems = self.problems
        if any(number in problems for number in plan.numbers):
            plan = plan.take([i for i, n in enumerate(plan.numbers) if n not in problems])
        return plan

    def _skip_rows(
        self, values: dict[str, list[Any]], numbers: list[int]
    ) -> tuple[dict[str, list[Any]], list[int]]:
        """The rows to plan: total rows (no key, no ID, a name such as ``Summe``) and repeats
        of an identical earlier row are skipped, each with a note."""
        count = len(numbers)
        skipped: dict[int, str] = {}  # position -> note
        names = values.get("name")
        keys = values.get("leika_key")
        ids = values.get("id")
        if names is not None:
            for p, name in enumerate(names):
                if (
                    name
                    and (keys is None or keys[p] is None)
                    and (ids is None or ids[p] is None)
                    and _is_total(name)
                ):
                    skipped[p] = (
                        f"row {numbers[p]}: skipped {name!r}: it reads as a total row, not a "
                        "service."
                    )
        repeated = keys if keys is not None else names
        if repeated is not None:
            present = [v for v in repeated if v is not None]
            if len(set(present)) < len(present):  # only then can two rows be the same
                columns = list(values.values())
                first: dict[tuple[Any, ...], int] = {}
                for p in range(count):
                    if p in skipped:
                        continue
                    row = tuple(column[p] for column in columns)
                    if row in first:
                        skipped[p] = (
                            f"row {numbers[p]}: imported once: it repeats row "
                            f"{numbers[first[row]]} exactly."
                        )
                    else:
                        first[row] = p
        if not skipped:
            return values, numbers
        for p in sorted(skipped):
            self.warnings.append(skipped[p])
        keep = [p for p in range(count) if p not in skipped]
        return (
            {name: [column[p] for p in keep] for name, column in values.items()},
            [numbers[p] for p in keep],
        )

    def _keys_from_names(
        self, values: dict[str, list[Any]], numbers: list[int]
    ) -> dict[str, list[Any]]:
        """Rows without key and ID whose name is the name of exactly one reference entry get
        its key (reported as filled); close names are suggested, never applied. A name the
        catalogue has as a service without key stays that service's."""
        names = values.get("name")
        if names is None:
            return values
        keys = values.get("leika_key")
        ids = values.get("id")
        keyless = [
            p
            for p, name in enumerate(names)
            if name
            and (keys is None or keys[p] is None)
            and (ids is None or ids[p] is None)
            and fold(name) not in self.cat.keyless_by_name
        ]
        if not keyless:
            return values
        reference = load_reference()
        by_name = reference.positions_by_name()
        in_file = set(keys or ()) - {None}
        filled: list[Any] = list(keys) if keys is not None else [None] * len(numbers)
        done: list[str] = []
        close: list[tuple[int, str]] = []
        for p in keyless:
            same = by_name.get(fold(names[p]), [])
            entry = reference.entries[same[0]] if len(same) == 1 else None
            if entry is not None and entry.key and entry.key not in in_file:
                filled[p] = entry.key
                in_file.add(entry.key)
                self._keys_by_name.add(numbers[p])
                done.append(f"row {numbers[p]}: {names[p]!r} -> {entry.key} ({entry.name})")
            elif len(close) < SUGGESTED_ROWS:
                close.append((p, names[p]))
        for p, name in close:
            suggestions = match_name(name, reference).suggestions
            if suggestions:
                shown = "; ".join(
                    f"{s.entry.name} ({s.entry.key or 'no LeiKa key'})" for s in suggestions
                )
                self.warnings.append(
                    f"row {numbers[p]}: {name!r} has no LeiKa key; the reference has similar "
                    f"names: {shown}. Add the key if one of them is meant."
                )
        if done:
            self.warnings.append(
                f"{len(done)} LeiKa key{'s' if len(done) > 1 else ''} filled from the reference "
                f"by name: {', '.join(done[:WARNING_EXAMPLES])}"
                + (" ..." if len(done) > WARNING_EXAMPLES else "")
            )
            values = {**values, "leika_key": filled}
        return values

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
                    "{count} row has a LeiKa key that is not in the reference catalogue ({rows}); "
                    "the service is kept as given (local services and newer keys exist). Check "
                    "the key with 'egov reference search'.",
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
            self.warnings.append(
                f"... and {len(notes) - WARNING_EXAMPLES} more such warnings about values "
                "taken from the reference catalogue."
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
                    f"{label} appears again in row{'s' if len(others) > 1 else ''} "
                    + ", ".join(map(str, others)),
                    name,
                    value,
                    "Each service may appear once in a file: merge the rows or delete one.",
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
                        f"ID {sid} does not match: LeiKa key {key} belongs to service {existing}",
                        "id",
                        sid,
                        "Check the ID and the key; leave the ID empty to match on the key.",
                    )
                    continue
            if existing is None and sid is not None:
                if sid not in known_ids:
                    self.problem(
                        number,
                        f"no service with ID {sid} in the catalogue",
                        "id",
                        sid,
                        "Leave the ID empty for new services; egov assigns IDs.",
                    )
                    continue
                existing = sid
            name = names[position] if names is not None else None
            if existing is None and key is None and sid is None and name:
                candidates = cat.keyless_by_name.get(fold(name), [])
                if len(candidates) > 1:
                    self.problem(
                        number,
                        "several services without LeiKa key have this name "
                        f"(IDs {', '.join(map(str, candidates))})",
                        "name",
                        name,
                        "Add an ID column to say which one is meant.",
                    )
                    continue
                existing = candidates[0] if candidates else None
            if existing is not None:
                if existing in matched:
                    self.problem(
                        number,
                        f"service {existing} is also changed by row {matched[existing]}",
                        "leika_key" if key else "id",
                        key or sid,
                        "Each service may appear once in a file: merge the rows or delete one.",
                    )
                    continue
                matched[existing] = number
                if mode == "insert":
                    self.problem(
                        number,
                        f"service {existing} exists already (--mode insert adds new services only)",
                        "leika_key" if key else "id",
                        key or sid,
                        "Use --mode upsert to change existing services, or remove the row.",
                    )
                    continue
            elif mode == "update":
                self.problem(
                    number,
                    "no such service in the catalogue (--mode update changes existing services "
                    "only)",
                    "leika_key" if key else "name",
                    key or name,
                    "Use --mode upsert to add new services, or check the key.",
                )
                continue
            positions.append(position)
            found.append(existing)
        return positions, found

    def _fill(self, plan: Plan) -> None:
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
            if self._keys_by_name:  # a key found by name fills nothing more: it is checked first
                known = [i for i in known if numbers[i] not in self._keys_by_name]
            if known and self._all_reference_columns:
                reference_columns = [values[f] for f in REFERENCE_FIELDS]
                known = [i for i in known if any(c[i] is None for c in reference_columns)]
            copied: set[str] = set()
            known_fields = self.cat.fields
            for i in known:
                row = {f: c[i] for f, c in values.items() if c[i] is not ABSENT}
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
                        values[k] = [ABSENT] * len(numbers)
                    elif k not in copied:
                        values[k] = list(values[k])  # the file's column stays as read
                    copied.add(k)
                    values[k][i] = v
        for name in ALWAYS_SET:
            column = values.get(name)
            if column is not None and None in column:
                values[name] = [ABSENT if v is None else v for v in column]

    def _names(self, plan: Plan) -> Plan:
        """A new service needs a name."""
        names = plan.values.get("name")
        bad = [
            i
            for i, existing in enumerate(plan.existing)
            if existing is None and (names is None or names[i] is ABSENT or not names[i])
        ]
        if not bad:
            return plan
        column = schema.BY_FIELD["name"].de
        if names is not None:
            hint = f"Fill in the column {column!r}."
        elif self.data.unknown_headers:  # the names are there, most likely, under another header
            unknown = ", ".join(shown_value(h) for h in self.data.unknown_headers[:20])
            hint = (
                f"The file has no column {column!r}; egov did not recognise {unknown}: map the "
                f'one holding the names with --map "HEADER=name".'
            )
        else:
            hint = f"Add a column {column!r} with the names."
        for i in bad:
            self.problem(plan.numbers[i], "a new service needs a name", "name", None, hint)
        rejected = set(bad)
        return plan.take([i for i in range(len(plan.numbers)) if i not in rejected])

    def _links(self, plan: Plan) -> Plan:
        """Departments and online procedures by code and name (new ones are noted)."""
        values = plan.values
        codes = values.get("department")
        dept_names = values.get("department_name")
        if codes is None and dept_names is not None:  # departments given by name only
            codes, dept_names = dept_names, None
        procedures = values.get("procedure")
        details = [values[f] for f in self._procedure_columns]
        count = len(plan.numbers)
        departments: list[str | None] = [None] * count
        names: list[str | None] = [None] * count
        rejected: list[int] = []
        implicit = False  # online-procedure details given for a service without a procedure
        dept_cache = self._dept_cache
        proc_cache = self._proc_cache
        for i in range(count):
            if codes is not None and (code := codes[i]) is not None:
                known = dept_cache.get(code) or self._department(code)
                if (
                    dept_names is not None
                    and dept_names[i]
                    and self.new_departments.get(known) == known
                ):
                    self.new_departments[known] = dept_names[i]
                departments[i] = known
            if procedures is not None and (name := procedures[i]) is not None:
                names[i] = proc_cache.get(name) or self._procedure(name)
            elif details and any(column[i] not in (None, False, "") for column in details):
                names[i] = self._own_procedure(plan, i)
                implicit = True
        plan.departments = departments if codes is not None else None
        if procedures is None and implicit:
            # No procedure column: the other rows keep their services' procedures.
            for i, existing in enumerate(plan.existing):
                if names[i] is None and existing is not None:
                    names[i] = self._current_procedure(existing)
        plan.procedures = names if procedures is not None or implicit else None
        if rejected:
            gone = set(rejected)
            plan = plan.take([i for i in range(count) if i not in gone])
        return plan

    def _department(self, code: str) -> str:
        """The code of the department ``code`` names: a known code, or a known department's
        code or name (case, spacing and umlaut spelling aside); else a new department, with
        ``code`` as its code where it reads as one, else as its name with a generated code."""
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
            if _looks_like_code(code):
                self.new_departments[code] = code
                known = code
            else:
                known = self._generated_code(code)
                self.new_departments[known] = code
                self.warnings.append(
                    f"new department {code!r} gets the code {known!r} (it reads as a name, not a "
                    "code); change it with 'egov departments' if another code is meant."
                )
            self._new_dept_folded[folded] = known
        self._dept_cache[code] = known
        return known

    def _generated_code(self, name: str) -> str:
        """A short code for a new department given by its name: the initials of its words
        (``Amt für Wirtschaft`` -> ``AFW``), numbered where taken."""
        words = re.findall(r"[^\W_]+", name)
        stem = "".join(w if w.isdigit() else w[0] for w in words).upper()[:MAX_GENERATED_CODE]
        stem = stem or "AMT"
        taken = self.cat.dept_by_code.keys() | self.new_departments.keys()
        code, number = stem, 1
        while code in taken:
            number += 1
            code = f"{stem}-{number}"
        return code

    def _near_duplicate_departments(self) -> None:
        """New departments whose text begins with, or is very like, another department's
        (``HWK`` / ``HWK/ 7 HWKn in NRW``): named as a warning, never merged."""
        new = {fold(name): name for name in self.new_departments.values()}
        if not new:
            return
        texts = dict(new)
        for code in self.cat.dept_by_code:
            texts.setdefault(fold(code), code)
        named: set[frozenset[str]] = set()
        for folded, name in new.items():
            for other_folded, other in texts.items():
                pair = frozenset((folded, other_folded))
                if other_folded == folded or len(other_folded) < 2 or pair in named:
                    continue
                if folded.startswith(other_folded) or (
                    fuzz.ratio(folded, other_folded) >= NEAR_DUPLICATE_SCORE
                ):
                    named.add(pair)
                    self.warnings.append(
                        f"departments {other!r} and {name!r} may be the same; egov keeps them "
                        "apart. Correct the file, or rename one with 'egov departments'."
                    )

    def _current_procedure(self, service_id: int) -> str | None:
        """The name of the online procedure of the existing service ``service_id``."""
        return self.cat.proc_name_of.get(self.cat.value(service_id, "procedure_id"))

    def _own_procedure(self, plan: Plan, i: int) -> str:
        """The online procedure that carries the details of row ``i``, which names none: the
        service's current procedure, else a procedure of the service's own, named after it
        (and its LeiKa key, so that two services never share one by accident)."""
        existing = plan.existing[i]
        if existing is not None and (current := self._current_procedure(existing)):
            return current
        names = plan.values.get("name")
        name = names[i] if names is not None and names[i] is not ABSENT else None
        if not name and existing is not None:
            name = self.cat.value(existing, "name")
        keys = plan.values.get("leika_key")
        key = keys[i] if keys is not None and keys[i] is not ABSENT else None
        own = f"{name} ({key})" if key else str(name or plan.numbers[i])
        return self._procedure(own)

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

    def _procedures(self, plan: Plan) -> None:
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
                    if value is None or value is ABSENT:  # blank: says nothing
                        continue
                    if attr in attrs and attrs[attr][0] != value:
                        first_value, first_row = attrs[attr]
                        for row, shown in ((number, value), (first_row, first_value)):
                            other = first_row if row == number else number
                            self.problem(
                                row,
                                _(
                                    "online service {name}: row {row} gives another value for "
                                    "this column"
                                ).format(name=shown_value(procedure), row=other),
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


def _is_total(name: str) -> bool:
    """Whether a name without key reads as a total or summary row (``Summe``, ``Gesamt:``,
    ``Anzahl Leistungen``)."""
    words = search_fold(name).split()
    return bool(words) and words[0].strip(":.") in TOTAL_WORDS


def _looks_like_code(text: str) -> bool:
    """Whether a department's text reads as a code (``32``, ``FB3``, ``Amt 32``), not a name."""
    return len(text) <= CODE_LENGTH and len(text.split()) <= CODE_WORDS
