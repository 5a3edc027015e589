"""``egov targets``: rollout targets with their progress from the change history."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import typer

from egov_cli.cli import json_shapes, output
from egov_cli.cli.options import DryRunRemoveOpt, JsonOpt, YesOpt, confirm_removal
from egov_cli.cli.state import use_json
from egov_cli.core.errors import ValidationError
from egov_cli.core.models import utcnow
from egov_cli.domain.days import local_day
from egov_cli.domain.progress import Progress, all_progress, progress
from egov_cli.domain.scale import Scale, load_scale
from egov_cli.domain.targets import (
    add_target,
    edit_target,
    find_target,
    parse_share,
    remove_target,
)
from egov_cli.i18n import N_, _, language, ngettext
from egov_cli.values import display as formats
from egov_cli.values.parse import parse_date, parse_flag, parse_int

RULE = N_(
    "Status: missed = due date passed and target not reached; at risk = target not yet "
    "reached and the forecast for the due date (today's count + pace so far per week × weeks "
    "left) is below the target; otherwise on track."
)
STATUS = {"on-track": N_("on track"), "at-risk": N_("at risk"), "missed": N_("missed")}

targets_app = typer.Typer(
    help=N_(
        "Rollout targets (120 services at level 3 by 31.12., for example), with progress from "
        "the change history.\n\n"
        "Status: missed = due date passed and target not reached; at risk = target not yet "
        "reached and the forecast for the due date (today's count + pace so far per week × weeks "
        "left) is below the target; otherwise on track.\n\n"
        "Example: egov targets add 'Online 2026' --min-level 3 --count 120"
    ),
    no_args_is_help=True,
)

Opt = typer.Option
MinLevelOpt = Annotated[
    str | None,
    Opt(
        "--min-level",
        metavar=N_("LEVEL"),
        help=N_("Threshold: services at this level or higher count."),
    ),
]
CountOpt = Annotated[
    str | None, Opt("--count", metavar=N_("NUMBER"), help=N_("Goal as a number of services."))
]
ShareOpt = Annotated[
    str | None,
    Opt("--share", metavar=N_("SHARE"), help=N_("Goal as a share of the scope: 0.8, 0,8 or 80%.")),
]
DueOpt = Annotated[
    str | None,
    Opt("--due", metavar=N_("DATE"), help=N_("Due date (default 31.12. of the current year).")),
]
StartOpt = Annotated[
    str | None,
    Opt(
        "--start",
        metavar=N_("DATE"),
        help=N_("Start of the period (default 1.1. of the due date's year)."),
    ),
]
DeptOpt = Annotated[
    str | None,
    Opt("--department", "-d", metavar=N_("DEPARTMENT"), help=N_("Scope: department code.")),
]
TopicOpt = Annotated[
    str | None, Opt("--topic", metavar=N_("THEMENFELD"), help=N_("Scope: OZG Themenfeld."))
]
TypeOpt = Annotated[
    str | None, Opt("--leika-type", metavar=N_("TYPE"), help=N_("Scope: LeiKa type, e.g. 2/3."))
]
NotesOpt = Annotated[str | None, Opt("--notes", metavar=N_("TEXT"), help=N_("Free text."))]


def _today() -> date:
    return local_day(utcnow())


def _int(text: str | None, field: str) -> int | None:
    return parse_int(text, field, minimum=1) if text is not None and text.strip() else None


def _day(text: str | None, field: str) -> date | None:
    return parse_date(text, field) if text is not None and text.strip() else None


def _level(p: Progress, scale: Scale) -> str:
    if p.threshold_level is None:
        return _("Online services")
    return _("from {level} {label}").format(
        level=p.threshold_level, label=scale.name_of(p.threshold_level)
    )


def _scope(p: Progress) -> str:
    """A target's scope in words, in the run's language (``Amt 50, Themenfeld Familie``;
    ``alle``)."""
    from egov_cli.reports.target_status import scope_text

    return scope_text(p)(language())


def _num(value: float | None, digits: int = 1) -> str:
    return formats.number(value, digits) if value is not None else "-"


@targets_app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar=N_("NAME"), help=N_("Name of the target."))],
    min_level: MinLevelOpt = None,
    count: CountOpt = None,
    share: ShareOpt = None,
    due: DueOpt = None,
    start: StartOpt = None,
    department: DeptOpt = None,
    topic: TopicOpt = None,
    leika_type: TypeOpt = None,
    sdg: Annotated[bool, Opt("--sdg", help=N_("Scope: SDG Annex II services only."))] = False,
    kind: Annotated[
        str,
        Opt(
            "--kind",
            metavar=N_("KIND"),
            help=N_("'level' (default) or 'digitales-amt' (online services)."),
        ),
    ] = "level",
    bezirk: Annotated[
        bool, Opt("--bezirk", help=N_("Digitales Amt for a Bezirk: goal 30 instead of 50."))
    ] = False,
    notes: NotesOpt = None,
    json: JsonOpt = False,
) -> None:
    """Add a target. The goal is a count (--count) or a share of the scope (--share).

    "digitales-amt" counts distinct online procedures linked on BayernPortal that submit
    electronically, against 50 (30 with --bezirk).

    Example: egov targets add "Online 2026" --min-level 3 --count 120 --due 31.12.2026
    """
    st = use_json(ctx, json)
    with st.session(write=True) as session:
        scale = load_scale(session)
        target = add_target(
            session,
            st.change_context("targets add"),
            name,
            today=_today(),
            kind=kind,
            threshold_level=scale.parse(min_level, "min-level") if min_level else None,
            goal_count=_int(count, "count"),
            goal_share=parse_share(share),
            due_date=_day(due, "due"),
            start_date=_day(start, "start"),
            department=department,
            topic=topic,
            leika_type=leika_type,
            sdg=True if sdg else None,
            bezirk=bezirk,
            notes=notes,
        )
    if json:
        output.print_json(json_shapes.target_added(target))
        return
    output.message(
        _("Target added: {name} (due {due}, start {start})").format(
            name=target.name, due=formats.day(target.due_date), start=formats.day(target.start_date)
        ),
        quiet=st.quiet,
    )


@targets_app.command("list")
def list_(ctx: typer.Context, json: JsonOpt = False) -> None:
    """List targets with their status today.

    Example: egov targets list
    """
    st = use_json(ctx, json)
    with st.session() as session:
        scale = load_scale(session)
        progresses = all_progress(session, utcnow(), weekly=False)
    if json:
        output.print_json(json_shapes.targets_list(progresses))
        return
    output.table(
        [
            (
                p.name,
                _level(p, scale),
                _scope(p),
                p.goal,
                p.start_count,
                p.current_count,
                _num(p.forecast, 0),
                p.due_date,
                _(STATUS[p.status]),
            )
            for p in progresses
        ],
        [
            _("Target"),
            _("Threshold"),
            _("Scope"),
            _("Goal"),
            _("Start"),
            _("Today"),
            _("Forecast (rounded down)"),
            _("Due"),
            _("Status"),
        ],
        whole=(7,),
    )
    total = len(progresses)
    output.message(
        ngettext("{count} target.", "{count} targets.", total).format(count=formats.number(total))
        + " "
        + _(RULE),
        quiet=st.quiet,
    )


@targets_app.command("show")
def show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar=N_("NAME"), help=N_("Name or id of the target."))],
    json: JsonOpt = False,
) -> None:
    """Show a target's progress: start, today, pace, pace needed, forecast, status.

    Example: egov targets show "Online 2026"
    """
    st = use_json(ctx, json)
    with st.session() as session:
        scale = load_scale(session)
        p = progress(session, find_target(session, name), utcnow())
    if json:
        output.print_json(json_shapes.target_show(p))
        return
    goal = (
        _("{goal} ({share} of {scope})").format(
            goal=p.goal, share=formats.percent(p.goal_share), scope=p.scope_size
        )
        if p.goal_share is not None
        else str(p.goal)
    )
    output.key_values(
        [
            (_("Kind"), "Digitales Amt" if p.kind == "digitales_amt" else _("Maturity level")),
            (_("Threshold"), _level(p, scale)),
            (_("Scope"), _scope(p)),
            (_("In scope"), p.scope_size),
            (_("Goal"), goal),
            (_("Period"), f"{formats.day(p.start_date)} - {formats.day(p.due_date)}"),
            (_("Count at the start"), p.start_count),
            (_("Count today"), p.current_count),
            (_("Still to go"), p.remaining),
            (_("Pace so far (per week)"), _num(p.pace, 2)),
            (_("Pace needed (per week)"), _num(p.pace_needed, 2)),
            (_("Weeks to the due date"), _num(p.weeks_left)),
            (_("Forecast for the due date (rounded down)"), _num(p.forecast, 0)),
            (_("Status"), _(STATUS[p.status])),
        ],
        title=p.name,
    )
    output.message(_(RULE), quiet=st.quiet)


@targets_app.command("edit")
def edit(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar=N_("NAME"), help=N_("Name or id of the target."))],
    new_name: Annotated[str | None, Opt("--name", metavar=N_("TEXT"), help=N_("New name."))] = None,
    min_level: MinLevelOpt = None,
    count: CountOpt = None,
    share: ShareOpt = None,
    due: DueOpt = None,
    start: StartOpt = None,
    department: DeptOpt = None,
    topic: TopicOpt = None,
    leika_type: TypeOpt = None,
    sdg: Annotated[
        str | None,
        Opt(
            "--sdg",
            metavar=N_("YES/NO"),
            help=N_('Scope SDG Annex II only: ja or nein ("" clears).'),
        ),
    ] = None,
    notes: NotesOpt = None,
    json: JsonOpt = False,
) -> None:
    """Change a target; an empty value ("") clears a scope field. Every change is recorded.

    Example: egov targets edit "Online 2026" --count 150 --due 30.06.2027
    """
    st = use_json(ctx, json)
    values: dict[str, Any] = {}
    if new_name is not None:
        values["name"] = new_name
    if count is not None:
        values["goal_count"] = _int(count, "count")
    if share is not None:
        values["goal_share"] = parse_share(share)
    if due is not None:
        values["due_date"] = _day(due, "due")
    if start is not None:
        values["start_date"] = _day(start, "start")
    for key, text in (
        ("scope_department", department),
        ("scope_topic", topic),
        ("scope_leika_type", leika_type),
        ("notes", notes),
    ):
        if text is not None:
            values[key] = text.strip() or None
    if sdg is not None:
        values["scope_sdg"] = parse_flag(sdg, "sdg") or None
    if not values and min_level is None:
        raise ValidationError(
            _("Nothing to change."), _("Give at least one option, e.g. --count 150.")
        )
    with st.session(write=True) as session:
        if min_level is not None:
            values["threshold_level"] = load_scale(session).parse(min_level, "min-level")
        target, changes = edit_target(session, st.change_context("targets edit"), name, values)
    if json:
        output.print_json(json_shapes.target_edited(target, changes))
        return
    if not changes:
        output.message(_("No change: {name}").format(name=target.name), quiet=st.quiet)
        return
    output.message(_("Changed: {name}").format(name=target.name), quiet=st.quiet)
    for field, (old, new) in changes.items():
        output.message(
            f"  {field}: {output.cell(old) or '-'} -> {output.cell(new) or '-'}", quiet=st.quiet
        )


@targets_app.command("remove")
def remove(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar=N_("NAME"), help=N_("Name or id of the target."))],
    yes: YesOpt = False,
    dry_run: DryRunRemoveOpt = False,
    json: JsonOpt = False,
) -> None:
    """Remove a target. Its change history is kept.

    Example: egov targets remove "Online 2026" --yes
    """
    st = use_json(ctx, json)
    with st.session(write=not dry_run) as session:
        target = find_target(session, name)
        label = target.name
        if dry_run:
            output.message(
                _("Would remove: target {name} (--dry-run: nothing changed)").format(name=label),
                quiet=st.quiet,
            )
            if json:
                output.print_json(json_shapes.target_removed(target, dry_run=True))
            return
        confirm_removal(_("Target {name}").format(name=label), yes)
        removed = remove_target(session, st.change_context("targets remove"), name)
        data = json_shapes.target_removed(removed, dry_run=False)
    if json:
        output.print_json(data)
    else:
        output.message(f"Entfernt: Ziel {label} (die Historie bleibt erhalten)", quiet=st.quiet)
