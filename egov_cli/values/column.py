"""Parsing one value of a schema column (shared by the import and the service commands)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from egov_cli.core import schema
from egov_cli.values.parse import (
    parse_date,
    parse_flag,
    parse_int,
    parse_leika_key,
    parse_ozg_id,
    parse_term,
    parse_text,
)

if TYPE_CHECKING:
    from egov_cli.domain.scale import Scale


def parse_value(column: schema.Column, value: object, scale: Scale) -> Any:
    """The clean value of ``value`` for ``column``; None where blank.

    Raises ``ValidationError`` naming the value and how to write it.
    """
    label = column.de
    kind = column.kind
    if kind == schema.KEY:
        return parse_leika_key(value)
    if column.field == schema.OZG_ID:
        return parse_ozg_id(value, label)
    if kind == schema.DATE:
        return parse_date(value, label)
    if kind == schema.FLAG:
        return parse_flag(value, label)
    if kind == schema.INT:
        return parse_int(value, label)
    if kind == schema.ID:
        return parse_int(value, label, minimum=1)
    if kind == schema.TERM:
        assert column.terms is not None
        return parse_term(column.terms, value, label)
    text = parse_text(value, label)
    if kind == schema.LEVEL:
        return None if text is None else scale.parse(text, label)
    return text
