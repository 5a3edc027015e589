"""``egov export`` and ``egov template``: workbooks a department can edit and send back."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from egov_cli import i18n
from egov_cli.cli import json_shapes, output
from egov_cli.cli.options import (
    BelowOpt,
    ExactLevelOpt,
    MinLevelFilterOpt,
    SearchOpt,
    json_option,
)
from egov_cli.cli.services_cmd import service_filter
from egov_cli.cli.state import State, use_json
from egov_cli.core.config import is_url
from egov_cli.core.errors import ValidationError
from egov_cli.domain.scale import load_scale
from egov_cli.exports.columns import select_columns
from egov_cli.exports.csv_writer import check_delimiter, check_encoding
from egov_cli.exports.services_export import (
    ExportOptions,
    department_codes,
    export_per_department,
    export_services,
    format_of,
)
from egov_cli.exports.template import write_template
from egov_cli.i18n import N_, _, ngettext
from egov_cli.values.display import number

Opt = typer.Option
JsonOpt = Annotated[bool, json_option(N_("Print what was written as JSON."))]
LangOpt = Annotated[
    str | None,
    Opt(
        "--lang",
        metavar=N_("LANGUAGE"),
        help=N_("Language of headers and labels: de or en (default: the run's language)."),
        case_sensitive=False,
    ),
]

EXPORT_HELP = N_("""Export services to .xlsx, .csv or .json, with the filters of 'egov services list'.

The format follows the file's extension (or --format); '-' writes CSV or JSON to stdout.

xlsx: German headers from the import's column schema (--lang en for English), frozen and
filtered header row, LeiKa keys as text, dates as Excel dates, dropdowns for department,
maturity level, status and yes/no, levels shaded, a sheet with the maturity scale and what the
file holds. Edit it and import it back with 'egov import FILE'.

CSV: UTF-8 with BOM and ';' (German Excel); --encoding and --delimiter override. Text that
begins with = + - @ or a tab is written with a leading apostrophe so that no spreadsheet runs it
as a formula; 'egov import' removes that apostrophe again.

JSON: an object with "metadata" (format egov-services, version 1, generated_at, catalogue,
filter, row_count, columns, scale) and "rows" (one object of field: value per service) with
stored values: level numbers, status codes, true/false, dates as YYYY-MM-DD, null where empty.

--per-department DIR writes one workbook per department, named by its code, ready to mail.

Example: egov export amt32.xlsx --department 32 --below 3""")


def _catalogue_name(st: State) -> str:
    catalogue = st.catalogue()
    return catalogue.label if is_url(catalogue.target) else Path(catalogue.target).name


def _lang(lang: str | None) -> str:
    """The workbook's language: its own ``--lang``, else the run's language."""
    if lang is None:
        return i18n.language()
    value = lang.lower()
    if value not in ("de", "en"):
        raise ValidationError(
            _("--lang {value!r} is not known.").format(value=lang), _("Use de or en.")
        )
    return value


def export(
    ctx: typer.Context,
    file: Annotated[
        str | None,
        typer.Argument(
            metavar=N_("FILE"),
            help=N_("File to write (.xlsx, .csv, .json), or - for stdout (CSV/JSON)."),
        ),
    ] = None,
    format_: Annotated[
        str | None,
        Opt(
            "--format",
            "-f",
            metavar=N_("FORMAT"),
            help=N_("xlsx, csv or json (default: from the extension)."),
        ),
    ] = None,
    department: Annotated[
        str | None,
        Opt(
            "--department", "-d", metavar=N_("DEPARTMENT"), help=N_("Only this department (code).")
        ),
    ] = None,
    level: ExactLevelOpt = None,
    below: BelowOpt = None,
    min_level: MinLevelFilterOpt = None,
    status: Annotated[
        str | None, Opt("--status", "-s", metavar=N_("STATUS"), help=N_("Only this status."))
    ] = None,
    topic: Annotated[
        str | None, Opt("--topic", metavar=N_("THEMENFELD"), help=N_("Only this OZG Themenfeld."))
    ] = None,
    search: SearchOpt = None,
    columns: Annotated[
        str | None,
        Opt(
            "--columns",
            "-c",
            metavar=N_("COLUMNS"),
            help=N_(
                "Columns to write, in this order, by field or header "
                "(e.g. leika_key,name,Reifegrad). Default: all."
            ),
        ),
    ] = None,
    lang: LangOpt = None,
    per_department: Annotated[
        str | None,
        Opt(
            "--per-department",
            metavar=N_("FOLDER"),
            help=N_("Write one file per department into this folder."),
        ),
    ] = None,
    delimiter: Annotated[
        str, Opt("--delimiter", metavar=N_("CHARACTER"), help=N_("CSV delimiter (default ;)."))
    ] = ";",
    encoding: Annotated[
        str | None,
        Opt(
            "--encoding",
            metavar=N_("ENCODING"),
            help=N_("CSV encoding (default utf-8-sig, i.e. UTF-8 with BOM; utf-8 on stdout)."),
        ),
    ] = None,
    json: JsonOpt = False,
) -> None:
    st = use_json(ctx, json)
    if (file is None) == (per_department is None):
        raise ValidationError(
            _("Give either a FILE or --per-department DIR."),
            _("E.g. egov export services.xlsx, or egov export --per-department mails/."),
        )
    if file == "-" and json:
        raise ValidationError(
            _("--json cannot be combined with writing to stdout (-)."), _("Leave out --json.")
        )
    # --per-department writes workbooks unless --format says otherwise.
    fmt = (
        format_of(file, format_)
        if file is not None
        else (format_of("-", format_) if format_ else "xlsx")
    )
    if encoding is not None:
        check_encoding(encoding)
    options = ExportOptions(
        columns=select_columns(columns),
        lang=_lang(lang),
        delimiter=check_delimiter(delimiter),
        encoding=encoding,
    )
    name = _catalogue_name(st)
    with st.session() as session:
        scale = load_scale(session)
        flt = service_filter(department, level, below, min_level, status, topic, search, scale)
        if per_department is not None:
            written = export_per_department(
                session, per_department, fmt, options, scale=scale, flt=flt, catalogue=name
            )
        else:
            assert file is not None
            if file == "-":
                sys.stdout.flush()
            one = export_services(
                session,
                file,
                fmt,
                options,
                scale=scale,
                flt=flt,
                catalogue=name,
                stdout=sys.stdout.buffer if file == "-" else None,
            )
            written = [one]
    if json:
        output.print_json(json_shapes.export(fmt, written))

    def services(n: int) -> str:
        return ngettext("{count} service", "{count} services", n).format(count=number(n))

    if per_department is not None:
        for w in written:
            output.message(f"{w.path}: {services(w.rows)}", quiet=st.quiet)
        files = ngettext("{count} file", "{count} files", len(written))
        output.message(
            _("{files} in {folder} ({services}, {filter})").format(
                files=files.format(count=number(len(written))),
                folder=per_department,
                services=services(sum(w.rows for w in written)),
                filter=flt.describe(),
            ),
            quiet=st.quiet,
        )
    else:
        target = "stdout" if file == "-" else file
        output.message(
            _("{services} exported to {target} ({filter})").format(
                services=services(written[0].rows), target=target, filter=flt.describe()
            ),
            quiet=st.quiet,
        )


export.__doc__ = EXPORT_HELP


def template(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(metavar=N_("FILE"), help=N_("Workbook to write (.xlsx)."))],
    lang: LangOpt = None,
    json: JsonOpt = False,
) -> None:
    """Write an empty import workbook: the import's headers, key column formatted as text,
    dropdowns for department, level, status and yes/no, frozen header, and a sheet that
    explains each column. Fill it in and read it with 'egov import FILE'.

    Example: egov template vorlage.xlsx
    """
    st = use_json(ctx, json)
    if Path(file).suffix.lower() != ".xlsx":
        raise ValidationError(
            _("The template is a workbook; {file!r} does not end in .xlsx.").format(file=file),
            _("E.g. egov template vorlage.xlsx"),
        )
    with st.session() as session:
        scale = load_scale(session)
        departments = department_codes(session)
    write_template(Path(file), scale=scale, departments=departments, lang=_lang(lang))
    if json:
        output.print_json(json_shapes.template(file, departments, scale.numbers))
    output.message(f"Importvorlage geschrieben: {file}", quiet=st.quiet)
