"""Writing output files safely: atomically, with clear errors, under names Windows accepts.

A file is written under a temporary name in the target folder and moved onto its final name
with :func:`os.replace` only when it is complete, so a crash, a full disk or Ctrl+C never
leaves a half-written file under the final name.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from egov_cli.errors import FileError

_ILLEGAL = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"com{i}" for i in range(1, 10)}
    | {f"lpt{i}" for i in range(1, 10)}
)


def safe_file_stem(name: str, fallback: str = "_") -> str:
    """``name`` as a file name (without extension) that Windows, macOS and Linux accept.

    Characters Windows forbids (``<>:"/\\|?*`` and control characters) become ``_``; trailing
    dots and spaces are dropped; reserved device names (``CON``, ``NUL``, ``COM1`` ...) get a
    leading ``_``.
    """
    stem = _ILLEGAL.sub("_", name).strip().rstrip(". ")
    if not stem:
        return fallback
    if stem.split(".")[0].lower() in _RESERVED:
        stem = "_" + stem
    return stem[:120]


def unique_names(stems: list[str]) -> list[str]:
    """The stems made unique ignoring case (``3_1``, ``3_1-2``), in the same order."""
    seen: set[str] = set()
    unique: list[str] = []
    for stem in stems:
        candidate, n = stem, 1
        while candidate.lower() in seen:
            n += 1
            candidate = f"{stem}-{n}"
        seen.add(candidate.lower())
        unique.append(candidate)
    return unique


def _describe_os_error(path: Path, exc: OSError) -> FileError:
    if isinstance(exc, PermissionError):
        return FileError(
            f"Cannot write {path}: permission denied or the file is in use.",
            "Close the file if it is open (e.g. in Excel), check that the folder is writable, "
            "or choose another file name.",
        )
    if isinstance(exc, FileNotFoundError | NotADirectoryError):
        return FileError(
            f"Cannot write {path}: the folder {path.parent} does not exist.",
            "Create the folder first or choose another path.",
        )
    if isinstance(exc, IsADirectoryError):
        return FileError(f"Cannot write {path}: it is a folder.", "Give a file name.")
    return FileError(
        f"Cannot write {path}: {exc.strerror or exc}.",
        "Check the disk space and the folder's permissions; nothing was written.",
    )


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to; moved onto ``path`` when the block ends.

    On any error the temporary file is removed and ``path`` is left as it was. OS errors become
    a :class:`FileError` naming the file and what to do.
    """
    path = Path(path)
    if path.is_dir():
        raise FileError(f"Cannot write {path}: it is a folder.", "Give a file name.")
    try:
        handle, name = tempfile.mkstemp(
            prefix=f".{path.stem[:40]}.", suffix=".tmp" + path.suffix, dir=path.parent or "."
        )
    except OSError as exc:
        raise _describe_os_error(path, exc) from exc
    os.close(handle)
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, path)
    except OSError as exc:
        _remove(tmp)
        raise _describe_os_error(path, exc) from exc
    except BaseException:
        _remove(tmp)
        raise


def _remove(tmp: Path) -> None:
    with contextlib.suppress(OSError):
        tmp.unlink()


def ensure_folder(folder: Path) -> Path:
    """The folder, created where missing; a FileError where that is impossible."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise FileError(f"{folder} is a file, not a folder.", "Give a folder for --per-department.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FileError(
            f"Cannot create the folder {folder}: {exc.strerror or exc}.",
            "Check the path and its permissions.",
        ) from exc
    return folder
