"""``egov targets``: rollout targets with their progress from the change history."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from egov_cli.cli import output
from egov_cli.cli.options import DryRunRemoveOpt, JsonOpt, YesOpt, confirm_removal
from egov_cli.cli.state import use_json
from egov_cli.i18n import N_, _, ngettext

if TYPE_CHECKING:
    from datetime import date

    from egov_cli.models import Target
    from egov_cli.reports.progress import Progress
    from egov_cli.services.scale import Scale

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
    str | None, Opt("--min-level", help=N_("Threshold: services at this level or higher count."))
]
CountOpt = Annotated[str | None, Opt("--count", help=N_("Goal as a number of services."))]
ShareOpt = Annotated[
    str | None, Opt("--share", help=N_("Goal as a share of the scope: 0.8, 0,8 or 80%."))
]
DueOpt = Annotated[
    str | None, Opt("--due", help=N_("Due date (default 31.12. of the current year)."))
]
StartOpt = Annotated[
    str | None,
    Opt("--start", help=N_("Start of the period (default 1.1. of the due date's year).")),
]
DeptOpt = Annotated[str | None, Opt("--department", "-d", help=N_("Scope: department code."))]
TopicOpt = Annotated[str | None, Opt("--topic", help=N_("Scope: OZG Themenfeld."))]
TypeOpt = Annotated[str | None, Opt("--leika-type", help=N_("Scope: LeiKa type, e.g. 2/3."))]
NotesOpt = Annotated[str | None, Opt("--notes", help=N_("Free text."))]


def _today() -> date:
    from egov_cli.models import utcnow
    from egov_cli.reports.progress import local_day

    return local_day(utcnow())


def _int(text: str | None, field: str) -> int | None:
    from egov_cli.values import parse_int

    return parse_int(text, field, minimum=1) if text is not None and text.strip() else None


def _day(text: str | None, field: str) -> date | None:
    from egov_cli.values import parse_date

    return parse_date(text, field) if text is not None and text.strip() else None


def _target_dict(t: Target) -> dict[str, Any]:
    return output.to_jsonable(t)  # type: ignore[no-any-return]


def _progress_dict(p: Progress) -> dict[str, Any]:
    data: dict[str, Any] = output.to_jsonable(p)
    data["burnup"] = [{"date": d.isoformat(), "count": n} for d, n in p.burnup]
    return data


def _level(p: Progress, scale: Scale) -> str:
    if p.threshold_level is None:
        return _("Online services")
    return _("from {level} {label}").format(
        level=p.threshold_level, label=scale.label(p.threshold_level)
    )


def _num(value: float | None, digits: int = 1) -> str:
    from egov_cli import formats

    return formats.number(value, digits) if value is not None else "-"


@targets_app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help=N_("Name of the target."))],
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
        str, Opt("--kind", help=N_("'level' (default) or 'digitales-amt' (online services)."))
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
    from egov_cli import formats
    from egov_cli.services.scale import load_scale
    from egov_cli.services.targets import add_target, parse_share

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
        output.print_json(_target_dict(target))
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
    from egov_cli.formats import number
    from egov_cli.models import utcnow
    from egov_cli.reports.progress import all_progress
    from egov_cli.services.scale import load_scale

    st = use_json(ctx, json)
    with st.session() as session:
        scale = load_scale(session)
        progresses = all_progress(session, utcnow(), weekly=False)
    if json:
        output.print_json([_progress_dict(p) for p in progresses])
        return
    output.table(
        [
            (
                p.name,
                _level(p, scale),
                ", ".join(f"{k}={v}" for k, v in p.scope.items()) or _("all"),
                p.goal,
                p.start_count,
                p.current_count,
                _num(p.forecast),
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
            _("Forecast"),
            _("Due"),
            _("Status"),
        ],
    )
    total = ngettext("{count} target", "{count} targets", len(progresses)).format(
        count=number(len(progresses))
    )
    output.message(f"{total}. {_(RULE)}", quiet=st.quiet)


@targets_app.command("show")
def show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help=N_("Name or id of the target."))],
    json: JsonOpt = False,
) -> None:
    """Show a target's progress: start, today, pace, pace needed, forecast, status.

    Example: egov targets show "Online 2026"
    """
    from egov_cli import formats
    from egov_cli.models import utcnow
    from egov_cli.reports.progress import progress
    from egov_cli.services.scale import load_scale
    from egov_cli.services.targets import find_target

    st = use_json(ctx, json)
    with st.session() as session:
        scale = load_scale(session)
        p = progress(session, find_target(session, name), utcnow())
    if json:
        output.print_json(_progress_dict(p))
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
            (
                _("Scope"),
                ", ".join(f"{k}={v}" for k, v in p.scope.items()) or _("all services"),
            ),
            (_("In scope"), p.scope_size),
            (_("Goal"), goal),
            (_("Period"), f"{formats.day(p.start_date)} - {formats.day(p.due_date)}"),
            (_("Count at the start"), p.start_count),
            (_("Count today"), p.current_count),
            (_("Still open"), p.remaining),
            (_("Pace so far (per week)"), _num(p.pace, 2)),
            (_("Pace needed (per week)"), _num(p.pace_needed, 2)),
            (_("Weeks to the due date"), _num(p.weeks_left)),
            (_("Forecast for the due date"), _num(p.forecast)),
            (_("Status"), _(STATUS[p.status])),
        ],
        title=p.name,
    )
    output.message(_(RULE), quiet=st.quiet)


@targets_app.command("edit")
def edit(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help=N_("Name or id of the target."))],
    new_name: Annotated[str | None, Opt("--name", help=N_("New name."))] = None,
    min_level: MinLevelOpt = None,
    count: CountOpt = None,
    share: ShareOpt = None,
    due: DueOpt = None,
    start: StartOpt = None,
    department: DeptOpt = None,
    topic: TopicOpt = None,
    leika_type: TypeOpt = None,
    sdg: Annotated[
        str | None, Opt("--sdg", help=N_('Scope SDG Annex II only: ja or nein ("" clears).'))
    ] = None,
    notes: NotesOpt = None,
    json: JsonOpt = False,
) -> None:
    """Change a target; an empty value ("") clears a scope field. Every change is recorded.

    Example: egov targets edit "Online 2026" --count 150 --due 30.06.2027
    """
    from egov_cli.errors import ValidationError
    from egov_cli.services.scale import load_scale
    from egov_cli.services.targets import edit_target, parse_share
    from egov_cli.values import parse_flag

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
        output.print_json({"target": _target_dict(target), "changes": changes})
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
    name: Annotated[str, typer.Argument(help=N_("Name or id of the target."))],
    yes: YesOpt = False,
    dry_run: DryRunRemoveOpt = False,
    json: JsonOpt = False,
) -> None:
    """Remove a target. Its change history is kept.

    Example: egov targets remove "Online 2026" --yes
    """

    from egov_cli.services.targets import find_target, remove_target

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
                output.print_json({"would_remove": _target_dict(target)})
            return
        confirm_removal(_("Target {name}").format(name=label), yes)
        removed = remove_target(session, st.change_context("targets remove"), name)
        data = _target_dict(removed)
    if json:
        output.print_json({"removed": data})
    else:
        output.message(
            _("Removed: target {name} (its history is kept)").format(name=label), quiet=st.quiet
        )


def register(app: typer.Typer) -> None:
    """Add ``egov targets`` to the root app."""
    app.add_typer(targets_app, name="targets")
