"""Exporting services to xlsx, CSV or JSON: one query, one writer, files written atomically.

:func:`export_services` writes one file; :func:`export_per_department` one file per department,
named by its code (made safe for Windows file names), ready to mail.
"""

from __future__ import annotations

import gc
import itertools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from egov_cli.core import schema
from egov_cli.core.errors import FileError, ValidationError
from egov_cli.core.files import ensure_folder, safe_file_stem, unique_names
from egov_cli.exports import csv_writer, json_writer
from egov_cli.exports.columns import ExportMeta, fetch_rows, filter_fields, filter_text
from egov_cli.exports.xlsx import write_workbook
from egov_cli.i18n import _, ngettext
from egov_cli.values.display import number

if TYPE_CHECKING:
    from sqlmodel import Session

    from egov_cli.domain.catalogue import ServiceFilter
    from egov_cli.domain.scale import Scale

FORMATS = ("xlsx", "csv", "json")


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while hundreds of thousands of tuples are made (they hold
    no cycles); saves a tenth of an export's time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


NO_DEPARTMENT = "ohne-Amt"


def format_of(path: str, given: str | None) -> str:
    """The export format: ``given``, else the file's extension."""
    if given:
        fmt = given.lower().lstrip(".")
        if fmt not in FORMATS:
            raise ValidationError(
                _("Unknown format {value!r}.").format(value=given),
                _("Use one of: {allowed}.").format(allowed=", ".join(FORMATS)),
            )
        return fmt
    if path == "-":
        raise ValidationError(
            _("Writing to stdout (-) needs --format csv or --format json."),
            _("E.g. egov export - --format csv."),
        )
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix in ("xlsx", "xlsm"):
        return "xlsx"
    if suffix in ("csv", "txt"):
        return "csv"
    if suffix == "json":
        return "json"
    raise ValidationError(
        _("Cannot tell the format of {path!r} from its extension.").format(path=path),
        _("Name the file .xlsx, .csv or .json, or give --format."),
    )


@dataclass(frozen=True)
class ExportOptions:
    columns: Sequence[schema.Column]
    lang: str = "de"
    delimiter: str = csv_writer.DEFAULT_DELIMITER
    encoding: str | None = None  # None: UTF-8 with BOM for files, without for stdout


@dataclass(frozen=True)
class Written:
    """A written file and how many services it holds."""

    path: str
    rows: int
    department: str | None = None


def department_codes(session: Session) -> list[str]:
    from sqlmodel import col, select

    from egov_cli.core.models import Department

    return list(session.exec(select(Department.code).order_by(col(Department.code))).all())


def _meta(
    catalogue: str, flt: ServiceFilter | None, scale: Scale, lang: str, at: datetime | None
) -> ExportMeta:
    from egov_cli.core.models import utcnow

    return ExportMeta(
        generated_at=at or utcnow(),
        catalogue=catalogue,
        filter=filter_fields(flt),
        filter_text=filter_text(flt, lang),
        row_count=0,
        scale=scale,
        lang=lang,
    )


def _write(
    fmt: str,
    path: Path,
    rows: Sequence[Sequence[Any]],
    options: ExportOptions,
    meta: ExportMeta,
    departments: Sequence[str],
) -> int:
    if fmt == "xlsx":
        return write_workbook(
            path,
            options.columns,
            rows,
            scale=meta.scale,
            departments=departments,
            meta=meta,
            lang=options.lang,
        )
    if fmt == "csv":
        return csv_writer.write_csv(
            path,
            options.columns,
            rows,
            scale=meta.scale,
            lang=options.lang,
            delimiter=options.delimiter,
            encoding=options.encoding or csv_writer.DEFAULT_ENCODING,
        )
    return json_writer.write_json(path, options.columns, rows, meta)


def export_services(
    session: Session,
    target: str,
    fmt: str,
    options: ExportOptions,
    *,
    scale: Scale,
    flt: ServiceFilter | None = None,
    catalogue: str = "",
    stdout: IO[bytes] | None = None,
    generated_at: datetime | None = None,
) -> Written:
    """Export the services matching ``flt`` to ``target`` (a path, or ``-`` with ``stdout``)."""
    with paused_gc():
        return _export_services(
            session, target, fmt, options, scale, flt, catalogue, stdout, generated_at
        )


def _export_services(
    session: Session,
    target: str,
    fmt: str,
    options: ExportOptions,
    scale: Scale,
    flt: ServiceFilter | None,
    catalogue: str,
    stdout: IO[bytes] | None,
    generated_at: datetime | None,
) -> Written:
    meta = _meta(catalogue, flt, scale, options.lang, generated_at)
    rows = fetch_rows(session, options.columns, flt)
    if target == "-":
        assert stdout is not None
        if fmt == "xlsx":
            raise ValidationError(
                _("A workbook cannot be written to stdout."), _("Give a file name ending in .xlsx.")
            )
        if fmt == "csv":
            count = csv_writer.write_csv_binary(
                stdout,
                options.columns,
                rows,
                scale=scale,
                lang=options.lang,
                delimiter=options.delimiter,
                encoding=options.encoding or csv_writer.STDOUT_ENCODING,
            )
        else:
            import io

            text = io.TextIOWrapper(stdout, encoding="utf-8", newline="\n")
            try:
                count = json_writer.write_json_stream(text, options.columns, rows, meta)
            finally:
                text.flush()
                text.detach()
        return Written("-", count)
    departments = department_codes(session)
    count = _write(fmt, Path(target), rows, options, meta, departments)
    return Written(target, count)


def export_per_department(
    session: Session,
    folder: str,
    fmt: str,
    options: ExportOptions,
    *,
    scale: Scale,
    flt: ServiceFilter | None = None,
    catalogue: str = "",
    generated_at: datetime | None = None,
) -> list[Written]:
    """One file per department with matching services, named by department code.

    Services without a department go to ``ohne-Amt``. Codes with characters Windows forbids in
    file names are made safe (``3/1`` -> ``3_1``); names that then clash get ``-2``, ``-3``.
    """
    with paused_gc():
        return _export_per_department(
            session, folder, fmt, options, scale, flt, catalogue, generated_at
        )


def _export_per_department(
    session: Session,
    folder: str,
    fmt: str,
    options: ExportOptions,
    scale: Scale,
    flt: ServiceFilter | None,
    catalogue: str,
    generated_at: datetime | None,
) -> list[Written]:
    from dataclasses import replace

    base = ensure_folder(Path(folder))
    departments = department_codes(session)
    groups = [
        (code, list(rows))
        for code, rows in itertools.groupby(
            fetch_rows(session, options.columns, flt), key=lambda row: row[-1]
        )
    ]
    stems = unique_names(
        [safe_file_stem(code) if code else NO_DEPARTMENT for code, _rows in groups]
    )
    written: list[Written] = []
    paths = [base / f"{stem}.{fmt}" for stem in stems]
    for (code, rows), path in zip(groups, paths, strict=True):
        flt_dept = replace(flt, department=code) if flt is not None else None
        meta = _meta(catalogue, flt_dept or flt, scale, options.lang, generated_at)
        if code is not None and flt_dept is None:
            meta = replace(meta, filter={"department": code}, filter_text=f"department={code}")
        try:
            count = _write(fmt, path, rows, options, meta, departments)
        except FileError as exc:
            raise _partly_written(exc, written, paths[len(written) :]) from None
        written.append(Written(str(path), count, code))
    return written


def _partly_written(exc: FileError, written: list[Written], missing: list[Path]) -> FileError:
    """``exc`` (a file of a per-department export could not be written) telling exactly which
    files were written, complete, before it, and which were not."""
    if not written:
        return exc
    total = len(written) + len(missing)
    return FileError(
        exc.message
        + " "
        + ngettext(
            "{written} of {total} file was written (complete); {missing} was not.",
            "{written} of {total} files were written (complete); {missing} were not.",
            total,
        ).format(written=len(written), total=total, missing=len(missing)),
        _(
            "The written files are complete; remove the cause named above and run the export "
            "again to write them all."
        ),
        details=[
            ngettext(
                "written: {path} ({count} service)", "written: {path} ({count} services)", w.rows
            ).format(path=w.path, count=number(w.rows))
            for w in written
        ]
        + [_("not written: {path}").format(path=path) for path in missing],
    )
