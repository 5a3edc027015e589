"""Reading a dump file: its header checked, its records one by one, its end marker.

A dump is a gzip-compressed JSON-lines file: a header line (format, version, schema revision,
source, time), one line per record (``[table, {column: value}]``), and a trailer line with the
record counts and a content checksum. A damaged or truncated dump, or a name in it that holds a
control character, is refused before anything is restored.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from egov_cli.core.errors import FileError, SchemaMismatch, ValidationError
from egov_cli.core.os_reason import os_reason
from egov_cli.i18n import _
from egov_cli.storage.db import HEAD_REVISION
from egov_cli.values.parse import parse_text

DUMP_FORMAT = "egov-cli catalogue dump"
DUMP_VERSION = 1


def dump_records(
    path: Path,
) -> tuple[dict[str, Any], Iterator[tuple[str, dict[str, Any]]], dict[str, Any]]:
    """The dump's header, an iterator over its records, and (filled when the iterator ends)
    its trailer. The iterator raises on a damaged or truncated dump."""
    try:
        handle = gzip.open(path, "rt", encoding="utf-8")  # noqa: SIM115  (the records iterator closes it)
        first = handle.readline()
    except FileNotFoundError:
        raise FileError(
            _("No file {path!r}.").format(path=str(path)),
            _("Check the path (quote it if it contains spaces)."),
        ) from None
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise FileError(
            _("{path} is not a readable egov dump: {reason}.").format(
                path=path, reason=os_reason(exc) if isinstance(exc, OSError) else exc
            ),
            _("Use a file written by 'egov db dump'."),
        ) from exc
    try:
        header = json.loads(first) if first else None
    except json.JSONDecodeError:
        header = None
    if not isinstance(header, dict) or header.get("format") != DUMP_FORMAT:
        handle.close()
        raise FileError(
            _("{path} is not an egov dump.").format(path=path),
            _("Use a file written by 'egov db dump'."),
        )
    if header.get("version") != DUMP_VERSION:
        handle.close()
        raise SchemaMismatch(
            _("{path} is a dump of format version {version}; this egov reads {supported}.").format(
                path=path, version=header.get("version"), supported=DUMP_VERSION
            )
        )
    if header.get("schema") != HEAD_REVISION:
        handle.close()
        raise SchemaMismatch(
            _("{path} holds schema {schema}; this egov restores schema {head}.").format(
                path=path, schema=header.get("schema"), head=HEAD_REVISION
            ),
            _("Restore it with the egov version that wrote it, upgrade there, and dump again."),
        )
    trailer: dict[str, Any] = {}

    def records() -> Iterator[tuple[str, dict[str, Any]]]:
        with handle:
            try:
                for number, line in enumerate(handle, start=2):
                    item = json.loads(line)
                    if isinstance(item, dict) and item.get("end"):
                        trailer.update(item)
                        break
                    if not (
                        isinstance(item, list) and len(item) == 2 and isinstance(item[1], dict)
                    ):
                        raise FileError(
                            _("{path}: line {number} is not a record.").format(
                                path=path, number=number
                            ),
                            _("The dump is damaged; nothing was restored."),
                        )
                    _refuse_control_characters(path, number, str(item[0]), item[1])
                    yield str(item[0]), item[1]
            except (OSError, EOFError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise FileError(
                    _("{path} is damaged: {reason}.").format(
                        path=path, reason=os_reason(exc) if isinstance(exc, OSError) else exc
                    ),
                    _("Nothing was restored; use a complete dump."),
                ) from exc
            if not trailer:
                raise FileError(
                    _("{path} is truncated (it has no end marker).").format(path=path),
                    _("Nothing was restored; use a complete dump."),
                )

    return header, records(), trailer


#: The codes and names a restored record may not hold control characters in (they are shown
#: on terminals and in every report); the rest of a record is data, kept as dumped.
NAMED_COLUMNS = {
    "department": ("code", "name"),
    "procedure": ("name",),
    "service": ("leika_key", "name", "citizen_name", "ozg_id"),
    "maturity_level": ("label",),
    "target": ("name",),
}


def _refuse_control_characters(path: Path, line: int, table: str, row: dict[str, Any]) -> None:
    """Refuse (exit 3, nothing restored) a code or name in a dump that holds a control
    character: a terminal escape sequence in a name would reach every terminal it is shown on."""
    for column in NAMED_COLUMNS.get(table, ()):
        value = row.get(column)
        if isinstance(value, str):
            try:
                parse_text(value, column)
            except ValidationError as exc:
                raise ValidationError(
                    _(
                        "{path}, line {line}: {table} {column}: {message} Nothing was restored."
                    ).format(path=path, line=line, table=table, column=column, message=exc.message),
                    _(
                        "Correct the name in the catalogue the dump was made from and dump it again."
                    ),
                ) from None
