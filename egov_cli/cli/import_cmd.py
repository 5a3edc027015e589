"""``egov import FILE``: bring a department's spreadsheet into the catalogue."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from egov_cli.cli import output
from egov_cli.cli.state import State, use_json
from egov_cli.i18n import N_, _, ngettext

if TYPE_CHECKING:
    from egov_cli.imports import ImportResult

MAX_SHOWN = 200


def register(app: typer.Typer) -> None:
    """Add ``egov import`` to the root app."""
    app.command("import")(import_)


def import_(
    ctx: typer.Context,
    file: Annotated[
        Path | None,
        typer.Argument(help=N_("The workbook (.xlsx, .xlsm) or CSV file (.csv, .txt).")),
    ] = None,
    sheet: Annotated[
        str | None,
        typer.Option("--sheet", help=N_("Sheet name or number (default: first with a header).")),
    ] = None,
    header_row: Annotated[
        int | None,
        typer.Option("--header-row", min=1, help=N_("Row of the headers (default: found).")),
    ] = None,
    map_: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help=N_('Map a header to a field: --map "Nummer=leika_key" (repeatable; =- ignores).'),
        ),
    ] = None,
    mode: Annotated[
        str,
        typer.Option(
            "--mode",
            help=N_("upsert: add and change; insert: only new services; update: only existing."),
        ),
    ] = "upsert",
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help=N_("Show what would change; write nothing."))
    ] = False,
    on_error: Annotated[
        str,
        typer.Option(
            "--on-error",
            help=N_(
                "abort: any bad row stops the import (nothing written); skip: import the "
                "valid rows and list the rest."
            ),
        ),
    ] = "abort",
    rejects: Annotated[
        Path | None,
        typer.Option(
            "--rejects", help=N_("With --on-error skip: write rejected rows to this .xlsx file.")
        ),
    ] = None,
    encoding: Annotated[
        str | None, typer.Option("--encoding", help=N_("CSV encoding (default: detected)."))
    ] = None,
    delimiter: Annotated[
        str | None,
        typer.Option("--delimiter", help=N_("CSV delimiter: ; , or tab (default: detected).")),
    ] = None,
    describe_format: Annotated[
        bool,
        typer.Option(
            "--describe-format", help=N_("Describe the columns egov reads; import nothing.")
        ),
    ] = False,
    json: Annotated[bool, typer.Option("--json", help=N_("Print the result as JSON."))] = False,
) -> None:
    """Import services from a spreadsheet: new ones are added, changed ones updated.

    Headers are matched to the catalogue's columns ignoring case, spaces and umlaut spelling
    (see --describe-format). Every change is recorded with this import as its source; by default
    one bad row stops the whole import and every problem is listed.

    Example: egov import amt32.xlsx --dry-run
    """
    st = use_json(ctx, json)
    if describe_format:
        _describe(json)
        return
    if file is None:
        raise typer.BadParameter(_("Missing FILE (or use --describe-format)."), param_hint="FILE")

    from egov_cli.imports import ImportOptions, result_json, run_import
    from egov_cli.imports.reading.headers import parse_mapping

    options = ImportOptions(
        mode=mode.strip().lower(),
        on_error=on_error.strip().lower(),
        dry_run=dry_run,
        rejects=rejects,
        sheet=sheet,
        header_row=header_row,
        mapping=parse_mapping(map_ or []),
        encoding=encoding,
        delimiter=delimiter,
        actor=st.settings.actor,
    )
    with output.progress(
        _("Reading {file}").format(file=file.name), None, quiet=st.quiet or json
    ) as step:
        # The catalogue by its path or URL: opened once the file is checked and being read.
        result = run_import(st.settings.db, file, options, progress=step)
    if json:
        output.print_json(result_json(result))
        return
    _summary(st, result, rejects)


def _column_map(st: State, result: ImportResult) -> None:
    """Each column of the file -> the field it is imported as and why; each column not
    imported with the --map that would take it."""
    if not result.column_map:
        return
    output.message("Spalten:", quiet=st.quiet)
    for column in result.column_map:
        if column.field is not None:
            sure = "" if column.confidence >= 1 else f", {column.confidence:.0%}"
            output.message(
                f"  {column.header} -> {column.field} ({column.reason}{sure})", quiet=st.quiet
            )
        else:
            output.message(
                f"  {column.header}: nicht importiert ({column.reason}); {column.map_hint}",
                quiet=st.quiet,
            )


def _summary(st: State, result: ImportResult, rejects: Path | None) -> None:
    from egov_cli.values.display import number

    where = result.file_name
    if result.sheet:
        where += ", " + _("sheet {sheet!r}").format(sheet=result.sheet)
    head = (
        _("Dry run (nothing written)")
        if result.dry_run
        else _("Import {id}").format(id=result.import_id)
    )
    output.plain(
        _("{head}: {where}, header row {row}, mode {mode}").format(
            head=head, where=where, row=result.header_row, mode=result.mode
        )
    )
    counts = "  " + _(
        "new: {created}, changed: {changed}, unchanged: {unchanged}, rejected: {rejected}"
    ).format(
        created=result.created,
        changed=result.changed,
        unchanged=result.unchanged,
        rejected=result.rejected,
    )
    n = result.rejected
    if n:
        if result.dry_run:
            note = ngettext(
                "{count} row would not be imported", "{count} rows would not be imported", n
            )
        elif rejects is not None:
            note = ngettext(
                "{count} row not imported, written with an error column to {file}",
                "{count} rows not imported, written with an error column to {file}",
                n,
            )
        else:
            note = ngettext(
                "{count} row not imported; --rejects FILE.xlsx keeps it",
                "{count} rows not imported; --rejects FILE.xlsx keeps them",
                n,
            )
        counts += f" ({note.format(count=number(n), file=rejects)})"
    output.plain(counts)
    if result.new_departments:
        output.plain(
            "  " + _("new departments: {names}").format(names=", ".join(result.new_departments))
        )
    if result.new_procedures:
        output.plain(
            "  " + _("new online services: {names}").format(names=", ".join(result.new_procedures))
        )
    for change in result.changed_procedures:
        for name, (old, new) in change.changes.items():
            output.plain(
                "  "
                + _("Online service {name}: {field}: {old} -> {new}").format(
                    name=change.name,
                    field=name,
                    old=output.cell(old) or "-",
                    new=output.cell(new) or "-",
                )
            )
    if result.dry_run:
        for diff in result.changes[:MAX_SHOWN]:
            output.plain(
                "  "
                + _("row {row}: {service}").format(
                    row=diff.row, service=f"{diff.leika_key or '#' + str(diff.id)} {diff.name}"
                )
            )
            for name, (old, new) in diff.changes.items():
                output.plain(
                    f"      {name}: {output.cell(old) or '-'} -> {output.cell(new) or '-'}"
                )
        if len(result.changes) > MAX_SHOWN:
            more = len(result.changes) - MAX_SHOWN
            output.plain(
                "  ... "
                + ngettext(
                    "and {count} more changed service (all: --json)",
                    "and {count} more changed services (all: --json)",
                    more,
                ).format(count=number(more))
            )
    _column_map(st, result)
    if result.unknown_headers:
        from egov_cli.core.errors import SHOWN_CHARS, shown_value

        unknown = [h if len(h) <= SHOWN_CHARS else shown_value(h) for h in result.unknown_headers]
        more = len(unknown) - MAX_SHOWN
        output.message(
            _("Columns not recognised (ignored): {names}").format(
                names=", ".join(unknown[:MAX_SHOWN])
            )
            + (" " + _("... and {count} more").format(count=more) if more > 0 else ""),
            quiet=st.quiet,
        )
    for warning in result.warnings[:MAX_SHOWN]:
        output.warning(warning)
    if len(result.warnings) > MAX_SHOWN:
        more = len(result.warnings) - MAX_SHOWN
        output.warning(
            "... "
            + ngettext(
                "and {count} more warning (all: --json)",
                "and {count} more warnings (all: --json)",
                more,
            ).format(count=number(more))
        )
    if result.rejected_rows:
        n = result.rejected
        if result.dry_run:
            line = ngettext(
                "{count} row would not be imported:", "{count} rows would not be imported:", n
            )
        else:
            line = ngettext("{count} row was not imported:", "{count} rows were not imported:", n)
        output.warning(line.format(count=number(n)))
        shown = 0
        for row in result.rejected_rows:
            for problem in row.problems:
                if shown < MAX_SHOWN:
                    output.message(f"  - {problem}")
                shown += 1
        if shown > MAX_SHOWN:
            more = shown - MAX_SHOWN
            output.message(
                "  ... "
                + ngettext(
                    "and {count} more problem (all: --json)",
                    "and {count} more problems (all: --json)",
                    more,
                ).format(count=number(more))
            )
        if rejects is not None and not result.dry_run:
            output.message(
                _("Rejected rows with an error column: {file}").format(file=rejects),
                quiet=st.quiet,
            )


def _describe(json: bool) -> None:
    from egov_cli.core.schema import COLUMNS

    if json:
        output.print_json(
            [
                {
                    "field": c.field,
                    "header_de": c.de,
                    "header_en": c.en,
                    "aliases": list(c.aliases),
                    "kind": c.kind,
                    "required": c.required,
                    "entity": c.entity,
                    "allowed": [t.de for t in c.terms] if c.terms else None,
                    "help": c.help_de,
                }
                for c in COLUMNS
            ]
        )
        return
    output.table(
        [
            (
                c.field,
                c.de,
                c.en,
                c.kind + (" " + _("(required)") if c.required else ""),
                ", ".join(c.aliases),
                c.help_de
                + (
                    " " + _("Values: {values}.").format(values=", ".join(t.de for t in c.terms))
                    if c.terms
                    else ""
                ),
            )
            for c in COLUMNS
        ],
        [
            _("Field"),
            _("Header (de)"),
            _("Header (en)"),
            _("Kind"),
            _("Also recognised"),
            _("Meaning"),
        ],
        title=_("Columns for egov import"),
    )
