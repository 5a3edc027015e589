"""``egov report NAME``: readiness, targets, overdue, changes, sdg, coverage; ``egov report run``.

Every report goes through :func:`egov_cli.cli.report_output.emit_report` (formats, files,
language, the record of the run). Set ``EGOV_NOW`` (ISO time) to pin the clock.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from egov_cli.cli import json_shapes, output
from egov_cli.cli.options import json_option
from egov_cli.cli.report_output import (
    FormatOpt,
    LangOpt,
    OutputOpt,
    check_lang,
    emit_report,
    record_all,
    render,
    report_now,
    resolve_format,
)
from egov_cli.cli.state import state, use_json
from egov_cli.core.errors import ExitCode, TargetAlert, ValidationError
from egov_cli.core.files import write_new
from egov_cli.i18n import N_, _
from egov_cli.reports.builders import ReportOptions, build, report_names
from egov_cli.reports.document import Report
from egov_cli.reports.render.common import EXTENSIONS, as_of
from egov_cli.reports.schedule import FAIL_ON, dated_stem, load_schedule
from egov_cli.values import display as formats
from egov_cli.values.parse import parse_date

report_app = typer.Typer(
    help=N_(
        "Reports: readiness, targets, overdue, changes, SDG, council; 'report run' for the "
        "scheduler.\n\n"
        "Example: egov report readiness --format html --output bereitschaft.html"
    ),
    no_args_is_help=True,
)

DeptOpt = Annotated[
    str | None,
    typer.Option(
        "--department",
        "-d",
        metavar=N_("DEPARTMENT"),
        help=N_("Only this department (code or name)."),
    ),
]
TopicOpt = Annotated[
    str | None,
    typer.Option("--topic", metavar=N_("THEMENFELD"), help=N_("Only this OZG Themenfeld.")),
]
TypeOpt = Annotated[
    str | None, typer.Option("--leika-type", metavar=N_("TYPE"), help=N_("Only this LeiKa type."))
]
SdgOpt = Annotated[
    bool | None,
    typer.Option("--sdg/--no-sdg", help=N_("Only SDG Annex II services (or only others).")),
]


def _options(**values: Any) -> ReportOptions:
    return ReportOptions(**{k: v for k, v in values.items() if v is not None})


def build_report(ctx: typer.Context, name: str, options: ReportOptions) -> Report:
    """Build report ``name`` on the catalogue of this invocation, at ``report_now()``."""
    st = state(ctx)
    now = report_now()
    with st.session() as session:
        return build(name, session, st.catalogue().label, now, options)


def _show(
    ctx: typer.Context,
    name: str,
    options: ReportOptions,
    fmt: str | None,
    out: str | None,
    lang: str | None,
) -> None:
    check_lang(lang)
    resolve_format(fmt, out)  # a wrong --format fails before any work
    st = use_json(ctx, fmt == "json")
    emit_report(st, build_report(ctx, name, options), fmt, out, lang)


@report_app.command("readiness")
def readiness(
    ctx: typer.Context,
    department: DeptOpt = None,
    topic: TopicOpt = None,
    leika_type: TypeOpt = None,
    sdg: SdgOpt = None,
    fmt: FormatOpt = None,
    out: OutputOpt = None,
    lang: LangOpt = None,
) -> None:
    """Readiness: services, online share, level distribution, per department and Themenfeld,
    and the status of every target.

    Example: egov report readiness --format html --output bereitschaft.html
    """
    opts = _options(department=department, topic=topic, leika_type=leika_type, sdg_annex2=sdg)
    _show(ctx, "readiness", opts, fmt, out, lang)


@report_app.command("targets")
def targets(
    ctx: typer.Context,
    target: Annotated[
        str | None,
        typer.Option("--target", "-t", metavar=N_("DESTINATION"), help=N_("Only this target.")),
    ] = None,
    fmt: FormatOpt = None,
    out: OutputOpt = None,
    lang: LangOpt = None,
) -> None:
    """Targets: progress, pace, forecast, status and the services that still have to move.

    Example: egov report targets --format xlsx --output ziele.xlsx
    """
    _show(ctx, "targets", _options(target=target), fmt, out, lang)


@report_app.command("overdue")
def overdue(
    ctx: typer.Context,
    days: Annotated[
        int | None,
        typer.Option(
            "--days",
            min=0,
            metavar=N_("NUMBER"),
            help=N_("Also list services due within this many days (30)."),
        ),
    ] = None,
    department: DeptOpt = None,
    topic: TopicOpt = None,
    fmt: FormatOpt = None,
    out: OutputOpt = None,
    lang: LangOpt = None,
) -> None:
    """Overdue: services past their target date below their target level, and those due soon.

    Example: egov report overdue --days 60 --department 32
    """
    opts = _options(department=department, topic=topic, due_within_days=days)
    _show(ctx, "overdue", opts, fmt, out, lang)


@report_app.command("changes")
def changes(
    ctx: typer.Context,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar=N_("DATE"),
            help=N_("A date (01.10.2026 or 2026-10-01) or 'last': since the last changes report."),
        ),
    ] = None,
    department: DeptOpt = None,
    topic: TopicOpt = None,
    fmt: FormatOpt = None,
    out: OutputOpt = None,
    lang: LangOpt = None,
) -> None:
    """Changes: level ups and downs, new services and go-lives since a date or the last report.

    Example: egov report changes --since last --format md --output aenderungen.md
    """
    since_last = since is not None and since.strip().lower() in ("last", "letzter", "zuletzt")
    since_day = None if since is None or since_last else parse_date(since, "--since")
    opts = _options(
        since=since_day, since_last=since_last or None, department=department, topic=topic
    )
    _show(ctx, "changes", opts, fmt, out, lang)


@report_app.command("sdg")
def sdg(
    ctx: typer.Context,
    department: DeptOpt = None,
    fmt: FormatOpt = None,
    out: OutputOpt = None,
    lang: LangOpt = None,
) -> None:
    """SDG Annex II: services under the Single Digital Gateway below the top level.

    Example: egov report sdg --format csv --output sdg.csv
    """
    _show(ctx, "sdg", _options(department=department), fmt, out, lang)


@report_app.command("council")
def council(
    ctx: typer.Context,
    department: DeptOpt = None,
    topic: TopicOpt = None,
    fmt: FormatOpt = None,
    out: OutputOpt = None,
    lang: LangOpt = "de",
) -> None:
    """Council pack: one document for the city council or a committee: the three counts
    (services, online services, OZG services), progress since the last council report and the
    start of the year, targets, what went online, what is late and why, per department.

    Example: egov report council --output ratsbericht.pdf
    """
    _show(ctx, "council", _options(department=department, topic=topic), fmt, out, lang)


@report_app.command("run")
def run(
    ctx: typer.Context,
    schedule: Annotated[
        Path,
        typer.Argument(
            metavar=N_("FILE"), help=N_("The schedule (TOML): reports, formats, folder.")
        ),
    ],
    fail_on: Annotated[
        str | None,
        typer.Option(
            "--fail-on",
            metavar=N_("STATUS"),
            help=N_(
                "Exit 10 when a target is at risk (at-risk), 11 when one is missed (at-risk "
                "or missed)."
            ),
        ),
    ] = None,
    json: Annotated[bool, json_option(N_("Print the files written as JSON."))] = False,
) -> None:
    """The unattended job: write each scheduled report as dated files (never replacing an
    earlier run's), one log line per file on stderr, no colour; for cron and the Windows
    task scheduler (see reports/README.md).

    Example: egov report run reports/nightly.toml --fail-on at-risk
    """
    st = use_json(ctx, json)
    output.set_no_color(True)
    if fail_on is not None and fail_on.strip().lower() not in FAIL_ON:
        raise ValidationError(
            _("--fail-on {value!r} is not supported.").format(value=fail_on),
            _("Use --fail-on at-risk or --fail-on missed."),
        )
    plan = load_schedule(schedule, report_names())
    fail = (fail_on or plan.fail_on or "").strip().lower() or None
    now = report_now()
    label = st.catalogue().label
    written: list[tuple[Report, str, Path]] = []
    alerts: set[str] = set()
    stamp = formats.timestamp(now, "en")
    for item in plan.reports:
        with st.session() as session:
            report = build(item.name, session, label, now, ReportOptions(**item.options))
        alerts.update(report.alerts)
        for fmt in item.formats:
            data = render(report, fmt, plan.lang)
            path = write_new(
                plan.output_dir, dated_stem(item.name, as_of(report)), EXTENSIONS[fmt], data
            )
            written.append((report, fmt, path))
            if not st.quiet:
                output.write(
                    f"{stamp} {item.name} {fmt} geschrieben: {path} ({len(data)} Bytes)\n",
                    stderr=True,
                )
                sys.stderr.flush()
    if fail and not {r.name for r, _f, _p in written} & {"readiness", "targets"}:
        with st.session() as session:
            alerts.update(build("targets", session, label, now, ReportOptions()).alerts)
    record_all(st, [(r, f, str(p)) for r, f, p in written])
    if json:
        output.print_json(json_shapes.report_run([(r.name, f, p) for r, f, p in written], alerts))
    if fail and ("missed" in alerts or (fail == "at-risk" and "at-risk" in alerts)):
        missed = "missed" in alerts
        alert = TargetAlert(
            _("A target is missed.") if missed else _("A target is at risk."),
            _("Details in the targets report: egov report targets."),
        )
        alert.exit_code = ExitCode.TARGET_MISSED if missed else ExitCode.TARGET_AT_RISK
        raise alert


CoverageTypesOpt = Annotated[
    str | None,
    typer.Option(
        "--leika-type",
        metavar=N_("TYPES"),
        help=N_(
            "Only these LeiKa types, comma separated (e.g. 5 or 2b,5). Default: the types "
            "a municipality executes (2b, 3b, 4b, 5; and 2, 3, 2/3, 4, marked 'prüfen')."
        ),
    ),
]


@report_app.command("coverage")
def coverage(
    ctx: typer.Context,
    topic: TopicOpt = None,
    leika_type: CoverageTypesOpt = None,
    all_levels: Annotated[
        bool,
        typer.Option(
            "--all-levels",
            help=N_(
                "Also what the Land (types 2a, 3a, 4a) or the federation (1) executes "
                "(default: what the municipality executes, or may by state law)."
            ),
        ),
    ] = False,
    fmt: FormatOpt = None,
    out: OutputOpt = None,
    lang: LangOpt = "de",
) -> None:
    """Coverage: per Themenfeld, the OZG services and LeiKa services a municipality executes
    that the catalogue lacks, and those catalogued below the online threshold.

    Example: egov report coverage --topic "Bauen & Wohnen" --format xlsx --output abdeckung.xlsx
    """
    check_lang(lang)
    resolve_format(fmt, out)  # a wrong --format fails before any work
    st = use_json(ctx, fmt == "json")
    options = ReportOptions(topic=topic, leika_type=leika_type, all_levels=all_levels)
    report = build_report(ctx, "coverage", options)
    emit_report(st, report, fmt, out, lang)
