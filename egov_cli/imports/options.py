"""What an import is asked to do: :class:`ImportOptions`, checked when made."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from egov_cli.core.errors import ValidationError
from egov_cli.i18n import _
from egov_cli.imports.reading.senders import check_base_url
from egov_cli.imports.reading.types import ReadOptions

MODES = ("upsert", "insert", "update")
ON_ERROR = ("abort", "skip")


@dataclass(frozen=True)
class WriteSizes:
    """How much the writer takes at a time; the defaults suit any file (tests make them small
    to cover several batches and statements with few rows).

    ``batch_rows``: services prepared and written per batch (bounds the memory a batch needs).
    ``rows_per_statement``: SQLite, rows to one INSERT (at most as many values as SQLite binds
    to one statement). ``rows_per_values``: SQLite, rows to one INSERT ... SELECT over a
    VALUES list. ``index_rebuild_rows``: SQLite, new services from which their table's
    indexes are made anew after the rows are added (where the table at least doubles).
    """

    batch_rows: int = 20_000
    rows_per_statement: int = 200
    rows_per_values: int = 1000
    index_rebuild_rows: int = 10_000

    def __post_init__(self) -> None:
        if min(self.batch_rows, self.rows_per_statement, self.rows_per_values) < 1:
            raise ValueError("batch and statement sizes must be at least 1")


@dataclass(frozen=True)
class ImportOptions:
    """How to read the file, what to change and who changes it.

    ``mode``: upsert adds and changes services, insert only adds, update only changes.
    ``on_error``: abort (any bad row stops the import, nothing is written) or skip (the valid
    rows are imported, the rest reported). ``dry_run``: plan and report, write nothing.
    ``rejects``: with skip, the rejected rows are written to this workbook with an error
    column. ``sheet``, ``header_row``, ``mapping`` (header -> field), ``encoding`` and
    ``delimiter`` say how to read the file (None: found). ``actor`` and ``at`` are who makes
    the change and when (default: now). ``sizes``: how much the writer takes at a time.
    """

    mode: str = "upsert"
    on_error: str = "abort"
    dry_run: bool = False
    rejects: Path | None = None
    sheet: str | None = None
    header_row: int | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    encoding: str | None = None
    delimiter: str | None = None
    value_map: dict[str, dict[str, str]] = field(default_factory=dict)
    base_url: str | None = None
    profile: str | None = None  # the name of the import profile these settings come from
    save_profile: str | None = None  # save the settings under this name (not in a dry run)
    actor: str = "egov"
    at: datetime | None = None
    sizes: WriteSizes = field(default_factory=WriteSizes)

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValidationError(
                _("--mode {value!r} is not known.").format(value=self.mode),
                _("Use one of: {choices}.").format(choices=", ".join(MODES)),
            )
        if self.on_error not in ON_ERROR:
            raise ValidationError(
                _("--on-error {value!r} is not known.").format(value=self.on_error),
                _("Use one of: {choices}.").format(choices=", ".join(ON_ERROR)),
            )
        check_base_url(self.base_url)
        if self.save_profile is not None:
            from egov_cli.domain.profiles import clean_name

            clean_name(self.save_profile)

    def read_options(self) -> ReadOptions:
        """How to read the file, as the readers take it."""
        return ReadOptions(
            sheet=self.sheet,
            header_row=self.header_row,
            mapping=dict(self.mapping),
            encoding=self.encoding,
            delimiter=self.delimiter,
            value_map={name: dict(words) for name, words in self.value_map.items()},
            base_url=self.base_url,
        )
