"""Help and parser errors in the run's language.

Typer vendors Click (``typer._click``) without gettext: "Usage: ", "Options", "No such
option: ..." are plain English strings there. egov's command classes (``egov_cli.cli.app``)
format their help through this module, which takes the headings, the help texts and Typer's
few words from egov's catalog; the one error handler turns the parser's errors into the same
language with :func:`translated_usage_error`.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

from typer._click.exceptions import NoArgsIsHelpError, UsageError
from typer._click.formatting import HelpFormatter
from typer._click.utils import echo, make_default_short_help

from egov_cli.i18n import N_, _


def help_text(text: str | None) -> str:
    """A command's or option's help (a message id: cleaned, cut at a form feed), translated."""
    if not text:
        return ""
    return _(inspect.cleandoc(text).partition("\f")[0].strip())


@contextmanager
def translated_metavars(command: Any) -> Iterator[None]:
    """The command's metavars (English message ids: ``FILE``, ``LEVEL``) in the run's
    language while its help is written (``DATEI``, ``STUFE``)."""
    originals = [(param, param.metavar) for param in command.params]
    for param, metavar in originals:
        if metavar:
            param.metavar = _(metavar)
    try:
        yield
    finally:
        for param, metavar in originals:
            param.metavar = metavar


def format_usage(command: Any, ctx: Any, formatter: HelpFormatter) -> None:
    """``Aufruf: egov targets add [OPTIONEN] NAME``."""
    with translated_metavars(command):
        pieces = [_piece(command, piece) for piece in command.collect_usage_pieces(ctx)]
    formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=_("Usage: "))


def _piece(command: Any, piece: str) -> str:
    if piece.startswith("{") and "}" in piece:  # Typer's braces round a required argument
        return piece[1:].replace("}", "", 1)
    if piece == "[OPTIONS]":
        return _("[OPTIONS]")
    if piece == getattr(command, "subcommand_metavar", None) and piece == "COMMAND [ARGS]...":
        return _("COMMAND [ARGS]...")
    return piece


def format_help_text(command: Any, formatter: HelpFormatter) -> None:
    text = help_text(command.help)
    if text:
        formatter.write_paragraph()
        with formatter.indentation():
            formatter.write_text(text)


def short_help(command: Any, limit: int) -> str:
    """The first sentence of the translated help, for the command list."""
    if command.short_help:
        return help_text(command.short_help)
    text = help_text(command.help)
    return make_default_short_help(text, limit) if text else ""


#: The help texts of the options Typer and Click add themselves (``--help``, completion).
TYPER_HELP = (
    N_("Show this message and exit."),
    N_("Install completion for the current shell."),
    N_("Show completion for the current shell, to copy it or customize the installation."),
)

#: Typer's own words in an option's help line (``[env var: EGOV_DB; default: level; required]``).
TYPER_WORDS = (
    ("env var: ", N_("env var: ")),
    ("default: ", N_("default: ")),
    ("required", N_("required")),
)


def format_params(command: Any, ctx: Any, formatter: HelpFormatter) -> None:
    """The arguments and options with their help, under translated headings."""
    args, opts = [], []
    with translated_metavars(command):
        records = [(param, _help_record(param, ctx)) for param in command.get_params(ctx)]
    for param, record in records:
        if record is None:
            continue
        if param.param_type_name == "argument":
            args.append(record)
        elif param.param_type_name == "option":
            opts.append(record)
    if args:
        with formatter.section(_("Arguments")):
            formatter.write_dl(args)
    if opts:
        with formatter.section(_("Options")):
            formatter.write_dl(opts)


def _help_record(param: Any, ctx: Any) -> tuple[str, str] | None:
    original = param.help
    param.help = help_text(original) or None
    try:
        record = param.get_help_record(ctx)
    finally:
        param.help = original
    if record is None:
        return None
    names, text = record
    if param.param_type_name == "argument":  # its metavar says what is wanted, not "<str>"
        names = re.sub(r" <[^>]*>$", "", names)
    head, bracket, extra = text.rpartition("  [") if text.endswith("]") else (text, "", "")
    if not bracket and text.startswith("[") and text.endswith("]"):
        head, bracket, extra = "", "[", text[1:]
    if bracket:
        for english, msgid in TYPER_WORDS:
            extra = extra.replace(english, _(msgid))
        text = f"{head}  [{extra}" if head else f"[{extra}"
    return names, text


def format_commands(group: Any, ctx: Any, formatter: HelpFormatter) -> None:
    """The command list, with each command's translated first sentence."""
    rows = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is not None and not command.hidden:
            rows.append((name, command))
    if not rows:
        return
    limit = formatter.width - 6 - max(len(name) for name, _command in rows)
    with formatter.section(_("Commands")):
        formatter.write_dl([(name, command.get_short_help_str(limit)) for name, command in rows])


#: The parser's English messages (Typer's vendored Click) and their message ids. A message
#: that matches none stays as it is; the tests run the usual mistakes in both languages.
PARSER_MESSAGES: tuple[tuple[str, str], ...] = (
    (r"No such option: (?P<name>\S+)", N_("No such option: {name}")),
    (r"No such command '(?P<name>.*)'\.", N_("No such command '{name}'.")),
    (r"Missing command\.", N_("Missing command.")),
    (r"Missing argument (?P<name>.+?)\.", N_("Missing argument {name}.")),
    (r"Missing option (?P<name>.+?)\.", N_("Missing option {name}.")),
    (r"Missing parameter: (?P<name>.+)", N_("Missing parameter: {name}")),
    (
        r"Got unexpected extra argument\(s\) \((?P<args>.*)\)",
        N_("Got unexpected extra argument(s) ({args})"),
    ),
    (r"Option '(?P<name>.+)' requires an argument\.", N_("Option '{name}' requires a value.")),
    (
        r"Option '(?P<name>.+)' requires (?P<count>\d+) arguments\.",
        N_("Option '{name}' requires {count} values."),
    ),
    (r"Option '(?P<name>.+)' does not take a value\.", N_("Option '{name}' takes no value.")),
    (
        r"Argument '(?P<name>.+)' takes (?P<count>\d+) values\.",
        N_("Argument '{name}' takes {count} values."),
    ),
    (
        r"Invalid value for (?P<name>.+?): (?P<message>.+)",
        N_("Invalid value for {name}: {message}"),
    ),
    (r"Invalid value: (?P<message>.+)", N_("Invalid value: {message}")),
    (
        r"Value (?P<value>.+) is not a valid (?P<type>\w+)\.",
        N_("Value {value} is not a valid {type}."),
    ),
    (r"(?P<value>.+) is not one of (?P<choices>.+)\.", N_("{value} is not one of {choices}.")),
    (
        r"(?P<stem>.+)\. Did you mean (?P<suggestions>.+)\?",
        N_("{stem}. Did you mean {suggestions}?"),
    ),
    (
        r"(?P<message>.+) \(Possible options: (?P<options>.+)\)",
        N_("{message} (Possible options: {options})"),
    ),
    (r"Choose from:(?P<choices>.*)", N_("Choose from:{choices}")),
)


def translate_parser_message(text: str) -> str:
    """The parser's English ``text`` in the run's language (as it is when no pattern fits)."""
    for pattern, msgid in PARSER_MESSAGES:
        found = re.fullmatch(pattern, text, flags=re.DOTALL)
        if found:
            values = found.groupdict()
            if "name" in values:  # an argument's metavar (an English message id): translated
                values["name"] = re.sub(
                    r"'([A-Z][A-Z/:=_]*)'", lambda m: f"'{_(m.group(1))}'", values["name"]
                )
            if "message" in values:  # a message of its own, translated in turn
                values["message"] = translate_parser_message(values["message"])
            if "stem" in values:  # a sentence whose full stop was taken off
                values["stem"] = translate_parser_message(values["stem"] + ".").rstrip(".")
            return _(msgid).format(**values)
    return text


class TranslatedUsageError(UsageError):
    """A parser error told in the run's language: usage line, where to find help, the error."""

    def __init__(self, original: UsageError) -> None:
        super().__init__(translate_parser_message(original.format_message()), original.ctx)
        self.exit_code = original.exit_code

    def format_message(self) -> str:
        return self.message

    def show(self, file: IO[Any] | None = None) -> None:
        import sys

        stream = file if file is not None else sys.stderr
        ctx = self.ctx
        if ctx is not None:
            echo(ctx.get_usage(), file=stream, color=ctx.color)
            if ctx.command.get_help_option(ctx) is not None:
                hint = _("Try '{command} {option}' for help.").format(
                    command=ctx.command_path, option=ctx.help_option_names[0]
                )
                echo(f"{hint}\n", file=stream, color=ctx.color)
        echo(_("Error: {message}").format(message=self.message), file=stream)


def translated_usage_error(exc: UsageError) -> UsageError:
    """``exc`` told in the run's language (the help shown for a bare group stays as it is:
    it is already translated)."""
    if isinstance(exc, NoArgsIsHelpError | TranslatedUsageError):
        return exc
    return TranslatedUsageError(exc)
