"""The JSON of every command's ``--json``: documented shapes (README, "JSON output").

Each function builds one command's JSON, key by key, from the result its library call returns,
so no internal name becomes public by accident. Every document is an object whose ``"schema"``
says which version of these shapes it follows; a change that renames or removes a key, or
changes a value's type, raises :data:`SCHEMA`. Adding a key does not. Dates and times are ISO
8601 text, missing values ``null``. The contract tests in ``tests/cli/test_json_contract.py``
pin the shapes.

One module a command group: ``services``, ``organisation`` (departments and online services),
``reference``, ``targets``, ``database``, ``files``; what they share is in ``common``. Every
shape is importable from here, as ``json_shapes.services_list``.

The import's JSON (``egov import --json``) and the reports' JSON (``--format json``) carry
versions of their own.
"""

from __future__ import annotations

from egov_cli.cli.json_shapes.common import JSON, SCHEMA, changes, document, plain
from egov_cli.cli.json_shapes.database import db_backup, db_info, init_result, transfer
from egov_cli.cli.json_shapes.files import export, report_run, template
from egov_cli.cli.json_shapes.organisation import (
    department,
    department_added,
    department_renamed,
    departments_list,
    procedure,
    procedure_added,
    procedure_edited,
    procedures_list,
)
from egov_cli.cli.json_shapes.reference import (
    reference_entry,
    reference_info,
    reference_search,
    reference_show,
    reference_update,
)
from egov_cli.cli.json_shapes.services import (
    change_record,
    service,
    service_change,
    service_removed,
    services_enrich,
    services_history,
    services_list,
    services_show,
)
from egov_cli.cli.json_shapes.targets import (
    progress,
    target,
    target_added,
    target_edited,
    target_removed,
    target_show,
    targets_list,
)

__all__ = [
    "JSON",
    "SCHEMA",
    "change_record",
    "changes",
    "db_backup",
    "db_info",
    "department",
    "department_added",
    "department_renamed",
    "departments_list",
    "document",
    "export",
    "init_result",
    "plain",
    "procedure",
    "procedure_added",
    "procedure_edited",
    "procedures_list",
    "progress",
    "reference_entry",
    "reference_info",
    "reference_search",
    "reference_show",
    "reference_update",
    "report_run",
    "service",
    "service_change",
    "service_removed",
    "services_enrich",
    "services_history",
    "services_list",
    "services_show",
    "target",
    "target_added",
    "target_edited",
    "target_removed",
    "target_show",
    "targets_list",
    "template",
    "transfer",
]
