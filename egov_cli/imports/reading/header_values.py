"""Recognising a column by its values: what the cells below a header show it to be.

A column whose header says nothing is the key column where its values are LeiKa keys (14
digits beginning 99, as text or number) and the online URL where they are web addresses
(:func:`content_field`). A column recognised by less than its exact name is only taken where
its values fit the field (:func:`unfitting` says why they do not).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime

from egov_cli.core import schema
from egov_cli.core.errors import ValidationError
from egov_cli.imports.reading.header_names import VALUES_ARE_LISTS, VALUES_DO_NOT_FIT
from egov_cli.imports.reading.senders import yes_no
from egov_cli.values.column import parse_value

#: Share of sampled values that must fit a field recognised by less than its exact name.
FITTING_SHARE = 0.8
_URL = re.compile(r"^(https?://|www\.)\S+$", re.IGNORECASE)
_URL_FIELDS = frozenset({"online_url", "bayernportal_url", "procedure_url"})


def column_samples(rows: Sequence[Sequence[object]], index: int) -> list[object]:
    """The non-blank cells of column ``index`` in ``rows``."""
    return [
        cell
        for row in rows
        if index < len(row)
        and (cell := row[index]) is not None
        and not (isinstance(cell, str) and not cell.strip())
    ]


def _is_key(cell: object) -> bool:
    if isinstance(cell, bool):
        return False
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        if isinstance(cell, float) and not cell.is_integer():
            return False
        cell = str(int(cell))
    text = str(cell).replace(" ", "").strip()
    return len(text) == 14 and text.isascii() and text.isdigit() and text.startswith("99")


def _is_url(cell: object) -> bool:
    return isinstance(cell, str) and _URL.match(cell.strip()) is not None


def _share(samples: list[object], test: Callable[[object], bool]) -> float:
    return sum(1 for s in samples if test(s)) / len(samples) if samples else 0.0


def content_field(samples: list[object]) -> str | None:
    """The field a column's values show it to be (LeiKa keys, web addresses), or None."""
    if not samples:
        return None
    if _share(samples, _is_key) >= FITTING_SHARE:
        return "leika_key"
    if _share(samples, _is_url) >= FITTING_SHARE:
        portal = sum(1 for s in samples if "bayernportal" in str(s).lower())
        return "bayernportal_url" if portal / len(samples) >= FITTING_SHARE else "online_url"
    return None


def _is_list_literal(cell: object) -> bool:
    return isinstance(cell, str) and cell.strip().startswith("[") and cell.strip().endswith("]")


def unfitting(field_name: str, samples: list[object]) -> str | None:
    """Why the sampled values do not fit ``field_name`` (None where they fit or there are none)."""
    if not samples:
        return None
    if _share(samples, _is_list_literal) >= 0.5:
        return VALUES_ARE_LISTS
    column = schema.BY_FIELD[field_name]
    if field_name in _URL_FIELDS:
        fits = _share(samples, lambda s: _is_url(s) or str(s).strip().startswith("/"))
    elif column.kind == schema.LEVEL:
        return None  # the catalogue's scale decides; it is not known yet
    elif column.kind == schema.TEXT:
        return None
    else:

        def parses(cell: object) -> bool:
            if isinstance(cell, datetime | date) and column.kind != schema.DATE:
                return False
            if field_name == "status" and yes_no(cell) is not None:
                return True  # a yes/no column as the status: live or not
            try:
                parse_value(column, cell, None)  # type: ignore[arg-type]  # no level here
            except ValidationError:
                return False
            return True

        fits = _share(samples, parses)
    return None if fits >= FITTING_SHARE else VALUES_DO_NOT_FIT
