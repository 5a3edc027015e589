"""The rules of an import: which row becomes which service, with which values.

:class:`Planner` takes the rows of a read file (``reading.ImportFile``) and the catalogue
(``known.KnownCatalogue``) and plans, column by column, every valid row: the service it
changes (matched on the LeiKa key, else on the ID column, else, for services without a key, on
the name) or that it adds, its values, its department and online procedure (unknown ones are
noted as new), and every problem, by row. Nothing here reads or writes the database.

The rules themselves are in :mod:`egov_cli.imports.rules`, one kind per module: rows skipped,
values twice and rows matched (``rules.rows``), keys by name and fields from the reference
catalogue, blank cells (``rules.reference``), departments (``rules.departments``), online
procedures (``rules.procedures``). Here: the order they run in, a new service's name, and the
links of each row to its department and online procedure.
"""

from __future__ import annotations

from egov_cli.core import schema
from egov_cli.core.errors import shown_value
from egov_cli.i18n import _, language, ngettext
from egov_cli.imports.rules.departments import DepartmentRules
from egov_cli.imports.rules.procedures import ProcedureRules
from egov_cli.imports.rules.reference import ReferenceRules
from egov_cli.imports.rules.rows import RowRules
from egov_cli.imports.rules.shared import ABSENT, NEW_DEFAULTS, Plan
from egov_cli.values.display import number

__all__ = ["Planner"]


class Planner(RowRules, ReferenceRules, DepartmentRules, ProcedureRules):
    """Plans one file against one catalogue (:meth:`plan`); what it found besides the plan
    (problems by row, warnings, new departments and procedures, procedure details) is kept on
    it."""

    def plan(self) -> Plan:
        data = self.data
        values, numbers = self._skip_rows(data.values, data.numbers)
        values = self._keys_from_names(values, numbers)
        keys = values.get("leika_key")
        ids = values.get("id")
        self._duplicates(numbers, keys, "leika_key", _("LeiKa key"))
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
                _("name (without LeiKa key)"),
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
        self._without_level(plan)
        plan = self._links(plan)
        self._procedures(plan)
        self._own_details(plan)
        self._near_duplicate_departments()
        self._summarise_warnings()
        problems = self.problems
        if any(number in problems for number in plan.numbers):
            plan = plan.take([i for i, n in enumerate(plan.numbers) if n not in problems])
        return plan

    def _without_level(self, plan: Plan) -> None:
        """New services the file gives no maturity level start at the default one: said once,
        with how many (a list without the column would otherwise come in all offline, silently)."""
        levels = plan.values.get("level")
        count = sum(
            1
            for i, existing in enumerate(plan.existing)
            if existing is None and (levels is None or levels[i] is ABSENT or levels[i] is None)
        )
        if count:
            self.warnings.append(
                ngettext(
                    "{count} new service has no maturity level in the file: it starts at level "
                    "{level}. Give the level in a column {column!r}, or later with 'egov services "
                    "edit'.",
                    "{count} new services have no maturity level in the file: they start at level "
                    "{level}. Give the levels in a column {column!r}, or later with 'egov "
                    "services edit'.",
                    count,
                ).format(
                    count=number(count),
                    level=NEW_DEFAULTS["level"],
                    column=schema.BY_FIELD["level"].header(language()),
                )
            )

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
            hint = _("Fill in the column {column!r}.").format(column=column)
        elif self.data.unknown_headers:  # the names are there, most likely, under another header
            unknown = ", ".join(shown_value(h) for h in self.data.unknown_headers[:20])
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

    def _links(self, plan: Plan) -> Plan:
        """Departments and online procedures by code and name (new ones are noted), each
        distinct text looked up once."""
        values = plan.values
        codes = values.get("department")
        dept_names = values.get("department_name")
        if codes is None and dept_names is not None:  # departments given by name only
            codes, dept_names = dept_names, None
        if codes is not None:
            plan.departments = self._department_links(codes, dept_names)
        procedures = values.get("procedure")
        named = None
        if procedures is not None:
            known = {name: self._procedure(name) for name in _distinct(procedures)}
            named = [None if name is None else known[name] for name in procedures]
        plan.procedures = self._detail_procedures(plan, named)
        return plan

    def _department_links(
        self, codes: list[str | None], dept_names: list[str | None] | None
    ) -> list[str | None]:
        """The department code of each row; a new department given by code takes the name of
        the first row that names it."""
        known = {code: self._department(code) for code in _distinct(codes)}
        departments = [None if code is None else known[code] for code in codes]
        if dept_names is not None:
            for code, name in zip(departments, dept_names, strict=True):
                if code is not None and name and self.new_departments.get(code) == code:
                    self.new_departments[code] = name
        return departments

    def _detail_procedures(
        self, plan: Plan, named: list[str | None] | None
    ) -> list[str | None] | None:
        """The rows' online procedures: those ``named`` (the procedure column's; None without
        one). Without a procedure column, a row giving online-procedure details for a service
        that has a procedure gives them to it (the link stays as it is); the other rows'
        services keep the details as their own (see ``rules.procedures``)."""
        if named is not None or not self._procedure_columns:
            return named
        current = [None if e is None else self._current_procedure(e) for e in plan.existing]
        return current if any(current) else None


def _distinct(texts: list[str | None]) -> list[str]:
    """The texts, each once, in the order they first appear; blanks left out."""
    return [text for text in dict.fromkeys(texts) if text is not None]
