"""The root ``egov`` command: global options, command registration, the one error handler."""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass
from typing import Annotated, Any

import typer
from typer._click.exceptions import UsageError
from typer.core import TyperCommand, TyperGroup
from typer.main import get_command_from_info, get_group_from_info
from typer.models import CommandInfo, DefaultPlaceholder, TyperInfo

from egov_cli import __version__, i18n
from egov_cli.cli import helptext, json_shapes, output
from egov_cli.cli.state import State, state
from egov_cli.core.errors import EgovError, InputRejected
from egov_cli.i18n import N_, _, ngettext
from egov_cli.values.display import number


class EgovCommand(TyperCommand):
    """A command whose help speaks the run's language (see :mod:`egov_cli.cli.helptext`)."""

    def format_usage(self, ctx: typer.Context, formatter: Any) -> None:  # type: ignore[override]
        helptext.format_usage(self, ctx, formatter)

    def format_help_text(self, ctx: typer.Context, formatter: Any) -> None:  # type: ignore[override]
        helptext.format_help_text(self, formatter)

    def format_options(self, ctx: typer.Context, formatter: Any) -> None:  # type: ignore[override]
        helptext.format_params(self, ctx, formatter)

    def get_short_help_str(self, limit: int = 45) -> str:
        return helptext.short_help(self, limit)


class EgovSubGroup(TyperGroup):
    """A command group (``egov services``, ``egov targets`` ...) whose help speaks the run's
    language."""

    def format_usage(self, ctx: typer.Context, formatter: Any) -> None:  # type: ignore[override]
        helptext.format_usage(self, ctx, formatter)

    def format_help_text(self, ctx: typer.Context, formatter: Any) -> None:  # type: ignore[override]
        helptext.format_help_text(self, formatter)

    def format_options(self, ctx: typer.Context, formatter: Any) -> None:  # type: ignore[override]
        helptext.format_params(self, ctx, formatter)
        self.format_commands(ctx, formatter)

    def format_commands(self, ctx: typer.Context, formatter: Any) -> None:  # type: ignore[override]
        helptext.format_commands(self, ctx, formatter)

    def get_short_help_str(self, limit: int = 45) -> str:
        return helptext.short_help(self, limit)


class EgovGroup(EgovSubGroup):
    """The root group. Turns every :class:`EgovError` into a message on stderr and its exit
    code: the only place that handles errors, commands hold no try/except. A database driver's
    error that reaches it unexplained (a damaged catalogue read through a connection of the
    command's own) is explained here too, and the parser's own errors (unknown option, missing
    argument ...) are told in the run's language.

    Its commands come from :data:`COMMANDS`: a command's module is imported, and the command
    built from its function's signature, only when the command runs (or shows its own help);
    ``egov --help`` lists them from the registry alone.
    """

    def main(self, args: Any = None, *rest: Any, **extra: Any) -> Any:
        """Run egov. The run's language is decided first, from ``--lang`` before the command
        name, ``EGOV_LANG`` or the locale: help is formatted before options are processed."""
        argv = list(sys.argv[1:] if args is None else args)
        i18n.set_language(i18n.resolve(lang_argument(argv)))
        return super().main(args, *rest, **extra)

    def make_context(
        self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any
    ) -> Any:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except UsageError as exc:
            raise helptext.translated_usage_error(exc) from None

    def list_commands(self, ctx: typer.Context) -> list[str]:  # type: ignore[override]
        return list(COMMANDS)

    def get_command(self, ctx: typer.Context, cmd_name: str) -> Any:  # type: ignore[override]
        found = super().get_command(ctx, cmd_name)
        if found is None and cmd_name in COMMANDS:
            found = _build(cmd_name, COMMANDS[cmd_name])
            self.add_command(found, cmd_name)
        return found

    def format_commands(self, ctx: typer.Context, formatter: Any) -> None:  # type: ignore[override]
        """The command list of ``egov --help``, from the registry (no command module loaded),
        in the run's language."""
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        rows = [
            (name, helptext.short_help(TyperCommand(name, help=entry.help), limit))
            for name, entry in COMMANDS.items()
        ]
        with formatter.section(_("Commands")):
            formatter.write_dl(rows)

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except EgovError as exc:
            st = ctx.obj if isinstance(ctx.obj, State) else State()
            report_error(exc, as_json=st.json)
            raise typer.Exit(int(exc.exit_code)) from None
        except UsageError as exc:
            raise helptext.translated_usage_error(exc) from None
        except Exception as exc:
            st = ctx.obj if isinstance(ctx.obj, State) else State()
            fault = st.database_fault(exc)
            if fault is None:
                raise
            report_error(fault, as_json=st.json)
            raise typer.Exit(int(fault.exit_code)) from None


def lang_argument(argv: list[str]) -> str | None:
    """The value of the root's ``--lang`` in ``argv`` (before the command name), or None.

    A report's own ``--lang`` (after the command name) chooses the report's language only.
    """
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg.startswith("--lang="):
            return arg.partition("=")[2]
        if arg == "--lang":
            return argv[i + 1] if i + 1 < len(argv) else None
        if arg in ROOT_VALUE_OPTIONS:
            i += 2
            continue
        if arg == "--" or not arg.startswith("-"):
            return None
        i += 1
    return None


#: The root's options that take a value (skipped when looking for ``--lang``).
ROOT_VALUE_OPTIONS = ("--db", "--actor")


def report_error(exc: EgovError, *, as_json: bool) -> None:
    """``exc`` on stderr: as a message with its details and hint, or as JSON."""
    if as_json:
        output.print_json_error(json_shapes.document(**exc.to_dict()))
        return
    console = output.err()
    console.print(
        _("Error: {message}").format(message=exc.message),
        style="bold red",
        markup=False,
        highlight=False,
    )
    for line in exc.details[:200]:
        console.print(f"  - {line}", markup=False, highlight=False)
    if len(exc.details) > 200:
        more = len(exc.details) - 200
        console.print(
            "  ... "
            + ngettext("and {count} more problem", "and {count} more problems", more).format(
                count=number(more)
            ),
            markup=False,
        )
    if isinstance(exc, InputRejected) and exc.column_map:
        from egov_cli.cli.import_summary import column_map

        column_map(exc.column_map)  # what became of the file's columns: also when stopped
    if exc.hint:
        console.print(
            _("Hint: {hint}").format(hint=exc.hint), style="yellow", markup=False, highlight=False
        )


app = typer.Typer(
    cls=EgovGroup,
    help=N_(
        "egov: the catalogue of the city's online administrative services (OZG), "
        "with spreadsheet import/export, rollout targets and readiness reports.\n\n"
        "Example: egov demo --db demo.db"
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"egov {__version__}")
        raise typer.Exit()


def _lang(value: str | None) -> str | None:
    """Check ``--lang`` (the language itself was set before parsing, see EgovGroup.main)."""
    if value is not None and i18n.normalise(value) is None:
        raise typer.BadParameter(
            _("{value!r} is not a language egov speaks; use de or en.").format(value=value)
        )
    return value


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="EGOV_DB",
            metavar=N_("CATALOGUE"),
            help=N_(
                "Catalogue: a file path or a SQLAlchemy URL (postgresql+psycopg://...). "
                "Default: catalogue.db in the user data directory."
            ),
            show_envvar=True,
        ),
    ] = None,
    actor: Annotated[
        str | None,
        typer.Option(
            "--actor",
            metavar=N_("NAME"),
            help=N_("Name recorded in the change history (default: the OS user)."),
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help=N_("No messages or progress bars."))
    ] = False,
    no_color: Annotated[
        bool, typer.Option("--no-color", help=N_("No colour (also: NO_COLOR=1)."))
    ] = False,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            metavar="de|en",
            help=N_(
                "Language of every message, help text and report: de (default) or en. "
                "Also: EGOV_LANG=en; else the locale (LC_ALL, LC_MESSAGES, LANG) decides."
            ),
            callback=_lang,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help=N_("Show the version.")),
    ] = False,
) -> None:
    del lang  # decided before parsing (EgovGroup.main), checked by its callback
    st = state(ctx)
    st.db_option, st.actor_option, st.quiet = db, actor, quiet
    ctx.call_on_close(st.close)
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
    "init": Entry(
        "db_cmd", "init", N_("Create the catalogue, or upgrade it if its schema is older.")
    ),
    "import": Entry(
        "import_cmd",
        "import_",
        N_("Import services from a spreadsheet: new ones are added, changed ones updated."),
    ),
    "export": Entry(
        "export_cmd",
        "export",
        N_("Export services to .xlsx, .csv or .json, with the filters of 'egov services list'."),
    ),
    "template": Entry(
        "export_cmd",
        "template",
        N_(
            "Write an empty import workbook: the import's headers, key column formatted as text, "
            "dropdowns for department, level, status and yes/no, frozen header, and a sheet that "
            "explains each column."
        ),
    ),
    "demo": Entry(
        "demo_cmd",
        "demo",
        N_(
            "Build a demo catalogue (about 120 services of a Bavarian city with a year of history "
            "and a year-end target) and show its readiness report."
        ),
    ),
    "db": Entry("db_cmd", "db_app", N_("Look after the catalogue database.")),
    "services": Entry(
        "services_cmd", "services_app", N_("List, show, add, edit and remove services.")
    ),
    "departments": Entry(
        "departments_cmd", "departments_app", N_("Departments (Ämter / Fachbereiche).")
    ),
    "procedures": Entry(
        "procedures_cmd", "procedures_app", N_("Online procedures (Onlinedienste).")
    ),
    "reference": Entry(
        "reference_cmd",
        "reference_app",
        N_("The federal OZG/LeiKa reference catalogue: search, show, update."),
    ),
    "targets": Entry(
        "targets_cmd",
        "targets_app",
        N_(
            "Rollout targets (120 services at level 3 by 31.12., for example), with progress from "
            "the change history."
        ),
    ),
    "report": Entry(
        "report_cmd",
        "report_app",
        N_(
            "Reports: readiness, targets, overdue, changes, SDG, council; 'report run' for the "
            "scheduler."
        ),
    ),
}


def _build(name: str, entry: Entry) -> TyperCommand | TyperGroup:
    """The click command of ``entry``, built as Typer builds the commands of a group (with the
    root's help and error settings)."""
    found = getattr(importlib.import_module(f"egov_cli.cli.{entry.module}"), entry.attribute)
    if isinstance(found, typer.Typer):
        _adopt(found)
        return get_group_from_info(
            TyperInfo(found, name=name, cls=EgovSubGroup),
            pretty_exceptions_short=app.pretty_exceptions_short,
            rich_markup_mode=app.rich_markup_mode,
            suggest_commands=app.suggest_commands,
        )
    command = get_command_from_info(
        CommandInfo(name=name, callback=found, cls=EgovCommand),
        pretty_exceptions_short=app.pretty_exceptions_short,
        rich_markup_mode=app.rich_markup_mode,
    )
    assert isinstance(command, TyperCommand)
    return command


def _adopt(typer_app: typer.Typer) -> None:
    """Give the commands and groups of ``typer_app`` (and below) egov's classes, whose help
    speaks the run's language, where they chose none of their own."""
    for command in typer_app.registered_commands:
        if command.cls in (None, TyperCommand):  # Typer's default
            command.cls = EgovCommand
    for group in typer_app.registered_groups:
        if group.cls in (None, TyperGroup) or isinstance(group.cls, DefaultPlaceholder):
            group.cls = EgovSubGroup
        if group.typer_instance is not None:
            _adopt(group.typer_instance)
