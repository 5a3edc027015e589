"""Writing a report: the one function every report command uses (:func:`emit_report`).

- Format: ``--format`` if given; else from the ``--output`` file's extension; else ``rich`` on
  a terminal and ``md`` when stdout is a pipe or file (so ``egov report readiness > x.md``
  gives Markdown, not terminal drawing). An ``--output`` file whose extension names no format
  (``x.pdf`` where PDF is not available, ``x.docx``, no extension) is a usage error (exit 2),
  never a file in some other format under that name.
- Output: ``--output FILE`` writes atomically (a temporary file in the same folder, then a
  rename): no half-written report ever carries the final name. ``-`` (or no ``--output``)
  means stdout.
- Every written report is recorded (``report_run``), so ``report changes --since last`` knows.

The clock: reports use the current time, or ``EGOV_NOW`` (ISO 8601, e.g.
``EGOV_NOW=2026-11-25T09:00:00Z``) when set: for tests and reproducible reports.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from egov_cli import i18n
from egov_cli.cli import output as out
from egov_cli.core.files import write_atomic
from egov_cli.i18n import N_, _

if TYPE_CHECKING:
    from egov_cli.cli.state import State
    from egov_cli.reports.document import Report

NOW_ENV = "EGOV_NOW"
FORMAT_CHOICES = ("rich", "md", "html", "pdf", "xlsx", "csv", "json")
_BY_SUFFIX = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".pdf": "pdf",
              ".xlsx": "xlsx", ".csv": "csv", ".json": "json", ".txt": "rich"}  # fmt: skip
#: Formats whose file is binary (never printed to a terminal).
_BINARY = ("pdf", "xlsx")

FormatOpt = Annotated[
    str | None,
    typer.Option(
        "--format",
        "-f",
        metavar=N_("FORMAT"),
        help=N_(
            "rich, md, html, pdf, xlsx, csv or json. Default: from the --output file's extension, "
            "else rich on a terminal and md otherwise."
        ),
    ),
]
OutputOpt = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        metavar=N_("FILE"),
        help=N_("Write to this file ('-' for stdout, the default)."),
    ),
]
LangOpt = Annotated[
    str | None,
    typer.Option(
        "--lang",
        metavar=N_("LANGUAGE"),
        help=N_("Language of labels, numbers and dates: de or en (default: the run's language)."),
    ),
]


def report_now() -> datetime:
    """Now (aware UTC), or the time pinned with EGOV_NOW."""
    from egov_cli.core.errors import ValidationError

    pinned = os.environ.get(NOW_ENV, "").strip()
    if not pinned:
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(pinned.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError(
            _("{variable}={value!r} is not an ISO 8601 time.").format(
                variable=NOW_ENV, value=pinned
            ),
            _("Write e.g. {variable}=2026-11-25T09:00:00Z, or unset {variable}.").format(
                variable=NOW_ENV
            ),
        ) from None
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def check_lang(lang: str | None) -> str:
    """The report's language: its own ``--lang``, else the run's language."""
    from egov_cli.core.errors import ValidationError

    if lang is None:
        return i18n.language()
    value = lang.strip().lower()
    if value not in ("de", "en"):
        raise ValidationError(
            _("--lang {value!r} is not supported.").format(value=lang),
            _("Use --lang de or --lang en."),
        )
    return value


def resolve_format(fmt: str | None, output: str | None) -> str:
    """The format to write (see the module docstring)."""
    from egov_cli.core.errors import ValidationError

    if fmt:
        value = fmt.strip().lower()
        if value not in FORMAT_CHOICES:
            raise ValidationError(
                _("--format {value!r} is not a report format.").format(value=fmt),
                _("Use one of {choices}.").format(choices=", ".join(FORMAT_CHOICES)),
            )
        return value
    if output and output != "-":
        suffix = Path(output).suffix.lower()
        if suffix not in _BY_SUFFIX and not Path(output).expanduser().is_dir():
            from egov_cli.core.errors import UsageError

            known = ", ".join(sorted(_BY_SUFFIX))
            raise UsageError(
                _("The output file {file!r} has no ending of a report format.").format(file=output)
                if not suffix
                else _(
                    "The ending {suffix!r} of the output file {file!r} is not a report format."
                ).format(suffix=suffix, file=output),
                _("Use one of these endings: {endings}; or give --format.").format(endings=known),
            )
        return _BY_SUFFIX.get(suffix, "md")  # a folder: writing it fails with a file error
    return "rich" if out.stdout_is_terminal() else "md"


def render(report: Report, fmt: str, lang: str) -> bytes:
    """The report in ``fmt`` as the bytes of a file (text formats in UTF-8)."""
    if fmt == "xlsx":
        from egov_cli.reports.render import xlsx as report_xlsx

        return report_xlsx.render(report, lang)
    if fmt == "pdf":
        from egov_cli.reports.render import pdf as report_pdf

        return report_pdf.render(report, lang)
    if fmt == "rich":
        from egov_cli.cli.report_view import render_text

        text = render_text(report, lang)
    elif fmt == "md":
        from egov_cli.reports.render import md as report_md

        text = report_md.render(report, lang)
    elif fmt == "html":
        from egov_cli.reports.render import html as report_html

        text = report_html.render(report, lang)
    elif fmt == "csv":
        from egov_cli.reports.render import csv as report_csv

        text = report_csv.render(report, lang)
    else:
        from egov_cli.reports.render import json as report_json

        text = report_json.render(report, lang)
    return text.encode("utf-8")


def record_all(st: State, runs: list[tuple[Report, str, str | None]]) -> None:
    """Record written reports as (report, format, file or None for stdout), in one transaction
    (for ``report changes --since last``).

    The reports are out already when they are recorded: a catalogue that cannot take the
    record (a report job's read-only role or storage, a lock another program holds past the
    lock timeout, a full disk) is a warning that names what was not recorded, not a failure.
    """
    from egov_cli.core.errors import DatabaseError, ReadOnlyCatalogue
    from egov_cli.reports.builders import record_run

    try:
        with st.session(write=True) as session:
            for report, fmt, target in runs:
                record_run(
                    session,
                    report.name,
                    generated_at=report.generated_at,
                    actor=st.settings.actor,
                    format=fmt,
                    output=target,
                )
    except DatabaseError as exc:
        reason = (
            "Der Katalog ist schreibgeschützt"
            if isinstance(exc, ReadOnlyCatalogue)
            else f"Der Katalog nimmt gerade nichts an ({exc.message})"
        )
        written = ", ".join(f"{report.name} ({target or 'stdout'})" for report, _, target in runs)
        out.warning(
            f"{reason}: ausgegeben, aber nicht im Katalog vermerkt: {written}. "
            "'report changes --since last' kennt diese Berichte nicht."
        )


def emit_report(
    st: State, report: Report, fmt: str | None, output: str | None, lang: str | None = None
) -> Path | None:
    """Show or write ``report`` (see the module docstring); returns the file written, if any."""
    from egov_cli.core.errors import ValidationError

    lang = check_lang(lang)
    chosen = resolve_format(fmt, output)
    to_stdout = output in (None, "", "-")
    written: Path | None = None
    if to_stdout:
        if chosen == "rich" and out.stdout_is_terminal():
            from egov_cli.cli.report_view import print_report

            print_report(report, lang, out.out())
        elif chosen in _BINARY:
            if out.stdout_is_terminal():
                raise ValidationError(
                    _(
                        "A {format} report is a binary file and cannot be shown in the terminal."
                    ).format(format=chosen),
                    _("Add --output report.{format} (or pipe it: > report.{format}).").format(
                        format=chosen
                    ),
                )
            data = render(report, chosen, lang)
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        else:
            sys.stdout.write(render(report, chosen, lang).decode("utf-8"))
            sys.stdout.flush()
    else:
        assert output is not None
        written = write_atomic(Path(output).expanduser(), render(report, chosen, lang))
        out.message(f"Bericht geschrieben: {written}", quiet=st.quiet)
    record_all(st, [(report, chosen, str(written) if written else None)])
    return written
