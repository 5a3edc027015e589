"""The JSON of ``targets``: a target and its progress with the burn-up."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from egov_cli.cli.json_shapes.common import JSON, changes, document, plain

if TYPE_CHECKING:
    from egov_cli.core.models import Target
    from egov_cli.domain.progress import Progress


def target(t: Target) -> JSON:
    return {
        "id": t.id,
        "name": t.name,
        "kind": t.kind,
        "threshold_level": t.threshold_level,
        "goal_count": t.goal_count,
        "goal_share": t.goal_share,
        "start_date": plain(t.start_date),
        "due_date": plain(t.due_date),
        "scope_department": t.scope_department,
        "scope_topic": t.scope_topic,
        "scope_leika_type": t.scope_leika_type,
        "scope_sdg": t.scope_sdg,
        "notes": t.notes,
        "created_at": plain(t.created_at),
        "updated_at": plain(t.updated_at),
    }


def progress(p: Progress) -> JSON:
    """A target's progress today, with its burn-up week by week."""
    return {
        "target_id": p.target_id,
        "name": p.name,
        "kind": p.kind,
        "threshold_level": p.threshold_level,
        "scope": dict(p.scope),
        "scope_size": p.scope_size,
        "goal": p.goal,
        "goal_count": p.goal_count,
        "goal_share": p.goal_share,
        "start_date": plain(p.start_date),
        "due_date": plain(p.due_date),
        "today": plain(p.today),
        "start_count": p.start_count,
        "current_count": p.current_count,
        "remaining": p.remaining,
        "weeks_elapsed": p.weeks_elapsed,
        "weeks_left": p.weeks_left,
        "pace": p.pace,
        "pace_needed": p.pace_needed,
        "forecast": p.forecast,
        "reached": p.reached,
        "status": p.status,
        "burnup": [{"date": plain(day), "count": n} for day, n in p.burnup],
    }


def target_added(t: Target) -> JSON:
    """``targets add``: the target."""
    return document(**target(t))


def targets_list(progresses: Iterable[Progress]) -> JSON:
    """``targets list``: every target's progress."""
    return document(targets=[progress(p) for p in progresses])


def target_show(p: Progress) -> JSON:
    """``targets show``: the target's progress."""
    return document(**progress(p))


def target_edited(t: Target, found: Mapping[str, tuple[Any, Any]]) -> JSON:
    """``targets edit``: the target after the change and what changed."""
    return document(target=target(t), changes=changes(found))


def target_removed(t: Target, *, dry_run: bool) -> JSON:
    """``targets remove``: the target removed (``would_remove`` with ``--dry-run``)."""
    return document(**{"would_remove" if dry_run else "removed": target(t)})
