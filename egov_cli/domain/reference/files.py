"""Reference file formats: the shipped CSV (the OZG-Umsetzungskatalog joined with LeiKa keys)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

from egov_cli.core.errors import FileError, InputRejected, Problem, ValidationError
from egov_cli.domain.reference.codes import known_type_codes, unknown_type_parts
from egov_cli.domain.reference.entries import ReferenceEntry
from egov_cli.i18n import _, ngettext
from egov_cli.values.display import number
from egov_cli.values.fold import fold
from egov_cli.values.parse import ascii_digits, parse_flag, parse_leika_key

REFERENCE_FILE = "ozg_umsetzungskatalog_leika.csv"
NO_KEY = "nicht im LeiKa"

#: The columns of the reference file, in this order.
COLUMNS: tuple[str, ...] = (
    "leika_schluessel",
    "leika_bezeichnung",
    "leika_typ",
    "ozg_id",
    "ozg_leistung",
    "lebenslage",
    "themenfeld",
    "sdg1",
    "sdg2",
    "gesetzeskuerzel",
)
_REQUIRED_COLUMNS = (*COLUMNS[:7], "sdg1", "sdg2")

_PLAIN_TYPES = frozenset({None, *known_type_codes()})
_PLAIN_FLAGS = frozenset({"", "0", "1"})


@dataclass(frozen=True)
class ParsedFile:
    entries: tuple[ReferenceEntry, ...]
    warnings: tuple[str, ...]
    problems: tuple[Problem, ...]


def decode(data: bytes, file_name: str, expected: str = "utf-8") -> tuple[str, list[str]]:
    """The text of a file that is UTF-8 or Windows-1252, and a warning where it is not the
    ``expected`` one of them."""
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise FileError(
            _("{file} is neither UTF-8 nor Windows-1252 text.").format(file=file_name),
            _("Save the file as 'CSV UTF-8 (durch Trennzeichen getrennt)'."),
        ) from exc
    if expected == "cp1252":
        return text, []
    return text, [_("{file} is not UTF-8; read it as Windows-1252.").format(file=file_name)]


def parse_reference(data: bytes, file_name: str) -> ParsedFile:
    """Read a reference CSV (comma or semicolon separated, UTF-8 or Windows-1252).

    Raises ``InputRejected`` where the header lacks columns; row problems are returned (the
    caller decides whether they are fatal: ``update`` refuses them, loading warns).
    """
    text, warnings = decode(data, file_name)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if not header or all(not h.strip() for h in header):
        raise InputRejected(
            [Problem(_("the file is empty; it has no header row"), file=file_name, row=1)],
            message=_("{file} is not a reference file; nothing was loaded").format(file=file_name),
            hint=_("The first row must name the columns: {columns}.").format(
                columns=", ".join(COLUMNS)
            ),
        )
    wanted = {fold(c): c for c in COLUMNS}
    index: dict[str, int] = {}
    for i, name in enumerate(header):
        column = wanted.get(fold(name))
        if column and column not in index:
            index[column] = i
        elif name.strip():
            warnings.append(
                _("{file}: column {column!r} is not a reference column; ignored.").format(
                    file=file_name, column=name.strip()
                )
            )
    missing = [c for c in _REQUIRED_COLUMNS if c not in index]
    if missing:
        raise InputRejected(
            [
                Problem(
                    _("column {column!r} is missing from the header").format(column=c),
                    file=file_name,
                    row=1,
                )
                for c in missing
            ],
            message=ngettext(
                "{file} lacks {count} reference column; nothing was loaded",
                "{file} lacks {count} reference columns; nothing was loaded",
                len(missing),
            ).format(file=file_name, count=number(len(missing))),
            hint=_("The header must name these columns: {columns}.").format(
                columns=", ".join(COLUMNS)
            ),
        )
    problems: list[Problem] = []
    entries: list[ReferenceEntry] = []
    seen: dict[str, int] = {}
    width = len(header)

    positions = {c: index.get(c, -1) for c in COLUMNS}

    def cell(row: list[str], column: str) -> str:
        i = positions[column]
        return row[i].strip() if 0 <= i < len(row) else ""

    for line, row in enumerate(reader, start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) > width and any(c.strip() for c in row[width:]):
            problems.append(
                Problem(
                    _("the row has {cells} cells, the header {width}").format(
                        cells=len(row), width=width
                    ),
                    file=file_name,
                    row=line,
                    hint=_("Check for an unquoted separator in a cell."),
                )
            )
            continue
        raw_key = cell(row, "leika_schluessel")
        key: str | None = raw_key if len(raw_key) == 14 and raw_key.isdigit() else None
        try:
            if key is None and raw_key != NO_KEY:
                key = parse_leika_key(raw_key)
            if key is None and raw_key != NO_KEY and fold(raw_key) != fold(NO_KEY):
                raise ValidationError(_("a reference row needs a LeiKa key or 'nicht im LeiKa'"))
        except ValidationError as exc:
            problems.append(
                Problem(
                    exc.message,
                    file=file_name,
                    row=line,
                    column="leika_schluessel",
                    value=raw_key,
                    hint=_("Write the 14-digit key or 'nicht im LeiKa'."),
                )
            )
            continue
        if key is not None:
            if key in seen:
                problems.append(
                    Problem(
                        _("LeiKa key {key} is in row {row} already").format(key=key, row=seen[key]),
                        file=file_name,
                        row=line,
                        column="leika_schluessel",
                        value=raw_key,
                        hint=_("Each key may appear once; remove one of the rows."),
                    )
                )
                continue
            seen[key] = line
        name = cell(row, "leika_bezeichnung")
        if not name:
            problems.append(
                Problem(
                    _("the row has no name"),
                    file=file_name,
                    row=line,
                    column="leika_bezeichnung",
                    hint=_("Every reference row needs its LeiKa name."),
                )
            )
            continue
        ozg_id = ascii_digits(cell(row, "ozg_id"))
        if ozg_id.endswith(".0") and ozg_id[:-2].isdigit():
            ozg_id = ozg_id[:-2]
        if ozg_id and not (ozg_id.isascii() and ozg_id.isdigit()):
            problems.append(
                Problem(
                    _("the OZG ID is not a number"),
                    file=file_name,
                    row=line,
                    column="ozg_id",
                    value=ozg_id,
                    hint=_("Write the 5-digit OZG ID, or leave the cell empty."),
                )
            )
            continue
        flags: dict[str, bool] = {}
        bad_flag = False
        for column in ("sdg1", "sdg2"):
            text = cell(row, column)
            try:
                flags[column] = (
                    text == "1" if text in _PLAIN_FLAGS else bool(parse_flag(text, column))
                )
            except ValidationError:
                problems.append(
                    Problem(
                        _("{column} is not 0 or 1").format(column=column),
                        file=file_name,
                        row=line,
                        column=column,
                        value=text,
                        hint=_("Write 1 (relevant) or 0 (not relevant)."),
                    )
                )
                bad_flag = True
        if bad_flag:
            continue
        leika_type = cell(row, "leika_typ") or None
        if leika_type not in _PLAIN_TYPES and unknown_type_parts(leika_type):
            warnings.append(
                _(
                    "{file}, row {row}: LeiKa type {type!r} of {service!r} is not in the "
                    "LeiKa Typisierung; kept as it is."
                ).format(file=file_name, row=line, type=leika_type, service=key or name)
            )
        entries.append(
            ReferenceEntry(
                row=line,
                key=key,
                name=name,
                leika_type=leika_type,
                ozg_id=ozg_id or None,
                ozg_name=cell(row, "ozg_leistung") or None,
                life_event=cell(row, "lebenslage") or None,
                topic=cell(row, "themenfeld") or None,
                sdg_annex1=flags["sdg1"],
                sdg_annex2=flags["sdg2"],
                law=cell(row, "gesetzeskuerzel") or None,
            )
        )
    if not entries and not problems:
        problems.append(Problem(_("the file has no data rows"), file=file_name, row=2))
    return ParsedFile(tuple(entries), tuple(warnings), tuple(problems))


def to_csv(entries: Iterable[ReferenceEntry]) -> str:
    """Entries as a reference CSV (UTF-8 text, comma separated, the standard header)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for e in entries:
        writer.writerow(
            [
                e.key or NO_KEY,
                e.name,
                e.leika_type or "",
                e.ozg_id or "",
                e.ozg_name or "",
                e.life_event or "",
                e.topic or "",
                int(e.sdg_annex1),
                int(e.sdg_annex2),
                e.law or "",
            ]
        )
    return buffer.getvalue()
