"""The root ``egov`` command: global options, command registration, the one error handler."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from egov_cli import __version__
from egov_cli.cli import output
from egov_cli.cli.state import State, state
from egov_cli.core.errors import EgovError


class EgovGroup(TyperGroup):
    """The root group. Turns every :class:`EgovError` into a message on stderr and its exit
    code: the only place that handles errors, commands hold no try/except. A database driver's
    error that reaches it unexplained (a damaged catalogue read through a connection of the
    command's own) is explained here too.

    Its commands are built when used: a command's options are read from its function's
    signature, which for all of them took a tenth of a second on every start.
    """

    def list_commands(self, ctx: typer.Context) -> list[str]:  # type: ignore[override]
        return [*super().list_commands(ctx), *(n for n in _registered() if n not in self.commands)]

    def get_command(self, ctx: typer.Context, cmd_name: str) -> Any:  # type: ignore[override]
        found = super().get_command(ctx, cmd_name)
        if found is None and cmd_name in _registered():
            found = _build(cmd_name)
            self.add_command(found, cmd_name)
        return found

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        args = [*getattr(ctx, "_protected_args", []), *ctx.args]
        try:
            return super().invoke(ctx)
        except EgovError as exc:
            st = ctx.obj if isinstance(ctx.obj, State) else State()
            report_error(exc, as_json=st.json or "--json" in args)
            raise typer.Exit(int(exc.exit_code)) from None
        except Exception as exc:
            st = ctx.obj if isinstance(ctx.obj, State) else State()
            fault = st.database_fault(exc)
            if fault is None:
                raise
            report_error(fault, as_json=st.json or "--json" in args)
            raise typer.Exit(int(fault.exit_code)) from None


def report_error(exc: EgovError, *, as_json: bool) -> None:
    if as_json:
        import json
        import sys

        sys.stderr.write(json.dumps(exc.to_dict(), ensure_ascii=False) + "\n")
        return
    console = output.err()
    console.print(f"Fehler: {exc.message}", style="bold red", markup=False, highlight=False)
    for line in exc.details[:200]:
        console.print(f"  - {output.strip_control(line)}", markup=False, highlight=False)
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
            help="Catalogue: a file path or a SQLAlchemy URL (postgresql+psycopg://...). "
            "Default: catalogue.db in the user data directory.",
            show_envvar=True,
        ),
    ] = None,
    actor: Annotated[
        str | None,
        typer.Option("--actor", help="Name recorded in the change history (default: the OS user)."),
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
    ctx.call_on_close(st.close)
    if no_color:
        output.set_no_color(True)


#: The commands, as the command modules register them (built into the root group when used).
commands = typer.Typer()


def _registered() -> list[str]:
    """The names of the registered commands and command groups, in registration order."""
    names = [c.name for c in commands.registered_commands]
    return [n for n in (*names, *(g.name for g in commands.registered_groups)) if n]


def _build(name: str) -> Any:
    """The click command of the registered command or command group ``name``, built as
    Typer builds the commands of a group (with the root's help and error settings)."""
    from typer.main import get_command_from_info, get_group_from_info

    for info in commands.registered_commands:
        if info.name == name:
            return get_command_from_info(
                info,
                pretty_exceptions_short=app.pretty_exceptions_short,
                rich_markup_mode=app.rich_markup_mode,
            )
    group = next(g for g in commands.registered_groups if g.name == name)
    return get_group_from_info(
        group,
        pretty_exceptions_short=app.pretty_exceptions_short,
        rich_markup_mode=app.rich_markup_mode,
        suggest_commands=app.suggest_commands,
    )


def _register() -> None:
    from egov_cli.cli import (
        catalogue_cmd,
        db_cmd,
        demo_cmd,
        export_cmd,
        import_cmd,
        reference_cmd,
        report_cmd,
        targets_cmd,
    )

    for module in (
        db_cmd,
        catalogue_cmd,
        import_cmd,
        export_cmd,
        reference_cmd,
        targets_cmd,
        report_cmd,
        demo_cmd,
    ):
        module.register(commands)


_register()
