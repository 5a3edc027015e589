"""A service's options read: field values through the column schema ("" clears a field),
and the filter of ``services list`` and ``export`` from their options' text."""

from __future__ import annotations

from typing import Any

from egov_cli.core.schema import BY_FIELD
from egov_cli.domain.catalogue import ServiceFilter
from egov_cli.domain.scale import Scale
from egov_cli.values.column import parse_value
from egov_cli.values.parse import parse_term
from egov_cli.values.vocab import STATUSES


def parse_fields(raw: dict[str, str | None], scale: Scale) -> dict[str, Any]:
    """Parse the given option values through the column schema ("" clears a field)."""
    values: dict[str, Any] = {}
    for name, text in raw.items():
        if text is None:
            continue
        values[name] = parse_value(BY_FIELD[name], text, scale) if text.strip() else None
    return values


def service_filter(
    department: str | None,
    level: str | None,
    below: str | None,
    min_level: str | None,
    status: str | None,
    topic: str | None,
    search: str | None,
    scale: Scale,
) -> ServiceFilter:
    """The filter of ``services list`` and ``export`` from their options' text."""
    return ServiceFilter(
        department=department,
        level=scale.parse(level) if level else None,
        below=scale.parse(below, "below") if below else None,
        min_level=scale.parse(min_level, "min-level") if min_level else None,
        status=parse_term(STATUSES, status, "status") if status else None,
        topic=topic,
        search=search,
    )
