"""``egov import FILE``: bring a department's spreadsheet into the catalogue."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from egov_cli.cli import output
from egov_cli.cli.state import State, use_json
from egov_cli.core.errors import ExitCode
from egov_cli.i18n import N_, _, ngettext

if TYPE_CHECKING:
    from egov_cli.imports import ImportOptions, ImportResult
    from egov_cli.imports.assistant import UnknownColumn

MAX_SHOWN = 200
#: ``egov import profiles list|show NAME|remove NAME``: the saved import profiles.
PROFILES = "profiles"


def register(app: typer.Typer) -> None:
    """Add ``egov import`` to the root app."""
    app.command("import")(import_)


def import_(
    ctx: typer.Context,
    file: Annotated[
        Path | None,
        typer.Argument(
            help=N_(
                "The workbook (.xlsx, .xlsm) or CSV file (.csv, .txt); or 'profiles' with "
                "list, show NAME or remove NAME."
            )
        ),
    ] = None,
    words: Annotated[
        list[str] | None,
        typer.Argument(
            help=N_("After 'profiles': list, show NAME or remove NAME."), show_default=False
        ),
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
                "valid rows and list the rest (exit code 12 when rows were rejected)."
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
    value_map: Annotated[
        list[str] | None,
        typer.Option(
            "--value-map",
            metavar="FIELD:WORD=VALUE",
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
            metavar="URL",
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
            metavar="NAME",
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
            metavar="NAME",
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
        raise typer.BadParameter(_("Missing FILE (or use --describe-format)."), param_hint="FILE")
    if str(file) == PROFILES and not file.exists():
        # Profiles are looked after under 'egov import' because that is where they are made
        # and used (--save-profile, --profile): the officer finds them in 'egov import --help'.
        _profiles(st, words or [], json)
        return
    if words:
        raise typer.BadParameter(
            _("Unexpected arguments: {words}.").format(words=" ".join(words)), param_hint="FILE"
        )

    from egov_cli.imports import ImportOptions, result_json, run_import
    from egov_cli.imports.reading.headers import parse_mapping
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
        options = _assistant(options, file, interactive=interactive)
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
        _summary(st, result, rejects)
    if result.rejected and not result.dry_run:
        # A partial import: the others came in, but a scheduled import must be able to alert.
        raise typer.Exit(int(ExitCode.PARTIAL_IMPORT))


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
        note = note.format(count=number(n), file=rejects)
        if result.rejects_csv and not result.dry_run:
            note += "; " + _("complete, long cells included, in {file}").format(
                file=result.rejects_csv
            )
        counts += f" ({note})"
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


def _profiles(st: State, words: list[str], json: bool) -> None:
    """``egov import profiles list|show NAME|remove NAME``."""
    from egov_cli.domain.profiles import get_profile, list_profiles, remove_profile

    action, names = (words[0], words[1:]) if words else ("list", [])
    if action == "list" and not names:
        with st.session() as session:
            profiles = list_profiles(session)
        if json:
            output.print_json({"profiles": [{"name": p.name, **p.settings()} for p in profiles]})
            return
        if not profiles:
            output.message(
                _("No import profiles. Save one: egov import FILE --save-profile NAME"),
                quiet=st.quiet,
            )
        for p in profiles:
            columns = ", ".join(f"{h} -> {f}" for h, f in p.mapping.items()) or "-"
            output.plain(f"{p.name}: {columns}")
        return
    if action in ("show", "remove") and len(names) == 1:
        if action == "show":
            with st.session() as session:
                shown = get_profile(session, names[0])
        else:
            shown = st.run_write(
                lambda session: remove_profile(
                    session, st.change_context("import profiles remove"), names[0]
                )
            )
        if json:
            output.print_json({"name": shown.name, **shown.settings()})
            return
        if action == "remove":
            output.message(
                _("Import profile removed: {name}").format(name=shown.name), quiet=st.quiet
            )
        output.plain(f"{shown.name}:")
        for header, name in shown.mapping.items():
            output.plain(f"  {header} -> {name}")
        for name, words_of in shown.value_maps.items():
            for word, value in words_of.items():
                output.plain(f"  {name}: {word} = {value}")
        for label, setting in (
            (_("sheet"), shown.sheet),
            (_("header row"), shown.header_row),
            (_("base URL"), shown.base_url),
        ):
            if setting is not None:
                output.plain(f"  {label}: {setting}")
        return
    raise typer.BadParameter(
        _("Use: egov import profiles list | show NAME | remove NAME."), param_hint="profiles"
    )


def _assistant(options: ImportOptions, file: Path, *, interactive: bool) -> ImportOptions:
    """On a terminal: the columns egov did not recognise put to the officer (asked first
    unless --interactive), the choices added to the column map, and offered as a profile."""
    from egov_cli.imports.assistant import assist, unrecognised_columns
    from egov_cli.imports.reading.senders import yes_no

    unknown = unrecognised_columns(file, options)
    if not unknown:
        return options
    if not interactive:
        answer = typer.prompt(
            ngettext(
                "{count} column not recognised. Map it now? [y/N]",
                "{count} columns not recognised. Map them now? [y/N]",
                len(unknown),
            ).format(count=len(unknown)),
            default="n",
            show_default=False,
            err=True,
        )
        if yes_no(answer) is not True:
            return options
    chosen = assist(unknown, _ask)
    if not chosen:
        return options
    options = replace(options, mapping={**options.mapping, **chosen})
    if options.save_profile is None and not options.dry_run:
        name = typer.prompt(
            _("Save as an import profile named (empty: do not save)"),
            default="",
            show_default=False,
            err=True,
        ).strip()
        if name:
            options = replace(options, save_profile=name)
    return options


def _ask(column: UnknownColumn) -> str | None:
    """One column put to the officer: its samples and guesses; a number, a field or nothing."""
    typer.echo(
        "\n" + _("Column {header!r} ({reason})").format(header=column.header, reason=column.reason),
        err=True,
    )
    if column.samples:
        typer.echo(
            "  " + _("Examples: {values}").format(values=" | ".join(column.samples)), err=True
        )
    for number, guess in enumerate(column.guesses, start=1):
        typer.echo(f"  {number}) {guess}", err=True)
    answer = typer.prompt(
        "  " + _("Field (number or name; empty: do not import)"),
        default="",
        show_default=False,
        err=True,
    ).strip()
    if answer.isdigit() and 1 <= int(answer) <= len(column.guesses):
        return column.guesses[int(answer) - 1]
    return answer or None
