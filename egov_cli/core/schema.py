"""The one column schema of the catalogue's spreadsheets.

It drives the import (header matching, value parsing), the export and the template (headers,
dropdowns, help sheet) and ``egov import --describe-format``. A column names its canonical field,
German and English headers, further header aliases, its kind of value, whether it is required
and what it means. What a column is: ``spreadsheet_column``; the service's columns:
``service_columns``; its online service's columns: ``procedure_columns``.
"""

from __future__ import annotations

from egov_cli.core.procedure_columns import PROCEDURE_ATTRIBUTES, PROCEDURE_COLUMNS
from egov_cli.core.service_columns import SERVICE_COLUMNS
from egov_cli.core.spreadsheet_column import (
    DATE,
    FLAG,
    ID,
    INT,
    KEY,
    LEVEL,
    OZG_ID,
    TERM,
    TEXT,
    Column,
)
from egov_cli.values.fold import fold

__all__ = [
    "BY_FIELD",
    "COLUMNS",
    "DATE",
    "FLAG",
    "ID",
    "INT",
    "KEY",
    "LEVEL",
    "OZG_ID",
    "PROCEDURE_ATTRIBUTES",
    "SERVICE_FIELDS",
    "TERM",
    "TEXT",
    "Column",
    "match_header",
]

#: The service's own fields an import sets and compares (department and procedure, given by code
#: and name, are links), last the online-service details it keeps while it names no procedure.
SERVICE_FIELDS = (
    "leika_key", "name", "citizen_name", "leika_type", "ozg_id", "ozg_name", "topic",
    "life_event", "addressee", "level", "status", "online_url", "bayernportal_url", "go_live",
    "target_level", "target_date", "sdg_annex2", "cases_per_year", "notes",
    *PROCEDURE_ATTRIBUTES,
)  # fmt: skip

#: Every column, in the order of the spreadsheets: the service's, then its online service's.
COLUMNS: tuple[Column, ...] = SERVICE_COLUMNS + PROCEDURE_COLUMNS

BY_FIELD: dict[str, Column] = {c.field: c for c in COLUMNS}


def match_header(header: str, extra: dict[str, str] | None = None) -> Column | None:
    """The column a spreadsheet header names (ignoring case, spaces, umlaut spelling, punctuation).

    ``extra`` maps further headers to fields (``--map "Nummer=leika_key"``).
    """
    key = fold(header)
    if not key:
        return None
    if extra:
        for other, field in extra.items():
            if fold(other) == key:
                return BY_FIELD[field]
    for column in COLUMNS:
        if key in column.match_keys():
            return column
    return None
