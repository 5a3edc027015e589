"""Finding the header row and recognising its columns by meaning.

A header names a field of the column schema (``egov_cli.core.schema``) in one of four ways,
each with a reason and a confidence:

- ``--map``: the user said so (1.0);
- ``name`` and ``similar name``: the header is one of the field's names, or much like one
  (``header_names``);
- ``content``: the header says nothing, but the values do (``header_values``).

The values below the header are sampled (the rows read while looking for the header, at most
:data:`HEADER_SEARCH_ROWS`): a column recognised by anything less than its exact name is only
taken where its values fit the field. Where two columns could be one field, the one with the
better reason is taken and the other is reported, never dropped silently; two columns that name
one field equally well are refused (by exact name) or both reported (by similarity).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from egov_cli.i18n import _
from egov_cli.imports.reading.header_names import (
    AMBIGUOUS,
    BY_CONTENT,
    BY_MAP,
    IGNORED_BY_MAP,
    NOT_RECOGNISED,
    reason_text,
    recognise_header,
)
from egov_cli.imports.reading.header_values import column_samples, content_field, unfitting
from egov_cli.imports.reading.types import ColumnMapping, ImportColumn
from egov_cli.values.fold import fold

__all__ = ["HEADER_SEARCH_ROWS", "HeaderMatch", "find_header", "is_header", "match_cells"]

#: How far down a sheet the header row is looked for (title rows, notes, blank rows above it).
HEADER_SEARCH_ROWS = 30


@dataclass(frozen=True)
class HeaderMatch:
    columns: list[ImportColumn]
    unknown: list[str]
    ignored: list[str]
    duplicates: list[tuple[str, str, str]]  # (first header, second header, field)
    #: every non-blank header cell and what became of it, in the file's order
    mapping: list[ColumnMapping] = field(default_factory=list)
    #: what the reader could not decide alone (ambiguous columns, values that do not fit)
    notes: list[str] = field(default_factory=list)

    @property
    def score(self) -> int:
        return len(self.columns)


def _header_text(cell: object) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _map_hint(header: str, field_name: str) -> str:
    return f'--map "{header}={field_name}"'


def match_cells(
    cells: Sequence[object],
    mapping: dict[str, str],
    below: Sequence[Sequence[object]] = (),
    *,
    similar: bool = True,
) -> HeaderMatch:
    """Recognise a row's cells as headers; ``below`` are rows under it (values are sampled
    from them). Blank cells are skipped; unrecognised ones listed with what they may be.
    ``similar=False`` leaves out similar spellings (see :func:`recognise_header`)."""
    extra = {fold(k): v for k, v in mapping.items()}
    found: list[_Found] = []  # cells that name a field, before one column per field is chosen
    entries: dict[int, ColumnMapping] = {}  # what became of each cell, by position
    ignored: list[str] = []
    notes: list[str] = []
    for index, cell in enumerate(cells):
        if cell is None or cell == "":
            continue
        header = _header_text(cell)
        key = fold(header)
        if not key:
            continue
        if key in extra:
            if extra[key] == "-":
                ignored.append(header)
                entries[index] = ColumnMapping(index, header, None, IGNORED_BY_MAP, 1.0)
            else:
                found.append(_Found(index, header, extra[key], BY_MAP, 1.0))
            continue
        guess = (
            None if isinstance(cell, datetime | date | bool) else recognise_header(header, similar)
        )
        if guess is None:
            entries[index] = ColumnMapping(index, header, None, NOT_RECOGNISED, 0.0)
            continue
        why = unfitting(guess.field, column_samples(below, index)) if guess.confidence < 1 else None
        if why is not None:
            entries[index] = ColumnMapping(
                index, header, None, f"{NOT_RECOGNISED}: {why}", 0.0, (guess.field,)
            )
            notes.append(
                _(
                    "Column {header!r} looks like {field} by its {reason}, but {why}; it is not "
                    "imported. If it is, add {hint}."
                ).format(
                    header=header,
                    field=field_label(guess.field),
                    reason=reason_text(guess.reason),
                    why=reason_text(why),
                    hint=_map_hint(header, guess.field),
                )
            )
        elif guess.others:
            options = (guess.field, *guess.others)
            entries[index] = ColumnMapping(
                index, header, None, AMBIGUOUS, guess.confidence, options
            )
            notes.append(
                _(
                    "Column {header!r} could be any of {fields}; it is not imported. Say which "
                    "with e.g. {hint}."
                ).format(
                    header=header, fields=", ".join(options), hint=_map_hint(header, options[0])
                )
            )
        else:
            found.append(_Found(index, header, guess.field, guess.reason, guess.confidence))
    found += _by_content(entries, {f.field for f in found}, below, notes)
    columns, duplicates = _one_column_per_field(found, entries, notes)
    mapping_rows = [entries[i] for i in sorted(entries)]
    unknown = [m.header for m in mapping_rows if m.field is None and m.header not in ignored]
    return HeaderMatch(columns, unknown, ignored, duplicates, mapping_rows, notes)


@dataclass(frozen=True)
class _Found:
    index: int
    header: str
    field: str
    reason: str
    confidence: float


def _by_content(
    entries: dict[int, ColumnMapping],
    taken: set[str],
    below: Sequence[Sequence[object]],
    notes: list[str],
) -> list[_Found]:
    """Columns whose header says nothing but whose values show their field (``entries`` of
    the columns taken are removed; where several show one field, all are reported)."""
    if not below:
        return []
    by_content: dict[str, list[int]] = {}
    for index, entry in entries.items():
        if entry.reason == NOT_RECOGNISED:
            content = content_field(column_samples(below, index))
            if content is not None and content not in taken:
                by_content.setdefault(content, []).append(index)
    found: list[_Found] = []
    for content, indexes in by_content.items():
        if len(indexes) == 1:
            header = entries.pop(indexes[0]).header
            found.append(_Found(indexes[0], header, content, BY_CONTENT, 0.8))
            continue
        headers = [entries[i].header for i in indexes]
        for i in indexes:
            entries[i] = ColumnMapping(i, entries[i].header, None, AMBIGUOUS, 0.8, (content,))
        notes.append(
            _(
                "Columns {headers} all hold values of {field}; none is imported as it. Say which "
                "with e.g. {hint}."
            ).format(
                headers=", ".join(repr(h) for h in headers),
                field=field_label(content),
                hint=_map_hint(headers[0], content),
            )
        )
    return found


def _one_column_per_field(
    found: list[_Found], entries: dict[int, ColumnMapping], notes: list[str]
) -> tuple[list[ImportColumn], list[tuple[str, str, str]]]:
    """One column per field: the best reason wins and the others are reported; two exact
    names of one field are duplicates (the file is refused); two equally similar ones are
    both reported, neither taken."""
    by_field: dict[str, list[_Found]] = {}
    for item in found:
        by_field.setdefault(item.field, []).append(item)
    columns: list[ImportColumn] = []
    duplicates: list[tuple[str, str, str]] = []
    for field_name, items in by_field.items():
        items.sort(key=lambda item: (-item.confidence, item.index))
        best, rest = items[0], items[1:]
        if rest and rest[0].confidence == best.confidence < 1.0:
            for item in items:
                entries[item.index] = ColumnMapping(
                    item.index, item.header, None, AMBIGUOUS, item.confidence, (field_name,)
                )
            notes.append(
                _(
                    "Columns {headers} could each be {field}; none is imported as it. Say which "
                    "with e.g. {hint}."
                ).format(
                    headers=", ".join(repr(i.header) for i in items),
                    field=field_label(field_name),
                    hint=_map_hint(items[0].header, field_name),
                )
            )
            continue
        columns.append(
            ImportColumn(best.index, best.header, field_name, best.reason, best.confidence)
        )
        entries[best.index] = ColumnMapping(
            best.index, best.header, field_name, best.reason, best.confidence
        )
        for other in rest:
            if other.confidence == 1.0:  # two exact names: the file is ambiguous, refused
                duplicates.append((best.header, other.header, field_name))
                continue
            entries[other.index] = ColumnMapping(
                other.index, other.header, None, AMBIGUOUS, other.confidence, (field_name,)
            )
            notes.append(
                _(
                    "Column {other!r} could be {field} too, but {best!r} is taken as it (by "
                    "{reason}); {other!r} is not imported."
                ).format(
                    other=other.header,
                    field=field_label(field_name),
                    best=best.header,
                    reason=reason_text(best.reason),
                )
            )
    columns.sort(key=lambda c: c.index)
    return columns, duplicates


def is_header(match: HeaderMatch) -> bool:
    """A header names at least two columns, or the key, id or name column alone."""
    fields = {c.field for c in match.columns}
    return match.score >= 2 or bool(fields & {"leika_key", "id", "name"})


def find_header(
    rows: Sequence[Sequence[object]], mapping: dict[str, str]
) -> tuple[int, HeaderMatch] | None:
    """(0-based index, match) of the row most like a header among the first rows, or None.

    Rows are compared by the columns their cells name; the values below the chosen row then
    decide the columns its cells do not name clearly.
    """
    # Names first (quick); similar spellings only where no row names a column.
    best = _best_row(rows, mapping, similar=False) or _best_row(rows, mapping, similar=True)
    if best is None:
        return None
    index = best[0]
    match = match_cells(rows[index], mapping, rows[index + 1 : HEADER_SEARCH_ROWS])
    return (index, match) if is_header(match) else None


def _best_row(
    rows: Sequence[Sequence[object]], mapping: dict[str, str], *, similar: bool
) -> tuple[int, HeaderMatch] | None:
    """The first row naming the most columns among the first rows, or None."""
    best: tuple[int, HeaderMatch] | None = None
    for index, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if not any(c not in (None, "") for c in cells):
            continue
        match = match_cells(cells, mapping, similar=similar)
        if not match.columns:
            continue
        if best is None or match.score > best[1].score:
            best = (index, match)
    return best


def field_label(name: str) -> str:
    """A field as a message names it: its column's heading in the run's language, with the
    name ``--map`` takes (``Zielgruppe (addressee)``)."""
    from egov_cli.core.schema import BY_FIELD
    from egov_cli.i18n import language

    column = BY_FIELD.get(name)
    heading = column.header(language()) if column is not None else name
    # the name alone where it is the heading (``department``), else both (``Online-URL
    # (online_url)``: the name is what --map takes)
    return name if heading.casefold() == name.casefold() else f"{heading} ({name})"
