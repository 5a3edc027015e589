"""``egov init`` and ``egov db info | upgrade | backup``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from egov_cli.cli import output
from egov_cli.cli.options import JsonOpt
from egov_cli.cli.state import use_json

db_app = typer.Typer(help="Look after the catalogue database.", no_args_is_help=True)


def init(
    ctx: typer.Context,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Add egov's tables to a database that holds other tables already."
        ),
    ] = False,
    json: JsonOpt = False,
) -> None:
    """Create the catalogue, or upgrade it if its schema is older. A database that holds
    other tables is refused (exit code 7) unless --force.

    Example: egov --db stadt.db init
    """
    from egov_cli.storage.migrate import init_catalogue

    st = use_json(ctx, json)
    result = init_catalogue(st.settings.db, force=force)
    if json:
        output.print_json(result)
    elif result.created:
        output.message(
            f"Katalog angelegt: {result.location} (Schema {result.revision})", quiet=st.quiet
        )
    elif result.upgraded_from:
        output.message(
            f"Katalog aktualisiert: {result.location} (Schema {result.upgraded_from} -> "
            f"{result.revision}), Sicherung: {result.backup}",
            quiet=st.quiet,
        )
    else:
        output.message(
            f"Katalog ist aktuell: {result.location} (Schema {result.revision})", quiet=st.quiet
        )


@db_app.command("info")
def info(ctx: typer.Context, json: JsonOpt = False) -> None:
    """Show where the catalogue is, its schema version, size and counts.

    Example: egov db info --json
    """
    from egov_cli.storage.info import catalogue_info

    st = use_json(ctx, json)
    with st.session() as session:
        result = catalogue_info(session, st.catalogue())
    if json:
        output.print_json(result)
        return
    from egov_cli.values.display import megabytes, number

    output.key_values(
        [
            ("Ort", result.location),
            ("Datenbank", result.engine),
            ("Schema", result.schema_revision),
            ("Größe", megabytes(result.size_bytes)),
            ("Reifegradmodell", f"{result.scale} (online ab Stufe {result.online_from_level})"),
            *[
                (_COUNT_LABELS.get(name, name), number(count))
                for name, count in result.counts.items()
            ],
        ],
        title="Katalog",
    )


_COUNT_LABELS = {
    "services": "Leistungen",
    "departments": "Ämter",
    "procedures": "Online-Dienste",
    "targets": "Ziele",
    "history": "Änderungen (Historie)",
    "imports": "Importe",
    "reports": "Berichte",
}


@db_app.command("upgrade")
def upgrade(ctx: typer.Context, json: JsonOpt = False) -> None:
    """Upgrade an older catalogue to this program's schema (a backup is written first).

    Example: egov db upgrade
    """
    from egov_cli.storage.migrate import upgrade_catalogue

    st = use_json(ctx, json)
    result = upgrade_catalogue(st.settings.db)
    if json:
        output.print_json(result)
    elif result.upgraded_from:
        output.message(
            f"Schema {result.upgraded_from} -> {result.revision}; Sicherung: {result.backup}",
            quiet=st.quiet,
        )
    else:
        output.message(
            f"Der Katalog hat schon das aktuelle Schema ({result.revision}).", quiet=st.quiet
        )


@db_app.command("backup")
def backup(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Where to write the copy (must not exist).")],
    json: JsonOpt = False,
) -> None:
    """Write a consistent copy of a SQLite catalogue, even while others are writing.

    Example: egov db backup sicherung-2026-11-25.db
    """
    from egov_cli.core.errors import EgovError
    from egov_cli.storage.backup import backup_sqlite
    from egov_cli.storage.db import sqlite_path

    st = use_json(ctx, json)
    catalogue = st.catalogue()
    path = sqlite_path(catalogue.target)
    if path is None:
        raise EgovError(
            "egov db backup copies SQLite catalogues.",
            "Back up a PostgreSQL catalogue with pg_dump (or 'egov db dump' where available).",
        )
    written = backup_sqlite(path, file)
    if json:
        output.print_json({"backup": str(written), "source": str(path)})
    else:
        output.message(f"Sicherung geschrieben: {written}", quiet=st.quiet)


def _show_transfer(st: object, result: object, json: bool, verb: str) -> None:
    from egov_cli.storage.transfer import TransferResult
    from egov_cli.values.display import number

    assert isinstance(result, TransferResult)
    if json:
        output.print_json(result)
        return
    output.table(
        [(name, number(count)) for name, count in result.counts.items()],
        ["Tabelle", "Datensätze"],
        title=f"{verb}: {result.source} -> {result.destination}",
        justify={1: "right"},
    )
    state_ok = (
        "geprüft: Anzahl und Prüfsumme stimmen überein" if result.verified else "NICHT bestätigt"
    )
    output.message(f"Prüfsumme {result.checksum[:16]}… ({state_ok})", quiet=False)


DryRunOpt = Annotated[
    bool, typer.Option("--dry-run", help="Show what would be copied or restored; write nothing.")
]
ReplaceOpt = Annotated[
    bool, typer.Option("--replace", help="Overwrite a destination that already holds a catalogue.")
]


@db_app.command("copy")
def copy(
    ctx: typer.Context,
    to: Annotated[str, typer.Option("--to", help="Destination: a file path or a database URL.")],
    replace: ReplaceOpt = False,
    dry_run: DryRunOpt = False,
    json: JsonOpt = False,
) -> None:
    """Copy the whole catalogue to another database (SQLite <-> PostgreSQL), verified.

    Services, departments, procedures, targets, history and import records are copied; counts
    and a content checksum are compared on both sides.

    Example: egov db copy --to postgresql://egov@dbserver/egov
    """
    from egov_cli.storage.transfer import copy_catalogue, plan_copy

    st = use_json(ctx, json)
    if dry_run:
        _show_transfer(st, plan_copy(st.catalogue(), to), json, "Probelauf, nichts kopiert")
        return
    with output.progress("Kopiere", None, quiet=st.quiet or json) as advance:
        result = copy_catalogue(st.catalogue(), to, replace=replace, progress=advance)
    _show_transfer(st, result, json, "Kopiert")


@db_app.command("dump")
def dump(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Dump file to write (.jsonl.gz; must not exist).")],
    json: JsonOpt = False,
) -> None:
    """Write an engine-independent, versioned dump of the whole catalogue (for backups and moves).

    Example: egov db dump katalog-2026-11-25.jsonl.gz
    """
    from egov_cli.storage.transfer import dump_catalogue

    st = use_json(ctx, json)
    with output.progress("Sichere", None, quiet=st.quiet or json) as advance:
        result = dump_catalogue(st.catalogue(), file, progress=advance)
    _show_transfer(st, result, json, "Gesichert")


@db_app.command("restore")
def restore(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A dump written by 'egov db dump'.")],
    replace: ReplaceOpt = False,
    dry_run: DryRunOpt = False,
    json: JsonOpt = False,
) -> None:
    """Restore a dump into the catalogue given by --db (new or empty; --replace to overwrite).

    Example: egov --db neu.db db restore katalog-2026-11-25.jsonl.gz
    """
    from egov_cli.storage.transfer import plan_restore, restore_catalogue

    st = use_json(ctx, json)
    if dry_run:
        plan = plan_restore(file, st.settings.db)
        _show_transfer(st, plan, json, "Probelauf, nichts wiederhergestellt")
        return
    with output.progress("Stelle wieder her", None, quiet=st.quiet or json) as advance:
        result = restore_catalogue(file, st.settings.db, replace=replace, progress=advance)
    _show_transfer(st, result, json, "Wiederhergestellt")


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.add_typer(db_app, name="db")
