"""Units of work on a catalogue: one transaction that commits whole or not at all, and its
rerun when it collides with a concurrent writer."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import exc as sa_exc
from sqlmodel import Session

from egov_cli.core.errors import DatabaseError
from egov_cli.storage.driver_errors import database_error
from egov_cli.storage.engine import WRITE_OPTION

if TYPE_CHECKING:
    from egov_cli.storage.db import Catalogue

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
