"""A report as one self-contained HTML file: inline CSS, inline SVG charts, no scripts, no
external assets (it is mailed and opened offline). Every text from the catalogue is escaped,
and a Content-Security-Policy forbids scripts should anything slip through.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from html import escape as _escape
from typing import Any

from egov_cli.reports.document import Chart, Label, Report, Section, Series, Table
from egov_cli.reports.render.common import (
    L_FIGURE,
    L_NONE,
    NUMERIC_KINDS,
    STATUS_FILLS,
    as_of,
    format_value,
    header,
    number_text,
    one_line,
    x_text,
)

COLOURS = ("#1f5fa8", "#e07b00", "#2e8b57", "#8e44ad", "#c0392b", "#5d6d7e")
GOAL_COLOUR = "#c0392b"
#: Dash patterns of the line styles: a goal line and a forecast differ in form, not only in
#: colour (print in black and white, colour blindness).
DASHES = {"dashed": "9 5", "dotted": "2 4"}
L_MADE = Label("Erstellt mit egov-cli", "Made with egov-cli")
WIDTH, HEIGHT = 680, 280
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 64

CSS = """
body{font-family:"Segoe UI",Arial,Helvetica,sans-serif;color:#1b1b1b;margin:2rem auto;
max-width:1100px;padding:0 1rem;line-height:1.4}
h1{font-size:1.6rem;margin-bottom:.3rem}h2{font-size:1.25rem;border-bottom:2px solid #1f5fa8;
padding-bottom:.2rem;margin-top:2rem}h3{font-size:1.05rem;margin:1.2rem 0 .4rem}
dl.meta{display:grid;grid-template-columns:max-content auto;gap:.1rem 1rem;color:#444;margin:0}
dl.meta dt{font-weight:600}dl.meta dd{margin:0}
.alert{background:#fdecea;border-left:4px solid #c0392b;padding:.5rem .8rem;margin:1rem 0}
.figures{display:flex;flex-wrap:wrap;gap:.8rem;margin:.8rem 0}
.figure{border:1px solid #d5dbe3;border-radius:6px;padding:.5rem .9rem;min-width:9rem}
.figure .v{font-size:1.35rem;font-weight:600}.figure .l{color:#555;font-size:.85rem}
table{border-collapse:collapse;margin:.4rem 0 1rem;font-size:.9rem}
th,td{border:1px solid #d5dbe3;padding:.25rem .5rem;vertical-align:top}
th{background:#eef2f7;text-align:left}td.n{text-align:right;white-space:nowrap}td.k{white-space:nowrap}
.note,.empty{color:#555;font-style:italic}svg{max-width:100%;height:auto}
svg text{font-family:inherit;font-size:11px;fill:#333}
@media print{body{margin:0;padding:0;max-width:none;font-size:9.5pt}
h1{font-size:15pt;margin-top:0}h2{font-size:12.5pt;margin-top:1.2rem}h3{font-size:10.5pt}
h2,h3{break-after:avoid-page;break-inside:avoid}
section{break-before:auto}
.figures,svg,.alert,tr,.note{break-inside:avoid}
table{width:100%;font-size:8pt}th,td{padding:.15rem .3rem}thead{display:table-header-group}
th,td{overflow-wrap:break-word;hyphens:auto}td.w{overflow-wrap:anywhere}
.figure{min-width:7rem}svg{width:100%}}
"""

#: Target status cells, coloured as in the PDF and the workbook (printed in colour too).
#: (Class names by position, so that no status code appears in the page.)
STATUS_CLASSES = {status: f"st{i}" for i, status in enumerate(STATUS_FILLS)}
STATUS_CSS = "".join(
    f"td.{STATUS_CLASSES[status]}{{background:{fill};print-color-adjust:exact;"
    "-webkit-print-color-adjust:exact}"
    for status, fill in STATUS_FILLS.items()
)

#: The printed page: A4 with margins, a running header (title, date) and footer (page numbers).
#: The texts are filled in by :func:`print_css`.
PRINT_PAGE = """
@page{size:A4;margin:18mm 15mm 16mm 15mm;
@top-left{content:%(title)s;font:8pt Arial,Helvetica,sans-serif;color:#555}
@top-right{content:%(date)s;font:8pt Arial,Helvetica,sans-serif;color:#555}
@bottom-left{content:%(made)s;font:8pt Arial,Helvetica,sans-serif;color:#555}
@bottom-right{content:%(page)s counter(page) %(of)s counter(pages);
font:8pt Arial,Helvetica,sans-serif;color:#555}}
"""
L_PAGE = Label("Seite", "Page")
L_OF = Label("von", "of")


def css_string(text: object) -> str:
    """Text as a quoted CSS string: every character but letters, digits and spaces escaped as a
    code point, so no text from the catalogue can end the string or the style sheet."""
    return (
        '"'
        + "".join(
            ch if (ch.isalnum() and ch.isascii()) or ch == " " else f"\\{ord(ch):x} "
            for ch in one_line(text)
        )
        + '"'
    )


def print_css(report: Report, lang: str) -> str:
    """The page rules of the printed report (A4, margins, running header and footer)."""
    return PRINT_PAGE % {
        "title": css_string(report.title(lang)),
        "date": css_string(format_value(as_of(report), "date", lang)),
        "made": css_string(L_MADE(lang)),
        "page": css_string(L_PAGE(lang) + " "),
        "of": css_string(" " + L_OF(lang) + " "),
    }


def e(text: object) -> str:
    """Escaped text for HTML content and attribute values."""
    return _escape(one_line(text), quote=True)


def _nice_max(value: float) -> tuple[float, float]:
    """A round upper bound for an axis and its tick step (four steps)."""
    if value <= 0:
        return 4.0, 1.0
    rough = value / 4
    magnitude = 10 ** math.floor(math.log10(rough))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if step >= rough:
            break
    if step < 1:
        step = 1.0 if value <= 4 else step
    return step * 4, step


def _f(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _axis(ymax: float, step: float, lang: str) -> list[str]:
    plot_h = HEIGHT - TOP - BOTTOM
    parts = []
    ticks = round(ymax / step)
    for i in range(ticks + 1):
        value = step * i
        y = TOP + plot_h - plot_h * value / ymax
        parts.append(
            f'<line x1="{LEFT}" y1="{_f(y)}" x2="{WIDTH - RIGHT}" y2="{_f(y)}" '
            f'stroke="#e3e7ed" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{_f(y + 4)}" text-anchor="end">{e(number_text(value, lang))}</text>'
        )
    parts.append(
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" '
        'stroke="#888" stroke-width="1"/>'
    )
    return parts


def _short(text: str, limit: int = 18) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _legend(series: tuple[Series, ...], lang: str, colours: list[str]) -> list[str]:
    parts = []
    x = LEFT
    y = HEIGHT - 12
    for s, colour in zip(series, colours, strict=True):
        dash = f' stroke-dasharray="{DASHES[s.style]}"' if s.style in DASHES else ""
        if s.style == "bar":
            parts.append(f'<rect x="{x}" y="{y - 9}" width="12" height="10" fill="{colour}"/>')
        else:
            parts.append(
                f'<line x1="{x}" y1="{y - 4}" x2="{x + 18}" y2="{y - 4}" stroke="{colour}" '
                f'stroke-width="2.5"{dash}/>'
            )
        name = one_line(s.name(lang))
        parts.append(f'<text x="{x + 24}" y="{y}">{e(name)}</text>')
        x += 40 + 7 * len(name)
    return parts


def _colours(series: tuple[Series, ...]) -> list[str]:
    colours, i = [], 0
    for s in series:
        if s.style == "dashed" and len(series) > 1:
            colours.append(GOAL_COLOUR)
        else:
            colours.append(COLOURS[i % len(COLOURS)])
            i += 1
    return colours


def _bar_chart(chart: Chart, lang: str) -> str:
    categories: list[Any] = []
    for s in chart.series:
        for x, _y in s.points:
            if x not in categories:
                categories.append(x)
    values = [float(y) for s in chart.series for _x, y in s.points if y is not None]
    ymax, step = _nice_max(max(values, default=0.0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    colours = _colours(chart.series)
    parts = _axis(ymax, step, lang)
    slot = plot_w / max(len(categories), 1)
    bar_w = min(60.0, slot * 0.7 / max(len(chart.series), 1))
    for ci, category in enumerate(categories):
        label = x_text(category, lang)
        centre = LEFT + slot * (ci + 0.5)
        for si, s in enumerate(chart.series):
            value = dict(s.points).get(category)
            if value is None:
                continue
            h = plot_h * float(value) / ymax
            x = centre - bar_w * len(chart.series) / 2 + bar_w * si + 1
            y = TOP + plot_h - h
            text = number_text(value, lang)
            parts.append(
                f'<rect x="{_f(x)}" y="{_f(y)}" width="{_f(bar_w - 2)}" height="{_f(h)}" '
                f'fill="{colours[si]}"><title>{e(label)}: {e(text)}</title></rect>'
                f'<text x="{_f(x + (bar_w - 2) / 2)}" y="{_f(y - 4)}" text-anchor="middle">'
                f"{e(text)}</text>"
            )
        parts.append(
            f'<text x="{_f(centre)}" y="{TOP + plot_h + 16}" text-anchor="middle">'
            f"<title>{e(label)}</title>{e(_short(label))}</text>"
        )
    if len(chart.series) > 1:
        parts += _legend(chart.series, lang, colours)
    return _svg(chart, lang, parts)


def _day(x: Any) -> date | None:
    if isinstance(x, datetime):
        return x.date()
    return x if isinstance(x, date) else None


def _burnup_chart(chart: Chart, lang: str) -> str:
    days = [d for s in chart.series for x, _y in s.points if (d := _day(x)) is not None]
    values = [float(y) for s in chart.series for _x, y in s.points if y is not None]
    if not days:
        return f'<p class="empty">{e(L_NONE(lang))}</p>'
    first, last = min(days), max(days)
    span = max((last - first).days, 1)
    ymax, step = _nice_max(max(values, default=0.0) * 1.05)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    colours = _colours(chart.series)
    parts = _axis(ymax, step, lang)

    def px(d: date) -> float:
        return LEFT + plot_w * (d - first).days / span

    def py(v: float) -> float:
        return TOP + plot_h - plot_h * v / ymax

    for i in range(5):
        tick = date.fromordinal(first.toordinal() + round(span * i / 4))
        anchor = "start" if i == 0 else "end" if i == 4 else "middle"
        parts.append(
            f'<text x="{_f(px(tick))}" y="{TOP + plot_h + 16}" text-anchor="{anchor}">'
            f"{e(x_text(tick, lang))}</text>"
        )
    for s, colour in zip(chart.series, colours, strict=True):
        points = sorted(
            (d, float(y)) for x, y in s.points if (d := _day(x)) is not None and y is not None
        )
        if not points:
            continue
        dash = f' stroke-dasharray="{DASHES[s.style]}"' if s.style in DASHES else ""
        coords = " ".join(f"{_f(px(d))},{_f(py(v))}" for d, v in points)
        name = one_line(s.name(lang))
        parts.append(
            f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2.5"'
            f"{dash}><title>{e(name)}</title></polyline>"
        )
        d, v = points[-1]
        # The end of each line is labelled with its name, so that goal line and forecast are
        # told apart without the legend's colours (the forecast's label sits below its point).
        label_y = py(v) + 16 if s.style == "dotted" else py(v) - 7
        parts.append(
            f'<circle cx="{_f(px(d))}" cy="{_f(py(v))}" r="3.5" fill="{colour}"/>'
            f'<text x="{_f(px(d) - 6)}" y="{_f(label_y)}" text-anchor="end">'
            f"{e(name)}: {e(number_text(v, lang))}</text>"
        )
    parts += _legend(chart.series, lang, colours)
    return _svg(chart, lang, parts)


def _svg(chart: Chart, lang: str, parts: list[str]) -> str:
    title = e(chart.title(lang))
    y_label = (
        f'<text x="12" y="{TOP + (HEIGHT - TOP - BOTTOM) / 2:.0f}" text-anchor="middle" '
        f'transform="rotate(-90 12 {TOP + (HEIGHT - TOP - BOTTOM) / 2:.0f})">'
        f"{e(chart.y_label(lang))}</text>"
        if chart.y_label
        else ""
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{title}">'
        f"<title>{title}</title>{y_label}{''.join(parts)}</svg>"
    )


def chart_svg(chart: Chart, lang: str = "de") -> str:
    """One chart as inline SVG: bars for categories, lines for a burn-up (goal line dashed,
    forecast dotted, each labelled at its end)."""
    return _burnup_chart(chart, lang) if chart.kind == "burnup" else _bar_chart(chart, lang)


def _is_key(text: str) -> bool:
    """A short text without spaces (a LeiKa key, an OZG ID, a code): never wrapped."""
    return 0 < len(text) <= 20 and " " not in text and "-" not in text


def _has_long_word(text: str) -> bool:
    """A text with a word too long for a narrow column ("Sozialversicherungsausweis/
    Rentenversicherungsnummer"): in print it may break anywhere, so its table fits the page."""
    return any(len(word) > 20 for word in text.split())


def _table(table: Table, lang: str, scale: dict[int, str]) -> list[str]:
    out = [f"<h3>{e(table.title(lang))}</h3>"]
    if not table.rows:
        out.append(f'<p class="empty">{e(L_NONE(lang))}</p>')
    else:
        out.append("<table><thead><tr>")
        out += [f'<th scope="col">{e(c.label(lang))}</th>' for c in table.columns]
        out.append("</tr></thead><tbody>")
        for row in table.rows:
            cells = []
            for c in table.columns:
                text = e(format_value(row.get(c.key), c.kind, lang, scale))
                status = row.get(c.key) if c.kind == "target_status" else None
                cls = (
                    ' class="n"'
                    if c.kind in NUMERIC_KINDS
                    else f' class="{STATUS_CLASSES[status]}"'
                    if status in STATUS_CLASSES
                    else ' class="k"'
                    if _is_key(text)
                    else ' class="w"'
                    if _has_long_word(text)
                    else ""
                )
                cells.append(f"<td{cls}>{text}</td>")
            out.append("<tr>" + "".join(cells) + "</tr>")
        out.append("</tbody></table>")
    if table.note:
        out.append(f'<p class="note">{e(table.note(lang))}</p>')
    return out


def _section(section: Section, lang: str, scale: dict[int, str]) -> list[str]:
    out = [f'<section id="{e(section.key)}">', f"<h2>{e(section.title(lang))}</h2>"]
    if section.figures:
        out.append(f'<div class="figures" aria-label="{e(L_FIGURE(lang))}">')
        for f in section.figures:
            out.append(
                f'<div class="figure"><div class="v">{e(format_value(f.value, f.kind, lang, scale))}'
                f'</div><div class="l">{e(f.label(lang))}</div></div>'
            )
        out.append("</div>")
    for chart in section.charts:
        out += [f"<h3>{e(chart.title(lang))}</h3>", chart_svg(chart, lang)]
    for table in section.tables:
        out += _table(table, lang, scale)
    out.append("</section>")
    return out


def render(report: Report, lang: str = "de") -> str:
    title = e(report.title(lang))
    meta = header(report, lang)
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{e(lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="egov-cli {e(report.name)}">',
        f"<title>{title}</title>",
        f"<style>{CSS.strip()}{STATUS_CSS}{print_css(report, lang).rstrip()}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{title}</h1>",
        '<dl class="meta">',
        *(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in meta[:4]),
        "</dl>",
        "</header>",
    ]
    if report.alerts:
        out.append(f'<p class="alert">{e(meta[-1][0])}: {e(meta[-1][1])}</p>')
    out.append("<main>")
    for section in report.sections:
        out += _section(section, lang, report.level_names(lang))
    out += ["</main>", f'<footer class="note">{e(L_MADE(lang))}</footer>', "</body>", "</html>"]
    return "\n".join(out) + "\n"
