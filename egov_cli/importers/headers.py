"""Finding the header row and matching its cells to the column schema."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from egov_cli import schema
from egov_cli.errors import ValidationError
from egov_cli.i18n import _
from egov_cli.importers.types import ImportColumn
from egov_cli.text import fold

#: How far down a sheet the header row is looked for (title rows, notes, blank rows above it).
HEADER_SEARCH_ROWS = 30
#: ``--map "Header=-"`` (or an empty field) ignores a column.
IGNORE = frozenset({"", "-", "ignore", "ignorieren"})


@lru_cache(maxsize=1)
def _schema_lookup() -> dict[str, str]:
    """folded header -> field, with the same precedence as ``schema.match_header``."""
    lookup: dict[str, str] = {}
    for column in schema.COLUMNS:
        for key in sorted(column.match_keys()):
            lookup.setdefault(key, column.field)
    return lookup


def parse_mapping(items: Sequence[str]) -> dict[str, str]:
    """``["Nummer=leika_key", ...]`` as a dict; the field may be a field name or any header."""
    mapping: dict[str, str] = {}
    for item in items:
        header, sep, target = item.partition("=")
        if not sep or not header.strip():
            raise ValidationError(
                _("--map {item!r} is not HEADER=FIELD.").format(item=item),
                _('Write e.g. --map "Nummer=leika_key" (see egov import --describe-format).'),
            )
        target = target.strip()
        if target.lower() in IGNORE:
            mapping[header.strip()] = "-"
            continue
        field = target if target in schema.BY_FIELD else _schema_lookup().get(fold(target))
        if field is None:
            known = ", ".join(c.field for c in schema.COLUMNS)
            raise ValidationError(
                _("--map {item!r}: {target!r} is not a column of the catalogue.").format(
                    item=item, target=target
                ),
                _("Map to one of: {known}; or to - to ignore the column.").format(known=known),
            )
        mapping[header.strip()] = field
    return mapping


@dataclass(frozen=True)
class HeaderMatch:
    columns: list[ImportColumn]
    unknown: list[str]
    ignored: list[str]
    duplicates: list[tuple[str, str, str]]  # (first header, second header, field)

    @property
    def score(self) -> int:
        return len(self.columns)


def match_cells(cells: Sequence[object], mapping: dict[str, str]) -> HeaderMatch:
    """Match a row's cells as headers. Blank cells are skipped; unknown ones listed."""
    extra = {fold(k): v for k, v in mapping.items()}
    lookup = _schema_lookup()
    columns: list[ImportColumn] = []
    unknown: list[str] = []
    ignored: list[str] = []
    duplicates: list[tuple[str, str, str]] = []
    seen: dict[str, str] = {}
    for index, cell in enumerate(cells):
        if cell is None or cell == "":
            continue
        header = str(cell).strip()
        if isinstance(cell, float) and cell.is_integer():
            header = str(int(cell))
        key = fold(header)
        if not key:
            continue
        field = extra.get(key) or lookup.get(key)
        if field == "-":
            ignored.append(header)
            continue
        if field is None:
            unknown.append(header)
            continue
        if field in seen:
            duplicates.append((seen[field], header, field))
            continue
        seen[field] = header
        columns.append(ImportColumn(index, header, field))
    return HeaderMatch(columns, unknown, ignored, duplicates)


def is_header(match: HeaderMatch) -> bool:
    """A header names at least two columns, or the key, id or name column alone."""
    fields = {c.field for c in match.columns}
    return match.score >= 2 or bool(fields & {"leika_key", "id", "name"})


def find_header(
    rows: Sequence[Sequence[object]], mapping: dict[str, str]
) -> tuple[int, HeaderMatch] | None:
    """(0-based index, match) of the row most like a header among the first rows, or None."""
    best: tuple[int, HeaderMatch] | None = None
    for index, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if not any(c not in (None, "") for c in cells):
            continue
        match = match_cells(cells, mapping)
        if not is_header(match):
            continue
        if best is None or match.score > best[1].score:
            best = (index, match)
    return best
