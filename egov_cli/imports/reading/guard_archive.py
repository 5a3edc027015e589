"""The file guard's checks on a workbook's archive: zip bombs and XML bombs.

No member of the archive may unpack to more than a sane size or compress suspiciously well (a
"zip bomb"): :func:`check_sizes` reads what the archive's directory states, :func:`pieces`
checks the actual size while a sheet is unpacked (a member whose header understates its size
is caught as well). No XML part may declare a document type or entities (an "entity bomb",
external entities): :func:`check_declarations`.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

from egov_cli.core.errors import FileError
from egov_cli.i18n import _
from egov_cli.values import display as formats

#: Largest unpacked size of one archive member, and of all of them together.
MAX_MEMBER_BYTES = 512 << 20
MAX_TOTAL_BYTES = 1 << 30
#: Members larger than this may not compress better than MAX_RATIO (Excel's sheets: about 10).
RATIO_FLOOR_BYTES = 1 << 20
MAX_RATIO = 100
MAX_MEMBERS = 10_000

_HEAD_BYTES = 64 << 10
CHUNK = 1 << 20
_DECLARATIONS = tuple(
    marker.encode(encoding)
    for marker in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)
#: Longest stretch of a sheet without the end of a tag (a tag this long is not a spreadsheet's).
_MAX_TAG_BYTES = 4 << 20


def bomb(path: Path, member: str, why: str) -> FileError:
    return FileError(
        _("{file} is refused: its part {part!r} {why}.").format(
            file=path.name, part=member, why=why
        ),
        _(
            "This is not what Excel writes (a damaged file or a so-called zip bomb). "
            "Open it in Excel, save it as .xlsx and import that copy."
        ),
    )


def check_sizes(path: Path, members: list[zipfile.ZipInfo]) -> None:
    if len(members) > MAX_MEMBERS:
        raise FileError(
            _("{file} is refused: it holds {count} parts (at most {limit} allowed).").format(
                file=path.name,
                count=formats.number(len(members)),
                limit=formats.number(MAX_MEMBERS),
            ),
            _("Open it in Excel, save it as .xlsx and import that copy."),
        )
    total = 0
    for info in members:
        size = info.file_size
        total += size
        if size > MAX_MEMBER_BYTES:
            raise bomb(
                path,
                info.filename,
                _("unpacks to {size} bytes (at most {limit} allowed)").format(
                    size=formats.number(size), limit=formats.number(MAX_MEMBER_BYTES)
                ),
            )
        if size > RATIO_FLOOR_BYTES and size > MAX_RATIO * max(info.compress_size, 1):
            raise bomb(
                path,
                info.filename,
                _(
                    "unpacks {ratio} times larger than it is packed (at most {limit} allowed)"
                ).format(ratio=formats.number(size // max(info.compress_size, 1)), limit=MAX_RATIO),
            )
    if total > MAX_TOTAL_BYTES:
        raise FileError(
            _("{file} is refused: it unpacks to {size} bytes (at most {limit} allowed).").format(
                file=path.name,
                size=formats.number(total),
                limit=formats.number(MAX_TOTAL_BYTES),
            ),
            _("Split the data into smaller files and import them one by one."),
        )


def check_declarations(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """A DOCTYPE or ENTITY declaration stands before the root element: the head suffices."""
    with archive.open(info) as stream:
        head = stream.read(_HEAD_BYTES)
    if any(marker in head for marker in _DECLARATIONS):
        raise FileError(
            _(
                "{file} is refused: its part {part!r} declares a document type or XML entities, "
                "which Excel never writes (an entity bomb or an attempt to read other files)."
            ).format(file=path.name, part=info.filename),
            _("Open it in Excel, save it as .xlsx and import that copy."),
        )


def pieces(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """A sheet part's XML a megabyte at a time, each piece ending after a whole tag. Refuses a
    part that unpacks to more than MAX_MEMBER_BYTES (whatever its header says) or holds a long
    stretch without the end of a tag."""
    seen = 0
    rest = b""
    with archive.open(info) as stream:
        while chunk := stream.read(CHUNK):
            seen += len(chunk)
            if seen > MAX_MEMBER_BYTES:
                raise bomb(
                    path,
                    info.filename,
                    _("unpacks to more than {limit} bytes").format(
                        limit=formats.number(MAX_MEMBER_BYTES)
                    ),
                )
            buffer = rest + chunk
            cut = buffer.rfind(b">") + 1  # whole tags only; the rest waits for the next chunk
            rest = buffer[cut:]
            if len(rest) > _MAX_TAG_BYTES:
                raise bomb(path, info.filename, _("holds more than 4 MB without the end of a tag"))
            yield buffer[:cut]
    yield rest
