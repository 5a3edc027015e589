"""Making the engine of a catalogue: SQLite pragmas and read-only storage, PostgreSQL
settings, and the write lock a writing transaction takes at its start."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, Connection, Engine

from egov_cli.core.config import lock_timeout
from egov_cli.core.errors import BadLocation
from egov_cli.i18n import _
from egov_cli.storage.location import (
    KNOWN_KINDS,
    mask_url,
    opened_read_only,
    parse_url,
    sqlite_path,
)

if TYPE_CHECKING:
    from sqlalchemy.engine.interfaces import DBAPIConnection
    from sqlalchemy.pool import ConnectionPoolEntry

#: Helper threads SQLite may use to sort (GROUP BY and ORDER BY over many rows, such as the
#: targets report's threshold crossings); without them one core sorts everything.
SQLITE_SORT_THREADS = 2
WRITE_OPTION = "egov_write"
#: The PostgreSQL advisory lock every writing transaction of egov holds (the bytes of "egov").
PG_WRITE_LOCK = 0x65676F76


def _sqlite_pragmas(
    busy_ms: int, read_only: bool
) -> Callable[[DBAPIConnection, ConnectionPoolEntry], None]:
    def pragmas(dbapi_conn: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
        cursor = dbapi_conn.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {busy_ms}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if not read_only:  # a catalogue opened read-only is read in whatever mode it is
                cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute(f"PRAGMA threads = {SQLITE_SORT_THREADS}")
        except UnicodeDecodeError as exc:
            # The first statement reads the schema from the file; SQLite's complaint about it
            # quoted bytes that are not text: the schema's pages are overwritten.
            raise sqlite3.DatabaseError(
                "database disk image is malformed (schema unreadable)"
            ) from exc
        finally:
            cursor.close()

    return pragmas


def read_only_storage(path: Path) -> bool:
    """True where the catalogue's file or its folder cannot be written: file permissions, a
    folder of someone else's, a read-only mount or share."""
    return path.exists() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))


def read_only_uri(path: Path) -> str:
    """The SQLite URI that reads a catalogue on read-only storage, where SQLite cannot make the
    ``-shm`` file it reads a ``-wal`` file through: immutable (no locks, no ``-shm``) where no
    ``-wal`` file holds changes, as egov leaves it when it closes a catalogue; else read-only
    through the ``-wal`` and ``-shm`` files that are there (SQLite says if they are not)."""
    wal = path.with_name(path.name + "-wal")
    pending = wal.exists() and wal.stat().st_size > 0
    return path.resolve().as_uri() + ("?mode=ro" if pending else "?mode=ro&immutable=1")


def _pg_settings(lock_ms: int) -> Callable[[DBAPIConnection, ConnectionPoolEntry], None]:
    def settings(dbapi_conn: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
        # A lock another session holds (LOCK TABLE, a long transaction) is waited for this
        # long, then the statement fails ("lock timeout"): the command stops with a clear
        # message instead of waiting without end.
        autocommit = dbapi_conn.autocommit
        dbapi_conn.autocommit = True
        cursor = dbapi_conn.cursor()
        cursor.execute(f"SET lock_timeout = {lock_ms}")
        cursor.close()
        dbapi_conn.autocommit = autocommit

    return settings


def _sqlite_manual_begin(dbapi_conn: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    dbapi_conn.isolation_level = None


def _sqlite_begin(conn: Connection) -> None:
    write = conn.get_execution_options().get(WRITE_OPTION, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _pg_begin(conn: Connection) -> None:
    if conn.get_execution_options().get(WRITE_OPTION, False):
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_WRITE_LOCK})")


def _create_engine(target: str, url: URL, **kwargs: Any) -> Engine:
    """``create_engine``; a database kind SQLAlchemy does not know, or whose driver is not
    installed, is a usage error."""
    try:
        return create_engine(url, **kwargs)
    except sa_exc.NoSuchModuleError as exc:
        raise BadLocation(
            _(
                "The catalogue location {location} names the database kind {kind!r}, which egov "
                "does not know."
            ).format(location=mask_url(target), kind=url.drivername),
            _(KNOWN_KINDS),
        ) from exc
    except ImportError as exc:
        raise BadLocation(
            _("The database driver of {location} is not installed ({error}).").format(
                location=mask_url(target), error=exc
            ),
            _(KNOWN_KINDS),
        ) from exc


def make_engine(target: str) -> Engine:
    url = parse_url(target)
    wait_ms = round(lock_timeout() * 1000)
    if url.get_backend_name() == "sqlite":
        path = sqlite_path(target)
        read_only = opened_read_only(target)
        options: dict[str, Any] = {"connect_args": {"timeout": wait_ms / 1000}}
        if path is not None and not read_only and read_only_storage(path):
            read_only = True
            uri = read_only_uri(path)
            options["creator"] = lambda: sqlite3.connect(
                uri, uri=True, timeout=wait_ms / 1000, check_same_thread=False
            )
        engine = _create_engine(target, url, **options)
        event.listen(engine, "connect", _sqlite_pragmas(wait_ms, read_only))
        # pysqlite defers BEGIN on its own; take control so that a writing command takes the
        # write lock up front (BEGIN IMMEDIATE) and waits its turn instead of failing half-way.
        event.listen(engine, "connect", _sqlite_manual_begin)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    engine = _create_engine(target, url, pool_pre_ping=True)
    event.listen(engine, "connect", _pg_settings(wait_ms))
    # Writers take turns, as on SQLite: a writing transaction first waits for egov's write
    # lock, and under read committed every statement after it sees what the writers before it
    # committed. So the old value a change record holds is the value the change replaced, and
    # an import's new / changed / unchanged are counted against the catalogue it changes.
    # (Serializable isolation would abort and rerun whole imports that merely read the rows
    # another writer changed; row locks would have to be taken by every reader of a row that
    # is later written.) Readers never wait for it.
    event.listen(engine, "begin", _pg_begin)
    return engine


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"
