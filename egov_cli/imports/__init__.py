"""Importing a department's spreadsheet into the catalogue.

:func:`run_import` is the one way to import a file; :class:`ImportOptions` say how,
:class:`ImportResult` says what happened (``result_json`` gives its documented JSON shape).

The package, a module per job:

* ``options``, ``result``: what an import is asked to do, and what it did;
* ``reading``: checking and reading the file (xlsx, csv), finding its header, parsing its rows;
* ``known``: the catalogue as the plan needs it (``early``: read ahead on a thread);
* ``plan``: the rules (matching, blank cells, reference filling, duplicates, departments and
  online procedures);
* ``compare``: the plan against the catalogue, field by field;
* ``write``: writing the plan with its history (``bulk``: the writer's speed machinery);
* ``run``: the use case, from the file to the committed result.
"""

from egov_cli.imports.options import ImportOptions, WriteSizes
from egov_cli.imports.result import (
    JSON_SCHEMA,
    ImportResult,
    NewService,
    ProcedureDiff,
    RejectedRow,
    ServiceDiff,
    result_json,
)
from egov_cli.imports.run import run_import

__all__ = [
    "JSON_SCHEMA",
    "ImportOptions",
    "ImportResult",
    "NewService",
    "ProcedureDiff",
    "RejectedRow",
    "ServiceDiff",
    "WriteSizes",
    "result_json",
    "run_import",
]
