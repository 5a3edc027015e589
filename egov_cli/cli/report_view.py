"""A report in the terminal (Rich): header, headline figures, tables and charts as bars.

Every text from the catalogue is stripped of terminal escape sequences and printed without
Rich markup, so a service name cannot colour, move or clear the terminal.

Tables fit the terminal: a column of values without spaces (keys, numbers, dates) is never
wrapped; text wraps at word boundaries and is never narrower than its longest word; where the
columns do not fit, the table keeps the first two (they name the row) and a status, then every
column that still fits, levels, dates and numbers before other text, and says which it left
out, with a hint to widen the terminal or write a file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from egov_cli.reports.render.common import (
    L_NONE,
    NUMERIC_KINDS,
    format_value,
    header,
    number_text,
    one_line,
    x_text,
)

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.text import Text

    from egov_cli.reports.document import Chart, Report, Section, Table

from egov_cli.reports.document import Label

BAR_WIDTH = 40
BAR_STYLES = ("blue", "dark_orange", "green", "magenta")
#: A wrapping text column is given at least this width where its text is longer.
TEXT_WIDTH = 24
#: Columns a table always keeps: the first two (they name the row), and a status.
KEPT = 2
L_LEFT_OUT = Label("Nicht gezeigt (Terminal zu schmal)", "Not shown (terminal too narrow)")
L_WIDER = Label(
    "ein breiteres Terminal oder --format md, html, xlsx oder csv zeigt alle Spalten.",
    "a wider terminal or --format md, html, xlsx or csv shows every column.",
)


@dataclass(frozen=True)
class _Fit:
    """How a column is laid out: the width it needs (``width``), the narrowest it may get
    (``least``: its longest word) and whether its values may wrap."""

    width: int
    least: int
    wraps: bool


def _fit(header: str, cells: list[str]) -> _Fit:
    """A column of values without spaces (keys, numbers, dates) keeps each value and its
    header on one line; a column of text wraps at word boundaries, never narrower than its
    longest word."""
    words = [w for text in (header, *cells) for w in text.split()] or [""]
    longest_word = max(len(w) for w in words)
    if all(" " not in c for c in cells):
        width = max([len(header), *(len(c) for c in cells)])
        return _Fit(width, width, wraps=False)
    longest = max((len(c) for c in cells), default=0)
    return _Fit(max(longest_word, min(longest, TEXT_WIDTH)), longest_word, wraps=True)


def _shown_columns(fits: list[_Fit], kept: set[int], texts: set[int], width: int) -> list[int]:
    """The columns (their positions, in order) that fit in ``width`` characters, with the
    borders and padding of a Rich table (three characters a column, one more at the end):
    the ``kept`` ones, then from left to right every other column that still fits, columns
    of plain ``texts`` last (levels, dates, numbers say what the row is about)."""
    shown = set(kept)
    used = sum(fits[i].width + 3 for i in shown) + 1
    rest = [i for i in range(len(fits)) if i not in kept]
    for position in [i for i in rest if i not in texts] + [i for i in rest if i in texts]:
        if used + fits[position].width + 3 <= width:
            shown.add(position)
            used += fits[position].width + 3
    return sorted(shown)


def _t(text: object, style: str | None = None) -> Text:
    from rich.text import Text

    return Text(one_line(text), style=style or "")


def _bar(value: float, top: float, width: int = BAR_WIDTH) -> str:
    if top <= 0 or value <= 0:
        return ""
    eighths = round(width * 8 * min(value / top, 1.0))
    full, rest = divmod(eighths, 8)
    return "█" * full + ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")[rest]


def _table(table: Table, lang: str, scale: dict[int, str], width: int) -> RenderableType:
    from rich.table import Table as RichTable

    if not table.rows:
        return _t(f"{one_line(table.title(lang))}: {L_NONE(lang)}", "italic")
    headers = [one_line(c.label(lang)) for c in table.columns]
    cells = [
        [one_line(format_value(row.get(c.key), c.kind, lang, scale)) for c in table.columns]
        for row in table.rows
    ]
    fits = [_fit(h, [r[i] for r in cells]) for i, h in enumerate(headers)]
    kept = {
        i for i, c in enumerate(table.columns) if i < KEPT or c.kind in ("target_status", "status")
    }
    texts = {i for i, c in enumerate(table.columns) if c.kind == "text"}
    shown = _shown_columns(fits, kept, texts, width)
    notes = [table.note(lang)] if table.note else []
    if len(shown) < len(table.columns):
        left_out = ", ".join(h for i, h in enumerate(headers) if i not in shown)
        notes.append(f"{L_LEFT_OUT(lang)}: {left_out}; {L_WIDER(lang)}")
    out = RichTable(
        title=_t(table.title(lang), "bold"),
        title_justify="left",
        header_style="bold",
        caption=_t(" ".join(notes), "italic") if notes else None,
        caption_justify="left",
    )
    for i in shown:
        c, header_text, fit = table.columns[i], headers[i], fits[i]
        out.add_column(
            _t(header_text),
            justify="right" if c.kind in NUMERIC_KINDS else "left",
            min_width=fit.least,
            no_wrap=not fit.wraps,
            overflow="fold",
        )
    for row in cells:
        out.add_row(*(_t(row[i]) for i in shown))
    return out


def _chart(chart: Chart, lang: str) -> RenderableType:
    """Bars: one per category (level distribution) or per series' latest value (burn-up)."""
    from rich.table import Table as RichTable

    grid = RichTable.grid(padding=(0, 1))
    grid.add_column()
    grid.add_column()
    grid.add_column(justify="right")
    if chart.kind == "burnup":
        latest = []
        for s in chart.series:
            points = sorted(s.points, key=lambda p: p[0])
            if points:
                latest.append((s, points[-1]))
        top = max((float(p[1]) for _s, p in latest), default=0.0)
        for i, (s, (x, y)) in enumerate(latest):
            style = "red" if s.style == "dashed" else BAR_STYLES[i % len(BAR_STYLES)]
            grid.add_row(
                _t(f"{one_line(s.name(lang))} ({x_text(x, lang)})"),
                _t(_bar(float(y), top), style),
                _t(number_text(float(y), lang)),
            )
    else:
        values = [float(y) for s in chart.series for _x, y in s.points if y is not None]
        top = max(values, default=0.0)
        for i, s in enumerate(chart.series):
            for x, y in s.points:
                label = x_text(x, lang)
                if len(chart.series) > 1:
                    label = f"{label} – {one_line(s.name(lang))}"
                grid.add_row(
                    _t(label),
                    _t(_bar(float(y or 0), top), BAR_STYLES[i % len(BAR_STYLES)]),
                    _t(number_text(y, lang)),
                )
    from rich.console import Group

    return Group(_t(chart.title(lang), "bold"), grid)


def _section(
    section: Section, lang: str, scale: dict[int, str], width: int
) -> list[RenderableType]:
    from rich.rule import Rule
    from rich.table import Table as RichTable

    parts: list[RenderableType] = [Rule(_t(section.title(lang), "bold"), align="left")]
    if section.figures:
        grid = RichTable.grid(padding=(0, 2))
        grid.add_column()
        grid.add_column(justify="right", style="bold")
        for f in section.figures:
            grid.add_row(_t(f.label(lang)), _t(format_value(f.value, f.kind, lang, scale)))
        parts.append(grid)
    for chart in section.charts:
        parts += [_t(""), _chart(chart, lang)]
    for table in section.tables:
        parts += [_t(""), _table(table, lang, scale, width)]
    parts.append(_t(""))
    return parts


def print_report(report: Report, lang: str, console: Console) -> None:
    """Print ``report`` on ``console``."""
    from rich.table import Table as RichTable

    console.print(_t(report.title(lang), "bold underline"))
    meta = RichTable.grid(padding=(0, 2))
    meta.add_column(style="bold")
    meta.add_column()
    for i, (label, text) in enumerate(header(report, lang)):
        meta.add_row(_t(label), _t(text, "bold red" if i >= 4 else None))
    console.print(meta)
    console.print()
    for section in report.sections:
        for part in _section(section, lang, report.level_names(lang), console.width):
            console.print(part)


def render_text(report: Report, lang: str, width: int = 160) -> str:
    """The terminal view as plain text (no colour, fixed width): for ``--format rich`` to a file."""
    import io

    from rich.console import Console

    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        no_color=True,
        color_system=None,
        force_terminal=False,
        highlight=False,
        emoji=False,
        soft_wrap=False,
    )
    print_report(report, lang, console)
    return buffer.getvalue()
