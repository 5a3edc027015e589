"""Showing results: Rich on a terminal, plain text when piped, JSON for scripts.

Data goes to stdout; messages, warnings, progress and errors go to stderr. Colour follows the
terminal: none when not a terminal, with ``NO_COLOR`` or ``--no-color``.

Every line egov prints passes :func:`printable` here: a name holding a terminal escape sequence
(``ESC[31m``), another control character or the undecodable bytes of a file name is shown with
that character written out (``\\x1b[31m``, ``\\xff``), never sent to the terminal raw. Rich output
is made printable segment by segment (the styles egov adds itself are not text and stay), plain
writes and JSON on their way out.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from egov_cli.i18n import _

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, ConsoleRenderable, RenderResult

_consoles: dict[str, Console] = {}
_no_color = False

#: Characters never printed as they are: C0 controls (but tab and line feed), DEL, C1 controls
#: and lone surrogates (the bytes of a file name that is not UTF-8).
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, kept by the file system decoding
        return f"\\x{code - 0xDC00:02x}"
    if code > 0xFF:
        return f"\\u{code:04x}"
    return f"\\x{code:02x}"


def printable(text: str) -> str:
    """``text`` safe for a terminal: every control character (but tab and line feed) and every
    undecodable byte written out as ``\\xNN``, so nothing in a name can move the cursor, change
    colours or stop the output with an encoding error."""
    return _UNPRINTABLE.sub(_visible, text)


def _json_text(data: Any, indent: int | None = None) -> str:
    """``data`` as JSON text holding only printable characters: ``json`` escapes C0 controls
    itself; DEL, C1 controls and lone surrogates are escaped here (``\\u009b``)."""
    text = json.dumps(data, default=_json_default, ensure_ascii=False, indent=indent)
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class _PrintableHook:
    """A Rich render hook: whatever a console prints is rendered, then its text made
    :func:`printable`. Control segments (cursor moves Rich makes itself) pass unchanged."""

    def process_renderables(self, renderables: list[ConsoleRenderable]) -> list[ConsoleRenderable]:
        return [_Printable(r) for r in renderables]


class _Printable:
    def __init__(self, renderable: ConsoleRenderable) -> None:
        self.renderable = renderable

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.segment import Segment

        for segment in console.render(self.renderable, options):
            if segment.control or not _UNPRINTABLE.search(segment.text):
                yield segment
            else:
                yield Segment(printable(segment.text), segment.style)


def set_no_color(value: bool) -> None:
    global _no_color
    _no_color = value
    _consoles.clear()


def _console(stderr: bool) -> Console:
    name = "err" if stderr else "out"
    stream = sys.stderr if stderr else sys.stdout
    console = _consoles.get(name)
    if console is None or console.file is not stream:
        from rich.console import Console

        console = Console(
            file=stream,
            stderr=stderr,
            no_color=_no_color or bool(os.environ.get("NO_COLOR")),
            highlight=False,
            soft_wrap=False,
            # Messages to a pipe, a file or a scheduler's log are not wrapped at 80 columns.
            width=10_000 if stderr and not stream.isatty() else None,
        )
        console.push_render_hook(_PrintableHook())  # type: ignore[arg-type]
        _consoles[name] = console
    return console


def out() -> Console:
    return _console(stderr=False)


def err() -> Console:
    return _console(stderr=True)


def stdout_is_terminal() -> bool:
    return out().is_terminal


def _json_default(value: Any) -> Any:
    """Dataclasses, SQLModel objects, dates and decimals as plain JSON values."""
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if hasattr(value, "model_dump"):
        return value.model_dump()
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def print_json(data: Any) -> None:
    """JSON on stdout: indented for people on a terminal, compact (and fast) otherwise. (The
    stream itself tells: a script's JSON needs no Rich console.)"""
    indent = 2 if sys.stdout.isatty() else None
    sys.stdout.write(_json_text(data, indent) + "\n")
    sys.stdout.flush()


def print_json_error(data: Any) -> None:
    """An error as one line of JSON on stderr (for ``--json``)."""
    sys.stderr.write(_json_text(data) + "\n")
    sys.stderr.flush()


def write(text: str, *, stderr: bool = False) -> None:
    """``text`` written as it is, without Rich (fast, for many lines), made :func:`printable`."""
    stream = sys.stderr if stderr else sys.stdout
    stream.write(printable(text))


def message(text: str, *, quiet: bool = False, style: str | None = None) -> None:
    """A message for people, on stderr (silent with --quiet)."""
    if not quiet:
        err().print(text, style=style, markup=False, highlight=False)


def warning(text: str) -> None:
    err().print(
        _("Warning: {message}").format(message=text), style="yellow", markup=False, highlight=False
    )


def plain(text: str) -> None:
    """Text for stdout, as is (no markup)."""
    out().print(text, markup=False, highlight=False, soft_wrap=True)


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime | date):
        from egov_cli.values import display as formats

        if isinstance(value, datetime):  # stored in UTC (SQLite gives it back naive): local time
            return formats.timestamp(value if value.tzinfo else value.replace(tzinfo=UTC))
        return formats.day(value)
    return str(value)


def changes_text(changes: Mapping[str, tuple[Any, Any]]) -> str:
    """What changed, on one line: ``name: old -> new, contact: old -> new`` ("" for nothing)."""
    return ", ".join(f"{name}: {old} -> {new}" for name, (old, new) in changes.items())


def table(
    rows: Sequence[Sequence[Any]],
    headers: Sequence[str],
    *,
    title: str | None = None,
    caption: str | None = None,
    justify: dict[int, str] | None = None,
    whole: Sequence[int] = (),
) -> None:
    """A table on stdout: a Rich table on a terminal, plain tab-separated text when piped.

    The columns numbered in ``whole`` (keys, dates) are never broken across lines on a narrow
    terminal; the others wrap."""
    cells = [[cell(v) for v in row] for row in rows]
    if not stdout_is_terminal():
        if title:
            write(title + "\n")
        write("\t".join(headers) + "\n")
        for row in cells:
            write("\t".join(c.replace("\t", " ").replace("\n", " ") for c in row) + "\n")
        if caption:
            write(caption + "\n")
        sys.stdout.flush()
        return
    from rich.table import Table

    tbl = Table(
        title=title,
        caption=caption,
        header_style="bold",
        title_justify="left",
        caption_justify="left",
    )
    for i, header in enumerate(headers):
        tbl.add_column(
            header,
            justify=(justify or {}).get(i, "left"),  # type: ignore[arg-type]
            overflow="fold",
            no_wrap=i in whole,
            min_width=max((len(row[i]) for row in cells), default=0) if i in whole else None,
        )
    for row in cells:
        tbl.add_row(*row)
    out().print(tbl)


def key_values(pairs: Sequence[tuple[str, Any]], *, title: str | None = None) -> None:
    """A two-column list of labelled values."""
    table([(k, v) for k, v in pairs], [_("Field"), _("Value")], title=title)


@contextmanager
def progress(
    description: str, total: int | None, *, quiet: bool = False
) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr; silent when stderr is not a terminal or with --quiet.

    Yields ``advance(n)``.
    """
    console = err()
    if quiet or not console.is_terminal:
        yield lambda _n: None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(printable(description), total=total)
        yield lambda n: bar.advance(task, n)
