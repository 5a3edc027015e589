"""Service lists as JSON for other tools, in one documented, stable shape (version 1).

::

    {
      "metadata": {
        "format": "egov-services",        // always this
        "version": 1,                     // raised only for incompatible changes
        "generated_at": "2026-11-25T09:00:00+00:00",   // UTC, ISO 8601
        "catalogue": "catalogue.db",      // file name or URL without password
        "filter": {"department": "32"},   // the filters given, by name ({} for all)
        "row_count": 2,
        "columns": [{"field": "leika_key", "header": "LeiKa-Schlüssel"}, ...],
        "scale": {"name": "ozg-1.1",
                  "levels": [{"level": 0, "label": "Offline", "online": false}, ...]}
      },
      "rows": [
        {"leika_key": "99050012104000", "name": "Gewerbe Anmeldung", "level": 3,
         "status": "live", "go_live": "2026-10-01", "sdg_annex2": true, ...},
        ...
      ]
    }

Each row holds the chosen columns by field name (``--columns``; default all) with the stored
values: LeiKa keys as 14-digit strings, levels as numbers, vocabulary terms as codes (``live``,
``in_progress``, ``citizens`` ...), yes/no as booleans, dates as ``YYYY-MM-DD``, and ``null``
where a value is empty. Text is written as is (JSON has no formulas).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from egov_cli.core import schema
from egov_cli.core.files import atomic_path
from egov_cli.exports.columns import ExportMeta, machine_rows, machine_value

FORMAT_NAME = "egov-services"
FORMAT_VERSION = 1


def metadata(meta: ExportMeta, columns: Sequence[schema.Column], lang: str) -> dict[str, Any]:
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "generated_at": meta.generated_at.isoformat(),
        "catalogue": meta.catalogue,
        "filter": {k: machine_value(v) for k, v in meta.filter.items()},
        "row_count": meta.row_count,
        "columns": [{"field": c.field, "header": c.header(lang)} for c in columns],
        "scale": {
            "name": meta.scale.name,
            "levels": [
                {"level": lv.level, "label": lv.label, "online": lv.online}
                for lv in meta.scale.levels
            ],
        },
    }


def write_json_stream(
    stream: IO[str],
    columns: Sequence[schema.Column],
    rows: Sequence[Sequence[Any]],
    meta: ExportMeta,
) -> int:
    """Write the document to a text stream; returns the number of rows."""
    from dataclasses import replace

    materialised = list(rows)
    meta = replace(meta, row_count=len(materialised))
    head = json.dumps(
        {"metadata": metadata(meta, columns, meta.lang)}, ensure_ascii=False, indent=2
    )
    stream.write(head[:-2].rstrip() + ',\n  "rows": [')
    dumps = json.JSONEncoder(ensure_ascii=False, default=machine_value).encode
    for i, record in enumerate(machine_rows(materialised, columns)):
        stream.write(("\n    " if i == 0 else ",\n    ") + dumps(record))
    stream.write("\n  ]\n}\n" if materialised else "]\n}\n")
    return len(materialised)


def write_json(
    path: Path, columns: Sequence[schema.Column], rows: Sequence[Sequence[Any]], meta: ExportMeta
) -> int:
    """Write the JSON document atomically (UTF-8, no BOM); returns the number of rows."""
    with atomic_path(Path(path)) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as stream:
        return write_json_stream(stream, columns, rows, meta)
