"""The one error family of egov-cli and its named exit codes.

Every error a user can cause is an :class:`EgovError` with a message that names what is wrong
(file, sheet, row, column, value) and a hint that says how to fix it. The CLI turns it into a
message on stderr and the error's exit code, in one place (``egov_cli.cli.app``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from egov_cli.i18n import _, ngettext
from egov_cli.values import display as formats

#: The most characters of a value a message shows (a cell may hold 32,767, a file far more).
SHOWN_CHARS = 80


def shown_value(value: object, limit: int = SHOWN_CHARS) -> str:
    """``value`` as every message shows it: quoted, and where longer than ``limit`` characters,
    cut there with its whole length told (``'xxxx…' (60,000,000 characters)``). A huge cell
    named in a message costs no more than a short one."""
    text = value if isinstance(value, str) else str(value)
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}… ({len(text):,} characters)"


class ExitCode(IntEnum):
    """Exit codes of the ``egov`` command (documented in the README)."""

    OK = 0
    FAILURE = 1  # unexpected failure
    USAGE = 2  # wrong options or arguments (reported by Typer)
    INVALID_INPUT = 3  # a value (in a file or given to an option), row or file did not validate
    NOT_FOUND = 4  # no such service, department, procedure, target, profile, reference entry
    CONFLICT = 5  # already exists, duplicate key, concurrent change
    SCHEMA_MISMATCH = 6  # catalogue schema older or newer than this program
    DATABASE = 7  # catalogue cannot be opened, is locked or read-only
    FILE_ERROR = 8  # a file is missing, or cannot be read or written
    ABORTED = 9  # the user declined a confirmation
    TARGET_AT_RISK = 10  # report run --fail-on at-risk: a target is at risk
    TARGET_MISSED = 11  # report run --fail-on missed/at-risk: a target is missed
    PARTIAL_IMPORT = 12  # import --on-error skip: rows were rejected, the others imported


class EgovError(Exception):
    """An error the user can understand and act on."""

    exit_code: ExitCode = ExitCode.FAILURE

    def __init__(self, message: str, hint: str | None = None, *, details: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.details = details or []

    def to_dict(self) -> dict[str, object]:
        return {
            "error": type(self).__name__,
            "exit_code": int(self.exit_code),
            "message": self.message,
            "hint": self.hint,
            "details": self.details,
        }


class UsageError(EgovError):
    """Options that do not fit together or cannot be acted on (e.g. an output file whose
    extension names no format)."""

    exit_code = ExitCode.USAGE


class ValidationError(EgovError):
    """A single value did not validate (a key, a date, a level, a flag ...)."""

    exit_code = ExitCode.INVALID_INPUT


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file, located as precisely as possible."""

    message: str
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: object = None
    hint: str | None = None

    def location(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.sheet:
            parts.append(_("sheet {sheet!r}").format(sheet=self.sheet))
        if self.row is not None:
            parts.append(_("row {row}").format(row=self.row))
        if self.column:
            parts.append(_("column {column!r}").format(column=self.column))
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.location()
        text = f"{where}: {self.message}" if where else self.message
        if self.value not in (None, ""):
            value = self.value
            if type(value) is float and value.is_integer():
                value = int(value)  # a number cell read as 9.0 was typed as 9
            shown = shown_value(value) if isinstance(value, str) else repr(value)
            text += " " + _("(value {value})").format(value=shown)
        if self.hint:
            text += f" - {self.hint}"
        return text


class InputRejected(EgovError):
    """A file had invalid rows; nothing was written. ``problems`` lists every one (the details);
    ``column_map`` (JSON-ready entries, as in the import's result) says what became of each
    column of the file, so that a stopped import shows its column map too."""

    exit_code = ExitCode.INVALID_INPUT

    def __init__(
        self,
        problems: list[Problem],
        message: str | None = None,
        hint: str | None = None,
        *,
        column_map: list[dict[str, Any]] | None = None,
    ):
        count = len(problems)
        super().__init__(
            message
            or ngettext(
                "{count} problem found; nothing was written",
                "{count} problems found; nothing was written",
                count,
            ).format(count=formats.number(count)),
            hint
            or _(
                "Fix the listed cells and run the command again, or use --on-error skip "
                "--rejects FILE.xlsx to import the valid rows and send the rest back."
            ),
            details=[str(p) for p in problems],
        )
        self.problems = problems
        self.column_map = column_map or []

    def to_dict(self) -> dict[str, object]:
        shown = super().to_dict()
        if self.column_map:
            shown["column_map"] = self.column_map
        return shown


class BadLocation(EgovError):
    """The catalogue location (``--db``, ``EGOV_DB``) is not a path or a URL egov can open."""

    exit_code = ExitCode.USAGE


class NotFound(EgovError):
    exit_code = ExitCode.NOT_FOUND


class Conflict(EgovError):
    exit_code = ExitCode.CONFLICT


class SchemaMismatch(EgovError):
    exit_code = ExitCode.SCHEMA_MISMATCH


class DatabaseError(EgovError):
    exit_code = ExitCode.DATABASE


class ReadOnlyCatalogue(DatabaseError):
    """The catalogue can be read but not written (file permissions, a read-only URI or role)."""


class DamagedCatalogue(DatabaseError):
    """The catalogue's file (or the server's data) is damaged: truncated, overwritten."""


class FileError(EgovError):
    exit_code = ExitCode.FILE_ERROR


class Aborted(EgovError):
    exit_code = ExitCode.ABORTED


class TargetAlert(EgovError):
    """Raised by the unattended report run when ``--fail-on`` is met."""

    exit_code = ExitCode.TARGET_AT_RISK
