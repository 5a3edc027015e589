"""Finding the header row and recognising its columns by meaning.

A header names a field of the column schema (``egov_cli.core.schema``) in one of four ways,
each with a reason and a confidence:

- ``--map``: the user said so (1.0);
- ``name``: the header is the field's German or English header or one of its aliases (1.0),
  or one of its synonyms, the headers people write for it (0.95);
- ``similar name``: the header without words in brackets and filler words (``Zuständiges
  Amt`` -> ``Amt``) is one of those names (0.9), or it is spelled much like one (rapidfuzz's
  ratio, at least :data:`SIMILAR_SCORE`);
- ``content``: the header says nothing, but the values do: a column of LeiKa keys (14 digits
  beginning 99, as text or number) is the key column; a column of web addresses the online
  URL.

The values below the header are sampled (the rows read while looking for the header, at most
:data:`HEADER_SEARCH_ROWS`): a column recognised by anything less than its exact name is only
taken where its values fit the field. Where two columns could be one field, the one with the
better reason is taken and the other is reported, never dropped silently; two columns that name
one field equally well are refused (by exact name) or both reported (by similarity).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from rapidfuzz import fuzz, process

from egov_cli.core import schema
from egov_cli.core.errors import ValidationError
from egov_cli.imports.reading.senders import yes_no
from egov_cli.imports.reading.types import ColumnMapping, ImportColumn
from egov_cli.values.column import parse_value
from egov_cli.values.fold import fold, search_fold

#: How far down a sheet the header row is looked for (title rows, notes, blank rows above it).
HEADER_SEARCH_ROWS = 30
#: ``--map "Header=-"`` (or an empty field) ignores a column.
IGNORE = frozenset({"", "-", "ignore", "ignorieren"})

#: Reasons a column is recognised.
BY_MAP, BY_NAME, BY_SIMILAR_NAME, BY_CONTENT = "--map", "name", "similar name", "content"
#: Why a column is not imported.
NOT_RECOGNISED, AMBIGUOUS = "not recognised", "ambiguous"
#: How alike (0-100, rapidfuzz's ratio) a header must be to a known one to count as similar.
SIMILAR_SCORE = 85
#: Share of sampled values that must fit a field recognised by less than its exact name.
FITTING_SHARE = 0.8
#: Cells longer than this are text, not headers (the longest name of a column is shorter).
LONGEST_HEADER = 80

#: Words that say nothing about which field a header means.
_FILLER = frozenset(
    [
        "der",
        "die",
        "das",
        "des",
        "dem",
        "den",
        "zum",
        "zur",
        "zu",
        "fuer",
        "von",
        "vom",
        "im",
        "in",
        "am",
        "an",
        "und",
        "oder",
        "bzw",
        "ggf",
        "the",
        "of",
        "for",
        "to",
        "zustaendig",
        "zustaendige",
        "zustaendiges",
        "zustaendiger",
        "zustaendigen",
        "aktuell",
        "aktuelle",
        "aktueller",
        "aktuelles",
        "uebergeordnet",
        "jeweilige",
        "jeweiliger",
        "jeweiliges",
    ]
)
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_WORDS = re.compile(r"[0-9a-z]+")
_NOT_WORD = re.compile(r"[^0-9a-z]+")  # as egov_cli.values.fold.fold drops them
_URL = re.compile(r"^(https?://|www\.)\S+$", re.IGNORECASE)
_URL_FIELDS = frozenset({"online_url", "bayernportal_url", "procedure_url"})


@lru_cache(maxsize=1)
def _schema_lookup() -> dict[str, str]:
    """folded header -> field, with the same precedence as ``schema.match_header``."""
    lookup: dict[str, str] = {}
    for column in schema.COLUMNS:
        for key in sorted(column.match_keys()):
            lookup.setdefault(key, column.field)
    return lookup


@lru_cache(maxsize=1)
def _synonym_lookup() -> dict[str, str]:
    """folded synonym -> field (synonyms that are no column's exact name)."""
    exact = _schema_lookup()
    lookup: dict[str, str] = {}
    for column in schema.COLUMNS:
        for key in sorted(column.synonym_keys()):
            if key not in exact:
                lookup.setdefault(key, column.field)
    return lookup


@lru_cache(maxsize=1)
def _all_names() -> tuple[list[str], list[str]]:
    """Every known folded name and its field, in two aligned lists (for similarity search)."""
    names = {**_synonym_lookup(), **_schema_lookup()}
    keys = sorted(names)
    return keys, [names[k] for k in keys]


def parse_mapping(items: Sequence[str]) -> dict[str, str]:
    """``["Nummer=leika_key", ...]`` as a dict; the field may be a field name or any header."""
    mapping: dict[str, str] = {}
    for item in items:
        header, sep, target = item.partition("=")
        if not sep or not header.strip():
            raise ValidationError(
                f"--map {item!r} is not HEADER=FIELD.",
                'Write e.g. --map "Nummer=leika_key" (see egov import --describe-format).',
            )
        target = target.strip()
        if target.lower() in IGNORE:
            mapping[header.strip()] = "-"
            continue
        field_name = target if target in schema.BY_FIELD else _schema_lookup().get(fold(target))
        if field_name is None:
            known = ", ".join(c.field for c in schema.COLUMNS)
            raise ValidationError(
                f"--map {item!r}: {target!r} is not a column of the catalogue.",
                f"Map to one of: {known}; or to - to ignore the column.",
            )
        mapping[header.strip()] = field_name
    return mapping


@dataclass(frozen=True)
class Guess:
    """What a header may mean: a field, why, how sure, and other fields it may mean as well."""

    field: str
    reason: str
    confidence: float
    others: tuple[str, ...] = ()


@lru_cache(maxsize=4096)
def recognise_header(header: str, similar: bool = True) -> Guess | None:
    """The field a header means by its name alone (no ``--map``, no values), or None;
    ``similar=False`` leaves out similar spellings (quick: no similarity search)."""
    if len(header) > LONGEST_HEADER:
        return None  # text, not a header: longer than any name of a column
    spelled = search_fold(header)
    key = _NOT_WORD.sub("", spelled)
    if not key:
        return None
    if key in _schema_lookup():
        return Guess(_schema_lookup()[key], BY_NAME, 1.0)
    if key in _synonym_lookup():
        return Guess(_synonym_lookup()[key], BY_NAME, 0.95)
    words = [w for w in _WORDS.findall(_BRACKETS.sub(" ", spelled)) if w not in _FILLER]
    short = "".join(words)
    if short and short != key:
        for lookup in (_schema_lookup(), _synonym_lookup()):
            if short in lookup:
                return Guess(lookup[short], BY_SIMILAR_NAME, 0.9)
    if not similar:
        return None
    keys, fields = _all_names()
    best: dict[str, float] = {}
    for candidate in {key, short} - {""}:
        for _name, score, position in process.extract(
            candidate, keys, scorer=fuzz.ratio, score_cutoff=SIMILAR_SCORE, limit=8
        ):
            found = fields[position]
            best[found] = max(best.get(found, 0.0), float(score))
    if not best:
        return None
    ranked = sorted(best.items(), key=lambda item: -item[1])
    top_field, top_score = ranked[0]
    close = tuple(f for f, score in ranked[1:] if score >= top_score - 5)
    return Guess(top_field, BY_SIMILAR_NAME, round(min(top_score / 100, 0.89), 2), close)


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


def _samples(rows: Sequence[Sequence[object]], index: int) -> list[object]:
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


def _content_field(samples: list[object]) -> str | None:
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


def _unfitting(field_name: str, samples: list[object]) -> str | None:
    """Why the sampled values do not fit ``field_name`` (None where they fit or there are none)."""
    if not samples:
        return None
    if _share(samples, _is_list_literal) >= 0.5:
        return "its values are lists"
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
    return None if fits >= FITTING_SHARE else "its values do not fit"


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
                entries[index] = ColumnMapping(index, header, None, "ignored by --map", 1.0)
            else:
                found.append(_Found(index, header, extra[key], BY_MAP, 1.0))
            continue
        guess = (
            None if isinstance(cell, datetime | date | bool) else recognise_header(header, similar)
        )
        if guess is None:
            entries[index] = ColumnMapping(index, header, None, NOT_RECOGNISED, 0.0)
            continue
        why = _unfitting(guess.field, _samples(below, index)) if guess.confidence < 1 else None
        if why is not None:
            entries[index] = ColumnMapping(
                index, header, None, f"{NOT_RECOGNISED}: {why}", 0.0, (guess.field,)
            )
            notes.append(
                f"Column {header!r} looks like {guess.field} by its {guess.reason}, but {why}; "
                f"it is not imported. If it is, add {_map_hint(header, guess.field)}."
            )
        elif guess.others:
            options = (guess.field, *guess.others)
            entries[index] = ColumnMapping(
                index, header, None, AMBIGUOUS, guess.confidence, options
            )
            notes.append(
                f"Column {header!r} could be any of {', '.join(options)}; it is not imported. "
                f"Say which with e.g. {_map_hint(header, options[0])}."
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
            content = _content_field(_samples(below, index))
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
            f"Columns {', '.join(repr(h) for h in headers)} all hold values of {content}; none "
            f"is imported as it. Say which with e.g. {_map_hint(headers[0], content)}."
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
                f"Columns {', '.join(repr(i.header) for i in items)} could each be "
                f"{field_name}; none is imported as it. Say which with e.g. "
                f"{_map_hint(items[0].header, field_name)}."
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
                f"Column {other.header!r} could be {field_name} too, but {best.header!r} is "
                f"taken as it (by {best.reason}); {other.header!r} is not imported."
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
