"""The root ``egov`` command: global options, command registration, the one error handler."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup
from typer.main import get_command_from_info, get_group_from_info
from typer.models import CommandInfo, TyperInfo

from egov_cli import __version__
from egov_cli.cli import json_shapes, output
from egov_cli.cli.state import State, state
from egov_cli.core.errors import EgovError


class EgovGroup(TyperGroup):
    """The root group. Turns every :class:`EgovError` into a message on stderr and its exit
    code: the only place that handles errors, commands hold no try/except.

    Its commands come from :data:`COMMANDS`: a command's module is imported, and the command
    built from its function's signature, only when the command runs (or shows its own help);
    ``egov --help`` lists them from the registry alone.
    """

    def list_commands(self, ctx: typer.Context) -> list[str]:  # type: ignore[override]
        return list(COMMANDS)

    def get_command(self, ctx: typer.Context, cmd_name: str) -> Any:  # type: ignore[override]
        found = super().get_command(ctx, cmd_name)
        if found is None and cmd_name in COMMANDS:
            found = _build(cmd_name, COMMANDS[cmd_name])
            self.add_command(found, cmd_name)
        return found

    def format_commands(self, ctx: typer.Context, formatter: Any) -> None:  # type: ignore[override]
        """The command list of ``egov --help``, from the registry (no command module loaded)."""
        rows = [(name, TyperCommand(name, help=entry.help)) for name, entry in COMMANDS.items()]
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        with formatter.section("Commands"):
            formatter.write_dl([(name, cmd.get_short_help_str(limit)) for name, cmd in rows])

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except EgovError as exc:
            st = ctx.obj if isinstance(ctx.obj, State) else State()
            report_error(exc, as_json=st.json)
            raise typer.Exit(int(exc.exit_code)) from None


def report_error(exc: EgovError, *, as_json: bool) -> None:
    """``exc`` on stderr: as a message with its details and hint, or as JSON."""
    if as_json:
        output.print_json_error(json_shapes.document(**exc.to_dict()))
        return
    console = output.err()
    console.print(f"Fehler: {exc.message}", style="bold red", markup=False, highlight=False)
    for line in exc.details[:200]:
        console.print(f"  - {line}", markup=False, highlight=False)
    if len(exc.details) > 200:
        console.print(f"  ... and {len(exc.details) - 200} more problems", markup=False)
    if exc.hint:
        console.print(f"Hinweis: {exc.hint}", style="yellow", markup=False, highlight=False)


app = typer.Typer(
    cls=EgovGroup,
    help="egov: the catalogue of the city's online administrative services (OZG), "
    "with spreadsheet import/export, rollout targets and readiness reports.\n\n"
    "Example: egov demo --db demo.db",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"egov {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="EGOV_DB",
            metavar="KATALOG",
            help="Catalogue: a file path or a SQLAlchemy URL (postgresql+psycopg://...). "
            "Default: catalogue.db in the user data directory.",
            show_envvar=True,
        ),
    ] = None,
    actor: Annotated[
        str | None,
        typer.Option(
            "--actor",
            metavar="NAME",
            help="Name recorded in the change history (default: the OS user).",
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No messages or progress bars.")
    ] = False,
    no_color: Annotated[
        bool, typer.Option("--no-color", help="No colour (also: NO_COLOR=1).")
    ] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    st = state(ctx)
    st.db_option, st.actor_option, st.quiet = db, actor, quiet
    if no_color:
        output.set_no_color(True)


@dataclass(frozen=True)
class Entry:
    """Where a command lives: ``attribute`` of ``egov_cli.cli.<module>`` is a command group
    (a Typer app) or a command function. ``help`` is the first paragraph of its help, for the
    command list of ``egov --help``."""

    module: str
    attribute: str
    help: str


#: Every command of ``egov``, in the order ``egov --help`` lists them: one module per group.
COMMANDS: dict[str, Entry] = {
    "init": Entry("db_cmd", "init", "Create the catalogue, or upgrade it if its schema is older."),
    "import": Entry(
        "import_cmd",
        "import_",
        "Import services from a spreadsheet: new ones are added, changed ones updated.",
    ),
    "export": Entry(
        "export_cmd",
        "export",
        "Export services to .xlsx, .csv or .json, with the filters of 'egov services list'.",
    ),
    "template": Entry(
        "export_cmd",
        "template",
        "Write an empty import workbook: the import's headers, key column formatted as text, "
        "dropdowns for department, level, status and yes/no, frozen header, and a sheet that "
        "explains each column.",
    ),
    "demo": Entry(
        "demo_cmd",
        "demo",
        "Build a demo catalogue (about 120 services of a Bavarian city with a year of history "
        "and a year-end target) and show its readiness report.",
    ),
    "db": Entry("db_cmd", "db_app", "Look after the catalogue database."),
    "services": Entry("services_cmd", "services_app", "List, show, add, edit and remove services."),
    "departments": Entry(
        "departments_cmd", "departments_app", "Departments (Ämter / Fachbereiche)."
    ),
    "procedures": Entry("procedures_cmd", "procedures_app", "Online procedures (Onlinedienste)."),
    "reference": Entry(
        "reference_cmd",
        "reference_app",
        "The federal OZG/LeiKa reference catalogue: search, show, update.",
    ),
    "targets": Entry(
        "targets_cmd",
        "targets_app",
        "Rollout targets (e.g. 120 services at level 3 by 31.12.), with progress from the "
        "change history.",
    ),
    "report": Entry(
        "report_cmd",
        "report_app",
        "Reports: readiness, targets, overdue, changes, SDG, council; 'report run' for the "
        "scheduler.",
    ),
}


def _build(name: str, entry: Entry) -> TyperCommand | TyperGroup:
    """The click command of ``entry``, built as Typer builds the commands of a group (with the
    root's help and error settings)."""
    found = getattr(importlib.import_module(f"egov_cli.cli.{entry.module}"), entry.attribute)
    if isinstance(found, typer.Typer):
        return get_group_from_info(
            TyperInfo(found, name=name),
            pretty_exceptions_short=app.pretty_exceptions_short,
            rich_markup_mode=app.rich_markup_mode,
            suggest_commands=app.suggest_commands,
        )
    command = get_command_from_info(
        CommandInfo(name=name, callback=found),
        pretty_exceptions_short=app.pretty_exceptions_short,
        rich_markup_mode=app.rich_markup_mode,
    )
    assert isinstance(command, TyperCommand)
    return command
