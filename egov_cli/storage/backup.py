"""Consistent copies of a SQLite catalogue, safe while others write (SQLite online backup);
the catalogue is only read, so it may sit on read-only storage."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from egov_cli.core.errors import FileError
from egov_cli.core.files import atomic_path
from egov_cli.core.os_reason import os_reason
from egov_cli.i18n import _
from egov_cli.storage.engine import read_only_storage, read_only_uri


def unused_name(path: Path) -> Path:
    """``path``, or ``path`` with ``-2``, ``-3`` ... before the suffix if it exists."""
    if not path.exists():
        return path
    n = 2
    while True:
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        if not candidate.exists():
            return candidate
        n += 1


def _source_uri(source: Path) -> str:
    """The URI the backup reads the catalogue through: read-only, and on read-only storage
    (a folder that cannot be written, a read-only share) without the ``-shm`` file SQLite
    cannot make there."""
    if read_only_storage(source):
        return read_only_uri(source)
    return source.resolve().as_uri() + "?mode=ro"


def backup_sqlite(source: Path, destination: Path) -> Path:
    """Copy ``source`` to ``destination`` through SQLite's online backup; atomic rename at the end."""
    if destination.exists():
        raise FileError(
            _("{path} exists already.").format(path=destination), _("Choose another file name.")
        )
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FileError(
            _("Cannot create the folder {folder}: {reason}.").format(
                folder=destination.parent, reason=os_reason(exc)
            )
        ) from exc
    with atomic_path(destination) as partial:
        try:
            src = sqlite3.connect(_source_uri(source), uri=True)
            dst = sqlite3.connect(partial)
            try:
                with dst:
                    src.backup(dst)
                dst.execute("PRAGMA journal_mode = DELETE")
            finally:
                dst.close()
                src.close()
        except sqlite3.Error as exc:
            raise FileError(
                _("Cannot write the backup {path}: {reason}.").format(path=destination, reason=exc),
                _("Check the folder."),
            ) from exc
    return destination
