"""Newer sources for the reference: the FIM portal's LeiKa export and the federal OZG dashboard's
data export, and how they are merged with the reference in use.

- The FIM portal's LeiKa export ``leika_leistungen_de.csv``: ``;``-separated, Windows-1252,
  columns ``Schluessel``, ``Bezeichnung``, ``Bezeichnung2``, ``Portalverbund Lagen``,
  ``Portalverbund Lagen Codes``. It brings LeiKa keys and their current names, no OZG join.
- The federal OZG dashboard's data export (``bundesAPI/digitale-verwaltung-api``, ``/v1/data``
  as JSON, or ``/v1/data/{ars}?filetype=csv``): one record per service and region with
  ``leika_key``, ``leika_bezeichnung`` (or ``leika_name``), ``ozgid``, ``ozg_bezeichnung``,
  ``ars``, ``online_status``. It brings keys, names and the OZG join.

Both are merged with the reference in use (:func:`merge_entries`): newer names and new keys
are taken; what the new source does not say (the OZG join, type, Themenfeld, SDG flags, law)
is kept.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from egov_cli.core.errors import InputRejected, Problem
from egov_cli.domain.reference.entries import ReferenceEntry
from egov_cli.domain.reference.files import ParsedFile, decode
from egov_cli.i18n import _
from egov_cli.values.fold import fold

#: The kinds of reference file ``egov reference update`` takes.
REFERENCE_CSV, FIM_EXPORT, DASHBOARD_EXPORT = "reference", "fim", "dashboard"

FIM_COLUMNS = (
    "Schluessel",
    "Bezeichnung",
    "Bezeichnung2",
    "Portalverbund Lagen",
    "Portalverbund Lagen Codes",
)
DASHBOARD_COLUMNS = ("leika_key", "leika_bezeichnung", "ozgid", "ozg_bezeichnung")


def detect_format(data: bytes) -> str:
    """Which kind of reference file ``data`` is, by its first line (or JSON)."""
    start = data.lstrip()[:1]
    if start in (b"{", b"["):
        return DASHBOARD_EXPORT
    first = data.split(b"\n", 1)[0]
    header = {fold(h) for h in first.decode("latin-1").replace(",", ";").split(";")}
    if "leikakey" in header:
        return DASHBOARD_EXPORT
    if "schluessel" in header and "bezeichnung" in header and "leikaschluessel" not in header:
        return FIM_EXPORT
    return REFERENCE_CSV


def _key(raw: object) -> str | None:
    """A 14-digit key from a cell (text or a number a spreadsheet made of it), else None."""
    text = str(raw).strip() if raw is not None else ""
    if text.endswith(".0"):
        text = text[:-2]
    text = text.replace(" ", "")
    return text if len(text) == 14 and text.isdigit() else None


def _entry(row: int, key: str, name: str, **fields: Any) -> ReferenceEntry:
    base: dict[str, Any] = {
        "leika_type": None,
        "ozg_id": None,
        "ozg_name": None,
        "life_event": None,
        "topic": None,
        "sdg_annex1": False,
        "sdg_annex2": False,
        "law": None,
    }
    base.update(fields)
    return ReferenceEntry(row=row, key=key, name=name, **base)


def _csv_rows(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, {folded header: cell}) per non-blank row of a ``;`` or ``,`` separated text."""
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [fold(h) for h in next(reader, [])]
    for line, cells in enumerate(reader, start=2):
        if any(c.strip() for c in cells):
            yield line, {h: c.strip() for h, c in zip(header, cells, strict=False)}


def _missing(file_name: str, columns: Iterable[str], present: set[str]) -> None:
    missing = [c for c in columns if fold(c) not in present]
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
            message=_("{file} lacks columns of its kind of file; nothing was loaded").format(
                file=file_name
            ),
            hint=_("Load the file as downloaded, with its header row unchanged."),
        )


def parse_fim(data: bytes, file_name: str) -> ParsedFile:
    """Read the FIM portal's LeiKa export (``;``-separated, Windows-1252 or UTF-8)."""
    text, warnings = decode(data, file_name, expected="cp1252")
    first = text.split("\n", 1)[0]
    _missing(file_name, FIM_COLUMNS[:2], {fold(h) for h in first.split(";")})
    entries: list[ReferenceEntry] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for line, row in _csv_rows(text):
        raw = row.get("schluessel", "")
        key = _key(raw)
        name = row.get("bezeichnung", "") or row.get("bezeichnung2", "")
        if key is None:
            problems.append(
                Problem(
                    _("the key is not 14 digits"),
                    file=file_name,
                    row=line,
                    column="Schluessel",
                    value=raw,
                    hint=_("Load the export as downloaded from the FIM portal."),
                )
            )
            continue
        if key in seen:
            problems.append(
                Problem(
                    _("LeiKa key {key} is in row {row} already").format(key=key, row=seen[key]),
                    file=file_name,
                    row=line,
                    column="Schluessel",
                    value=raw,
                    hint=_("Each key may appear once; remove one of the rows."),
                )
            )
            continue
        if not name:
            problems.append(
                Problem(
                    _("the row has no name"),
                    file=file_name,
                    row=line,
                    column="Bezeichnung",
                    value="",
                )
            )
            continue
        seen[key] = line
        entries.append(_entry(line, key, name, life_event=row.get("portalverbundlagen") or None))
    if not entries and not problems:
        problems.append(Problem(_("the file has no data rows"), file=file_name, row=2))
    return ParsedFile(tuple(entries), tuple(warnings), tuple(problems))


def _dashboard_records(
    data: bytes, file_name: str
) -> tuple[list[tuple[int, dict[str, str]]], list[str]]:
    """(record number, {folded field: text}) per record of a dashboard export (JSON or CSV)."""
    if data.lstrip()[:1] in (b"{", b"["):
        try:
            loaded = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputRejected(
                [
                    Problem(
                        _("the file is not valid JSON ({error})").format(error=exc), file=file_name
                    )
                ],
                message=_("{file} cannot be read; nothing was loaded").format(file=file_name),
                hint=_("Load the dashboard's data export as downloaded (JSON or CSV)."),
            ) from exc
        items = loaded.get("content", []) if isinstance(loaded, dict) else loaded
        if not isinstance(items, list):
            items = []
        records = [
            (number, {fold(k): "" if v is None else str(v).strip() for k, v in item.items()})
            for number, item in enumerate(items, start=1)
            if isinstance(item, dict)
        ]
        return records, []
    text, warnings = decode(data, file_name)
    first = text.split("\n", 1)[0]
    _missing(
        file_name, DASHBOARD_COLUMNS[:1], {fold(h) for h in first.replace(",", ";").split(";")}
    )
    return list(_csv_rows(text)), warnings


def parse_dashboard(data: bytes, file_name: str) -> ParsedFile:
    """Read the federal OZG dashboard's data export: one entry per LeiKa key (the export has a
    record per region; the first record with a value gives each field)."""
    records, warnings = _dashboard_records(data, file_name)
    by_key: dict[str, dict[str, Any]] = {}
    problems: list[Problem] = []
    for number, record in records:
        raw = record.get("leikakey", "")
        if not raw:
            continue  # an OZG service without a LeiKa key: nothing to look up by
        key = _key(raw)
        if key is None:
            problems.append(
                Problem(
                    _("the key is not 14 digits"),
                    file=file_name,
                    row=number,
                    column="leika_key",
                    value=raw,
                    hint=_("Load the export as downloaded from the dashboard."),
                )
            )
            continue
        found = by_key.setdefault(key, {"row": number})
        ozg_id = record.get("ozgid", "").removesuffix(".0")
        for field, value in (
            ("name", record.get("leikabezeichnung") or record.get("leikaname", "")),
            ("ozg_id", ozg_id if ozg_id.isdigit() else ""),
            ("ozg_name", record.get("ozgbezeichnung", "")),
        ):
            if value and not found.get(field):
                found[field] = value
    entries = [
        _entry(
            values["row"],
            key,
            values.get("name", ""),
            ozg_id=values.get("ozg_id"),
            ozg_name=values.get("ozg_name"),
        )
        for key, values in by_key.items()
    ]
    for entry in entries:
        if not entry.name:
            problems.append(
                Problem(
                    _("LeiKa key {key} has no name in any record").format(key=entry.key),
                    file=file_name,
                    row=entry.row,
                    column="leika_bezeichnung",
                )
            )
    if not entries and not problems:
        problems.append(Problem(_("the file has no records with a LeiKa key"), file=file_name))
    return ParsedFile(tuple(entries), tuple(warnings), tuple(problems))


@dataclass(frozen=True)
class Merged:
    """The reference after a merge, and what the merge changed."""

    entries: tuple[ReferenceEntry, ...]
    added: int  # keys the reference did not have
    renamed: int  # keys whose name the new source gives differently
    joined: int  # keys that got an OZG service they did not have


def merge_entries(current: Iterable[ReferenceEntry], newer: Iterable[ReferenceEntry]) -> Merged:
    """``current`` updated from ``newer``: a newer name wins, new keys are added, and every field
    the newer source leaves empty (OZG join, type, Themenfeld, SDG flags, law) is kept."""
    entries = list(current)
    position = {e.key: i for i, e in enumerate(entries) if e.key}
    added = renamed = joined = 0
    for new in newer:
        if new.key is None:
            continue
        i = position.get(new.key)
        if i is None:
            position[new.key] = len(entries)
            entries.append(new)
            added += 1
            continue
        old = entries[i]
        changes: dict[str, Any] = {}
        if new.name and new.name != old.name:
            changes["name"] = new.name
            renamed += 1
        if new.ozg_id and new.ozg_id != old.ozg_id:
            changes["ozg_id"] = new.ozg_id
            changes["ozg_name"] = new.ozg_name or old.ozg_name
            joined += old.ozg_id is None
        elif new.ozg_name and not old.ozg_name:
            changes["ozg_name"] = new.ozg_name
        if new.life_event and not old.life_event:
            changes["life_event"] = new.life_event
        if changes:
            entries[i] = replace(old, **changes)
    return Merged(tuple(entries), added, renamed, joined)
