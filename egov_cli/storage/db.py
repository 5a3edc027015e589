"""Opening a catalogue: engine for a path or URL, SQLite pragmas, schema checks, transactions."""

from __future__ import annotations

import contextlib
import os
import random
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import parse_qs, unquote, unquote_plus, urlsplit

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlmodel import Session

from egov_cli.core.config import LOCK_TIMEOUT_ENV, is_url, lock_timeout
from egov_cli.core.errors import (
    BadLocation,
    DamagedCatalogue,
    DatabaseError,
    ReadOnlyCatalogue,
    SchemaMismatch,
)
from egov_cli.i18n import _

if TYPE_CHECKING:
    from sqlalchemy.engine.interfaces import DBAPIConnection
    from sqlalchemy.pool import ConnectionPoolEntry

#: The newest schema revision this program knows (the head of ``egov_cli/migrations``).
HEAD_REVISION = "0006"
#: Revisions in order, oldest first; a catalogue at an earlier one can be upgraded.
REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006")
#: Helper threads SQLite may use to sort (GROUP BY and ORDER BY over many rows, such as the
#: targets report's threshold crossings); without them one core sorts everything.
SQLITE_SORT_THREADS = 2
WRITE_OPTION = "egov_write"
#: The PostgreSQL advisory lock every writing transaction of egov holds (the bytes of "egov").
PG_WRITE_LOCK = 0x65676F76


def to_url(target: str) -> str:
    """A SQLAlchemy URL for a file path or URL; bare ``postgresql://`` uses psycopg 3."""
    if not is_url(target):
        return "sqlite:///" + str(Path(target).expanduser().resolve()).replace("\\", "/")
    for plain in ("postgresql://", "postgres://"):
        if target.startswith(plain):
            return "postgresql+psycopg://" + target[len(plain) :]
    return target


#: The password of a URL's user part, as SQLAlchemy reads it (``scheme://user:password@``).
_USER_PASSWORD = re.compile(r"^(?P<head>[^:/?#]+://[^:/@]*:)(?P<password>[^@]*)(?=@)")
#: A URL inside a driver's message.
_URL_IN_TEXT = re.compile(r"[A-Za-z][\w+.-]*://\S+")
#: Words in the name of a URL query parameter whose value is a secret (libpq's ``password``
#: and ``sslpassword``, and the like of other drivers).
_SECRET_WORDS = ("password", "passwd", "pwd", "secret", "token")
MASK = "***"


def mask_url(target: str) -> str:
    """A catalogue location as people may see it: every credential of a URL masked.

    The password of the user part and the value of every query parameter that holds a secret
    (``password``, ``sslpassword`` ...) become ``***``; the rest is shown as given. A
    ``passfile`` or ``service`` parameter names a file the driver reads; egov shows its name
    and never reads it. Works on URLs SQLAlchemy cannot parse too, for their error messages.
    """
    if not is_url(target):
        return target
    masked = _USER_PASSWORD.sub(lambda m: m.group("head") + MASK, target, count=1)
    base, sep, query = masked.partition("?")
    if not sep:
        return masked
    pieces = []
    for piece in query.split("&"):
        name, equals, _value = piece.partition("=")
        secret = any(word in unquote_plus(name).lower() for word in _SECRET_WORDS)
        pieces.append(f"{name}={MASK}" if equals and secret else piece)
    return base + sep + "&".join(pieces)


def describe(target: str) -> str:
    """The catalogue location for people: a path, or the URL with its credentials masked."""
    if not is_url(target):
        return str(Path(target).expanduser())
    return mask_url(target)


_KNOWN_KINDS = (
    "egov keeps a catalogue in SQLite (a file path, or sqlite:///PATH) or in PostgreSQL "
    "(postgresql://USER@HOST/DATABASE; characters such as @ : / in the password %-encoded)."
)


def parse_url(target: str) -> URL:
    """The SQLAlchemy URL of a catalogue location; a malformed one is a usage error."""
    try:
        return make_url(to_url(target))
    except sa_exc.ArgumentError as exc:
        raise BadLocation(
            f"The catalogue location {mask_url(target)} is not a database URL.", _KNOWN_KINDS
        ) from exc
    except ValueError as exc:
        port = _PORT.search(mask_url(target))
        what = f"The port {port.group(1)!r}" if port else "A part"
        raise BadLocation(
            f"{what} of the catalogue location {mask_url(target)} is not valid.",
            "A port is a number, e.g. postgresql://egov@dbserver:5432/egov.",
        ) from exc


_PORT = re.compile(r"://(?:[^@/]*@)?[^/:?]*:([^/?]*)")


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


def _read_only_storage(path: Path) -> bool:
    """True where the catalogue's file or its folder cannot be written: file permissions, a
    folder of someone else's, a read-only mount or share."""
    return path.exists() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))


def _read_only_uri(path: Path) -> str:
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
            f"The catalogue location {mask_url(target)} names the database kind "
            f"{url.drivername!r}, which egov does not know.",
            _KNOWN_KINDS,
        ) from exc
    except ImportError as exc:
        raise BadLocation(
            f"The database driver of {mask_url(target)} is not installed ({exc}).",
            _KNOWN_KINDS,
        ) from exc


def make_engine(target: str) -> Engine:
    url = parse_url(target)
    wait_ms = round(lock_timeout() * 1000)
    if url.get_backend_name() == "sqlite":
        path = sqlite_path(target)
        read_only = _opened_read_only(target)
        options: dict[str, Any] = {"connect_args": {"timeout": wait_ms / 1000}}
        if path is not None and not read_only and _read_only_storage(path):
            read_only = True
            uri = _read_only_uri(path)
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


def sqlite_path(target: str) -> Path | None:
    """The database file of a SQLite catalogue, else None."""
    url = parse_url(target)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    if url.query.get("uri") in ("true", "1") and url.database.startswith("file:"):
        # a SQLite URI filename (sqlite:///file:cat.db?mode=ro&uri=true): its path part
        return Path(unquote(urlsplit(url.database).path))
    return Path(url.database)


def current_revision(engine: Engine) -> str | None:
    """The catalogue's schema revision, or None where it has none (an empty database)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


@dataclass(frozen=True)
class Catalogue:
    """An opened catalogue: where it is and its engine."""

    target: str
    engine: Engine

    @property
    def label(self) -> str:
        return describe(self.target)


def open_catalogue(target: str) -> Catalogue:
    """Open an existing catalogue whose schema matches this program, else raise a clear error."""
    path = sqlite_path(target)
    if path is not None and not path.exists():
        raise DatabaseError(
            _("No catalogue at {name}.").format(name=describe(target)),
            _(
                "Create one with 'egov init' (or try 'egov demo'), or point --db / EGOV_DB at "
                "an existing catalogue."
            ),
        )
    engine = make_engine(target)
    catalogue = Catalogue(target, engine)
    try:
        revision = current_revision(engine)
    except sa_exc.DBAPIError as exc:
        raise database_error(exc, catalogue.label) from exc
    check_revision(revision, catalogue.label)
    return catalogue


def close_catalogue(catalogue: Catalogue) -> None:
    """Let go of the catalogue's connections. On SQLite, first copy every committed change from
    the ``-wal`` file into the catalogue's file (a checkpoint that waits for nobody), so that a
    plain copy of the file holds everything once egov has ended (unless another program is
    still reading an older state; ``egov db backup`` copies safely at any time). The last
    connection to close removes the ``-wal`` file."""
    engine = catalogue.engine
    if is_sqlite(engine):
        with contextlib.suppress(sa_exc.DBAPIError, sqlite3.Error):
            raw = engine.raw_connection()
            try:
                cursor = raw.cursor()
                cursor.execute("PRAGMA busy_timeout = 0")
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                cursor.close()
            finally:
                raw.close()
    engine.dispose()


def check_revision(revision: str | None, label: str) -> None:
    if revision == HEAD_REVISION:
        return
    if revision is None:
        raise SchemaMismatch(
            _("{name} is not an egov catalogue (it has no schema version).").format(name=label),
            _("Create the catalogue with 'egov init', or check --db / EGOV_DB."),
        )
    if revision in REVISIONS:
        raise SchemaMismatch(
            _("The catalogue {name} has schema {revision}; this egov needs {head}.").format(
                name=label, revision=revision, head=HEAD_REVISION
            ),
            _("Run 'egov db upgrade' (it writes a backup first)."),
        )
    raise SchemaMismatch(
        _(
            "The catalogue {name} has schema {revision}, newer than this egov knows ({head})."
        ).format(name=label, revision=revision, head=HEAD_REVISION),
        _("Upgrade egov-cli ('pip install --upgrade egov-cli'); nothing was changed."),
    )


def _opened_read_only(target: str) -> bool:
    """True for a SQLite URI filename opened read-only (``...?mode=ro&uri=true``)."""
    return is_url(target) and "ro" in parse_qs(urlsplit(target).query).get("mode", [])


#: Driver messages of a damaged catalogue (SQLite; PostgreSQL's data files).
DAMAGE_MESSAGES = (
    "malformed",  # database disk image is malformed; malformed database schema
    "file is not a database",
    "could not decode to utf-8",
    "database corrupt",
    "invalid page in block",
    "could not read block",
)


def database_error(exc: sa_exc.DBAPIError, label: str) -> DatabaseError:
    """A user-facing error for a driver error (locked, read-only, unreachable, full disk,
    damaged)."""
    return _driver_message_error(str(exc.orig) if exc.orig is not None else str(exc), label)


def driver_error(exc: BaseException, label: str) -> DatabaseError | None:
    """The user-facing error for a database driver's error that reached the command line
    unexplained (a SQLite connection of its own raises sqlite3 errors), else None."""
    if isinstance(exc, sa_exc.DBAPIError):
        return database_error(exc, label)
    if isinstance(exc, sqlite3.Error):
        return _driver_message_error(str(exc), label)
    return None


def _driver_message_error(message: str, label: str) -> DatabaseError:
    lines = message.strip().splitlines()
    detail = _URL_IN_TEXT.sub(lambda m: mask_url(m.group(0)), lines[0] if lines else message)
    lowered = detail.lower()
    if any(m in lowered for m in DAMAGE_MESSAGES):
        return _damaged(detail, label)
    if "readonly" in lowered or "read-only" in lowered or "permission" in lowered:
        return ReadOnlyCatalogue(
            _("Catalogue {name}: {detail}").format(name=label, detail=detail),
            _("The catalogue is opened read-only (mode=ro); open it by its path to change it.")
            if _opened_read_only(label)
            else _("The catalogue file or its folder is read-only; check its permissions."),
        )
    if "locked" in lowered or "lock timeout" in lowered:
        hint = _(
            "Another program or egov command holds a lock on the catalogue; egov waited "
            "{seconds:g} s. Try again in a moment, or wait longer with {variable}=SECONDS."
        ).format(seconds=lock_timeout(), variable=LOCK_TIMEOUT_ENV)
    elif "could not serialize" in lowered or "deadlock" in lowered:
        hint = _("Another egov process is writing to the catalogue; try again in a moment.")
    elif "full" in lowered or "no space" in lowered:
        hint = _("The disk is full; free some space. Nothing was written.")
    elif "connect" in lowered or "refused" in lowered or "resolve" in lowered:
        hint = _("Check the database URL and that the server is running.")
    else:
        hint = _("Nothing was written. Check the catalogue with 'egov db info'.")
    return DatabaseError(_("Catalogue {name}: {detail}").format(name=label, detail=detail), hint)


def _damaged(detail: str, label: str) -> DamagedCatalogue:
    if is_url(label) and not label.startswith("sqlite"):
        return DamagedCatalogue(
            f"The catalogue {label} is damaged: {detail}.",
            "Nothing was written. Ask the database administrator to check the server's data "
            "(amcheck) and to restore the last backup.",
        )
    file = label if not is_url(label) else "FILE"
    opening = (
        f"{label} is not a SQLite catalogue, or it is damaged"
        if "not a database" in detail
        else f"The catalogue {label} is damaged"
    )
    return DamagedCatalogue(
        f"{opening}: {detail}.",
        f'Nothing was written. Check the file: sqlite3 "{file}" "PRAGMA integrity_check". '
        "Then go back to your last copy (a file written by 'egov db backup', or "
        "'egov db restore DUMP' into a new catalogue); "
        f'sqlite3 "{file}" ".recover" can rescue what is still readable.',
    )


T = TypeVar("T")

#: Driver messages of conflicts that go away when the transaction runs again.
TRANSIENT_MESSAGES = (
    "database is locked",
    "database table is locked",
    "could not serialize access",
    "deadlock detected",
    "duplicate key value violates unique constraint",
    "unique constraint failed",
)


def is_transient(exc: BaseException) -> bool:
    """True for a lock, serialization or concurrent-insert conflict (worth one more try)."""
    cause = exc.__cause__ if isinstance(exc, DatabaseError) else exc
    if not isinstance(cause, sa_exc.OperationalError | sa_exc.IntegrityError | sa_exc.DBAPIError):
        return False
    text_ = str(cause.orig if cause.orig is not None else cause).lower()
    return any(m in text_ for m in TRANSIENT_MESSAGES)


def run_transaction(catalogue: Catalogue, work: Callable[[Session], T], *, attempts: int = 6) -> T:
    """Run ``work`` in one writing transaction; when it collides with a concurrent writer
    (locked, serialization failure, concurrent insert of the same key), run it again from the
    start, up to ``attempts`` times with growing pauses. Then a clear DatabaseError."""
    for attempt in range(1, attempts + 1):
        try:
            with transaction(catalogue, write=True) as session:
                return work(session)
        except (DatabaseError, sa_exc.DBAPIError) as exc:
            if attempt == attempts or not is_transient(exc):
                if isinstance(exc, DatabaseError):
                    raise
                raise database_error(exc, catalogue.label) from exc
            time.sleep(min(0.05 * 2**attempt, 2.0) * (0.5 + random.random()))
    raise AssertionError("unreachable")


@contextmanager
def transaction(catalogue: Catalogue, *, write: bool = True) -> Iterator[Session]:
    """One unit of work: everything inside commits together, or nothing does.

    A writing transaction takes the catalogue's write lock at its start (SQLite: BEGIN
    IMMEDIATE; PostgreSQL: egov's advisory lock), so concurrent writers queue (up to the lock
    timeout) rather than fail half-way or record values another writer had already replaced;
    reads never wait for it.
    """
    bind = catalogue.engine.execution_options(**{WRITE_OPTION: True}) if write else catalogue.engine
    session = Session(bind, expire_on_commit=False)
    try:
        if write:
            # The lock is taken here, before the work begins: the time a change is recorded
            # with (taken in the work) is after every change of the writers before it.
            session.connection()
        yield session
        session.commit()
    except sa_exc.DBAPIError as exc:
        session.rollback()
        raise database_error(exc, catalogue.label) from exc
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
