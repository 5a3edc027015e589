"""``egov import FILE``: bring a department's spreadsheet into the catalogue.

The command and its options, and ``--describe-format``; what it prints is in
``import_summary``, the saved profiles (``egov import profiles``) in ``import_profiles``, the
questions on a terminal in ``import_assistant``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from egov_cli.cli import output
from egov_cli.cli.import_assistant import assistant
from egov_cli.cli.import_profiles import PROFILES, profiles
from egov_cli.cli.import_summary import summary
from egov_cli.cli.state import use_json
from egov_cli.core.errors import ExitCode
from egov_cli.i18n import N_, _


def register(app: typer.Typer) -> None:
    """Add ``egov import`` to the root app."""
    app.command("import")(import_)


def import_(
    ctx: typer.Context,
    file: Annotated[
        Path | None,
        typer.Argument(
            metavar=N_("FILE"),
            help=N_(
                "The workbook (.xlsx, .xlsm) or CSV file (.csv, .txt); or 'profiles' with "
                "list, show NAME or remove NAME."
            ),
        ),
    ] = None,
    words: Annotated[
        list[str] | None,
        typer.Argument(
            metavar=N_("WORDS"),
            help=N_("After 'profiles': list, show NAME or remove NAME."),
            show_default=False,
        ),
    ] = None,
    sheet: Annotated[
        str | None,
        typer.Option(
            "--sheet",
            metavar=N_("SHEET"),
            help=N_("Sheet name or number (default: first with a header)."),
        ),
    ] = None,
    header_row: Annotated[
        int | None,
        typer.Option(
            "--header-row",
            min=1,
            metavar=N_("ROW"),
            help=N_("Row of the headers (default: found)."),
        ),
    ] = None,
    map_: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            metavar=N_("HEADER=FIELD"),
            help=N_('Map a header to a field: --map "Nummer=leika_key" (repeatable; =- ignores).'),
        ),
    ] = None,
    mode: Annotated[
        str,
        typer.Option(
            "--mode",
            metavar="upsert|insert|update",
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
            metavar="abort|skip",
            help=N_(
                "abort: any bad row stops the import (nothing written); skip: import the "
                "valid rows and list the rest (exit code 12 when rows were rejected)."
            ),
        ),
    ] = "abort",
    rejects: Annotated[
        Path | None,
        typer.Option(
            "--rejects",
            metavar=N_("FILE"),
            help=N_("With --on-error skip: write rejected rows to this .xlsx file."),
        ),
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option(
            "--encoding", metavar=N_("ENCODING"), help=N_("CSV encoding (default: detected).")
        ),
    ] = None,
    delimiter: Annotated[
        str | None,
        typer.Option(
            "--delimiter",
            metavar=N_("CHARACTER"),
            help=N_("CSV delimiter: ; , or tab (default: detected)."),
        ),
    ] = None,
    value_map: Annotated[
        list[str] | None,
        typer.Option(
            "--value-map",
            metavar=N_("FIELD:WORD=VALUE"),
            help=N_(
                'A sender\'s word for a value, e.g. --value-map "status:in Arbeit=in_progress" '
                "(repeatable; any field of terms)."
            ),
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            metavar=N_("URL"),
            help=N_(
                "Join relative links (/antrag/...) with this address; without it they are "
                "left out with a warning."
            ),
        ),
    ] = None,
    profile: Annotated[
        str | None,
        typer.Option(
            "--profile",
            metavar=N_("NAME"),
            help=N_(
                "Read the file as the saved import profile NAME says (column map, value maps, "
                "sheet, header row, base URL); options given as well add to it."
            ),
        ),
    ] = None,
    save_profile: Annotated[
        str | None,
        typer.Option(
            "--save-profile",
            metavar=N_("NAME"),
            help=N_(
                "Keep how this file was read as the import profile NAME (not in a dry run); "
                "next month: egov import FILE --profile NAME."
            ),
        ),
    ] = None,
    interactive: Annotated[
        bool,
        typer.Option(
            "--interactive",
            help=N_(
                "Ask, column by column, what the columns egov did not recognise are (offered "
                "on a terminal anyway; never without one)."
            ),
        ),
    ] = False,
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
        raise typer.BadParameter(
            _("Missing FILE (or use --describe-format)."),
            param_hint=_("FILE"),
        )
    if str(file) == PROFILES and not file.exists():
        # Profiles are looked after under 'egov import' because that is where they are made
        # and used (--save-profile, --profile): the officer finds them in 'egov import --help'.
        profiles(st, words or [], json)
        return
    if words:
        raise typer.BadParameter(
            _("Unexpected arguments: {words}.").format(words=" ".join(words)), param_hint="FILE"
        )

    from egov_cli.imports import ImportOptions, result_json, run_import
    from egov_cli.imports.reading.header_names import parse_mapping
    from egov_cli.imports.reading.senders import parse_value_map

    mapping = parse_mapping(map_ or [])
    value_maps = parse_value_map(value_map or [])
    if profile is not None:
        from egov_cli.domain.profiles import get_profile

        with st.session() as session:
            saved = get_profile(session, profile)
        mapping = {**saved.mapping, **mapping}
        value_maps = {
            name: {**saved.value_maps.get(name, {}), **value_maps.get(name, {})}
            for name in saved.value_maps.keys() | value_maps.keys()
        }
        sheet = sheet if sheet is not None else saved.sheet
        header_row = header_row if header_row is not None else saved.header_row
        base_url = base_url if base_url is not None else saved.base_url
    options = ImportOptions(
        mode=mode.strip().lower(),
        on_error=on_error.strip().lower(),
        dry_run=dry_run,
        rejects=rejects,
        sheet=sheet,
        header_row=header_row,
        mapping=mapping,
        value_map=value_maps,
        base_url=base_url,
        profile=profile,
        save_profile=save_profile,
        encoding=encoding,
        delimiter=delimiter,
        actor=st.settings.actor,
    )
    if sys.stdin.isatty() and sys.stdout.isatty() and not json:
        options = assistant(options, file, interactive=interactive)
    elif interactive:
        output.warning(_("--interactive needs a terminal: the columns are mapped without asking."))
    with output.progress(
        _("Reading {file}").format(file=file.name), None, quiet=st.quiet or json
    ) as step:
        # The catalogue by its path or URL: opened once the file is checked and being read.
        result = run_import(st.settings.db, file, options, progress=step)
    if json:
        output.print_json(result_json(result))
    else:
        summary(st, result, rejects)
    if result.rejected and not result.dry_run:
        # A partial import: the others came in, but a scheduled import must be able to alert.
        raise typer.Exit(int(ExitCode.PARTIAL_IMPORT))


def _describe(json: bool) -> None:
    from egov_cli.core.schema import COLUMNS
    from egov_cli.i18n import language

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
                c.meaning()
                + (
                    " "
                    + _("Values: {values}.").format(
                        values=", ".join(t.label(language()) for t in c.terms)
                    )
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
