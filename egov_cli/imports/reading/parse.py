"""A sheet's data rows, from the header found to an :class:`ImportFile`.

:func:`read_rows` parses the rows below the header (``parts``) and collects, by row, every
problem: cells that do not parse, formulas without a saved result, rows with values only in
columns egov does not know. Rows with problems are rejected (kept as read for the rejects
file); the warnings of the reader (relative links left out, lists taken as text, keys of a
bare Leistungsobjekt) go with the file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import chain
from typing import TYPE_CHECKING, Any

from egov_cli.core.errors import InputRejected, Problem, shown_value
from egov_cli.i18n import _, ngettext
from egov_cli.imports.reading.headers import HeaderMatch
from egov_cli.imports.reading.parts import joined_parts, parse_part
from egov_cli.imports.reading.senders import EXAMPLES
from egov_cli.imports.reading.types import ImportFile, RawCells, ReadOptions
from egov_cli.imports.reading.xlsx import SheetData, column_letters
from egov_cli.values import display as formats
from egov_cli.values.fold import search_fold
from egov_cli.values.parse import is_blank

if TYPE_CHECKING:
    from egov_cli.domain.scale import Scale


def read_rows(
    file_name: str,
    sha: str,
    data: SheetData,
    head: list[tuple[int, list[Any]]],
    found: tuple[int, HeaderMatch],
    scale: Scale,
    progress: Callable[[int], None] | None,
    options: ReadOptions,
) -> ImportFile:
    header_row, match = found
    sheet = data.name or None
    header_cells = next(cells for number, cells in head if number == header_row)
    if match.duplicates:
        raise InputRejected(
            [
                Problem(
                    _("columns {first} and {second} both name the field {field!r}").format(
                        first=shown_value(first), second=shown_value(second), field=field
                    ),
                    file=file_name,
                    sheet=sheet,
                    row=header_row,
                    column=second,
                    hint=_('Ignore one of them with --map "{header}=-", or rename it.').format(
                        header=second
                    ),
                )
                for first, second, field in match.duplicates
            ]
        )
    by_index = {c.index: c for c in match.columns}

    # The data rows column by column, each column converted in one go: the rows read so far
    # first, then (a sheet read in halves) the rest, while it is still being read.
    head_rows = (item for item in head if item[0] > header_row)
    parts = [parse_part(chain(head_rows, data.rows), match, scale, progress, options)]
    data.rows = iter(())  # the sheet's rows are not needed any more
    if data.rest is not None:
        rest, data.rest = data.rest, None
        parts.append(parse_part(rest(), match, scale, progress, options))
    joined = joined_parts(parts)
    all_numbers, transposed, lengths = joined.numbers, joined.cells, joined.lengths
    converted, errors = joined.clean, joined.errors
    left_out, joined_lists = joined.left_out, joined.joined_lists
    del parts, joined  # the clean values are replaced below where rows are rejected
    count = len(all_numbers)
    problems_by_row: dict[int, list[Problem]] = {}
    fields = [column.field for column in match.columns]
    for column, column_errors in zip(match.columns, errors, strict=True):
        index = column.index
        for position, exc in column_errors:
            number = all_numbers[position]
            problems_by_row.setdefault(number, []).append(
                Problem(
                    exc.message,
                    file=file_name,
                    sheet=sheet,
                    row=number,
                    column=column.header,
                    value=transposed[index][position] if index < len(transposed) else "",
                    hint=exc.hint,
                )
            )
    raw = RawCells(all_numbers, transposed, lengths)

    blanks = [values.count(None) for values in converted]  # blank (or invalid) cells
    if data.scan_formulas is not None and any(blanks):
        data.scan_formulas()  # a blank cell may be a formula without a saved result
    formulas: dict[int, list[tuple[int, str]]] = {}
    for (f_row, f_col), formula in data.formulas_without_value.items():
        if f_col in by_index:
            formulas.setdefault(f_row, []).append((f_col, formula))
    for number, cells_with_formula in formulas.items():
        for f_col, formula in cells_with_formula:
            column = by_index[f_col]
            problems_by_row.setdefault(number, []).append(
                Problem(
                    _("cell {cell} holds a formula without a saved result").format(
                        cell=f"{column_letters(f_col + data.column_offset)}{number}"
                    ),
                    file=file_name,
                    sheet=sheet,
                    row=number,
                    column=column.header,
                    value=formula,
                    hint=_(
                        "Open the file in Excel, let it calculate and save it again, "
                        "or replace the formula by its value."
                    ),
                )
            )
    # Rows with values only in columns egov does not know: blank in every recognised column.
    if converted:
        emptiest = converted[blanks.index(min(blanks))]
        candidates = [p for p, v in enumerate(emptiest) if v is None]
        for values in converted:
            if not candidates:
                break
            candidates = [p for p in candidates if values[p] is None]
    else:
        candidates = list(range(count))
    for position in candidates:
        number = all_numbers[position]
        if number in problems_by_row:
            continue
        problems_by_row[number] = [
            Problem(
                _("the row has values only in columns egov does not know"),
                file=file_name,
                sheet=sheet,
                row=number,
                hint=_(
                    "Fill in the recognised columns, delete the row, or map its columns "
                    'with --map "Header=field".'
                ),
            )
        ]

    # Total rows are skipped with a note, whatever their cells hold (a formula, a sum).
    named_totals = _named_total_rows(match, transposed)
    totals = _total_rows_at_the_foot(match, transposed, count) | set(named_totals)
    for position in totals:
        problems_by_row.pop(all_numbers[position], None)
    problems: list[Problem] = []
    rejected_raw: dict[int, list[Any]] = {}
    dropped = set(totals)  # positions of total rows and of rejected rows
    if problems_by_row:
        position_of = {number: p for p, number in enumerate(all_numbers)}
        for number in sorted(n for n in problems_by_row if n in position_of):
            problems.extend(problems_by_row[number])
            rejected_raw[number] = raw.row(number)
            dropped.add(position_of[number])
    numbers = all_numbers
    if dropped:
        keep = [p for p in range(count) if p not in dropped]
        numbers = [all_numbers[p] for p in keep]
        converted = [[values[p] for p in keep] for values in converted]
    bare_keys: list[int] = []
    if "leika_key" in fields:
        keys = converted[fields.index("leika_key")]
        bare_keys = [
            number
            for number, key in zip(numbers, keys, strict=True)
            if key is not None and key.endswith("000000")
        ]
    warnings = list(match.notes)
    warnings.extend(
        _("row {row}: skipped {name!r}: it reads as a total row, not a service.").format(
            row=all_numbers[p], name=named_totals[p]
        )
        if p in named_totals
        else _(
            "row {row}: skipped: a row at the foot of the sheet with numbers only (no key, no "
            "name) reads as a total row, not a service."
        ).format(row=all_numbers[p])
        for p in sorted(totals)
    )
    if left_out:
        shown = ", ".join(
            _("row {row}: {link}").format(row=n, link=link) for n, _h, link in left_out[:EXAMPLES]
        )
        more = " ..." if len(left_out) > EXAMPLES else ""
        warnings.append(
            ngettext(
                "{count} relative link left out (column {column!r}: {rows}): it is no address a "
                "citizen can open. Give the portal's address with --base-url to join it.",
                "{count} relative links left out (column {column!r}: {rows}): they are no "
                "addresses a citizen can open. Give the portal's address with --base-url to "
                "join them.",
                len(left_out),
            ).format(count=formats.number(len(left_out)), column=left_out[0][1], rows=shown + more)
        )
    if joined_lists:
        rows = ", ".join(str(n) for n, _h in joined_lists[:EXAMPLES])
        more = " ..." if len(joined_lists) > EXAMPLES else ""
        warnings.append(
            ngettext(
                "column {column!r} holds a list (row {rows}); its items are kept as text, "
                "separated by '; '.",
                "column {column!r} holds lists (rows {rows}); their items are kept as text, "
                "separated by '; '.",
                len(joined_lists),
            ).format(column=joined_lists[0][1], rows=rows + more)
        )
    if bare_keys:
        shown = ", ".join(map(str, bare_keys[:10])) + (" ..." if len(bare_keys) > 10 else "")
        warnings.append(
            ngettext(
                "{count} row has a LeiKa key of a bare Leistungsobjekt (no Verrichtung; "
                "row {rows}); prefer the key of the concrete service where there is one.",
                "{count} rows have a LeiKa key of a bare Leistungsobjekt (no Verrichtung; "
                "rows {rows}); prefer the key of the concrete service where there is one.",
                len(bare_keys),
            ).format(count=formats.number(len(bare_keys)), rows=shown)
        )
    return ImportFile(
        file_name=file_name,
        sha256=sha,
        sheet=sheet,
        header_row=header_row,
        headers=["" if c is None else str(c) for c in header_cells],
        columns=match.columns,
        unknown_headers=match.unknown,
        numbers=numbers,
        values=dict(zip(fields, converted, strict=True)),
        problems=problems,
        rejected_raw=rejected_raw,
        warnings=warnings,
        data_rows=count,
        raw=raw,
        column_map=match.mapping,
    )


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    text = str(value).strip().replace(".", "").replace(",", "").replace(" ", "")
    return text.lstrip("-").isdigit()


#: First words of the names of total and summary rows (folded).
TOTAL_WORDS = frozenset(
    {"summe", "summen", "gesamt", "gesamtsumme", "insgesamt", "zwischensumme", "anzahl", "total"}
)


def is_total_name(name: str) -> bool:
    """Whether a name reads as that of a total or summary row (``Summe``, ``Gesamt:``,
    ``Anzahl Leistungen``)."""
    words = search_fold(name).split()
    return bool(words) and words[0].strip(":.") in TOTAL_WORDS


def _named_total_rows(match: HeaderMatch, cells: list[Sequence[Any]]) -> dict[int, str]:
    """The rows that name themselves a total (no key, no ID, a name such as ``Summe``):
    position -> the name."""
    at = {c.field: c.index for c in match.columns}
    if "name" not in at or at["name"] >= len(cells):
        return {}
    keys = [cells[at[f]] for f in ("leika_key", "id") if f in at and at[f] < len(cells)]
    return {
        p: name.strip()
        for p, name in enumerate(cells[at["name"]])
        if type(name) is str
        and is_total_name(name)
        and not any(p < len(column) and not is_blank(column[p]) for column in keys)
    }


def _total_rows_at_the_foot(match: HeaderMatch, cells: list[Sequence[Any]], count: int) -> set[int]:
    """The positions of the rows at the foot of the sheet that read as totals (the results of
    formulas such as =SUMME(...) below a list): no key, no ID and no name, and numbers only."""
    naming = [c.index for c in match.columns if c.field in ("leika_key", "id", "name")]
    if not naming:
        return set()
    totals: set[int] = set()
    for position in reversed(range(count)):
        row = {i: column[position] for i, column in enumerate(cells) if position < len(column)}
        filled = [v for v in row.values() if not is_blank(v)]
        named = any(not is_blank(row.get(index)) for index in naming)
        if named or not filled or not all(map(_is_number, filled)):
            break
        totals.add(position)
    return totals
