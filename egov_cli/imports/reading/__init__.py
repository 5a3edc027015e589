"""Reading spreadsheets for ``egov import``: pure functions, the catalogue is never touched.

:func:`read_file` finds the sheet and its header row, matches the headers to the column schema
(``egov_cli.core.schema``), parses every cell and returns an :class:`ImportFile` with the valid rows
and every problem, located by file, sheet, row, column and value. It runs in three steps:
:func:`check_input` refuses files that are missing or unsafe to read, :func:`open_file` reads
the cells and finds the header (no catalogue needed, so the import can run it while it opens
the catalogue), :meth:`OpenedFile.parse` parses the rows against the catalogue's maturity
scale.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import chain, islice, zip_longest
from pathlib import Path
from typing import TYPE_CHECKING, Any

from egov_cli.core import schema
from egov_cli.core.errors import FileError, InputRejected, Problem, ValidationError, shown_value
from egov_cli.core.files import shown_name
from egov_cli.i18n import _, ngettext
from egov_cli.imports.reading.guard import check_file
from egov_cli.imports.reading.halves import (
    SPLIT_MIN_BYTES,
    Halves,
    HalvesWriter,
    remove_stale_folders,
    worth_splitting,
)
from egov_cli.imports.reading.headers import (
    HEADER_SEARCH_ROWS,
    HeaderMatch,
    find_header,
    match_cells,
)
from egov_cli.imports.reading.rows import is_blank_row, parse_column
from egov_cli.imports.reading.senders import EXAMPLES, translate
from egov_cli.imports.reading.types import (
    ImportColumn,
    ImportFile,
    ParsedRow,
    RawCells,
    ReadOptions,
)
from egov_cli.imports.reading.xlsx import SheetData, column_letters, sheet_parts

if TYPE_CHECKING:
    from egov_cli.domain.scale import Scale

__all__ = [
    "CheckedFile",
    "ImportColumn",
    "ImportFile",
    "OpenedFile",
    "ParsedRow",
    "ReadOptions",
    "check_input",
    "open_file",
    "read_file",
]

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
PROGRESS_STEP = 2000


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class OpenedFile:
    """A checked file whose sheet and header row are found: what is left is parsing its rows,
    which needs the catalogue's maturity scale (:meth:`parse`)."""

    file_name: str
    sha256: str
    sheet: SheetData
    head: list[tuple[int, list[Any]]]
    header: tuple[int, HeaderMatch]
    close: Callable[[], None]
    options: ReadOptions = field(default_factory=ReadOptions)

    def parse(self, scale: Scale, progress: Callable[[int], None] | None = None) -> ImportFile:
        """Parse and check every data row (row problems are in ``problems``)."""
        try:
            return _read_rows(
                self.file_name,
                self.sha256,
                self.sheet,
                self.head,
                self.header,
                scale,
                progress,
                self.options,
            )
        finally:
            self.close()


def read_file(
    path: Path,
    scale: Scale,
    options: ReadOptions | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportFile:
    """Read and check a spreadsheet. Raises FileError/InputRejected for file-level problems
    (unreadable file, no such sheet, no header); row problems are in ``problems``."""
    return open_file(check_input(path), options).parse(scale, progress)


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed :func:`check_input` (only that function makes one)."""

    path: Path
    suffix: str
    #: large sheets (by part name) written in halves while checked; the first
    #: :func:`open_file` reads the sheet it needs from them and removes them all
    halves: dict[str, Halves] = field(default_factory=dict)


def check_input(path: Path, split_min_bytes: int = SPLIT_MIN_BYTES) -> CheckedFile:
    """Refuse (FileError) a missing file, an unknown kind of file, and one that would be unsafe
    to read: empty, disguised, damaged, bomb-like (see ``guard``). A workbook's sheets of at
    least ``split_min_bytes`` (unpacked) are written in halves on the way (see ``halves``)."""
    path = Path(path)
    remove_stale_folders()  # the halves of an import that was killed
    if not path.is_file():
        raise FileError(
            _("No file {path!r}.").format(path=str(path)),
            _("Check the path (quote it if it contains spaces)."),
        )
    suffix = path.suffix.lower()
    if suffix not in WORKBOOK_SUFFIXES + TEXT_SUFFIXES:
        raise FileError(
            _("{file}: egov imports .xlsx, .xlsm and .csv files (also .xls, .ods, .txt).").format(
                file=path.name
            ),
            _("Save the file from Excel as .xlsx or as CSV."),
        )
    writers: list[HalvesWriter] = []

    def tee(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> HalvesWriter | None:
        if suffix not in (".xlsx", ".xlsm") or not worth_splitting(info.file_size, split_min_bytes):
            return None
        parts = sheet_parts(archive)
        if info.filename not in parts:
            return None  # a part no sheet of the workbook names: never read
        number = parts.index(info.filename)
        try:
            writers.append(HalvesWriter(archive, info, number))
        except OSError:
            return None  # no room for the halves: the sheet is read whole
        return writers[-1]

    halves: dict[str, Halves] = {}
    try:
        check_file(path, tee)
        for writer in writers:
            done = writer.finish()
            if done is not None:
                halves[done.part] = done
    except BaseException:
        for writer in writers:
            writer.abandon()
        raise
    return CheckedFile(path, suffix, halves)


def open_file(checked: CheckedFile, options: ReadOptions | None = None) -> OpenedFile:
    """Read a checked file's cells and find the sheet and header row: the slow part of reading,
    which needs nothing from the catalogue (the reader works outside the interpreter, so a
    command can run this on a thread). Raises FileError/InputRejected for file-level problems."""
    options = options or ReadOptions()
    path, suffix = checked.path, checked.suffix
    try:
        sha = file_sha256(path)
    except OSError as exc:
        raise FileError(
            _("{file} cannot be read: {reason}.").format(file=path.name, reason=exc.strerror or exc)
        ) from exc
    if suffix in TEXT_SUFFIXES:
        from egov_cli.imports.reading.csv_reader import read_csv

        data = read_csv(path, options.encoding, options.delimiter)
        head = _take(data, options)
        found = _header(path.name, None, head, options)
        if found is None:
            raise _no_header(path.name, None, options)
        return OpenedFile(
            shown_name(path), sha, data, head, found, close=lambda: None, options=options
        )

    halves = dict(checked.halves)
    checked.halves.clear()  # read once: another attempt reads the file itself
    try:
        return _open_workbook(path, sha, options, halves)
    finally:
        for unused in halves.values():
            unused.remove()


def _open_workbook(
    path: Path, sha: str, options: ReadOptions, halves: dict[str, Halves]
) -> OpenedFile:
    from egov_cli.imports.reading.xlsx import Workbook

    book = Workbook(path, halves)
    try:
        names = _sheet_candidates(book.sheet_names, options.sheet, path.name)
        for name in names:
            data = book.sheet(name)
            head = _take(data, options)
            found = _header(path.name, name, head, options)
            if found is None:
                if options.sheet is not None:
                    raise _no_header(path.name, name, options)
                continue
            data.scan_formulas = partial(book.scan_formulas, data)
            # The book stays open until the rows are parsed (openpyxl reads them lazily).
            return OpenedFile(
                shown_name(path), sha, data, head, found, close=book.close, options=options
            )
        raise _no_header(path.name, None, options, sheets=book.sheet_names)
    except BaseException:
        book.close()
        raise


def _take(data: SheetData, options: ReadOptions) -> list[tuple[int, list[Any]]]:
    """The first rows of a sheet (consumed from its iterator), for finding the header."""
    wanted = max(HEADER_SEARCH_ROWS, options.header_row or 0)
    head = list(islice(data.rows, wanted))
    if len(head) < wanted and data.rest is not None:  # the rows to search reach the rest
        data.rows = data.all_rows()
        head.extend(islice(data.rows, wanted - len(head)))
    return head


def _sheet_candidates(names: list[str], wanted: str | None, file_name: str) -> list[str]:
    if wanted is None:
        return names
    if wanted in names:
        return [wanted]
    lowered = {n.strip().lower(): n for n in names}
    if wanted.strip().lower() in lowered:
        return [lowered[wanted.strip().lower()]]
    if wanted.isdigit() and 1 <= int(wanted) <= len(names):
        return [names[int(wanted) - 1]]
    raise FileError(
        _("{file} has no sheet {sheet!r}.").format(file=file_name, sheet=wanted),
        _("Sheets: {sheets}. Choose one with --sheet NAME.").format(
            sheets=", ".join(repr(n) for n in names)
        ),
    )


def _header(
    file_name: str,
    sheet: str | None,
    head: list[tuple[int, list[Any]]] | list[list[Any]],
    options: ReadOptions,
) -> tuple[int, HeaderMatch] | None:
    """(1-based header row, match) or None where no row looks like a header."""
    rows = [item[1] if isinstance(item, tuple) else item for item in head]
    if options.header_row is not None:
        index = options.header_row - 1
        if index >= len(rows):
            where = _where(file_name, sheet)
            raise FileError(
                _("{where} has no row {row}.").format(where=where, row=options.header_row),
                _("Check --header-row (rows are counted as Excel shows them, from 1)."),
            )
        match = match_cells(rows[index], options.mapping, rows[index + 1 :])
        if not match.columns:
            return None
        return options.header_row, match
    found = find_header(rows, options.mapping)
    return None if found is None else (found[0] + 1, found[1])


def _no_header(
    file_name: str, sheet: str | None, options: ReadOptions, sheets: list[str] | None = None
) -> FileError:
    where = _where(file_name, sheet)
    if options.header_row is not None:
        return FileError(
            _("{where}: row {row} names no column egov knows.").format(
                where=where, row=options.header_row
            ),
            _(
                'Map its headers with --map "Header=field" (see egov import --describe-format), '
                "or choose another row with --header-row N."
            ),
        )
    message = _("{where}: no header row found in the first {count} rows.").format(
        where=where, count=HEADER_SEARCH_ROWS
    )
    if sheets:
        message = _(
            "{where}: no header row found in the first {count} rows (sheets searched: {sheets})."
        ).format(where=where, count=HEADER_SEARCH_ROWS, sheets=", ".join(repr(s) for s in sheets))
    return FileError(
        message,
        _(
            "The header row must name at least two columns (e.g. LeiKa-Schlüssel, Leistung). "
            'Map other headers with --map "Header=field", name the row with --header-row N '
            "or the sheet with --sheet NAME; egov import --describe-format lists the columns."
        ),
    )


def _where(file_name: str, sheet: str | None) -> str:
    """``file.xlsx, sheet 'Leistungen'`` (or the file alone)."""
    if not sheet:
        return file_name
    return f"{file_name}, " + _("sheet {sheet!r}").format(sheet=sheet)


def _columns(rows: list[list[Any]], width: int | None) -> list[Sequence[Any]]:
    """The rows' cells column by column; ``width`` where every row has that many cells, else
    None (short rows are filled with blanks)."""
    if width is None:
        return list(zip_longest(*rows, fillvalue=""))
    # All cells in one list, read off with a stride: several times quicker than zip(*rows),
    # which steps through one iterator per row for every column.
    cells = list(chain.from_iterable(rows))
    return [cells[column::width] for column in range(width)]


def _read_rows(
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
    parts = [_parse_part(chain(head_rows, data.rows), match, scale, progress, options)]
    data.rows = iter(())  # the sheet's rows are not needed any more
    if data.rest is not None:
        rest, data.rest = data.rest, None
        parts.append(_parse_part(rest(), match, scale, progress, options))
    joined = _joined_parts(parts)
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

    problems: list[Problem] = []
    rejected_raw: dict[int, list[Any]] = {}
    numbers = all_numbers
    if problems_by_row:
        position_of = {number: p for p, number in enumerate(all_numbers)}
        bad = set()
        for number in sorted(n for n in problems_by_row if n in position_of):
            problems.extend(problems_by_row[number])
            rejected_raw[number] = raw.row(number)
            bad.add(position_of[number])
        if bad:
            keep = [p for p in range(count) if p not in bad]
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
            ).format(count=len(left_out), column=left_out[0][1], rows=shown + more)
        )
    if joined_lists:
        rows = ", ".join(str(n) for n, _h in joined_lists[:EXAMPLES])
        more = " ..." if len(joined_lists) > EXAMPLES else ""
        warnings.append(
            _(
                "column {column!r} holds lists (rows {rows}); their items are kept as text, "
                "separated by '; '."
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
            ).format(count=len(bare_keys), rows=shown)
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


@dataclass
class _Part:
    """Data rows of a sheet parsed column by column: their numbers, their cells as read (one
    sequence per column of the sheet, from A), each row's length where the rows differ, and
    per recognised column the clean values and the (position, error) pairs."""

    numbers: list[int]
    cells: list[Sequence[Any]]
    lengths: list[int] | None
    clean: list[list[Any]]
    errors: list[list[tuple[int, ValidationError]]]
    #: relative links left out for want of --base-url: (row number, header, link)
    left_out: list[tuple[int, str, str]] = field(default_factory=list)
    #: lists written out in free text, taken as their items: (row number, header)
    joined_lists: list[tuple[int, str]] = field(default_factory=list)


def _parse_part(
    items: Iterator[tuple[int, list[Any]]],
    match: HeaderMatch,
    scale: Scale,
    progress: Callable[[int], None] | None,
    options: ReadOptions,
) -> _Part:
    """Parse the data rows ``items`` (row number, cells), blank rows left out."""
    body: list[list[Any]] = []
    numbers: list[int] = []
    while chunk := list(islice(items, PROGRESS_STEP)):  # a stretch at a time: the progress bar
        # Quick test first: a row's first cell is nearly always filled.
        kept = [
            item
            for item in chunk
            if (
                (first := item[1][0] if item[1] else None) is not None
                and (type(first) is not str or first.strip() != "")
            )
            or not is_blank_row(item[1])
        ]
        numbers.extend([number for number, _cells in kept])
        body.extend([cells for _number, cells in kept])
        if progress is not None:
            progress(len(chunk))
    lengths = list(map(len, body))
    uniform = not lengths or min(lengths) == max(lengths)
    cells = _columns(body, lengths[0] if uniform and lengths else None)
    del body
    blank_column: Sequence[Any] = ("",) * len(numbers)
    clean: list[list[Any]] = []
    errors: list[list[tuple[int, ValidationError]]] = []
    left_out: list[tuple[int, str, str]] = []
    joined_lists: list[tuple[int, str]] = []
    for column in match.columns:
        index = column.index
        column_cells = cells[index] if index < len(cells) else blank_column
        described = schema.BY_FIELD[column.field]
        translated = translate(
            described, column_cells, options.value_map.get(column.field), options.base_url
        )
        values, column_errors = parse_column(described, translated.cells, scale)
        if translated.errors:
            refused = {position for position, _exc in translated.errors}
            column_errors = [
                *translated.errors,
                *((p, exc) for p, exc in column_errors if p not in refused),
            ]
            for position in refused:
                values[position] = None
        left_out.extend(
            (numbers[p], column.header, str(column_cells[p]).strip()) for p in translated.left_out
        )
        joined_lists.extend((numbers[p], column.header) for p in translated.joined)
        clean.append(values)
        errors.append(column_errors)
    return _Part(
        numbers, cells, None if uniform else lengths, clean, errors, left_out, joined_lists
    )


def _joined_parts(parts: list[_Part]) -> _Part:
    """The parts as one (positions counted over all of them): a part narrower than another
    has its cells filled with blanks, as the whole sheet reads."""
    first = parts[0]
    if len(parts) == 1:
        return first
    width = max(len(part.cells) for part in parts)
    numbers: list[int] = []
    cells: list[list[Any]] = [[] for _ in range(width)]
    lengths: list[int] | None = None
    if any(part.lengths is not None for part in parts):
        lengths = []
    clean: list[list[Any]] = [[] for _ in first.clean]
    errors: list[list[tuple[int, ValidationError]]] = [[] for _ in first.errors]
    left_out: list[tuple[int, str, str]] = []
    joined_lists: list[tuple[int, str]] = []
    for part in parts:
        left_out.extend(part.left_out)
        joined_lists.extend(part.joined_lists)
        offset = len(numbers)
        count = len(part.numbers)
        numbers.extend(part.numbers)
        for index, column in enumerate(cells):
            column.extend(part.cells[index] if index < len(part.cells) else ("",) * count)
        if lengths is not None:
            lengths.extend(part.lengths or [len(part.cells)] * count)
        for joined, values in zip(clean, part.clean, strict=True):
            joined.extend(values)
        for joined_errors, found in zip(errors, part.errors, strict=True):
            joined_errors.extend((position + offset, exc) for position, exc in found)
        part.cells, part.clean = [], []  # let go of each part's lists as they are taken
    return _Part(numbers, [*cells], lengths, clean, errors, left_out, joined_lists)
