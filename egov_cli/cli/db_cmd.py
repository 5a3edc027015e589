"""``egov init`` and ``egov db info | upgrade | backup``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from egov_cli.cli import output
from egov_cli.cli.state import use_json

JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]

db_app = typer.Typer(help="Look after the catalogue database.", no_args_is_help=True)


def init(ctx: typer.Context, json: JsonOpt = False) -> None:
    """Create the catalogue, or upgrade it if its schema is older.

    Example: egov --db stadt.db init
    """
    from egov_cli.migrate import init_catalogue

    st = use_json(ctx, json)
    result = init_catalogue(st.settings.db)
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
    from egov_cli.services.info import catalogue_info

    st = use_json(ctx, json)
    with st.session() as session:
        result = catalogue_info(session, st.catalogue())
    if json:
        output.print_json(result)
        return
    from egov_cli.formats import megabytes, number

    output.key_values(
        [
            ("Ort", result.location),
            ("Datenbank", result.engine),
            ("Schema", result.schema_revision),
            ("Größe", megabytes(result.size_bytes)),
            ("Reifegradmodell", f"{result.scale} (online ab Stufe {result.online_from_level})"),
            *[(name, number(count)) for name, count in result.counts.items()],
        ],
        title="Katalog",
    )


@db_app.command("upgrade")
def upgrade(ctx: typer.Context, json: JsonOpt = False) -> None:
    """Upgrade an older catalogue to this program's schema (a backup is written first).

    Example: egov db upgrade
    """
    from egov_cli.migrate import upgrade_catalogue

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
    from egov_cli.db import sqlite_path
    from egov_cli.errors import EgovError
    from egov_cli.services.backup import backup_sqlite

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


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.add_typer(db_app, name="db")
