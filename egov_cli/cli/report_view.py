"""A report in the terminal (Rich): header, headline figures, tables and charts as bars.

Every text from the catalogue is stripped of terminal escape sequences and printed without
Rich markup, so a service name cannot colour, move or clear the terminal.
"""

from __future__ import annotations

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

BAR_WIDTH = 40
BAR_STYLES = ("blue", "dark_orange", "green", "magenta")


def _t(text: object, style: str | None = None) -> Text:
    from rich.text import Text

    return Text(one_line(text), style=style or "")


def _bar(value: float, top: float, width: int = BAR_WIDTH) -> str:
    if top <= 0 or value <= 0:
        return ""
    eighths = round(width * 8 * min(value / top, 1.0))
    full, rest = divmod(eighths, 8)
    return "█" * full + ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")[rest]


def _table(table: Table, lang: str, scale: dict[int, str]) -> RenderableType:
    from rich.table import Table as RichTable

    if not table.rows:
        return _t(f"{one_line(table.title(lang))}: {L_NONE(lang)}", "italic")
    out = RichTable(
        title=_t(table.title(lang), "bold"),
        title_justify="left",
        header_style="bold",
        caption=_t(table.note(lang), "italic") if table.note else None,
        caption_justify="left",
    )
    for c in table.columns:
        out.add_column(
            _t(c.label(lang)),
            justify="right" if c.kind in NUMERIC_KINDS else "left",
            overflow="fold",
        )
    for row in table.rows:
        out.add_row(*(_t(format_value(row.get(c.key), c.kind, lang, scale)) for c in table.columns))
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


def _section(section: Section, lang: str, scale: dict[int, str]) -> list[RenderableType]:
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
        parts += [_t(""), _table(table, lang, scale)]
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
        for part in _section(section, lang, report.level_names(lang)):
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
