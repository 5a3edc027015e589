"""The federal OZG/LeiKa reference catalogue: what a LeiKa key already tells.

The reference is the OZG-Umsetzungskatalog joined with LeiKa keys, shipped as
``catalogue/reference/ozg_umsetzungskatalog_leika.csv`` (see ``catalogue/README.md``). A newer
file loaded with ``egov reference update`` is kept in the user data directory (or where
``EGOV_REFERENCE`` points) and used from then on. The file is read once per process and kept
in memory; looking a key up is a dict lookup.

Real data is messy and stays as it is: rows without a LeiKa key (``nicht im LeiKa``), combined
types (``1, 2/3``) and types the LeiKa code list does not know (``44``) are kept, with warnings.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from egov_cli.errors import FileError, InputRejected, Problem, ValidationError
from egov_cli.i18n import _, ngettext
from egov_cli.text import fold, search_fold
from egov_cli.values import is_blank, parse_flag, parse_leika_key

if TYPE_CHECKING:
    from sqlmodel import Session

    from egov_cli.history import ChangeContext

REFERENCE_FILE = "ozg_umsetzungskatalog_leika.csv"
#: Where a newer reference file is kept instead of the user data directory (e.g. a shared drive,
#: so that a scheduled task running under another account uses the same reference).
REFERENCE_ENV = "EGOV_REFERENCE"
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

#: Service fields the reference fills, and the ReferenceEntry attribute each comes from.
FILLED_FIELDS: dict[str, str] = {
    "name": "name",
    "leika_type": "leika_type",
    "ozg_id": "ozg_id",
    "ozg_name": "ozg_name",
    "topic": "topic",
    "life_event": "life_event",
    "sdg_annex2": "sdg_annex2",
}

# --- LeiKa types ------------------------------------------------------------------------------

# Execution scope of a type for a municipality (Kommune).
MUNICIPAL = "municipal"  # executed by the municipality
POSSIBLY_MUNICIPAL = "possible"  # executed by the Land or the municipality, depending on state law

_BASE_TYPES: dict[str, str] = {
    "1": "Regelung und Vollzug beim Bund",
    "2": "Regelung beim Bund, Vollzug durch Land oder Kommune",
    "3": "Regelung beim Bund, Vollzug durch Land oder Kommune",
    "2/3": "Regelung beim Bund, Vollzug durch Land oder Kommune (Typ 2 oder 3)",
    "4": "Regelung beim Land, Vollzug durch Land oder Kommune",
    "5": "Regelung und Vollzug auf kommunaler Ebene",
    "6": "allgemeiner Hinweis ohne eigenen Vollzug (Typisierungswerte 6-8)",
    "7": "allgemeiner Hinweis ohne eigenen Vollzug (Typisierungswerte 6-8)",
    "8": "allgemeiner Hinweis ohne eigenen Vollzug (Typisierungswerte 6-8)",
    "9": "in der FIM-Codeliste Typisierung beschrieben (Bedeutung hier nicht hinterlegt)",
    "10": "in der FIM-Codeliste Typisierung beschrieben (Bedeutung hier nicht hinterlegt)",
    "11": "in der FIM-Codeliste Typisierung beschrieben (Bedeutung hier nicht hinterlegt)",
}
# a/b: the executing level where it differs between the Länder (types 1-5 and 10).
_SUFFIXED = ("1", "2", "3", "4", "5", "10")
_SUFFIX_TEXT = {"a": "Vollzug durch das Land", "b": "Vollzug durch die Kommune"}
#: Types a municipality executes (issue: 2b, 3b, 4b and 5) ...
MUNICIPAL_TYPES = frozenset({"2b", "3b", "4b", "5"})
#: ... and those it executes where state law gives execution to the municipality.
POSSIBLY_MUNICIPAL_TYPES = frozenset({"2", "3", "2/3", "4"})


def known_type_codes() -> tuple[str, ...]:
    """Every type code egov knows (base codes and their a/b variants)."""
    codes = list(_BASE_TYPES)
    for base in _SUFFIXED:
        codes += [base + "a", base + "b"]
    return tuple(codes)


_KNOWN_TYPES = frozenset(known_type_codes())
_PLAIN_TYPES = frozenset({None, *_KNOWN_TYPES})
_PLAIN_FLAGS = frozenset({"", "0", "1"})


def type_parts(text: str | None) -> list[str]:
    """The single types of a type cell: ``1, 2/3`` -> ``["1", "2/3"]``; blank -> ``[]``."""
    if not text:
        return []
    return [p.strip().lower().replace(" ", "") for p in re.split(r"[,;]", text) if p.strip()]


def unknown_type_parts(text: str | None) -> list[str]:
    return [p for p in type_parts(text) if p not in _KNOWN_TYPES]


def describe_type(text: str | None) -> str:
    """A type cell in words, e.g. ``2/3: Regelung beim Bund, Vollzug durch Land oder Kommune``."""
    parts = type_parts(text)
    if not parts:
        return "kein LeiKa-Typ angegeben"
    return "; ".join(f"{p}: {_describe_part(p)}" for p in parts)


def _describe_part(part: str) -> str:
    if part in _BASE_TYPES:
        return _BASE_TYPES[part]
    if part[:-1] in _SUFFIXED and part[-1:] in _SUFFIX_TEXT:
        return f"{_BASE_TYPES[part[:-1]]}; hier {_SUFFIX_TEXT[part[-1]]}"
    return "nicht in der LeiKa-Typisierung (Wert aus der Quelle übernommen)"


def type_scope(text: str | None) -> str | None:
    """``municipal``, ``possible`` (Land or Kommune, by state law) or None for a type cell."""
    parts = set(type_parts(text))
    if parts & MUNICIPAL_TYPES:
        return MUNICIPAL
    if parts & POSSIBLY_MUNICIPAL_TYPES:
        return POSSIBLY_MUNICIPAL
    return None


def scope_label(scope: str | None) -> str:
    return {
        MUNICIPAL: "Kommune",
        POSSIBLY_MUNICIPAL: "Land oder Kommune (prüfen)",
    }.get(scope or "", "")


# --- entries and the loaded reference ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReferenceEntry:
    """One row of the reference: a LeiKa service (or an OZG service without a LeiKa key)."""

    row: int  # line in the file (the header is line 1)
    key: str | None  # 14 digits; None for "nicht im LeiKa"
    name: str
    leika_type: str | None
    ozg_id: str | None
    ozg_name: str | None
    life_event: str | None
    topic: str | None
    sdg_annex1: bool
    sdg_annex2: bool
    law: str | None

    @property
    def is_object(self) -> bool:
        """A bare Leistungsobjekt (digits 9-14 are 000000)."""
        return self.key is not None and self.key.endswith("000000")

    @property
    def object_id(self) -> str | None:
        """The Leistungsobjekt-ID (digits 1-8)."""
        return self.key[:8] if self.key else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "leika_key": self.key,
            "name": self.name,
            "leika_type": self.leika_type,
            "ozg_id": self.ozg_id,
            "ozg_name": self.ozg_name,
            "topic": self.topic,
            "life_event": self.life_event,
            "sdg_annex1": self.sdg_annex1,
            "sdg_annex2": self.sdg_annex2,
            "law": self.law,
        }


@dataclass
class Reference:
    """The loaded reference: its entries, an index by key, where it came from, its oddities."""

    source: str  # "shipped" or "updated"
    path: Path
    sha256: str
    entries: tuple[ReferenceEntry, ...]
    by_key: dict[str, ReferenceEntry]
    warnings: tuple[str, ...]
    _folded: list[tuple[str, str]] | None = field(default=None, repr=False)

    def get(self, key: str | None) -> ReferenceEntry | None:
        return self.by_key.get(key) if key else None

    def folded(self) -> list[tuple[str, str]]:
        """(folded name, folded OZG name) per entry, for search; computed on first use."""
        if self._folded is None:
            self._folded = [
                (" ".join(search_fold(e.name).split()), search_fold(e.ozg_name or ""))
                for e in self.entries
            ]
        return self._folded

    def topics(self) -> list[str]:
        return sorted({e.topic for e in self.entries if e.topic})


# --- reading a reference file -----------------------------------------------------------------


@dataclass(frozen=True)
class ParsedFile:
    entries: tuple[ReferenceEntry, ...]
    warnings: tuple[str, ...]
    problems: tuple[Problem, ...]


def _decode(data: bytes, file_name: str) -> tuple[str, list[str]]:
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
    return text, [_("{file} is not UTF-8; read it as Windows-1252.").format(file=file_name)]


def parse_reference(data: bytes, file_name: str) -> ParsedFile:
    """Read a reference CSV (comma or semicolon separated, UTF-8 or Windows-1252).

    Raises ``InputRejected`` where the header lacks columns; row problems are returned (the
    caller decides whether they are fatal: ``update`` refuses them, loading warns).
    """
    text, warnings = _decode(data, file_name)
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
            ).format(file=file_name, count=len(missing)),
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
        ozg_id = cell(row, "ozg_id")
        if ozg_id.endswith(".0") and ozg_id[:-2].isdigit():
            ozg_id = ozg_id[:-2]
        if ozg_id and not ozg_id.isdigit():
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


# --- where the reference lives; the per-process cache -----------------------------------------


def shipped_reference_path() -> Path:
    from egov_cli.resources import catalogue_file

    return catalogue_file("reference") / REFERENCE_FILE


def updated_reference_path() -> Path:
    """Where ``egov reference update`` keeps a newer file (``EGOV_REFERENCE`` or user data)."""
    env = os.environ.get(REFERENCE_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_path

    from egov_cli.config import APP_NAME

    return user_data_path(APP_NAME, appauthor=False) / "reference" / REFERENCE_FILE


#: The environment that decides where the reference lives (see updated_reference_path).
_LOCATION_ENV = (REFERENCE_ENV, "XDG_DATA_HOME", "HOME", "LOCALAPPDATA", "APPDATA", "USERPROFILE")
_cache: dict[tuple[str | None, ...], Reference] = {}


def load_reference() -> Reference:
    """The reference in use: an updated file where there is one, else the shipped one.

    Read once per process and kept (``egov reference update`` clears it), so that looking up
    one key per imported row costs a dict lookup, not a file check.
    """
    location = tuple(os.environ.get(name) for name in _LOCATION_ENV)
    found = _cache.get(location)
    if found is not None:
        return found
    updated = updated_reference_path()
    if updated.is_file():
        path, source = updated, "updated"
    else:
        path, source = shipped_reference_path(), "shipped"
        if not path.is_file():
            raise FileError(
                _("The reference catalogue {path} is missing.").format(path=path),
                _("Reinstall egov-cli, or load a reference with 'egov reference update FILE.csv'."),
            )
    found = _read(path, source)
    _cache.clear()
    _cache[location] = found
    return found


def _read(path: Path, source: str) -> Reference:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FileError(
            _("Cannot read the reference catalogue {path}: {reason}.").format(
                path=path, reason=exc.strerror
            )
        ) from exc
    parsed = parse_reference(data, path.name)
    warnings = list(parsed.warnings) + [
        _("{problem} (row skipped)").format(problem=p) for p in parsed.problems
    ]
    return Reference(
        source=source,
        path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        entries=parsed.entries,
        by_key={e.key: e for e in parsed.entries if e.key},
        warnings=tuple(warnings),
    )


def clear_cache() -> None:
    _cache.clear()


# --- filling a service from its key -----------------------------------------------------------


def _is_empty(value: object) -> bool:
    return value is None or is_blank(value)


def fill_from_reference(values: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """``values`` with empty reference fields filled from the LeiKa key; warnings.

    Fills name, LeiKa type, OZG id and name, Themenfeld, Lebenslage and the SDG Annex II flag
    where ``values`` leaves them empty (missing, None or blank); what the caller gave wins. The
    SDG flag is only filled with "yes" (a missing flag means "not stated", not "no"). A
    well-formed key that is not in the reference gives a warning, not an error: local services
    and newer keys exist. Values without a key come back unchanged.
    """
    filled = dict(values)
    raw_key = filled.get("leika_key")
    if _is_empty(raw_key):
        return filled, []
    key = raw_key if isinstance(raw_key, str) and len(raw_key) == 14 and raw_key.isdigit() else None
    if key is None:
        try:
            key = parse_leika_key(raw_key)
        except ValidationError:
            return filled, []  # the caller validates the key and reports it
        if key is None:
            return filled, []
    reference = load_reference()
    entry = reference.by_key.get(key)
    if entry is None:
        return filled, [
            _(
                "LeiKa key {key} is not in the reference catalogue; the service is kept as given "
                "(local services and newer keys exist). Check the key with 'egov reference search'."
            ).format(key=key)
        ]
    warnings: list[str] = []
    for name, attribute in FILLED_FIELDS.items():
        if not _is_empty(filled.get(name)):
            continue
        value = getattr(entry, attribute)
        if name == "sdg_annex2" and not value:
            continue
        if value is not None:
            filled[name] = value
    if filled.get("leika_type") == entry.leika_type and unknown_type_parts(entry.leika_type):
        warnings.append(
            _(
                "LeiKa type {type!r} of {key} (from the reference) is not in the "
                "LeiKa Typisierung; taken over as it is."
            ).format(type=entry.leika_type, key=key)
        )
    return filled, warnings


# --- search and show --------------------------------------------------------------------------


def search_reference(
    text: str, *, limit: int | None = 20, reference: Reference | None = None
) -> list[ReferenceEntry]:
    """Entries matching ``text`` (ignoring case and umlaut spelling), best first.

    Ranking: exact name, name starting with the text, a word starting with it, all words in
    the name, then matches in the OZG service name only; shorter names first within a rank.
    Digits search keys by prefix (and OZG ids).
    """
    ref = reference or load_reference()
    query = " ".join(search_fold(text).split())
    if not query:
        raise ValidationError(
            _("Nothing to search for."), _("Give a word, e.g. egov reference search gewerbe.")
        )
    ranked: list[tuple[int, int, str, int]] = []
    digits = query.replace(" ", "")
    if digits.isdigit():
        for i, e in enumerate(ref.entries):
            if e.key and e.key.startswith(digits):
                ranked.append((0 if e.key == digits else 1, len(e.name), e.name, i))
            elif e.ozg_id == digits:
                ranked.append((2, len(e.name), e.name, i))
    else:
        words = query.split()
        for i, (name, ozg) in enumerate(ref.folded()):
            if all(w in name for w in words):
                if name == query:
                    rank = 0
                elif name.startswith(query):
                    rank = 1
                elif (" " + name).find(" " + query) >= 0:
                    rank = 2
                else:
                    rank = 3
            elif all(w in name or w in ozg for w in words):
                rank = 4
            else:
                continue
            entry = ref.entries[i]
            ranked.append((rank, len(entry.name), entry.name, i))
    ranked.sort()
    hits = [ref.entries[i] for *_, i in ranked]
    return hits[:limit] if limit is not None else hits


@dataclass(frozen=True)
class KeyPart:
    digits: str  # which digits (e.g. "3-5")
    label: str
    value: str
    meaning: str | None = None


@dataclass(frozen=True)
class ReferenceDetail:
    """One reference entry explained: the key's parts, the type in words, the OZG context."""

    entry: ReferenceEntry
    parts: tuple[KeyPart, ...]
    type_text: str
    scope: str | None
    warnings: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.entry.as_dict(),
            "leika_type_text": self.type_text,
            "municipal_execution": self.scope,
            "key_parts": [
                {"digits": p.digits, "label": p.label, "value": p.value, "meaning": p.meaning}
                for p in self.parts
            ],
            "warnings": list(self.warnings),
        }


def explain_key(key: str, reference: Reference | None = None) -> tuple[KeyPart, ...]:
    """The parts of a 14-digit LeiKa key, named (and where the reference tells, described)."""
    ref = reference or load_reference()
    origin = key[0:2]
    obj_entry = ref.get(key[:8] + "000000")
    entry = ref.get(key)
    verrichtung_meaning: str | None = None
    if key[8:11] == "000":
        verrichtung_meaning = "keine (Leistungsobjekt ohne Verrichtung)"
    elif (
        key[11:14] == "000"
        and entry is not None
        and obj_entry is not None
        and entry.name.startswith(obj_entry.name + " ")
    ):
        verrichtung_meaning = entry.name[len(obj_entry.name) + 1 :]
    return (
        KeyPart(
            "1-2",
            "Herkunft",
            origin,
            "bundesweiter LeiKa-Schlüssel" if origin == "99" else "kein bundesweiter Schlüssel",
        ),
        KeyPart("3-5", "Leistungsgruppierung", key[2:5]),
        KeyPart("6-8", "Leistungsobjekt (Nummer)", key[5:8]),
        KeyPart(
            "1-8", "Leistungsobjekt-ID", key[:8], obj_entry.name if obj_entry is not None else None
        ),
        KeyPart("9-11", "Verrichtung", key[8:11], verrichtung_meaning),
        KeyPart(
            "12-14",
            "Verrichtungsdetail",
            key[11:14],
            "keines" if key[11:14] == "000" else None,
        ),
    )


def reference_detail(key_text: str, reference: Reference | None = None) -> ReferenceDetail:
    """The reference entry of a key, explained (NotFound where the reference lacks it)."""
    from egov_cli.errors import NotFound

    key = parse_leika_key(key_text)
    if key is None:
        raise ValidationError(
            _("{value!r} is not a LeiKa key.").format(value=key_text),
            _("Give the 14-digit key, e.g. 99050012104000."),
        )
    ref = reference or load_reference()
    entry = ref.get(key)
    if entry is None:
        raise NotFound(
            _("LeiKa key {key} is not in the reference catalogue.").format(key=key),
            _("Local and newer keys exist; search by name with 'egov reference search TEXT'."),
        )
    warnings = []
    if unknown_type_parts(entry.leika_type):
        warnings.append(
            _("LeiKa type {type!r} is not in the LeiKa Typisierung (as in the source).").format(
                type=entry.leika_type
            )
        )
    if not entry.leika_type:
        warnings.append(_("The reference gives no LeiKa type for this key."))
    if not entry.ozg_id:
        warnings.append(_("The reference assigns this key to no OZG service."))
    return ReferenceDetail(
        entry=entry,
        parts=explain_key(key, ref),
        type_text=describe_type(entry.leika_type),
        scope=type_scope(entry.leika_type),
        warnings=tuple(warnings),
    )


@dataclass(frozen=True)
class ReferenceInfo:
    source: str
    path: str
    sha256: str
    rows: int
    keys: int
    without_key: int
    ozg_services: int
    warnings: tuple[str, ...]


def reference_info(reference: Reference | None = None) -> ReferenceInfo:
    ref = reference or load_reference()
    return ReferenceInfo(
        source=ref.source,
        path=str(ref.path),
        sha256=ref.sha256,
        rows=len(ref.entries),
        keys=len(ref.by_key),
        without_key=sum(1 for e in ref.entries if e.key is None),
        ozg_services=len({e.ozg_id for e in ref.entries if e.ozg_id}),
        warnings=ref.warnings,
    )


# --- enrich: fill gaps in existing services ---------------------------------------------------


@dataclass(frozen=True)
class EnrichedService:
    id: int
    leika_key: str
    name: str
    changes: dict[str, tuple[Any, Any]]


@dataclass(frozen=True)
class EnrichResult:
    services: list[EnrichedService]
    checked: int  # services with a LeiKa key
    not_in_reference: list[str]  # keys of services the reference does not know
    dry_run: bool

    @property
    def fields_changed(self) -> int:
        return sum(len(s.changes) for s in self.services)


_ENRICH_COLUMNS = ("id", "leika_key", "citizen_name", "notes", *FILLED_FIELDS)


def enrich_services(session: Session, ctx: ChangeContext, *, dry_run: bool = False) -> EnrichResult:
    """Fill empty reference fields of every service with a LeiKa key from the reference.

    Recorded in the change history (one update row per field, source ``ctx.source``). The SDG
    Annex II flag is set to yes where the reference says so and the service says no, unless
    someone set the flag explicitly before (an edit of it is on record).
    """
    from sqlalchemy import select, update
    from sqlmodel import col

    from egov_cli import history
    from egov_cli.models import ChangeRecord, Service
    from egov_cli.services.common import service_search_text

    ref = load_reference()
    rows = session.execute(
        select(*(col(getattr(Service, c)) for c in _ENRICH_COLUMNS))
        .where(col(Service.leika_key).is_not(None))
        .order_by(col(Service.id))
    ).all()
    sdg_set_by_hand = set(
        session.execute(
            select(col(ChangeRecord.entity_id))
            .where(col(ChangeRecord.entity) == "service", col(ChangeRecord.field) == "sdg_annex2")
            .distinct()
        ).scalars()
    )
    enriched: list[EnrichedService] = []
    not_found: list[str] = []
    updates: list[dict[str, Any]] = []
    records: list[dict[str, Any]] = []
    for row in rows:
        current = dict(zip(_ENRICH_COLUMNS, row, strict=True))
        entry = ref.by_key.get(current["leika_key"])
        if entry is None:
            not_found.append(current["leika_key"])
            continue
        changes: dict[str, tuple[Any, Any]] = {}
        for name, attribute in FILLED_FIELDS.items():
            value = getattr(entry, attribute)
            if name == "sdg_annex2":
                if value and not current[name] and current["id"] not in sdg_set_by_hand:
                    changes[name] = (current[name], True)
            elif value is not None and _is_empty(current[name]):
                changes[name] = (current[name], value)
        if not changes:
            continue
        enriched.append(
            EnrichedService(current["id"], current["leika_key"], current["name"], changes)
        )
        after = {**current, **{k: new for k, (_old, new) in changes.items()}}
        updates.append(
            {
                "id": current["id"],
                **{k: new for k, (_old, new) in changes.items()},
                "search_text": service_search_text(after),
                "updated_at": ctx.at,
            }
        )
        records += history.updated(ctx, "service", current["id"], current["leika_key"], changes)
    if not dry_run and updates:
        # ORM bulk UPDATE by primary key (executemany, grouped by the set of changed fields).
        session.execute(update(Service), updates)
        history.insert_records(session, records)
    return EnrichResult(enriched, len(rows), not_found, dry_run)


# --- update: load a newer reference file ------------------------------------------------------


@dataclass(frozen=True)
class UpdateResult:
    file_name: str
    sha256: str
    rows: int
    keys: int
    added_keys: int  # keys not in the reference used before
    removed_keys: int  # keys of the reference used before that the new file lacks
    warnings: tuple[str, ...]
    stored_at: str
    record_id: int | None
    dry_run: bool


def update_reference(
    session: Session,
    actor: str,
    file: Path,
    *,
    dry_run: bool = False,
    at: datetime | None = None,
) -> UpdateResult:
    """Validate ``file`` (same columns as the shipped reference) and make it the reference.

    Every problem is reported with row and column; nothing changes unless the whole file is
    valid. The file is stored (as UTF-8, comma separated) where :func:`load_reference` finds it
    and recorded with its date and SHA-256 checksum in ``reference_update``.
    """
    from egov_cli.models import ReferenceUpdate, utcnow

    try:
        data = file.read_bytes()
    except FileNotFoundError as exc:
        raise FileError(
            _("No file {path!r}.").format(path=str(file)),
            _("Check the path of the reference file."),
        ) from exc
    except OSError as exc:
        raise FileError(
            _("{file} cannot be read: {reason}.").format(file=file, reason=exc.strerror)
        ) from exc
    parsed = parse_reference(data, file.name)
    if parsed.problems:
        raise InputRejected(
            list(parsed.problems),
            hint=_(
                "Fix the listed cells and load the file again; the reference in use is unchanged."
            ),
        )
    old = load_reference()
    new_keys = {e.key for e in parsed.entries if e.key}
    checksum = hashlib.sha256(data).hexdigest()
    destination = updated_reference_path()
    record_id: int | None = None
    if not dry_run:
        record = ReferenceUpdate(
            file_name=file.name,
            sha256=checksum,
            rows=len(parsed.entries),
            loaded_at=at or utcnow(),
            actor=actor,
        )
        session.add(record)
        session.flush()
        record_id = record.id
        _store(destination, to_csv(parsed.entries))
        clear_cache()
    return UpdateResult(
        file_name=file.name,
        sha256=checksum,
        rows=len(parsed.entries),
        keys=len(new_keys),
        added_keys=len(new_keys - old.by_key.keys()),
        removed_keys=len(old.by_key.keys() - new_keys),
        warnings=parsed.warnings,
        stored_at=str(destination),
        record_id=record_id,
        dry_run=dry_run,
    )


def _store(destination: Path, text: str) -> None:
    """Write ``text`` to ``destination`` atomically (a partial file, then a rename)."""
    partial = destination.with_name(destination.name + ".partial")
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(text, encoding="utf-8", newline="")
        os.replace(partial, destination)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise FileError(
            _("Cannot store the reference at {path}: {reason}.").format(
                path=destination, reason=exc.strerror
            ),
            _("Check that the folder is writable, or point {variable} at another file.").format(
                variable=REFERENCE_ENV
            ),
        ) from exc


def reference_updates(session: Session) -> list[Any]:
    """The recorded reference updates, newest first."""
    from sqlmodel import col, select

    from egov_cli.models import ReferenceUpdate

    return list(
        session.exec(
            select(ReferenceUpdate).order_by(
                col(ReferenceUpdate.loaded_at).desc(), col(ReferenceUpdate.id).desc()
            )
        ).all()
    )
