"""Writing output files safely: atomically, with clear errors, under names Windows accepts.

A file is written under a temporary name in the target folder and moved onto its final name
with :func:`os.replace` only when it is complete, so a crash, a full disk or Ctrl+C never
leaves a half-written file under the final name. Used by every writer: exports, reports,
rejects files, backups and dumps.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from egov_cli.core.errors import FileError
from egov_cli.core.os_reason import os_reason
from egov_cli.i18n import _

_ILLEGAL = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"com{i}" for i in range(1, 10)}
    | {f"lpt{i}" for i in range(1, 10)}
)


def shown_name(path: Path) -> str:
    """``path``'s name as text any terminal, catalogue and JSON can hold: a byte of a name that
    is not UTF-8 (Linux allows any bytes) is written out as ``\\xNN``. The file itself is still
    opened by its real name."""
    return os.fsencode(path.name).decode("utf-8", "backslashreplace")


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
            _("Cannot write {path}: permission denied or the file is in use.").format(path=path),
            _(
                "Close the file if it is open (e.g. in Excel), check that the folder is writable, "
                "or choose another file name."
            ),
        )
    if isinstance(exc, FileNotFoundError | NotADirectoryError):
        return FileError(
            _("Cannot write {path}: the folder {folder} does not exist.").format(
                path=path, folder=path.parent
            ),
            _("Create the folder first or choose another path."),
        )
    if isinstance(exc, IsADirectoryError):
        return FileError(
            _("Cannot write {path}: it is a folder.").format(path=path), _("Give a file name.")
        )
    return FileError(
        _("Cannot write {path}: {reason}.").format(path=path, reason=os_reason(exc)),
        _("Check the disk space and the folder's permissions; nothing was written."),
    )


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to; moved onto ``path`` when the block ends.

    On any error the temporary file is removed and ``path`` is left as it was. OS errors become
    a :class:`FileError` naming the file and what to do.
    """
    path = Path(path)
    if path.is_dir():
        raise FileError(
            _("Cannot write {path}: it is a folder.").format(path=path), _("Give a file name.")
        )
    try:
        handle, name = tempfile.mkstemp(
            prefix=f".{path.stem[:40]}.", suffix=".tmp" + path.suffix, dir=path.parent or "."
        )
        os.close(handle)
        os.chmod(name, 0o666 & ~_umask())  # mkstemp makes it private; ours are ordinary files
    except OSError as exc:
        raise _describe_os_error(path, exc) from exc
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


class GuardedFile:
    """A binary file for a library that writes through it (xlsxwriter's zip archive): once a
    write fails (a full disk), it takes no more, so the library's own cleanup has nothing left
    to fail on (``ZipFile.__del__`` would print a traceback after egov's message). The caller
    raises the first error; :meth:`close` never fails."""

    def __init__(self, path: Path) -> None:
        self._handle = path.open("wb")
        self.error: OSError | None = None

    def write(self, data: bytes) -> int:
        if self.error is not None:
            return len(data)
        try:
            return self._handle.write(data)
        except OSError as exc:
            self.error = exc
            raise

    def flush(self) -> None:
        if self.error is None:
            try:
                self._handle.flush()
            except OSError as exc:
                self.error = exc
                raise

    def tell(self) -> int:
        return self._handle.tell()

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._handle.seek(offset, whence)

    def seekable(self) -> bool:
        return True

    def close(self) -> None:
        """Write what is buffered (a failure is kept in ``error``) and close the file."""
        with contextlib.suppress(OSError):
            self.flush()
        try:
            self._handle.close()
        except OSError as exc:
            self.error = self.error or exc


def ensure_folder(folder: Path) -> Path:
    """The folder, created where missing; a FileError where that is impossible."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise FileError(
            _("{folder} is a file, not a folder.").format(folder=folder),
            _("Give a folder for --per-department."),
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FileError(
            _("Cannot create the folder {folder}: {reason}.").format(
                folder=folder, reason=os_reason(exc)
            ),
            _("Check the path and its permissions."),
        ) from exc
    return folder


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _temp_beside(path: Path, data: bytes) -> Path:
    """``data`` in a new temporary file in ``path``'s folder (flushed to disk)."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except (FileExistsError, NotADirectoryError):
        raise FileError(
            _("Cannot write {path}: {file} is a file, not a folder.").format(
                path=path, file=_file_in(folder)
            ),
            _("Choose a path whose folders are folders."),
        ) from None
    except OSError as exc:
        raise FileError(
            _("Cannot write {path}: {reason}.").format(path=path, reason=os_reason(exc)),
            _("Check that the folder exists and is writable."),
        ) from None
    temp = Path(name)
    try:
        os.chmod(temp, 0o666 & ~_umask())  # mkstemp makes it private; a report is an ordinary file
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise FileError(
            _("Cannot write {path}: {reason}.").format(path=path, reason=os_reason(exc)),
            _("Check free disk space and permissions; nothing was written."),
        ) from None
    return temp


def _file_in(folder: Path) -> Path:
    """The first part of ``folder``'s path that is a file (``folder`` itself if none is)."""
    for part in reversed([folder, *folder.parents]):
        if part.is_file():
            return part
    return folder


def write_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` via a temporary file and a rename (replacing ``path``); a
    device or pipe (``/dev/null``, a FIFO) is written into, never replaced."""
    try:
        mode = path.stat().st_mode
    except OSError:
        mode = None
    if mode is not None and stat.S_ISDIR(mode):
        raise FileError(
            _("Cannot write {path}: it is a folder.").format(path=path), _("Give a file name.")
        )
    if mode is not None and not stat.S_ISREG(mode):
        # A device or pipe (/dev/null, NUL, a FIFO): write into it, never replace it.
        try:
            with path.open("wb") as handle:
                handle.write(data)
        except OSError as exc:
            raise FileError(
                _("Cannot write {path}: {reason}.").format(path=path, reason=os_reason(exc))
            ) from None
        return path
    temp = _temp_beside(path, data)
    try:
        os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise FileError(
            _("Cannot write {path}: {reason}.").format(path=path, reason=os_reason(exc)),
            _("Is the file open in another program (Excel)? Close it and try again."),
        ) from None
    return path


def write_new(folder: Path, stem: str, suffix: str, data: bytes) -> Path:
    """Write ``data`` to ``folder/stem.suffix``, or ``stem-2.suffix``, ``stem-3.suffix`` ...:
    never replacing an existing file, never leaving a half-written one under a final name."""
    temp = _temp_beside(folder / f"{stem}.{suffix}", data)
    try:
        n = 1
        while True:
            target = folder / (f"{stem}.{suffix}" if n == 1 else f"{stem}-{n}.{suffix}")
            try:
                os.link(temp, target)  # fails if target exists: no overwrite, even in a race
                return target
            except FileExistsError:
                n += 1
            except OSError:
                # File systems without hard links: a rename after a check (good enough there).
                if target.exists():
                    n += 1
                    continue
                os.replace(temp, target)
                return target
    except OSError as exc:
        raise FileError(
            _("Cannot write into {folder}: {reason}.").format(folder=folder, reason=os_reason(exc)),
            _("Check that the folder is writable."),
        ) from None
    finally:
        temp.unlink(missing_ok=True)
