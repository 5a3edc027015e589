"""Writing many rows quickly: :class:`BulkWriter`, the import's speed machinery for writing.

Each trick is one method, with its reason and its gain as measured with
``benchmarks/bench_import.py`` (100,000 rows) when it was introduced:

* :meth:`BulkWriter.insert`: on SQLite many rows to one INSERT statement (the history records
  a quarter quicker than with one statement per row);
* :meth:`BulkWriter.insert_with`: values every row shares bound once per statement (an
  INSERT ... SELECT over a VALUES list): the upsert of half the rows about 6 % quicker;
* :meth:`BulkWriter.without_indexes`: the secondary indexes of a table that at least doubles
  made anew in one sort each after the rows are added (a third quicker than adding each
  row's index entries as it goes);
* :meth:`BulkWriter.execute_later` / :meth:`BulkWriter.pipelined`: a statement that works
  inside SQLite alone (the INSERT ... SELECT of a batch's create records) runs on a worker
  thread while the next batch is prepared (saves waiting, not work: wall time only);
* a larger SQLite page cache for the transaction (index updates of 100,000 rows otherwise
  spill pages to the WAL again and again).

None of it changes what is written; on other databases the plain executemany is used.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date
from itertools import chain
from typing import Any

from sqlalchemy import Date
from sqlmodel import Session

from egov_cli.imports.known import sqlite_json
from egov_cli.imports.options import WriteSizes

#: SQLite: the page cache of a writing import's transaction (KiB).
SQLITE_CACHE_KB = 32_000


class BulkWriter:
    """executemany straight on the driver, with the column types' own value conversions.

    The rows are tuples in a given column order; values the driver cannot take as they are
    (dates on SQLite) are converted by the column type's bind processor, as SQLAlchemy would.
    """

    def __init__(self, session: Session, sizes: WriteSizes | None = None):
        self.sizes = sizes or WriteSizes()
        self.connection = session.connection()
        self.dialect = self.connection.dialect
        self.marker = "?" if self.dialect.paramstyle == "qmark" else "%s"
        #: SQLite's JSON functions make the create records' snapshots (built in since 3.38).
        self.json_in_sql = sqlite_json(self.dialect)
        self.max_variables = 999  # values bound to one statement (SQLite: asked below)
        if self.dialect.name == "sqlite":
            # A larger page cache for this transaction: index updates of 100,000 rows
            # otherwise spill pages to the WAL again and again.
            self.connection.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KB}")
            driver: Any = self.connection.connection.driver_connection
            self.max_variables = driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        self._processors: dict[tuple[str, str], Any] = {}
        self._worker: ThreadPoolExecutor | None = None
        self._later: Future[Any] | None = None

    def execute_later(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        """Run a statement that works inside the database alone (an INSERT ... SELECT: the
        driver lets go of the interpreter for all of it) on a worker thread, while the caller
        prepares the next rows. The next statement waits for it (:meth:`wait`)."""
        self.wait()
        if self._worker is None:
            self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="egov-write")
        self._later = self._worker.submit(self.connection.exec_driver_sql, sql, rows)

    def wait(self) -> None:
        """Wait for the statement handed to the worker (its error is raised here)."""
        later, self._later = self._later, None
        if later is not None:
            later.result()

    @contextmanager
    def pipelined(self) -> Iterator[None]:
        """A block whose statements may be handed to the worker (:meth:`execute_later`). At its
        end the last one is waited for and the worker stops. A failure in the block is the one
        raised (the worker's statement is still waited for), the worker's raised otherwise."""
        try:
            yield
            self.wait()
        except BaseException:
            later, self._later = self._later, None
            if later is not None:
                later.exception()  # waited for; its error no longer counts
            raise
        finally:
            if self._worker is not None:
                self._worker.shutdown()
                self._worker = None

    @contextmanager
    def without_indexes(self, table: Any, adding: int, present: int) -> Iterator[None]:
        """SQLite, adding at least as many rows as the table holds (and many): the table's
        secondary indexes dropped for the block and made anew at its end, in one sort each
        (a third quicker than adding each row's entries as it goes). The same indexes as
        before: each is made again by its own statement. Nothing of it counts until the
        transaction commits; on an error it is rolled back with the rest."""
        if (
            self.dialect.name != "sqlite"
            or adding < self.sizes.index_rebuild_rows
            or adding < present
        ):
            yield
            return
        indexes = self.connection.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL",  # not those SQLite keeps for UNIQUE and PRIMARY KEY
            (table.name,),
        ).all()
        for name, _sql in indexes:
            self.connection.exec_driver_sql(f'DROP INDEX "{name}"')
        yield
        for _name, sql in indexes:
            self.connection.exec_driver_sql(sql)

    def _processor(self, table: Any, name: str) -> Any:
        key = (table.name, name)
        if key not in self._processors:
            # The dialect's own type (e.g. SQLite's DATETIME), as SQLAlchemy would bind it.
            column_type = table.c[name].type.dialect_impl(self.dialect)
            self._processors[key] = column_type.bind_processor(self.dialect)
        return self._processors[key]

    def processor(self, table: Any, name: str) -> Any:
        return self._processor(table, name)

    def needs(self, table: Any, name: str) -> bool:
        return self._processor(table, name) is not None

    def process(self, table: Any, name: str, value: Any) -> Any:
        processor = self._processor(table, name)
        return value if processor is None or value is None else processor(value)

    def bind_column(self, table: Any, name: str, values: list[Any]) -> list[Any]:
        """A column's values as its type binds them; each distinct value (dates and flags
        repeat) converted once."""
        process = self._processor(table, name)
        distinct = set(values)
        distinct.discard(None)
        if self.dialect.name == "sqlite" and isinstance(table.c[name].type, Date):
            # SQLite stores a date as its ISO text: what the processor makes of it
            bound = {v: v.isoformat() if type(v) is date else process(v) for v in distinct}
        else:
            bound = {v: process(v) for v in distinct}
        bound[None] = None
        return list(map(bound.__getitem__, values))

    def insert(self, table: Any, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        """INSERT ``rows``: on SQLite many rows to a statement (a quarter quicker than one
        statement per row), elsewhere with executemany."""
        if not rows:
            return
        head = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES "
        row = f"({', '.join([self.marker] * len(columns))})"
        self.wait()
        if self.dialect.name != "sqlite":
            self.connection.exec_driver_sql(head + row, rows)
            return
        per = max(1, min(self.sizes.rows_per_statement, self.max_variables // len(columns)))
        sql = head + ", ".join([row] * per)
        for start in range(0, len(rows), per):
            part = rows[start : start + per]
            if len(part) < per:
                sql = head + ", ".join([row] * len(part))
            self.connection.exec_driver_sql(sql, tuple(chain.from_iterable(part)))

    def insert_with(
        self,
        table: Any,
        shared: dict[str, Any],
        columns: tuple[str, ...],
        rows: list[tuple[Any, ...]],
    ) -> None:
        """INSERT ``rows`` (values of ``columns``), every row with the ``shared`` values too.
        On SQLite these are bound once per statement, not once per row (an INSERT ... SELECT
        over a VALUES list, whose rows SQLite inserts in their order): a sixth quicker for
        history records, which share half their columns."""
        if not rows:
            return
        if self.dialect.name != "sqlite":
            constants = tuple(shared.values())
            self.insert(table, (*shared, *columns), [(*constants, *row) for row in rows])
            return
        head = (
            f"INSERT INTO {table.name} ({', '.join((*shared, *columns))}) "
            f"SELECT {', '.join(['?'] * len(shared))}, "
            f"{', '.join(f'column{n}' for n in range(1, len(columns) + 1))} FROM (VALUES "
        )
        row = f"({', '.join(['?'] * len(columns))})"
        per = max(
            1, min(self.sizes.rows_per_values, (self.max_variables - len(shared)) // len(columns))
        )
        constants = tuple(shared.values())
        self.wait()
        for start in range(0, len(rows), per):
            part = rows[start : start + per]
            sql = head + ", ".join([row] * len(part)) + ")"
            self.connection.exec_driver_sql(sql, constants + tuple(chain.from_iterable(part)))

    def insert_columns(self, table: Any, columns: dict[str, list[Any]]) -> None:
        """INSERT rows given column by column (one of them always set, such as the id). A
        column without a value in any row is left out, NULL all the same: the driver binds a
        None slowly (it looks for an adapter for each one)."""
        filled = {
            name: values
            for name, values in columns.items()
            if any(value is not None for value in values)  # stops at the first value
        }
        self.insert(table, tuple(filled), list(zip(*filled.values(), strict=True)))

    def update_sql(self, table: Any, columns: tuple[str, ...]) -> str:
        sets = ", ".join(f"{c} = {self.marker}" for c in columns)
        return f"UPDATE {table.name} SET {sets} WHERE id = {self.marker}"

    def execute(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            self.wait()
            self.connection.exec_driver_sql(sql, rows)
