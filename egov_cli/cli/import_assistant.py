"""The import's assistant on a terminal: the columns egov did not recognise put to the officer.

:func:`assistant` asks (first whether to, unless ``--interactive``) what each column is, adds
the answers to the column map and offers to keep them as an import profile; :func:`_ask` puts
one column with its examples and guesses.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from egov_cli.i18n import _, ngettext

if TYPE_CHECKING:
    from egov_cli.imports import ImportOptions
    from egov_cli.imports.assistant import UnknownColumn


def assistant(options: ImportOptions, file: Path, *, interactive: bool) -> ImportOptions:
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
    from egov_cli.imports.reading.header_names import reason_text

    typer.echo(
        "\n"
        + _("Column {header!r} ({reason})").format(
            header=column.header, reason=reason_text(column.reason)
        ),
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
