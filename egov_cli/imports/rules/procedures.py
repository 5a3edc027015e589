"""Rules on online procedures: a procedure given by name, and its details.

Rows naming one procedure must agree on its details (else both rows are rejected). Details
given for a service without a named procedure (e-payment, BayernPortal, BayernID/BundID,
electronic submission: the way city lists write them) go to the service's current procedure
(when the file has no procedure column), else the service keeps them as its own (the
``procedure_*`` fields of ``Service``; the Digitales Amt counts such a service as one online
procedure, see ``domain.procedure_counts``).
"""

from __future__ import annotations

from typing import Any

from egov_cli.core import schema
from egov_cli.core.errors import shown_value
from egov_cli.i18n import _
from egov_cli.imports.rules.shared import ABSENT, Plan, PlannerState
from egov_cli.values.fold import fold


class ProcedureRules(PlannerState):
    """Online procedures by name (new ones are noted) and the details rows give for them."""

    def _current_procedure(self, service_id: int) -> str | None:
        """The name of the online procedure of the existing service ``service_id``."""
        return self.cat.proc_name_of.get(self.cat.value(service_id, "procedure_id"))

    def _procedure(self, name: str) -> str:
        """The name of the procedure ``name`` names (new ones are noted; asked again, the same
        answer)."""
        cat = self.cat
        folded = fold(name)
        known: str | None
        if name in cat.procedures:
            known = name
        else:
            known = cat.proc_folded.get(folded) or self._new_proc_folded.get(folded)
        if known is None:
            self.new_procedures[name] = {}
            self._new_proc_folded[folded] = name
            known = name
        return known

    def _own_details(self, plan: Plan) -> None:
        """The details of rows with an online procedure are the procedure's
        (:meth:`_procedures`): the service's own fields are left alone there. The other rows'
        services keep theirs."""
        if plan.procedures is None:
            return
        for column in self._procedure_columns:
            plan.values[column] = [
                value if procedure is None else ABSENT
                for procedure, value in zip(plan.procedures, plan.values[column], strict=True)
            ]

    def _procedures(self, plan: Plan) -> None:
        """Procedure attributes: rows naming one procedure must agree. Column by column, each
        procedure's first value is kept; a row that gives another is named with that row."""
        self.procedure_values = {}
        if plan.procedures is None:
            return
        for column, attr in schema.PROCEDURE_ATTRIBUTES.items():
            values = plan.values.get(column)
            if values is None:
                continue
            first: dict[str, tuple[Any, int]] = {}  # procedure -> its first value, row
            for procedure, number, value in zip(plan.procedures, plan.numbers, values, strict=True):
                if procedure is None or value is None or value is ABSENT:  # blank: says nothing
                    continue
                first_value, first_row = first.setdefault(procedure, (value, number))
                if first_value != value:
                    self._disagree(procedure, column, (number, value), (first_row, first_value))
            for procedure, (value, _row) in first.items():
                self.procedure_values.setdefault(procedure, {})[attr] = value

    def _disagree(
        self, procedure: str, column: str, one: tuple[int, Any], other: tuple[int, Any]
    ) -> None:
        """Two rows give the procedure's detail (``column``) differently: both are named."""
        for (row, shown), (other_row, _value) in ((one, other), (other, one)):
            self.problem(
                row,
                _("online service {name}: row {row} gives another value for this column").format(
                    name=shown_value(procedure), row=other_row
                ),
                column,
                shown,
                _("Give the online service's details the same in every row, or only in one row."),
            )
