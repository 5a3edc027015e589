"""``egov init`` and ``egov db info | upgrade | backup``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from egov_cli.cli import json_shapes, output
from egov_cli.cli.options import JsonOpt
from egov_cli.cli.state import use_json
from egov_cli.core.errors import EgovError
from egov_cli.i18n import N_, _
from egov_cli.storage.backup import backup_sqlite
from egov_cli.storage.db import sqlite_path
from egov_cli.storage.info import catalogue_info
from egov_cli.storage.migrate import init_catalogue, upgrade_catalogue
from egov_cli.storage.transfer import (
    TransferResult,
    copy_catalogue,
    dump_catalogue,
    plan_copy,
    plan_restore,
    restore_catalogue,
)
from egov_cli.values.display import megabytes, number

db_app = typer.Typer(help=N_("Look after the catalogue database."), no_args_is_help=True)


def init(
    ctx: typer.Context,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help=N_("Add egov's tables to a database that holds other tables already.")
        ),
    ] = False,
    json: JsonOpt = False,
) -> None:
    """Create the catalogue, or upgrade it if its schema is older. A database that holds
    other tables is refused (exit code 7) unless --force.

    Example: egov --db stadt.db init
    """
    st = use_json(ctx, json)
    result = init_catalogue(st.settings.db, force=force)
    if json:
        output.print_json(json_shapes.init_result(result))
    elif result.created:
        output.message(
            _("Catalogue created: {location} (schema {revision})").format(
                location=result.location, revision=result.revision
            ),
            quiet=st.quiet,
        )
    elif result.upgraded_from:
        output.message(
            _("Catalogue upgraded: {location} (schema {old} -> {new}), backup: {backup}").format(
                location=result.location,
                old=result.upgraded_from,
                new=result.revision,
                backup=result.backup,
            ),
            quiet=st.quiet,
        )
    else:
        output.message(
            _("Catalogue is up to date: {location} (schema {revision})").format(
                location=result.location, revision=result.revision
            ),
            quiet=st.quiet,
        )


@db_app.command("info")
def info(ctx: typer.Context, json: JsonOpt = False) -> None:
    """Show where the catalogue is, its schema version, size and counts.

    Example: egov db info --json
    """
    st = use_json(ctx, json)
    with st.session() as session:
        result = catalogue_info(session, st.catalogue())
    if json:
        output.print_json(json_shapes.db_info(result))
        return
    output.key_values(
        [
            (_("Location"), result.location),
            (_("Database"), result.engine),
            (_("Schema"), result.schema_revision),
            (_("Size"), megabytes(result.size_bytes)),
            (
                _("Maturity model"),
                _("{scale} (online from level {level})").format(
                    scale=result.scale, level=result.online_from_level
                ),
            ),
            *[
                (_(_COUNT_LABELS[name]) if name in _COUNT_LABELS else name, number(count))
                for name, count in result.counts.items()
            ],
        ],
        title=_("Catalogue"),
    )


_COUNT_LABELS = {
    "services": N_("Services"),
    "departments": N_("Departments"),
    "procedures": N_("Online services"),
    "targets": N_("Targets"),
    "history": N_("Changes (history)"),
    "imports": N_("Imports"),
    "reports": N_("Reports"),
}


@db_app.command("upgrade")
def upgrade(ctx: typer.Context, json: JsonOpt = False) -> None:
    """Upgrade an older catalogue to this program's schema (a backup is written first).

    Example: egov db upgrade
    """
    st = use_json(ctx, json)
    result = upgrade_catalogue(st.settings.db)
    if json:
        output.print_json(json_shapes.init_result(result))
    elif result.upgraded_from:
        output.message(
            _("Schema {old} -> {new}; backup: {backup}").format(
                old=result.upgraded_from, new=result.revision, backup=result.backup
            ),
            quiet=st.quiet,
        )
    else:
        output.message(
            _("The catalogue already has the current schema ({revision}).").format(
                revision=result.revision
            ),
            quiet=st.quiet,
        )


@db_app.command("backup")
def backup(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(metavar=N_("FILE"), help=N_("Where to write the copy (must not exist).")),
    ],
    json: JsonOpt = False,
) -> None:
    """Write a consistent copy of a SQLite catalogue, even while others are writing.

    Example: egov db backup sicherung-2026-11-25.db
    """
    st = use_json(ctx, json)
    catalogue = st.catalogue()
    path = sqlite_path(catalogue.target)
    if path is None:
        raise EgovError(
            _("egov db backup copies SQLite catalogues."),
            _("Back up a PostgreSQL catalogue with pg_dump (or 'egov db dump' where available)."),
        )
    written = backup_sqlite(path, file)
    if json:
        output.print_json(json_shapes.db_backup(written, path))
    else:
        output.message(_("Backup written: {path}").format(path=written), quiet=st.quiet)


def _show_transfer(result: TransferResult, json: bool, verb: str) -> None:
    if json:
        output.print_json(json_shapes.transfer(result))
        return
    output.table(
        [(name, number(count)) for name, count in result.counts.items()],
        [_("Table"), _("Records")],
        title=_("{action}: {source} -> {destination}").format(
            action=verb, source=result.source, destination=result.destination
        ),
        justify={1: "right"},
    )
    state_ok = _("verified: counts and checksum match") if result.verified else _("NOT confirmed")
    output.message(
        _("Checksum {checksum}… ({state})").format(checksum=result.checksum[:16], state=state_ok),
        quiet=False,
    )


DryRunOpt = Annotated[
    bool,
    typer.Option("--dry-run", help=N_("Show what would be copied or restored; write nothing.")),
]
ReplaceOpt = Annotated[
    bool,
    typer.Option("--replace", help=N_("Overwrite a destination that already holds a catalogue.")),
]


@db_app.command("copy")
def copy(
    ctx: typer.Context,
    to: Annotated[
        str,
        typer.Option(
            "--to",
            metavar=N_("DESTINATION"),
            help=N_("Destination: a file path or a database URL."),
        ),
    ],
    replace: ReplaceOpt = False,
    dry_run: DryRunOpt = False,
    json: JsonOpt = False,
) -> None:
    """Copy the whole catalogue to another database (SQLite <-> PostgreSQL), verified.

    Services, departments, procedures, targets, history and import records are copied; counts
    and a content checksum are compared on both sides.

    Example: egov db copy --to postgresql://egov@dbserver/egov
    """
    st = use_json(ctx, json)
    if dry_run:
        _show_transfer(plan_copy(st.catalogue(), to), json, _("Dry run, nothing copied"))
        return
    with output.progress(_("Copying"), None, quiet=st.quiet or json) as advance:
        result = copy_catalogue(st.catalogue(), to, replace=replace, progress=advance)
    _show_transfer(result, json, _("Copied"))


@db_app.command("dump")
def dump(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            metavar=N_("FILE"), help=N_("Dump file to write (.jsonl.gz; must not exist).")
        ),
    ],
    json: JsonOpt = False,
) -> None:
    """Write an engine-independent, versioned dump of the whole catalogue (for backups and moves).

    Example: egov db dump katalog-2026-11-25.jsonl.gz
    """
    st = use_json(ctx, json)
    with output.progress(_("Dumping"), None, quiet=st.quiet or json) as advance:
        result = dump_catalogue(st.catalogue(), file, progress=advance)
    _show_transfer(result, json, _("Dumped"))


@db_app.command("restore")
def restore(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(metavar=N_("FILE"), help=N_("A dump written by 'egov db dump'."))
    ],
    replace: ReplaceOpt = False,
    dry_run: DryRunOpt = False,
    json: JsonOpt = False,
) -> None:
    """Restore a dump into the catalogue given by --db (new or empty; --replace to overwrite).

    Example: egov --db neu.db db restore katalog-2026-11-25.jsonl.gz
    """
    st = use_json(ctx, json)
    if dry_run:
        plan = plan_restore(file, st.settings.db)
        _show_transfer(plan, json, _("Dry run, nothing restored"))
        return
    with output.progress(_("Restoring"), None, quiet=st.quiet or json) as advance:
        result = restore_catalogue(file, st.settings.db, replace=replace, progress=advance)
    _show_transfer(result, json, _("Restored"))
