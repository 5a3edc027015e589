"""Where the reference lives, the per-process cache, and ``egov reference update``."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from egov_cli.core.errors import FileError, InputRejected
from egov_cli.core.os_reason import os_reason
from egov_cli.domain.reference.entries import Reference
from egov_cli.domain.reference.files import REFERENCE_FILE, ParsedFile, parse_reference, to_csv
from egov_cli.domain.reference.sources import (
    DASHBOARD_EXPORT,
    FIM_EXPORT,
    REFERENCE_CSV,
    detect_format,
    merge_entries,
    parse_dashboard,
    parse_fim,
)
from egov_cli.i18n import _

if TYPE_CHECKING:
    from sqlmodel import Session

#: Where a newer reference file is kept instead of the user data directory (e.g. a shared drive,
#: so that a scheduled task running under another account uses the same reference).
REFERENCE_ENV = "EGOV_REFERENCE"


def shipped_reference_path() -> Path:
    from egov_cli.core.resources import catalogue_file

    return catalogue_file("reference") / REFERENCE_FILE


def updated_reference_path() -> Path:
    """Where ``egov reference update`` keeps a newer file (``EGOV_REFERENCE`` or user data)."""
    env = os.environ.get(REFERENCE_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_path

    from egov_cli.core.config import APP_NAME

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
                path=path, reason=os_reason(exc)
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
    #: the kind of file: ``reference`` (replaces the reference), ``fim`` or ``dashboard``
    #: (merged with the reference in use)
    source_format: str = REFERENCE_CSV
    renamed_keys: int = 0  # keys whose name the file gives anew (merged sources)
    joined_keys: int = 0  # keys that got an OZG service they lacked (merged sources)


def update_reference(
    session: Session,
    actor: str,
    file: Path,
    *,
    dry_run: bool = False,
    at: datetime | None = None,
) -> UpdateResult:
    """Validate ``file`` and make the reference from it.

    ``file`` is a reference CSV in the shipped format (it replaces the reference), the FIM
    portal's LeiKa export or the federal OZG dashboard's data export (both merged with the
    reference in use: newer names and keys taken, the OZG join kept where the file has none).
    Every problem is reported with row and column; nothing changes unless the whole file is
    valid. The result is stored (as UTF-8, comma separated) where :func:`load_reference` finds
    it and recorded with its date and the file's SHA-256 checksum in ``reference_update``.
    """
    from egov_cli.core.models import ReferenceUpdate, utcnow

    try:
        data = file.read_bytes()
    except FileNotFoundError as exc:
        raise FileError(
            _("No file {file}.").format(file=file), _("Check the path of the reference file.")
        ) from exc
    except OSError as exc:
        raise FileError(
            _("Cannot read {file}: {reason}.").format(file=file, reason=os_reason(exc))
        ) from exc
    kind = detect_format(data)
    parsed: ParsedFile = {
        REFERENCE_CSV: parse_reference,
        FIM_EXPORT: parse_fim,
        DASHBOARD_EXPORT: parse_dashboard,
    }[kind](data, file.name)
    if parsed.problems:
        raise InputRejected(
            list(parsed.problems),
            hint=_(
                "Fix the listed cells and load the file again; the reference in use is unchanged."
            ),
        )
    old = load_reference()
    entries, renamed, joined = parsed.entries, 0, 0
    if kind != REFERENCE_CSV:
        merged = merge_entries(old.entries, parsed.entries)
        entries, renamed, joined = merged.entries, merged.renamed, merged.joined
    new_keys = {e.key for e in entries if e.key}
    checksum = hashlib.sha256(data).hexdigest()
    destination = updated_reference_path()
    record_id: int | None = None
    if not dry_run:
        record = ReferenceUpdate(
            file_name=file.name,
            sha256=checksum,
            rows=len(entries),
            loaded_at=at or utcnow(),
            actor=actor,
        )
        session.add(record)
        session.flush()
        record_id = record.id
        _store(destination, to_csv(entries))
        clear_cache()
    return UpdateResult(
        file_name=file.name,
        sha256=checksum,
        rows=len(entries),
        keys=len(new_keys),
        added_keys=len(new_keys - old.by_key.keys()),
        removed_keys=len(old.by_key.keys() - new_keys),
        warnings=parsed.warnings,
        stored_at=str(destination),
        record_id=record_id,
        dry_run=dry_run,
        source_format=kind,
        renamed_keys=renamed,
        joined_keys=joined,
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
                path=destination, reason=os_reason(exc)
            ),
            _("Check that the folder is writable, or point {variable} at another file.").format(
                variable=REFERENCE_ENV
            ),
        ) from exc


def reference_updates(session: Session) -> list[Any]:
    """The recorded reference updates, newest first."""
    from sqlmodel import col, select

    from egov_cli.core.models import ReferenceUpdate

    return list(
        session.exec(
            select(ReferenceUpdate).order_by(
                col(ReferenceUpdate.loaded_at).desc(), col(ReferenceUpdate.id).desc()
            )
        ).all()
    )
