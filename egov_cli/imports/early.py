"""The catalogue's services read early: on SQLite, before the import's transaction begins.

An import compares every row of a file with every service. Reading the services is mostly
SQLite's own work, done outside the interpreter; :class:`EarlyRead` does it on a thread of its
own, on a read-only connection of its own, while the import still checks the file and loads
its modules. SQLite makes each column of a part of the services into one JSON text, decoded
on that thread too: its large texts are let go at once, and the memory they took is used
again by the thread itself (memory freed on a thread that is not used again stays with the
process).

What was read counts only if no other connection has committed a change to the catalogue since
(``PRAGMA data_version`` on the early connection tells): :meth:`EarlyRead.parts` is asked once
the import's own transaction has begun to read, and answers None otherwise, or where anything
went wrong early; the import then reads the services in its own transaction, as without it.

Only the standard library here: the import starts this before it loads SQLAlchemy (see
``run.run_import``).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: The columns of ``service`` an import reads, in this order: the row's own number, the links,
#: then the fields (key and name first).
LINK_COLUMNS = ("id", "department_id", "procedure_id")
#: Services per part (about 4 MB of JSON text for 20,000).
PART_ROWS = 20_000
#: How long the early read waits for a catalogue another connection holds locked.
_BUSY_SECONDS = 0.2


def known_columns(fields: tuple[str, ...]) -> tuple[str, ...]:
    """The columns read for ``fields`` (key and name always, first)."""
    rest = tuple(f for f in fields if f not in ("leika_key", "name"))
    return (*LINK_COLUMNS, "leika_key", "name", *rest)


def import_fields(file_fields: Collection[str] = ()) -> tuple[str, ...]:
    """The service fields an import of a file with the fields ``file_fields`` reads from the
    catalogue: every one but the online details a service keeps itself, which only a file with
    such a column compares (most have none; each is a column of every service in memory)."""
    from egov_cli.core.schema import PROCEDURE_ATTRIBUTES, SERVICE_FIELDS

    return tuple(f for f in SERVICE_FIELDS if f not in PROCEDURE_ATTRIBUTES or f in file_fields)


@dataclass(frozen=True)
class Part:
    """``count`` services with an ``id`` greater than ``after`` (None: from the first), their
    ``columns`` in the order asked for."""

    after: int | None
    count: int
    columns: list[list[Any]]


def numeric_columns(declared: dict[str, str], columns: tuple[str, ...]) -> list[str]:
    """The ``columns`` that may hold a floating-point number: SQLite turns one into text in a
    column whose declared type names CHAR, CLOB or TEXT; the row's own number is an integer."""
    return [
        name
        for name in columns
        if name != "id"
        and not any(word in declared.get(name, "").upper() for word in ("CHAR", "CLOB", "TEXT"))
    ]


def read_parts(
    cursor: sqlite3.Cursor, table: str, columns: tuple[str, ...], rows: int
) -> Iterator[Part]:
    """SQLite: the table's rows ``rows`` at a time (in ``id`` order), column by column. SQLite
    makes each column of a part into one JSON array, decoded in one step: SQLite lets go of
    the interpreter while it reads, and decoding is quicker than taking rows from the cursor.

    JSON carries integers, text and NULL as they are. A part holding a value it would not
    carry exactly is taken from the cursor instead: a floating-point number (SQLite writes 15
    digits) in a column that may hold one, a blob, text too long for one array.
    """
    declared = {row[1]: row[2] for row in cursor.execute(f"PRAGMA table_info({table})")}
    names = ", ".join(columns)
    first = f"SELECT {names} FROM {table} ORDER BY id LIMIT ?"
    then = f"SELECT {names} FROM {table} WHERE id > ? ORDER BY id LIMIT ?"
    arrays = ", ".join(f"json_group_array({name})" for name in columns)
    inexact = " + ".join(
        f"(typeof({name}) = 'real')" for name in numeric_columns(declared, columns)
    )
    around = f"SELECT count(*), max(id), max({inexact or 0}), {arrays} FROM ({{}})"
    place_of_id = columns.index("id")
    after: int | None = None
    while True:
        sql, params = (first, (rows,)) if after is None else (then, (after, rows))
        try:
            found = cursor.execute(around.format(sql), params).fetchone()
        except sqlite3.Error:  # a blob, or text too long for one array
            found = None
        if found is not None and not found[2]:
            count, last, _inexact, *texts = found
            del found
            # Decoded on the thread that read them: the large texts are let go at once.
            values = [json.loads(text) for text in texts]
            del texts
        else:
            fetched = cursor.execute(sql, params).fetchall()
            count = len(fetched)
            last = fetched[-1][place_of_id] if fetched else None
            values = [list(column) for column in zip(*fetched, strict=True)]
            del fetched
        if not count:
            return
        yield Part(after, count, values)
        del values
        if count < rows:
            return
        after = last


def start_early_read(path: Path, rows: int = PART_ROWS) -> EarlyRead:
    """The services of the SQLite catalogue at ``path`` as ``known.load_known`` reads them,
    read on a thread from now on, ``rows`` at a time (the fields of a file without online
    details, see :func:`import_fields`)."""
    return EarlyRead(path, known_columns(import_fields()), rows)


class EarlyRead:
    """The services of the SQLite catalogue at ``path`` read on a thread of its own (see the
    module docstring); close it (or use it as a context manager) when done."""

    def __init__(self, path: Path, columns: tuple[str, ...], rows: int, table: str = "service"):
        self.columns = columns
        self._path = path
        self._table = table
        self._rows = rows
        self._connection: sqlite3.Connection | None = None
        self._version: int | None = None
        self._parts: list[Part] | None = None
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="egov-early-read", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            uri = f"{self._path.resolve().as_uri()}?mode=ro"
            # A catalogue some other program holds locked is not waited for: the import's
            # own transaction waits for it and reads the services then.
            connection = sqlite3.connect(
                uri, uri=True, isolation_level=None, check_same_thread=False, timeout=_BUSY_SECONDS
            )
        except (sqlite3.Error, OSError, ValueError):
            return  # read in the import's transaction instead
        self._connection = connection
        try:
            # Taken before the read: any commit by another connection from here on changes it.
            self._version = connection.execute("PRAGMA data_version").fetchone()[0]
            connection.execute("BEGIN")
            cursor = connection.cursor()
            parts = []
            # Another schema (a column missing) fails here: the import says what is wrong.
            for part in read_parts(cursor, self._table, self.columns, self._rows):
                if self._stopped:
                    return
                parts.append(part)
            self._parts = parts
        except (sqlite3.Error, UnicodeDecodeError):  # the latter: SQLite quoting a damaged page
            self._parts = None  # the command's transaction reads again and says what is wrong
        finally:
            if connection.in_transaction:  # holds no snapshot while the import writes
                with contextlib.suppress(sqlite3.Error):
                    connection.execute("COMMIT")

    def wait(self) -> None:
        """Wait until the early read is done (it goes on by itself)."""
        self._thread.join()

    def parts(self) -> list[Part] | None:
        """The parts read, if they still hold: call it once the import's transaction has
        read from the catalogue (its view is fixed then), else a commit could come between."""
        self._thread.join()
        connection, self._connection = self._connection, None
        if connection is None:
            return None
        try:
            version = connection.execute("PRAGMA data_version").fetchone()[0]
        except sqlite3.Error:
            return None
        finally:
            connection.close()
        parts, self._parts = self._parts, None
        return parts if version == self._version else None

    def close(self) -> None:
        """Stop the read where it is still going (an import that ends early, say on a refused
        file, does not wait for it) and let go of the connection."""
        self._stopped = True
        connection = self._connection
        if connection is not None and self._thread.is_alive():
            connection.interrupt()  # the running query stops with an error, caught there
        self._thread.join()
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()

    def __enter__(self) -> EarlyRead:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
