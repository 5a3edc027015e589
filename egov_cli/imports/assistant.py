"""The import assistant: the columns egov did not take, put to the officer one by one.

:func:`unrecognised_columns` reads the file's header (nothing from the catalogue) and gives
each column that is not imported with a few sample values and the best guesses;
:func:`assist` puts them to a ``choose`` function (the command line asks on a terminal; tests
pass their own) and returns the ``--map`` entries chosen. Without a terminal the command line
never asks: the rules of the import apply unattended.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from egov_cli.core import schema
from egov_cli.imports.options import ImportOptions
from egov_cli.imports.reading import check_input, open_file
from egov_cli.imports.reading.header_names import recognise_header

#: Sample values shown per column.
SAMPLES = 3


@dataclass(frozen=True)
class UnknownColumn:
    """A column of the file that is not imported: its header, why, sample values and the
    fields it most likely is (best first)."""

    header: str
    reason: str
    samples: tuple[str, ...]
    guesses: tuple[str, ...]


#: Asked for one column: the field to import it as, or None to leave it out.
Chooser = Callable[[UnknownColumn], str | None]


def unrecognised_columns(path: Path, options: ImportOptions) -> list[UnknownColumn]:
    """The columns of ``path`` that an import with ``options`` would not take."""
    opened = open_file(check_input(path), options.read_options())
    try:
        header_row, match = opened.header
        rows = [cells for number, cells in opened.head if number > header_row]
        taken = {c.field for c in match.columns}
        found = []
        for entry in match.mapping:
            if entry.field is not None or entry.reason == "ignored by --map":
                continue
            samples = []
            for cells in rows:
                value = cells[entry.index] if entry.index < len(cells) else None
                if value not in (None, "") and str(value) not in samples:
                    samples.append(str(value))
                if len(samples) == SAMPLES:
                    break
            guesses = list(entry.candidates)
            guess = recognise_header(entry.header)
            if guess is not None and guess.field not in guesses:
                guesses.insert(0, guess.field)
            found.append(
                UnknownColumn(
                    entry.header,
                    entry.reason,
                    tuple(samples),
                    tuple(g for g in guesses if g not in taken),
                )
            )
        return found
    finally:
        opened.close()


def assist(columns: list[UnknownColumn], choose: Chooser) -> dict[str, str]:
    """The ``--map`` entries (header -> field) the officer chose for ``columns`` (from
    :func:`unrecognised_columns`); a field is taken once, an unknown answer leaves the column
    out."""
    chosen: dict[str, str] = {}
    for column in columns:
        field = choose(column)
        if field is None:
            continue
        described = schema.BY_FIELD.get(field) or schema.match_header(field)
        if described is not None and described.field not in chosen.values():
            chosen[column.header] = described.field
    return chosen
