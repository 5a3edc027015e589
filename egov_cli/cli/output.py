"""Showing results: Rich on a terminal, plain text when piped, JSON for scripts.

Data goes to stdout; messages, warnings, progress and errors go to stderr. Colour follows the
terminal: none when not a terminal, with ``NO_COLOR`` or ``--no-color``.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from egov_cli.i18n import _

if TYPE_CHECKING:
    from rich.console import Console

_consoles: dict[str, Console] = {}
_no_color = False


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


def to_jsonable(value: Any) -> Any:
    """``value`` as plain JSON types (via the same rules as :func:`print_json`)."""
    return json.loads(json.dumps(value, default=_json_default, ensure_ascii=False))


def print_json(data: Any) -> None:
    """JSON on stdout: indented for people on a terminal, compact (and fast) otherwise."""
    indent = 2 if stdout_is_terminal() else None
    sys.stdout.write(
        json.dumps(data, default=_json_default, ensure_ascii=False, indent=indent) + "\n"
    )
    sys.stdout.flush()


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


def strip_control(text: str) -> str:
    """Drop terminal escape and other control characters from user-supplied text."""
    return "".join(
        c
        for c in text
        if c in "\n\t" or (ord(c) >= 32 and ord(c) != 127 and not 0x80 <= ord(c) < 0xA0)
    )


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime | date):
        from egov_cli import formats

        return formats.clock(value) if isinstance(value, datetime) else formats.day(value)
    return strip_control(str(value))


def table(
    rows: Sequence[Sequence[Any]],
    headers: Sequence[str],
    *,
    title: str | None = None,
    caption: str | None = None,
    justify: dict[int, str] | None = None,
) -> None:
    """A table on stdout: a Rich table on a terminal, plain tab-separated text when piped."""
    cells = [[cell(v) for v in row] for row in rows]
    if not stdout_is_terminal():
        if title:
            sys.stdout.write(title + "\n")
        sys.stdout.write("\t".join(headers) + "\n")
        for row in cells:
            sys.stdout.write("\t".join(c.replace("\t", " ").replace("\n", " ") for c in row) + "\n")
        if caption:
            sys.stdout.write(caption + "\n")
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
        tbl.add_column(header, justify=(justify or {}).get(i, "left"), overflow="fold")  # type: ignore[arg-type]
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
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)
