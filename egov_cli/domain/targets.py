"""Rollout targets: add, list, show, edit, remove, with every change on record (entity "target").

A target counts services in its scope (all services, or a department, Themenfeld, LeiKa type,
SDG Annex II) at ``threshold_level`` or higher, against a goal given as a count or as a share of
the scope, due on ``due_date`` (default 31 December of the current year), measured from
``start_date`` (default 1 January of the due date's year).

The kind ``digitales_amt`` counts distinct online procedures that are linked on BayernPortal and
submit electronically (each once, however many services it serves), against 50 (30 for a Bezirk).
Progress is computed in ``egov_cli.domain.progress``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlmodel import Session, select

from egov_cli.core import history
from egov_cli.core.errors import Conflict, NotFound, ValidationError
from egov_cli.core.history import ChangeContext
from egov_cli.core.models import Target
from egov_cli.domain.catalogue import ServiceFilter
from egov_cli.domain.common import department_by_code
from egov_cli.domain.scale import load_scale
from egov_cli.i18n import _
from egov_cli.values import display as formats
from egov_cli.values.fold import german_key

LEVEL = "level"
DIGITALES_AMT = "digitales_amt"
KINDS = (LEVEL, DIGITALES_AMT)
#: The "Digitales Amt" goal: distinct online procedures (a Bezirk needs fewer).
DIGITALES_AMT_GOAL = 50
DIGITALES_AMT_GOAL_BEZIRK = 30

#: Fields of a target a user may set (``targets add`` / ``targets edit``).
EDITABLE = (
    "name", "threshold_level", "goal_count", "goal_share", "start_date", "due_date",
    "scope_department", "scope_topic", "scope_leika_type", "scope_sdg", "notes",
)  # fmt: skip
_SNAPSHOT = ("kind", *EDITABLE)


def parse_kind(text: str | None) -> str:
    """``level`` or ``digitales_amt`` from ``level``, ``digitales-amt``, ``Digitales Amt``."""
    if text is None:
        return LEVEL
    folded = re.sub(r"[\s_-]+", "_", text.strip().lower())
    if folded in KINDS:
        return folded
    raise ValidationError(
        _("Target kind {kind!r} is unknown.").format(kind=text),
        _("Use 'level' or 'digitales-amt'."),
    )


def parse_share(value: object) -> float | None:
    """A share of the scope from ``0.8``, ``0,8``, ``80%`` or ``80 %``; None where blank."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip().replace(",", ".").replace("\u00a0", " ")
    percent = text.endswith("%")
    try:
        number = float(text.rstrip("%").strip())
    except ValueError as exc:
        raise ValidationError(
            _("Share {value!r} is not a number.").format(value=str(value)),
            _("Write e.g. 0,8 or 80 %."),
        ) from exc
    if percent or number > 1:
        number /= 100
    if not 0 < number <= 1:
        raise ValidationError(
            _("Share {value!r} is not between 0 and 100 %.").format(value=str(value)),
            _("Write e.g. 0,8 or 80 %."),
        )
    return number


def default_due(today: date) -> date:
    """31 December of ``today``'s year."""
    return date(today.year, 12, 31)


def default_start(due: date) -> date:
    """1 January of the due date's year."""
    return date(due.year, 1, 1)


def find_target(session: Session, ref: str) -> Target:
    """A target by name (exact, else ignoring case) or id."""
    text = str(ref).strip()
    found = session.exec(select(Target).where(Target.name == text)).first()
    if found is None and text.isdigit():
        found = session.get(Target, int(text))
    if found is None:
        lowered = text.lower()
        found = next(
            (t for t in session.exec(select(Target)).all() if t.name.lower() == lowered), None
        )
    if found is None:
        names = ", ".join(t.name for t in list_targets(session)) or _("none yet")
        raise NotFound(
            _("No target {name!r}.").format(name=text),
            _("Targets: {names}. Add one with 'egov targets add NAME'.").format(names=names),
        )
    return found


def list_targets(session: Session) -> list[Target]:
    """Every target, by due date and name (German order)."""
    return sorted(
        session.exec(select(Target)).all(),
        key=lambda t: (t.due_date, german_key(t.name), t.id or 0),
    )


def scope_filter(target: Target) -> ServiceFilter:
    """The target's scope as a service filter."""
    return ServiceFilter(
        department=target.scope_department,
        topic=target.scope_topic,
        leika_type=target.scope_leika_type,
        sdg_annex2=target.scope_sdg,
    )


def goal_of(target: Target, scope_size: int) -> int:
    """The goal as a number: the count, or the share of the scope rounded up."""
    if target.goal_count is not None:
        return target.goal_count
    if target.goal_share is not None:
        from math import ceil

        return ceil(round(target.goal_share * scope_size, 9))
    return 0


def _values(target: Target) -> dict[str, Any]:
    return {name: getattr(target, name) for name in _SNAPSHOT}


def _check(session: Session, target: Target) -> None:
    """Validate a target as it would be stored (without flushing it half-checked)."""
    with session.no_autoflush:
        _check_values(session, target)


def _check_values(session: Session, target: Target) -> None:
    if not target.name.strip():
        raise ValidationError(_("A target needs a name."))
    if target.kind == LEVEL:
        if target.threshold_level is None:
            raise ValidationError(
                _("A maturity level target needs a threshold."), _("Give --min-level, e.g. 3.")
            )
        load_scale(session).check(target.threshold_level, "min-level")
    elif target.threshold_level is not None:
        raise ValidationError(
            _(
                "A 'Digitales Amt' target counts online services and has no maturity level threshold."
            ),
            _("Leave out --min-level."),
        )
    if target.goal_count is None and target.goal_share is None:
        raise ValidationError(
            _("Target {name!r} has no goal.").format(name=target.name),
            _("Give --count NUMBER or --share SHARE."),
        )
    if target.goal_count is not None and target.goal_share is not None:
        raise ValidationError(
            _("Two goals: --count and --share exclude each other."),
            _("Give either a number (--count) or a share (--share)."),
        )
    if target.goal_count is not None and target.goal_count < 1:
        raise ValidationError(_("Goal {count} is less than 1.").format(count=target.goal_count))
    if target.start_date > target.due_date:
        raise ValidationError(
            _("Start {start} is after the due date {due}.").format(
                start=formats.day(target.start_date), due=formats.day(target.due_date)
            ),
            _("Give an earlier date with --start."),
        )
    if target.scope_department:
        target.scope_department = department_by_code(session, target.scope_department).code
    clash = session.exec(select(Target).where(Target.name == target.name)).first()
    if clash is not None and clash.id != target.id:
        raise Conflict(
            _("A target {name!r} exists already.").format(name=target.name),
            _("Choose another name, or change it with 'egov targets edit'."),
        )


def add_target(
    session: Session,
    ctx: ChangeContext,
    name: str,
    *,
    today: date,
    kind: str = LEVEL,
    threshold_level: int | None = None,
    goal_count: int | None = None,
    goal_share: float | None = None,
    due_date: date | None = None,
    start_date: date | None = None,
    department: str | None = None,
    topic: str | None = None,
    leika_type: str | None = None,
    sdg: bool | None = None,
    bezirk: bool = False,
    notes: str | None = None,
) -> Target:
    """Add a target; ``today`` gives the default due date (31.12. of its year)."""
    kind = parse_kind(kind)
    if bezirk and kind != DIGITALES_AMT:
        raise ValidationError(
            _("--bezirk applies to 'Digitales Amt' targets only."),
            _("Give --kind digitales-amt or leave out --bezirk."),
        )
    if kind == DIGITALES_AMT and goal_count is None and goal_share is None:
        goal_count = DIGITALES_AMT_GOAL_BEZIRK if bezirk else DIGITALES_AMT_GOAL
    due = due_date or default_due(today)
    target = Target(
        name=name.strip(),
        kind=kind,
        threshold_level=threshold_level,
        goal_count=goal_count,
        goal_share=goal_share,
        start_date=start_date or default_start(due),
        due_date=due,
        scope_department=department,
        scope_topic=topic,
        scope_leika_type=leika_type,
        scope_sdg=sdg,
        notes=notes,
        created_at=ctx.at,
        updated_at=ctx.at,
    )
    _check(session, target)
    session.add(target)
    session.flush()
    assert target.id is not None
    history.insert_records(
        session, [history.created(ctx, "target", target.id, target.name, _values(target))]
    )
    return target


def edit_target(
    session: Session, ctx: ChangeContext, ref: str, values: Mapping[str, Any]
) -> tuple[Target, dict[str, tuple[Any, Any]]]:
    """Change fields of a target (None in ``values`` clears a field); records each change.

    Setting ``goal_count`` clears ``goal_share`` and the other way round.
    """
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise ValidationError(
            _("Unknown fields of a target: {fields}.").format(fields=", ".join(sorted(unknown)))
        )
    target = find_target(session, ref)
    assert target.id is not None
    before = _values(target)
    updates = dict(values)
    if updates.get("goal_count") is not None and "goal_share" not in updates:
        updates["goal_share"] = None
    if updates.get("goal_share") is not None and "goal_count" not in updates:
        updates["goal_count"] = None
    if "name" in updates:
        updates["name"] = (updates["name"] or "").strip()
    for name, value in updates.items():
        setattr(target, name, value)
    _check(session, target)
    after = _values(target)
    changes = {k: (before[k], after[k]) for k in _SNAPSHOT if before[k] != after[k]}
    if changes:
        target.updated_at = ctx.at
        session.add(target)
        session.flush()
        history.insert_records(
            session, history.updated(ctx, "target", target.id, target.name, changes)
        )
    return target, changes


def remove_target(session: Session, ctx: ChangeContext, ref: str) -> Target:
    """Delete a target; its history stays (with a delete record holding its last values)."""
    target = find_target(session, ref)
    assert target.id is not None
    history.insert_records(
        session, [history.deleted(ctx, "target", target.id, target.name, _values(target))]
    )
    session.delete(target)
    session.flush()
    return target
