"""What every ``--json`` document shares: the schema version and how values become JSON."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

#: The version of the shapes below.
SCHEMA = 1

JSON = dict[str, Any]


def document(**parts: Any) -> JSON:
    """A command's JSON document: the schema version, then ``parts``."""
    return {"schema": SCHEMA, **parts}


def plain(value: Any) -> Any:
    """``value`` as a JSON value: dates and times as ISO text, tuples as lists."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def iso(value: date | None) -> str | None:
    """A date or time that may be missing, as ISO text."""
    return None if value is None else value.isoformat()


def changes(found: Mapping[str, tuple[Any, Any]]) -> JSON:
    """Field changes: field -> [old value, new value]."""
    return {name: [plain(old), plain(new)] for name, (old, new) in found.items()}
