"""The JSON of ``export``, ``template`` and ``report run``: the files written."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from egov_cli.cli.json_shapes.common import JSON, document

if TYPE_CHECKING:
    from egov_cli.exports.services_export import Written


def export(fmt: str, written: Sequence[Written]) -> JSON:
    """``export``: the files written (one per department with ``--per-department``)."""
    return document(
        format=fmt,
        files=[{"path": w.path, "rows": w.rows, "department": w.department} for w in written],
        rows=sum(w.rows for w in written),
    )


def template(path: str, departments: Sequence[str], levels: Sequence[int]) -> JSON:
    """``template``: the workbook written, with the departments and levels of its dropdowns."""
    return document(path=path, departments=list(departments), levels=list(levels))


def report_run(files: Iterable[tuple[str, str, Path]], alerts: Iterable[str]) -> JSON:
    """``report run``: the files written (report, format, path) and the targets' alerts."""
    return document(
        files=[{"report": r, "format": f, "path": str(p)} for r, f, p in files],
        alerts=sorted(alerts),
    )
