"""``egov template``: an empty import workbook, built by the same code as the export.

Same schema headers, text columns formatted as text (a LeiKa key typed in stays a key), dropdowns
for department, maturity levels, status, vocabulary terms and yes/no, frozen header, the info
sheet with the maturity scale, and the ``Spalten`` sheet explaining every column.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from egov_cli.core import schema
from egov_cli.exports.xlsx import write_workbook

if TYPE_CHECKING:
    from egov_cli.domain.scale import Scale


def write_template(
    path: Path,
    *,
    scale: Scale,
    departments: Sequence[str],
    columns: Sequence[schema.Column] | None = None,
    lang: str = "de",
) -> None:
    """Write the empty import workbook to ``path`` (atomically)."""
    write_workbook(
        path,
        list(columns or schema.COLUMNS),
        [],
        scale=scale,
        departments=departments,
        meta=None,
        lang=lang,
    )
