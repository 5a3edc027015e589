"""The root ``egov`` command: global options, command registration, the one error handler."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from typer._click.exceptions import UsageError
from typer.core import TyperCommand, TyperGroup
from typer.models import DefaultPlaceholder

from egov_cli import __version__, i18n
from egov_cli.cli import helptext, output
from egov_cli.cli.state import State, state
from egov_cli.errors import EgovError
from egov_cli.formats import number
from egov_cli.i18n import N_, _, ngettext


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
        helptext.format_commands(self, ctx, formatter)

    def get_short_help_str(self, limit: int = 45) -> str:
        return helptext.short_help(self, limit)


class EgovGroup(EgovSubGroup):
    """The root group. Turns every :class:`EgovError` into a message on stderr and its exit
    code: the only place that handles errors, commands hold no try/except. The parser's own
    errors (unknown option, missing argument ...) are told in the run's language here too.

    Its commands are built when used: a command's options are read from its function's
    signature, which for all of them took a tenth of a second on every start.
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
        except UsageError as exc:
            raise helptext.translated_usage_error(exc) from None


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
    if as_json:
        import json

        sys.stderr.write(json.dumps(exc.to_dict(), ensure_ascii=False) + "\n")
        return
    console = output.err()
    console.print(
        _("Error: {message}").format(message=exc.message),
        style="bold red",
        markup=False,
        highlight=False,
    )
    for line in exc.details[:200]:
        console.print(f"  - {output.strip_control(line)}", markup=False, highlight=False)
    if len(exc.details) > 200:
        more = len(exc.details) - 200
        console.print(
            "  ... "
            + ngettext("and {count} more problem", "and {count} more problems", more).format(
                count=number(more)
            ),
            markup=False,
        )
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
            "--actor", help=N_("Name recorded in the change history (default: the OS user).")
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

    _adopt(commands)
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
